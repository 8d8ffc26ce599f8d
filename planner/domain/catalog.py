"""The catalog: load and validate ``data/``, derive per-serving recipe facts.

``load_catalog(data_dir)`` reads the CSV tables, validates every one of them
with pandera (all problems at once, never one at a time), and derives for each
recipe its per-serving nutrients, cost, diet, allergens and K2/D3 coverage from
its ingredients. Diet and allergens are never typed by hand.

Unknown stays unknown: a food's blank nutrient is NaN. A recipe's nutrient is
the sum over the ingredients whose value is known (NaN only when none is), and
``k2_coverage`` / ``d3_coverage`` say what share of the ingredient mass has a
known figure, so a low K2 total from unmeasured foods is never shown as a
measured zero. ``k2_measured`` / ``k2_derived`` / ``k2_borrowed`` split the K2
coverage by the evidence grade of the foods' figures (``planner.domain.k2_evidence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pandas as pd

from planner import DATA_DIR
from planner.domain.k2_evidence import grade_shares
from planner.domain.nutrients import STORED_IDS, add_derived


class Sex(StrEnum):
    """Sex as the reference intakes distinguish it."""

    FEMALE = "female"
    MALE = "male"


class LifeStage(StrEnum):
    """Life stages with reference intakes of their own."""

    GENERAL = "general"
    PREGNANCY = "pregnancy"
    LACTATION = "lactation"


class Slot(StrEnum):
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"
    SNACK = "snack"


class Diet(StrEnum):
    """Diets from the most to the least restrictive: vegan ⊂ … ⊂ omnivore."""

    VEGAN = "vegan"
    VEGETARIAN = "vegetarian"
    PESCATARIAN = "pescatarian"
    OMNIVORE = "omnivore"

    @property
    def rank(self) -> int:
        return list(Diet).index(self)

    def allows(self, recipe_diet: Diet | str) -> bool:
        """True when a recipe of ``recipe_diet`` fits a person following this diet."""
        return Diet(recipe_diet).rank <= self.rank


ALLERGENS = (
    "milk",
    "egg",
    "fish",
    "shellfish",
    "soy",
    "wheat",
    "gluten",
    "peanut",
    "tree_nut",
    "sesame",
    "mustard",
    "celery",
)
ANIMAL_DIET = {
    "none": Diet.VEGAN,
    "dairy": Diet.VEGETARIAN,
    "egg": Diet.VEGETARIAN,
    "fish": Diet.PESCATARIAN,
    "shellfish": Diet.PESCATARIAN,
    "meat": Diet.OMNIVORE,
    "poultry": Diet.OMNIVORE,
}
SLUG = r"^[a-z0-9]+(_[a-z0-9]+)*$"

FILES = {
    "foods": "foods.csv",
    "recipes": "recipes.csv",
    "ingredients": "recipe_ingredients.csv",
    "supplements": "supplements.csv",
    "sources": "sources.csv",
    "dri": "dri.csv",
    "k2_presets": "k2_presets.csv",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: where it is and which rule it breaks."""

    file: str
    row: int | None  # 1-based line number in the CSV (header is line 1)
    column: str | None
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.rule}"


class CatalogError(ValueError):
    """The data failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the data:\n{lines}")


@dataclass(frozen=True)
class Catalog:
    """Validated tables. Nutrient columns are registry ids.

    foods: index ``food_id``; per 100 g, plus derived ``k2_ug``/``vit_k_total_ug``.
    recipes: index ``recipe_id``; per serving nutrients, ``cost_eur``, ``diet``,
      ``allergens`` (frozenset), ``slots`` (tuple of Slot), ``k2_coverage``,
      ``d3_coverage`` (0–1), ``k2_measured``/``k2_derived``/``k2_borrowed`` (0–1,
      summing to ``k2_coverage``), ``animals`` (frozenset of animal kinds).
    ingredients: rows ``recipe_id, food_id, grams, note`` (whole recipe).
    supplements: index ``supplement_id``; per unit, plus ``price_per_unit``.
    """

    foods: pd.DataFrame
    recipes: pd.DataFrame
    ingredients: pd.DataFrame
    supplements: pd.DataFrame
    sources: pd.DataFrame
    dri: pd.DataFrame
    k2_presets: pd.DataFrame

    def recipes_with_food(self, food_ids: set[str]) -> set[str]:
        """Ids of recipes that use any of ``food_ids``."""
        hit = self.ingredients["food_id"].isin(food_ids)
        return set(self.ingredients.loc[hit, "recipe_id"])

    def recipe_search_text(self) -> pd.Series:
        """Per recipe id, its name, cuisine, tags and ingredient names in one string."""
        names = self.ingredients["food_id"].map(self.foods["name"]).fillna("")
        used = names.groupby(self.ingredients["recipe_id"]).agg(" ".join)
        r = self.recipes
        return (r["name"] + " " + r["cuisine"].fillna("") + " " + r["tags"].fillna("") + " "
                + used.reindex(r.index).fillna(""))

    def recipe_ingredients(self, recipe_id: str) -> pd.DataFrame:
        """One recipe's ingredients joined with the food name, category and price."""
        rows = self.ingredients[self.ingredients["recipe_id"] == recipe_id]
        return rows.join(self.foods[["name", "category", "price_per_kg"]], on="food_id")


