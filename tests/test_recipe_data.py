"""The recipe library in data/: references, counts per slot and diet, energy, named dishes.

Reads the CSVs with pandas only. A recipe's diet is derived here from its
ingredients' ``animal`` column (vegan ⊂ vegetarian ⊂ pescatarian ⊂ omnivore),
the same rule planner.domain.catalog applies, never from a hand-typed tag.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SLOTS = {"breakfast", "lunch", "dinner", "snack"}
DIET_OF_ANIMAL = {
    "none": "vegan",
    "dairy": "vegetarian",
    "egg": "vegetarian",
    "fish": "pescatarian",
    "shellfish": "pescatarian",
    "meat": "omnivore",
    "poultry": "omnivore",
}
DIET_RANK = {"vegan": 0, "vegetarian": 1, "pescatarian": 2, "omnivore": 3}
# Tags are free words; diet and allergen facts come from the ingredients.
FORBIDDEN_TAGS = set(DIET_RANK) | {
    "veggie", "plant-based", "dairy-free", "gluten-free", "nut-free", "egg-free",
    "milk", "egg", "fish", "shellfish", "soy", "wheat", "gluten", "peanut",
    "tree_nut", "sesame", "mustard", "celery",
}


@pytest.fixture(scope="module")
def foods() -> pd.DataFrame:
    return pd.read_csv(DATA / "foods.csv").set_index("food_id")


@pytest.fixture(scope="module")
def recipes() -> pd.DataFrame:
    return pd.read_csv(DATA / "recipes.csv", keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def ingredients() -> pd.DataFrame:
    return pd.read_csv(DATA / "recipe_ingredients.csv", keep_default_na=False, na_values=[""])


def recipe_diets(ingredients: pd.DataFrame, foods: pd.DataFrame) -> pd.Series:
    """Diet per recipe_id: the least restrictive diet any ingredient's animal needs."""
    ranks = ingredients["food_id"].map(foods["animal"]).map(DIET_OF_ANIMAL).map(DIET_RANK)
    inverse = {rank: diet for diet, rank in DIET_RANK.items()}
    return ranks.groupby(ingredients["recipe_id"]).max().map(inverse)


def fish_recipes(ingredients: pd.DataFrame, foods: pd.DataFrame) -> set[str]:
    """Recipes with at least one ingredient whose animal is fish."""
    is_fish = ingredients["food_id"].map(foods["animal"]) == "fish"
    return set(ingredients.loc[is_fish, "recipe_id"])


def kcal_per_serving(
    recipes: pd.DataFrame, ingredients: pd.DataFrame, foods: pd.DataFrame
) -> pd.Series:
    """kcal per serving for recipes whose every ingredient has a known energy."""
    energy = ingredients["food_id"].map(foods["energy_kcal"])
    kcal = (ingredients["grams"] / 100 * energy).groupby(ingredients["recipe_id"])
    total = kcal.sum()[~energy.isna().groupby(ingredients["recipe_id"]).any()]
    return total / recipes.set_index("recipe_id")["servings"].reindex(total.index)


def eligible(recipes: pd.DataFrame, slot: str) -> pd.Series:
    return recipes["slots"].str.split("|").map(lambda slots: slot in slots)


# ---------------------------------------------------------------- the helpers themselves

def test_diet_derivation_takes_the_most_animal_ingredient() -> None:
    foods = pd.DataFrame(
        {"animal": ["none", "egg", "fish", "poultry", "dairy"]},
        index=pd.Index(["spinach", "egg", "salmon", "chicken", "butter"], name="food_id"),
    )
    rows = pd.DataFrame(
        {
            "recipe_id": ["a", "b", "b", "c", "c", "c", "d", "d"],
            "food_id": ["spinach", "spinach", "egg", "salmon", "butter", "spinach",
                        "chicken", "salmon"],
        }
    )
    assert recipe_diets(rows, foods).to_dict() == {
        "a": "vegan", "b": "vegetarian", "c": "pescatarian", "d": "omnivore",
    }
    assert fish_recipes(rows, foods) == {"c", "d"}


def test_kcal_per_serving_divides_by_servings_and_skips_unknown_energy() -> None:
    foods = pd.DataFrame(
        {"energy_kcal": [100.0, 400.0, float("nan")]},
        index=pd.Index(["rice", "cheese", "paste"], name="food_id"),
    )
    recipes = pd.DataFrame({"recipe_id": ["x", "y"], "servings": [2, 1]})
    rows = pd.DataFrame(
        {"recipe_id": ["x", "x", "y"], "food_id": ["rice", "cheese", "paste"],
         "grams": [300.0, 50.0, 10.0]}
    )
    # x: (3 × 100 + 0.5 × 400) / 2 = 250; y has an unknown energy and is left out.
    assert kcal_per_serving(recipes, rows, foods).to_dict() == {"x": 250.0}


# ---------------------------------------------------------------- structure

def test_columns_are_exactly_the_documented_ones(recipes, ingredients) -> None:
    assert list(recipes.columns) == [
        "recipe_id", "name", "slots", "servings", "prep_minutes", "cuisine", "tags", "method",
    ]
    assert list(ingredients.columns) == ["recipe_id", "food_id", "grams", "note"]


