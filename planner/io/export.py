"""Take a plan home: CSV, JSON, a shopping list in household measures, a PDF handout.

Amounts are grams and registry units (see ``planner.domain.nutrients``); money is EUR.
Household measures come from ``data/portions.csv`` (SR28 household weights:
``food_id, amount, measure, grams, source``, e.g. ``rice,1,cup,158,…``); grams
are always given as well, so a food without a known measure is never lost.
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
# Shopping-list categories whose id does not read as a heading once capitalised
CATEGORY_LABELS = {"fat_oil": "Fats and oils", "herb_spice": "Herbs and spices",
                   "nut_seed": "Nuts and seeds", "supplement": "Supplements"}
DAY_WIDTH = 12  # mm, the week grid's day column
CHART_SIZE = (420, 200)  # px, before vl-convert's 2× scale
# Vulgar fractions a kitchen measure is rounded to below ``WHOLE_FROM`` measures.
FRACTIONS: tuple[tuple[float, str], ...] = (
    (0.0, ""), (1 / 4, "¼"), (1 / 3, "⅓"), (1 / 2, "½"), (2 / 3, "⅔"), (3 / 4, "¾"),
)
WHOLE_FROM = 10
# A measure reads naturally when it counts 1 to 12 of something.
NATURAL_COUNT = (1.0, 12.0)
WORD_COST = 0.05  # per word of a measure's text: plain "cup" over "cup, chopped (1/2" pieces)"
# First words of SR28 measures that are countable nouns (plural when more than one);
# adjectives ("large") and abbreviations ("oz", "tbsp") stay as they are.
COUNT_NOUNS = frozenset({
    "bar", "bottle", "breast", "bunch", "can", "chop", "clove", "container", "cookie", "cube",
    "cup", "dash", "drumstick", "ear", "egg", "fillet", "fruit", "glass", "head", "item", "jar",
    "leaf", "link", "liver", "loaf", "package", "packet", "pat", "patty", "piece", "pinch", "pint",
    "portion", "quart", "roast", "roll", "sandwich", "scoop", "serving", "slice", "spear", "sprig",
    "stalk", "steak", "stick", "strip", "tablespoon", "teaspoon", "thigh", "unit", "wedge",
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
    """``measure`` with its first word in the plural when that word is a countable noun."""
    head, sep, rest = measure.partition(" ")
    word = head.rstrip(",")
    if word not in COUNT_NOUNS:
        return measure
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
    """``grams`` of one food in its most natural household measure, e.g. "2 ½ cups".

    ``portions`` holds that food's rows of ``amount, measure, grams`` (``amount``
    measures weigh ``grams``). The least awkward measure wins: a count near 1–12
    in few words; ties go to the earlier row. "" when the food has no portion or the
    amount rounds to nothing.
    """
    best, best_distance = "", math.inf
    for row in portions.itertuples(index=False):
        count = grams / row.grams * row.amount
        distance = _awkwardness(count, row.measure)
        if distance < best_distance:
            value, number = round_count(count)
            measure = pluralize(row.measure) if value > 1 else row.measure
            best = f"{number} {measure}" if number else ""
            best_distance = distance
    return best


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


def plan_to_csv(plan: Plan, catalog: Catalog) -> bytes:
    """One row per meal: ``day, slot, recipe_id, name, servings, locked``, then every
    registry nutrient for that meal (per-serving × servings, in the id's unit) and
    ``cost_eur``. UTF-8 CSV with BOM.
    """
    return neutralise(meal_table(plan, catalog)).to_csv(index=False).encode(CSV_ENCODING)


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
    """``shopping_list_frame`` as UTF-8 CSV (with BOM, so spreadsheets read µ and é)."""
    items = shopping_list_frame(plan, catalog, portions).round({"grams": 0, "cost_eur": 2})
    return neutralise(items).to_csv(index=False).encode(CSV_ENCODING)


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


def _grams(grams: float) -> str:
    """Whole grams, with one decimal under 10 g so a pinch is not printed as 0; blank when
    the item is not weighed (a supplement)."""
    if math.isnan(grams):
        return ""
    return f"{grams:.0f}" if grams >= 10 else f"{grams:.1f}"


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
    rows = [["Category", "Food", "Grams", "Household measure", "Cost (€)"]]
    rows += [[category_label(r.category), r.food, _grams(r.grams), r.measure,
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
