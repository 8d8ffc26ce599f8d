"""Development check of the recipe library against data/foods.csv.

Prints per-serving kcal per recipe, unknown food ids, counts per slot and per
derived diet, fish recipes, and recipes whose kcal fall outside 100-1000.
The product's real derivation lives in ``planner/domain/catalog.py``; this is a quick
look while editing the CSVs.

    .venv/bin/python tools/check_recipes.py [--all]
"""

import sys
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent.parent / "data"
SLOTS = ("breakfast", "lunch", "dinner", "snack")
DIET_RANK = {"vegan": 0, "vegetarian": 1, "pescatarian": 2, "omnivore": 3}
ANIMAL_DIET = {
    "none": "vegan",
    "dairy": "vegetarian",
    "egg": "vegetarian",
    "fish": "pescatarian",
    "shellfish": "pescatarian",
    "meat": "omnivore",
    "poultry": "omnivore",
}
KCAL_MIN, KCAL_MAX = 100, 1000


def load() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """foods (indexed by food_id), recipes, ingredients as read from ``data/``."""
    foods = pd.read_csv(DATA / "foods.csv").set_index("food_id")
    recipes = pd.read_csv(DATA / "recipes.csv")
    ingredients = pd.read_csv(DATA / "recipe_ingredients.csv")
    return foods, recipes, ingredients


def summarise(
    foods: pd.DataFrame, recipes: pd.DataFrame, ingredients: pd.DataFrame
) -> pd.DataFrame:
    """One row per recipe: slots, kcal per serving (NaN if any energy unknown), diet, fish."""
    rows = ingredients.join(foods[["energy_kcal", "animal"]], on="food_id")
    rows["kcal"] = rows["grams"] / 100 * rows["energy_kcal"]
    by = rows.groupby("recipe_id")
    out = recipes.set_index("recipe_id")[["name", "slots", "servings"]].copy()
    out["kcal"] = by["kcal"].sum(min_count=1) / out["servings"]
    out.loc[by["energy_kcal"].apply(lambda s: s.isna().any()), "kcal"] = float("nan")
    out["diet"] = by["animal"].agg(
        lambda a: max((ANIMAL_DIET.get(x, "omnivore") for x in a), key=DIET_RANK.get)
    )
    out["fish"] = by["animal"].agg(lambda a: "fish" in set(a))
    return out


def main(show_all: bool) -> None:
    """Print the report described in the module docstring."""
    foods, recipes, ingredients = load()
    unknown = ingredients[~ingredients["food_id"].isin(foods.index)]
    for r in unknown.itertuples():
        print(f"UNKNOWN FOOD {r.food_id!r} in {r.recipe_id}")
    s = summarise(foods, recipes[recipes["recipe_id"].isin(ingredients["recipe_id"])], ingredients)
    if show_all:
        with pd.option_context("display.max_rows", None, "display.width", 160):
            print(s.sort_values("kcal").round(0).to_string())
    print(f"\nrecipes: {len(recipes)}  ingredient rows: {len(ingredients)}")
    slot_sets = s["slots"].str.split("|")
    for slot in SLOTS:
        print(f"  {slot:10s} {sum(slot in x for x in slot_sets)}")
    ranks = s["diet"].map(DIET_RANK)
    for diet, rank in DIET_RANK.items():
        print(f"  {diet:12s} {(ranks <= rank).sum()} (exactly {(ranks == rank).sum()})")
    print(f"  with fish    {s['fish'].sum()}")
    kcal = s["kcal"]
    print(f"  kcal/serving {kcal.min():.0f}-{kcal.max():.0f}, unknown {kcal.isna().sum()}")
    out = s[(s["kcal"] < KCAL_MIN) | (s["kcal"] > KCAL_MAX)]
    for rid, r in out.iterrows():
        print(f"OUT OF RANGE {rid}: {r['kcal']:.0f} kcal")


if __name__ == "__main__":
    main("--all" in sys.argv)
