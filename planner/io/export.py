"""Take a plan home: CSV, JSON, a shopping list in household measures, a PDF handout.

Amounts are grams and registry units (see ``planner.domain.nutrients``); money is EUR.
Household measures come from ``data/portions.csv`` (SR28 household weights:
``food_id, amount, measure, grams, source``, e.g. ``egg_whole,1,large,50,…``) and are
metric: pieces, spoons for small amounts, millilitres for what SR28 measures in fluid
ounces; never cups, ounces or pounds. Grams are always given as well, so a food without
a known measure is never lost.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pydantic
import vl_convert
from fpdf import FPDF, FontFace, XPos, YPos

from planner import DATA_DIR
from planner.analysis import charts
from planner.domain import nutrients
from planner.domain.catalog import Catalog, Slot
from planner.domain.plan import Plan, shopping_list, supplement_labels, supplement_list
from planner.io import plan_document

PORTIONS_FILE = "portions.csv"
CSV_ENCODING = "utf-8-sig"
TITLE = "K2·D3 Meal Planner"
NOT_MEDICAL_ADVICE = (
    "Not medical advice: a meal-planning aid. People on warfarin or other vitamin K "
    "antagonists must keep vitamin K steady and talk to their clinician before changing it."
)
FONT = "DejaVu"
# fpdf2 needs a Unicode TTF for µ and ·; Debian's fonts-dejavu-core puts DejaVu here.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
SUPPLEMENT = "supplement"  # the shopping list's category of supplements
# Food categories (``foods.csv``) as headings; an unlisted one reads as its id in words
CATEGORY_LABELS = {
    "beverage": "Drinks", "cheese": "Cheese", "condiment": "Condiments", "dairy": "Dairy",
    "egg": "Eggs", "fat_oil": "Fats and oils", "fermented": "Fermented foods", "fish": "Fish",
    "fruit": "Fruit", "grain": "Grains", "herb_spice": "Herbs and spices",
    "legume": "Legumes", "meat": "Meat", "nut_seed": "Nuts and seeds", "offal": "Offal",
    "poultry": "Poultry", "vegetable": "Vegetables", "supplement": "Supplements"}
DAY_WIDTH = 12  # mm, the week grid's day column
CHART_SIZE = (420, 200)  # px, before vl-convert's 2× scale
# Vulgar fractions a kitchen measure is rounded to below ``WHOLE_FROM`` measures.
FRACTIONS: tuple[tuple[float, str], ...] = (
    (0.0, ""), (1 / 4, "¼"), (1 / 3, "⅓"), (1 / 2, "½"), (2 / 3, "⅔"), (3 / 4, "¾"),
)
WHOLE_FROM = 10
# A measure reads naturally when it counts 1 to 12 of something.
NATURAL_COUNT = (1.0, 12.0)
# US measures a metric kitchen does not use; a measure naming one is never shown.
US_MEASURES = re.compile(
    r"\b(cups?|oz|lbs?|pints?|quarts?|gallons?|cubic|inch(es)?|NLEA)\b|\d\"", re.IGNORECASE)
SPOONS = frozenset({"tsp", "tbsp", "teaspoon", "tablespoon"})
MAX_SPOONS = 4.0  # more than 4 tbsp is weighed or measured in ml
MAX_PIECES = 20.0  # more than 20 of anything is weighed
FLUID_OUNCE = re.compile(r"(?:(\d+(?:\.\d+)?) )?fl oz")
FLUID_OUNCE_ML = 29.5735
WORD_COST = 0.05  # per word of a measure's text: plain "cup" over "cup, chopped (1/2" pieces)"
# First words of SR28 measures that are countable nouns (plural when more than one);
# adjectives ("large") and abbreviations ("oz", "tbsp") stay as they are.
COUNT_NOUNS = frozenset({
    "almond", "bar", "block", "bottle", "box", "breast", "bunch", "can", "chop", "clove",
    "container", "cookie", "cracker", "cube", "cup", "dash", "date", "drumstick", "ear", "egg",
    "fillet", "fruit", "glass", "head", "item", "jar", "leaf", "link", "liver", "loaf",
    "package", "packet", "pat", "patty", "piece", "pinch", "pint", "portion", "quart", "roast",
    "roll", "sandwich", "scoop", "serving", "sheet", "slice", "spear", "sprig", "stalk",
    "steak", "stick", "strip", "tablespoon", "teaspoon", "thigh", "tortilla", "unit", "wafer",
    "wedge",
})


def round_count(count: float) -> tuple[float, str]:
    """``count`` rounded as a kitchen quantity, as (value, text).

    Nearest ¼ or ⅓ below 10 (2.45 → (2.5, "2 ½"), 0.7 → (⅔, "⅔")), whole numbers
    from 10 on; (0, "") when it rounds to nothing.
    """
    if count >= WHOLE_FROM:
        return float(round(count)), str(round(count))
    whole = math.floor(count)
    options = [(whole + value, str(whole) if whole else "", glyph) for value, glyph in FRACTIONS]
    options.append((whole + 1, str(whole + 1), ""))
    value, number, glyph = min(options, key=lambda o: abs(o[0] - count))
    return value, " ".join(part for part in (number, glyph) if part)


def pluralize(measure: str) -> str:
    """``measure`` with its first countable noun among its first two words in the plural
    ("cup, chopped" → "cups, chopped", "individual packet" → "individual packets");
    adjectives alone ("large") and abbreviations ("tbsp") stay."""
    head, sep, rest = measure.partition(" ")
    word = head.rstrip(",")
    if word not in COUNT_NOUNS:
        second = rest.split(" ")[0].rstrip(",")
        return head + sep + pluralize(rest) if second in COUNT_NOUNS else measure
    if word == "leaf":
        plural = "leaves"
    elif word.endswith(("ch", "sh", "s", "x")):
        plural = word + "es"
    elif word.endswith("y") and word[-2:-1] not in "aeiou":
        plural = word[:-1] + "ies"
    else:
        plural = word + "s"
    return plural + head[len(word):] + sep + rest


def _awkwardness(count: float, measure: str) -> float:
    """How far ``count`` lies outside 1–12 (in log units), plus a little per word of the
    measure, so "1 ⅓ tbsp" beats "3 ⅓ wedges yields" and "12 ½ large" beats "4 ⅔ cups, chopped"."""
    low, high = NATURAL_COUNT
    if count <= 0:
        return math.inf
    return max(0.0, math.log(low / count), math.log(count / high)) + WORD_COST * len(
        measure.split())


def household_measure(grams: float, portions: pd.DataFrame) -> str:
    """``grams`` of one food in its most natural metric household measure.

    ``portions`` holds that food's rows of ``amount, measure, grams`` (``amount``
    measures weigh ``grams``). A food SR28 measures in fluid ounces reads in ml
    ("250 ml"); otherwise the least awkward piece or spoon wins ("3 large", "1 ⅓ tbsp"):
    a count near 1–12 in few words, at most 4 spoons or 20 pieces; ties go to the earlier row.
    Cups, ounces and pounds are never used. "" when no measure fits or the amount
    rounds to nothing.
    """
    ml_per_gram = _ml_per_gram(portions)
    if ml_per_gram is not None:
        return millilitres(grams * ml_per_gram)
    best, best_distance = "", math.inf
    for row in portions.itertuples(index=False):
        count = grams / row.grams * row.amount
        text = metric_measure(row.measure)
        most = MAX_SPOONS if text.split(" ")[0].rstrip(",") in SPOONS else MAX_PIECES
        if not text or count > most:
            continue
        distance = _awkwardness(count, text)
        if distance < best_distance:
            value, number = round_count(count)
            measure = pluralize(text) if value > 1 else text
            best = f"{number} {measure}" if number else ""
            best_distance = distance
    return best


def metric_measure(measure: str) -> str:
    """An SR28 measure without its US sizes ("slice (1 oz)" → "slice"); "" when it is a
    US measure itself (cup, oz, lb, pint, quart, cubic inch, NLEA serving)."""
    text = re.sub(r"\s*\([^)]*\)", lambda m: "" if US_MEASURES.search(m[0]) else m[0], measure)
    return "" if US_MEASURES.search(text) else text.strip()


def _ml_per_gram(portions: pd.DataFrame) -> float | None:
    """Millilitres per gram from the food's fluid-ounce measure ("fl oz", "cup (8 fl oz)")."""
    for row in portions.itertuples(index=False):
        if found := FLUID_OUNCE.search(row.measure):
            return row.amount * float(found.group(1) or 1) * FLUID_OUNCE_ML / row.grams
    return None


