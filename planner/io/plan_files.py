"""A plan as files: its CSV and JSON, an uploaded plan read back, the shopping list.

Amounts are grams and registry units (see ``planner.domain.nutrients``); money is EUR.
CSV cells that a spreadsheet would read as a formula are neutralised.
"""


from __future__ import annotations

import json
import math

import pandas as pd
import pydantic

from planner.analysis import charts
from planner.domain import nutrients
from planner.domain.catalog import Catalog
from planner.domain.plan import Plan, shopping_list, supplement_list
from planner.io import plan_document
from planner.io.measures import household_measure, load_portions

CSV_ENCODING = "utf-8-sig"
SUPPLEMENT = "supplement"  # the shopping list's category of supplements
# Food categories (``foods.csv``) as headings; an unlisted one reads as its id in words
CATEGORY_LABELS = {
    "beverage": "Drinks", "cheese": "Cheese", "condiment": "Condiments", "dairy": "Dairy",
    "egg": "Eggs", "fat_oil": "Fats and oils", "fermented": "Fermented foods", "fish": "Fish",
    "fruit": "Fruit", "grain": "Grains", "herb_spice": "Herbs and spices",
    "legume": "Legumes", "meat": "Meat", "nut_seed": "Nuts and seeds", "offal": "Offal",
    "poultry": "Poultry", "vegetable": "Vegetables", "supplement": "Supplements"}


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
    significant figures), ``k2_known_share`` (share of the recipe's ingredient mass whose
    K2 is known: ``k2_ug`` counts only that part, so it is a lower bound; 1 for a
    supplement's labelled dose) and ``cost_eur`` (cents). UTF-8 CSV with BOM.
    """
    table = meal_table(plan, catalog)
    ids = list(nutrients.ALL_IDS)
    table[ids] = table[ids].map(significant)
    known = table["recipe_id"].map(catalog.recipes["k2_coverage"]).round(2)
    table.insert(table.columns.get_loc("cost_eur"), "k2_known_share",
                 known.where(table["recipe_id"].isin(catalog.recipes.index), 1.0))
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