def test_recipe_ids_are_unique_slugs(recipes) -> None:
    assert not recipes["recipe_id"].duplicated().any()
    bad = [r for r in recipes["recipe_id"] if not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", r)]
    assert bad == []


def test_slots_come_from_the_allowed_set(recipes) -> None:
    bad = {
        rid: s for rid, s in zip(recipes["recipe_id"], recipes["slots"], strict=True)
        if not s or not set(s.split("|")) <= SLOTS
    }
    assert bad == {}


def test_tags_never_state_a_diet_or_allergen(recipes) -> None:
    tags = recipes["tags"].fillna("").str.split("|")
    pairs = zip(recipes["recipe_id"], tags, strict=True)
    bad = {rid: t for rid, t in pairs if set(t) & FORBIDDEN_TAGS}
    assert bad == {}


def test_servings_grams_and_minutes_are_positive(recipes, ingredients) -> None:
    assert (recipes["servings"] > 0).all()
    assert (recipes["prep_minutes"] > 0).all()
    assert (ingredients["grams"] > 0).all()


def test_every_recipe_has_a_name_and_a_short_method(recipes) -> None:
    assert recipes["name"].str.strip().str.len().gt(0).all()
    sentences = recipes["method"].str.count(r"[.!?](\s|$)")
    assert sentences.between(2, 6).all(), recipes.loc[~sentences.between(2, 6), "recipe_id"]


def test_every_ingredient_names_an_existing_food(ingredients, foods) -> None:
    unknown = ingredients.loc[~ingredients["food_id"].isin(foods.index)]
    assert unknown.empty, unknown[["recipe_id", "food_id"]].to_string()


def test_requested_foods_all_arrived(foods) -> None:
    lines = (ROOT / "tools" / "food_requests.txt").read_text().splitlines()
    requested = [ln.split("|")[0].strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    assert requested, "tools/food_requests.txt lists no food"
    assert sorted(set(requested) - set(foods.index)) == []


def test_recipes_and_ingredient_rows_refer_to_each_other(recipes, ingredients) -> None:
    ids = set(recipes["recipe_id"])
    assert set(ingredients["recipe_id"]) - ids == set()
    assert ids - set(ingredients["recipe_id"]) == set()


def test_a_food_appears_once_per_recipe(ingredients) -> None:
    dup = ingredients[ingredients.duplicated(["recipe_id", "food_id"], keep=False)]
    assert dup.empty, dup.to_string()


# ---------------------------------------------------------------- counts the planner needs

@pytest.mark.parametrize("slot", sorted(SLOTS))
def test_at_least_twenty_recipes_per_slot(recipes, slot) -> None:
    assert eligible(recipes, slot).sum() >= 20


@pytest.mark.parametrize(("diet", "minimum"), [("vegetarian", 25), ("vegan", 12)])
def test_enough_recipes_per_derived_diet(ingredients, foods, diet, minimum) -> None:
    ranks = recipe_diets(ingredients, foods).map(DIET_RANK)
    assert (ranks <= DIET_RANK[diet]).sum() >= minimum


def test_at_least_fifteen_fish_recipes(ingredients, foods) -> None:
    assert len(fish_recipes(ingredients, foods)) >= 15


def test_vegan_recipes_exist_for_every_slot(recipes, ingredients, foods) -> None:
    diets = recipe_diets(ingredients, foods).reindex(recipes["recipe_id"]).map(DIET_RANK)
    for slot in SLOTS:
        in_slot = eligible(recipes, slot).to_numpy()
        assert (diets[in_slot] <= DIET_RANK["vegan"]).sum() >= 5, slot


def test_energy_per_serving_is_between_100_and_1000_kcal(recipes, ingredients, foods) -> None:
    kcal = kcal_per_serving(recipes, ingredients, foods)
    assert len(kcal) >= 0.9 * len(recipes), "too many recipes with an unknown energy"
    outside = kcal[(kcal < 100) | (kcal > 1000)]
    assert outside.empty, outside.round().to_dict()


# ---------------------------------------------------------------- the named dishes

def _with_food(ingredients: pd.DataFrame, pattern: str) -> set[str]:
    return set(ingredients.loc[ingredients["food_id"].str.fullmatch(pattern), "recipe_id"])


def _named(recipes: pd.DataFrame, pattern: str) -> set[str]:
    hit = recipes["name"].str.contains(pattern, case=False, regex=True)
    return set(recipes.loc[hit, "recipe_id"])


@pytest.mark.parametrize(
    ("name_pattern", "food_patterns"),
    [
        (r"natto.*bowl", ["natto", "rice_cooked"]),
        (r"homemade kimchi", ["kimchi"]),
        (r"sauerkraut", ["sauerkraut"]),
        (r"kimchi mayo", ["kimchi", "mayonnaise"]),
        (r"beef and broccoli|beef & broccoli", ["beef_.*", "broccoli"]),
        (r"liver p[aâ]t[eé]", ["chicken_liver|beef_liver|pork_liver|liver_pate"]),
        (r"salmon", ["salmon|smoked_salmon|salmon_canned"]),
        (r"herring", ["herring|herring_pickled"]),
        (r"mackerel", ["mackerel|mackerel_smoked"]),
        (r"sardine", ["sardines_canned"]),
        (r"gouda", ["gouda_.*"]),
        (r"brie", ["brie"]),
        (r"omelette", ["egg_whole"]),
        (r"shakshuka", ["egg_whole"]),
        (r"frittata", ["egg_whole"]),
        (r"egg salad", ["egg_boiled"]),
    ],
)
def test_required_dish_exists(recipes, ingredients, name_pattern, food_patterns) -> None:
    found = _named(recipes, name_pattern)
    for pattern in food_patterns:
        found &= _with_food(ingredients, pattern)
    assert found, f"no recipe named like {name_pattern!r} using {food_patterns}"


def test_homemade_sauerkraut_and_several_natto_dishes(recipes, ingredients) -> None:
    assert _named(recipes, r"homemade sauerkraut") & _with_food(ingredients, "sauerkraut")
    assert len(_with_food(ingredients, "natto")) >= 4


def test_gouda_and_brie_in_several_dishes(ingredients) -> None:
    assert len(_with_food(ingredients, "gouda_.*")) >= 8
    assert len(_with_food(ingredients, "brie")) >= 4