def _read(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        problems.append(Problem(path.name, None, None, "file is missing"))
    except pd.errors.EmptyDataError:
        problems.append(Problem(path.name, None, None, "file is empty (no header line)"))
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        problems.append(Problem(path.name, None, None, f"not a readable CSV ({exc})"))
    return None


REFERENCE_COLUMNS = {
    "foods": {"food_id"}, "recipes": {"recipe_id"}, "ingredients": {"recipe_id", "food_id"},
}


def _check_references(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    foods, recipes, ingredients = tables["foods"], tables["recipes"], tables["ingredients"]
    known_foods, known_recipes = set(foods["food_id"]), set(recipes["recipe_id"])
    file = FILES["ingredients"]
    for i, row in ingredients.iterrows():
        if row["food_id"] not in known_foods:
            problems.append(Problem(file, i + 2, "food_id", f"unknown food {row['food_id']!r}"))
        if row["recipe_id"] not in known_recipes:
            problems.append(
                Problem(file, i + 2, "recipe_id", f"unknown recipe {row['recipe_id']!r}")
            )
    used = set(ingredients["recipe_id"])
    for i, rid in recipes["recipe_id"].items():
        if rid not in used:
            problems.append(
                Problem(FILES["recipes"], i + 2, "recipe_id", "recipe has no ingredients")
            )


@dataclass(frozen=True)
class RecipeRecord:
    """A dietitian's own recipe: ``ingredients`` are ``(food_id, grams, note)`` for the
    whole recipe, like ``data/recipe_ingredients.csv``."""

    recipe_id: str
    name: str
    slots: tuple[str, ...]
    servings: float
    prep_minutes: int | None
    method: str
    ingredients: tuple[tuple[str, float, str], ...]


def derive_recipes(
    recipes: pd.DataFrame, ingredients: pd.DataFrame, foods: pd.DataFrame
) -> pd.DataFrame:
    """Per-serving nutrients, cost, diet, allergens and K2/D3 coverage per recipe.

    ``recipes`` has one row per recipe (``recipe_id`` column), ``ingredients``
    the grams per whole recipe, ``foods`` is indexed by ``food_id`` with values
    per 100 g. nutrient per serving = Σ grams/100 · value / servings, over the
    ingredients whose value is known.
    """
    rows = ingredients.join(foods, on="food_id")
    factor = rows["grams"] / 100.0
    nutrient_ids = [*STORED_IDS, "k2_ug", "vit_k_total_ug"]
    amounts = rows[nutrient_ids].mul(factor, axis=0)
    amounts["recipe_id"] = rows["recipe_id"]
    totals = amounts.groupby("recipe_id").sum(min_count=1)

    d3_known = rows["vit_d3_ug"].notna()
    grams = rows.groupby("recipe_id")["grams"].sum()
    coverage = pd.DataFrame(
        {
            "d3_coverage": (rows["grams"] * d3_known).groupby(rows["recipe_id"]).sum() / grams,
            "cost_total": (rows["grams"] / 1000 * rows["price_per_kg"])
            .groupby(rows["recipe_id"])
            .sum(),
            "animals": rows.groupby("recipe_id")["animal"].agg(frozenset),
            "allergens": rows.groupby("recipe_id")["allergens"].agg(_union_pipes),
        }
    ).join(grade_shares(rows["grams"], rows["k2_grade"], rows["recipe_id"]))

    out = recipes.set_index("recipe_id")
    servings = out["servings"]
    per_serving = totals.reindex(out.index).div(servings, axis=0)
    out = out.join(per_serving).join(coverage)
    out["cost_eur"] = out.pop("cost_total") / servings
    out["diet"] = out["animals"].map(
        lambda kinds: max((ANIMAL_DIET[k] for k in kinds), key=lambda d: d.rank)
    )
    out["slots"] = out["slots"].map(lambda s: tuple(Slot(x) for x in s.split("|") if x))
    return out


def _union_pipes(values: pd.Series) -> frozenset[str]:
    return frozenset(a for v in values.dropna() for a in v.split("|") if a)


def load_catalog(data_dir: Path | str = DATA_DIR) -> Catalog:
    """Read, validate and derive everything in ``data_dir``.

    Raises CatalogError listing every problem (file, line, column, rule).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise CatalogError([Problem(str(data_dir), None, None,
                                    "is not a folder of CSV files" if data_dir.exists()
                                    else "no such folder")])
    problems: list[Problem] = []
    raw = {name: _read(data_dir / file, problems) for name, file in FILES.items()}
    # pandera is imported here, not at start: a cached catalog never needs it.
    from planner.domain.catalog_schema import schemas, validate

    source_keys = set(raw["sources"]["key"].dropna()) if raw["sources"] is not None else set()
    checks = schemas(source_keys)
    tables = {
        name: validate(FILES[name], frame, checks[name], problems)
        for name, frame in raw.items()
        if frame is not None
    }
    # References are checked even when a table failed its schema, so one report has it all.
    linked = {n: tables.get(n) if tables.get(n) is not None else raw[n]
              for n in ("foods", "recipes", "ingredients")}
    if all(frame is not None and REFERENCE_COLUMNS[n] <= set(frame.columns)
           for n, frame in linked.items()):
        _check_references(linked, problems)
    if problems:
        raise CatalogError(problems)

    foods = add_derived(tables["foods"].set_index("food_id"))
    supplements = add_derived(tables["supplements"].set_index("supplement_id"))
    return Catalog(
        foods=foods,
        recipes=derive_recipes(tables["recipes"], tables["ingredients"], foods),
        ingredients=tables["ingredients"],
        supplements=supplements,
        sources=tables["sources"].set_index("key"),
        dri=tables["dri"],
        k2_presets=tables["k2_presets"].set_index("preset_id"),
    )