def millilitres(ml: float) -> str:
    """A volume as a kitchen reads it: "5 ml" steps below 100 ml, then 10 ml, litres from
    1 l ("1.25 l"); "" when it rounds to nothing."""
    if ml >= 1000:
        return f"{round(ml / 1000, 2):g} l"
    step = 5 if ml < 100 else 10
    rounded = round(ml / step) * step
    return f"{rounded:.0f} ml" if rounded else ""


def grams_text(grams: float) -> str:
    """Grams as a shopping list prints them: whole grams from 10 g, one decimal below,
    "< 0.1 g" for a trace, so an amount never reads "0 g"; "" for an unweighed item."""
    if math.isnan(grams):
        return ""
    if grams < 0.05:
        return "< 0.1 g"
    return f"{grams:.0f} g" if grams >= 10 else f"{grams:.1f} g"


def load_portions(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """``portions.csv`` from ``data_dir`` (``food_id, amount, measure, grams, source``).

    An absent file gives an empty table: every food then shows grams only.
    """
    path = Path(data_dir) / PORTIONS_FILE
    columns = {"food_id": str, "amount": float, "measure": str, "grams": float, "source": str}
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    portions = pd.read_csv(path, dtype=columns)
    return portions[(portions["grams"] > 0) & (portions["amount"] > 0)]


def meal_table(plan: Plan, catalog: Catalog) -> pd.DataFrame:
    """One row per meal (then supplements): ``day, slot, recipe_id, name, servings, locked``,
    every registry nutrient for that meal (per-serving amount × servings, blank when
    unknown) and ``cost_eur``.
    """
    long = charts.meal_frame(plan, catalog)
    long = long.assign(row=long.groupby("nutrient").cumcount())  # the meal's position
    wide = long.pivot(index="row", columns="nutrient", values="amount")
    keys = long.drop_duplicates("row").set_index("row")[
        ["day", "slot", "recipe_id", "recipe", "servings", "locked"]]
    table = (keys.join(wide.reindex(columns=list(nutrients.ALL_IDS)))
             .rename(columns={"recipe": "name"}).reset_index(drop=True))
    unit_cost = pd.concat([catalog.recipes["cost_eur"], catalog.supplements["price_per_unit"]])
    table["cost_eur"] = table["recipe_id"].map(unit_cost) * table["servings"]
    return table


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell a spreadsheet would run as a formula (starting with
    ``= + - @``, tab or CR) prefixed with ``'``, so it opens as plain text."""
    def cell(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    text = table.select_dtypes(include=["object", "string"]).columns
    return table.assign(**{c: table[c].map(cell) for c in text})


def significant(value: float, figures: int = 3) -> float:
    """``value`` to ``figures`` significant figures but never past the units (1705.26 →
    1705, 26.7616 → 26.8, 0.020000000000000004 → 0.02); NaN stays NaN."""
    if not value or not math.isfinite(value):
        return value
    return round(value, max(0, figures - 1 - math.floor(math.log10(abs(value)))))


def _csv(table: pd.DataFrame) -> bytes:
    # %.15g prints a rounded float as written (4.4, not 4.3999999999999995; 75, not 75.0)
    return (neutralise(table).to_csv(index=False, float_format="%.15g")
            .encode(CSV_ENCODING))


def plan_to_csv(plan: Plan, catalog: Catalog) -> bytes:
    """One row per meal: ``day, slot, recipe_id, name, servings, locked``, then every
    registry nutrient for that meal (per-serving × servings, in the id's unit, to 3
    significant figures) and ``cost_eur`` (cents). UTF-8 CSV with BOM.
    """
    table = meal_table(plan, catalog)
    ids = list(nutrients.ALL_IDS)
    table[ids] = table[ids].map(significant)
    return _csv(table.round({"cost_eur": 2}))


def plan_to_json(plan: Plan) -> str:
    """The plan as JSON text (``Plan.to_json``); ``plan_from_json_bytes`` reads it back."""
    return plan.to_json()


def plan_from_json_bytes(data: bytes, catalog: Catalog | None = None) -> Plan:
    """The plan in an uploaded JSON file, checked before anything reads it.

    Raises ValueError with a message a person can act on when the file is too large,
    not UTF-8 JSON (``NaN`` and ``Infinity`` are not JSON), nested too deeply, not a
    plan (``plan_document.PlanDocument``), has an impossible meal, or names nutrients,
    or (given ``catalog``) recipes or supplements, this planner does not have. The
    plan's figures are still its own: ``plan_check.recheck`` recomputes them.
    """
    if len(data) > plan_document.MAX_BYTES:
        raise ValueError(f"the file is larger than {plan_document.MAX_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8-sig")
        doc = json.loads(text, parse_constant=_not_json)
    except UnicodeDecodeError:
        raise ValueError("the file is not text (expected a plan saved as JSON)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise ValueError("the file is nested too deeply to be a plan") from None
    try:
        checked = plan_document.PlanDocument.model_validate(doc)
    except pydantic.ValidationError as exc:
        where = exc.errors()[0].get("loc", ())
        what = ("the plan has a meal that cannot be" if "meals" in where or where[-1:] == ("day",)
                else "the file is JSON but not a meal plan")
        raise ValueError(f"{what} ({plan_document.first_problem(exc.errors())})") from None
    problems = plan_document.unknown_ids(checked, catalog)
    if problems:
        raise ValueError("the plan uses " + "; ".join(problems))
    try:
        return Plan.from_json(text)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"the file is JSON but not a meal plan ({type(exc).__name__} in "
                         "its shortfalls or solver details)") from None


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a number JSON allows")


def shopping_list_frame(
    plan: Plan, catalog: Catalog, portions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The plan's foods, then its supplements: ``category, food_id, food, grams, measure,
    cost_eur, note``.

    Foods sorted by category then food; ``measure`` is the household measure ("" when
    ``portions`` does not know the food); ``portions`` defaults to ``data/portions.csv``.
    Supplements come last (category ``supplement``, grams blank, measure the unit count,
    ``note`` where their source matters for a diet).
    """
    portions = load_portions() if portions is None else portions
    by_food = dict(tuple(portions.groupby("food_id")))
    items = shopping_list(plan, catalog).rename(columns={"name": "food"})
    items["measure"] = [
        household_measure(grams, by_food[food_id]) if food_id in by_food else ""
        for food_id, grams in zip(items["food_id"], items["grams"], strict=True)
    ]
    columns = ["category", "food_id", "food", "grams", "measure", "cost_eur", "note"]
    foods = items.assign(note="")[columns].sort_values(["category", "food"], ignore_index=True)
    pills = supplement_list(plan, catalog)
    if pills.empty:
        return foods
    pills = pd.DataFrame({
        "category": SUPPLEMENT, "food_id": pills["supplement_id"], "food": pills["name"],
        "grams": float("nan"),
        "measure": [f"{n} {u}{'s' if n != 1 else ''}"
                    for n, u in zip(pills["units"], pills["unit"], strict=True)],
        "cost_eur": pills["cost_eur"], "note": pills["note"]})
    return pd.concat([foods, pills], ignore_index=True)


def shopping_list_csv(
    plan: Plan, catalog: Catalog, portions: pd.DataFrame | None = None
) -> bytes:
    """``shopping_list_frame`` as UTF-8 CSV (with BOM, so spreadsheets read µ and é):
    categories as headings ("Fats and oils"), grams whole from 10 g (one decimal below),
    cost in cents."""
    items = shopping_list_frame(plan, catalog, portions)
    items["category"] = items["category"].map(category_label)
    items["grams"] = items["grams"].map(lambda g: round(g) if g >= 10 else round(g, 1))
    return _csv(items.round({"cost_eur": 2}))


def category_label(category: str) -> str:
    """A shopping-list category as a heading ("fat_oil" → "Fats and oils")."""
    return CATEGORY_LABELS.get(category, str(category).replace("_", " ").capitalize())


def _font_file(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(
        f"font {name} not found in {', '.join(map(str, FONT_DIRS))}; "
        "install Debian's fonts-dejavu-core")


class _Handout(FPDF):
    """A4 portrait in DejaVu Sans (µ, ·, é, Ø render), with a page footer."""

    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font(FONT, "", _font_file("DejaVuSans.ttf"))
        self.add_font(FONT, "B", _font_file("DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=15)
        self.set_title(TITLE)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{TITLE} · not medical advice · page {self.page_no()}", align="C")

    def heading(self, text: str) -> None:
        self.set_font(FONT, "B", 13)
        self.cell(0, 9, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, rows: list[list[str]], widths: tuple[float, ...]) -> None:
        with self.table(col_widths=widths, text_align="LEFT", line_height=5,
                        headings_style=FontFace(emphasis="BOLD")) as table:
            for values in rows:
                table.row(values)
        self.ln(3)


def _goal_lines(plan: Plan) -> list[str]:
    lines = []
    for nutrient_id, bound in plan.targets.items():
        n = nutrients.get(nutrient_id)
        parts = [f"at least {bound.min:g} {n.unit}" if bound.min is not None else "",
                 f"at most {bound.max:g} {n.unit}" if bound.max is not None else ""]
        per = "a day, averaged over the week" if str(bound.window) == "week" else "every day"
        lines.append(f"{n.label}: {' and '.join(p for p in parts if p)} {per}")
    return lines


def _week_rows(plan: Plan) -> list[list[str]]:
    slots = [s.value for s in Slot if any(m.slot == s.value for m in plan.meals)]
    cells: dict[int, dict[str, str]] = {}
    for m in plan.meals:
        cells.setdefault(m.day, {})[m.slot] = f"{m.name} ×{m.servings:g}"
    pills = supplement_labels(plan)
    if pills:
        slots.append(SUPPLEMENT)
        for day, text in pills.items():
            cells.setdefault(day, {})[SUPPLEMENT] = text
    header = ["Day", *(("Supplements" if s == SUPPLEMENT else s.capitalize()) for s in slots)]
    return [header, *([str(day), *(cells[day].get(s, "") for s in slots)]
                      for day in sorted(cells))]


def _chart_png(chart) -> bytes:
    return vl_convert.vegalite_to_png(
        chart.properties(width=CHART_SIZE[0], height=CHART_SIZE[1]).to_dict(), scale=2)


def _source_lines(plan: Plan, catalog: Catalog) -> list[str]:
    """Citations behind the plan's figures: K2 and supplement sources in full, then each
    food table with the food numbers used ("USDA SR28: 01009, 16113")."""
    used = catalog.foods.loc[shopping_list(plan, catalog)["food_id"]]
    keys = set(used["k2_source"].dropna())
    keys |= {catalog.supplements.loc[s.supplement_id, "source"] for s in plan.supplements}
    lines = [f"{catalog.sources.loc[k, 'citation']}" for k in sorted(keys)
             if k in catalog.sources.index]
    tables: dict[str, list[str]] = {}
    for text in sorted(set(used["nutrient_source"].dropna())):
        match = re.fullmatch(r"(.*?)[\s,]*(?:NEVO code\s*)?(\d+)", text)
        table, code = match.groups() if match else (text, "")
        tables.setdefault(table, []).extend([code] if code else [])
    lines += [f"{table}: {', '.join(codes)}" if codes else table for table, codes in tables.items()]
    return lines


def handout_pdf(plan: Plan, catalog: Catalog, portions: pd.DataFrame | None = None) -> bytes:
    """A printable handout of ``plan`` as PDF bytes.

    Goals, the week grid (days × slots, recipe and servings), the daily K2 and
    D3 charts, the shopping list with household measures and cost, the sources
    and a not-medical-advice line.
    """
    pdf = _Handout()
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.cell(0, 11, TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    days = len({m.day for m in plan.meals})
    pdf.paragraph(f"{days} day(s) · status: {plan.status} · estimated cost €{plan.cost_eur:.2f}")

    pdf.heading("Goals")
    for line in _goal_lines(plan):
        pdf.paragraph(f"• {line}")
    pdf.heading("The plan")
    week = _week_rows(plan)
    if len(week[0]) > 1:
        slot_width = (pdf.epw - DAY_WIDTH) / (len(week[0]) - 1)
        pdf.grid(week, (DAY_WIDTH, *[slot_width] * (len(week[0]) - 1)))
    else:
        pdf.paragraph("This plan has no meals.")

    frames = charts.plan_frames(plan, catalog)
    pdf.heading("Vitamin K2 and D3 each day")
    note = frames.k2_unknown_note()
    if note:
        pdf.paragraph(note)
    for chart in (charts.k2_by_recipe_chart(frames), charts.d3_chart(frames)):
        pdf.image(io.BytesIO(_chart_png(chart)), w=pdf.epw * 0.8)
        pdf.ln(2)

    pdf.heading("Shopping list")
    items = shopping_list_frame(plan, catalog, portions)
    rows = [["Category", "Food", "Amount", "Household measure", "Cost (€)"]]
    rows += [[category_label(r.category), r.food, grams_text(r.grams), r.measure,
              f"{r.cost_eur:.2f}"] for r in items.itertuples(index=False)]
    rows.append(["", "Total", "", "", f"{items['cost_eur'].sum():.2f}"])
    pdf.grid(rows, (30, 62, 18, 50, 20))
    for note in dict.fromkeys(n for n in items["note"] if n):
        pdf.paragraph(f"Note: {note}")

    pdf.heading("Sources")
    for line in _source_lines(plan, catalog):
        pdf.paragraph(f"• {line}")
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    pdf.paragraph(NOT_MEDICAL_ADVICE)
    return bytes(pdf.output())
