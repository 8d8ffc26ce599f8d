"""Close-the-gap suggestions are food a person would eat: at most two usual servings of a
food, with the energy they add, and a supplement when usual servings cannot close the gap.

Usual servings and amounts are recomputed here from the CSV files with raw pandas."""

from pathlib import Path

import pandas as pd
import pytest

from planner.analysis.suggest import MAX_SERVINGS, suggestions
from planner.domain.catalog import load_catalog
from planner.domain.goals import PlanRequest, Profile
from planner.domain.plan import Shortfall

DATA = Path(__file__).resolve().parent.parent / "data"
CAT = load_catalog(DATA)
FOODS = pd.read_csv(DATA / "foods.csv").set_index("food_id")


def usual_serving_by_hand() -> pd.Series:
    """Median grams per recipe serving of each food, from the CSV files."""
    ings = pd.read_csv(DATA / "recipe_ingredients.csv")
    servings = pd.read_csv(DATA / "recipes.csv").set_index("recipe_id")["servings"]
    per = ings["grams"] / ings["recipe_id"].map(servings)
    return per.groupby(ings["food_id"]).median()


def gap(nutrient: str, target: float, achieved: float = 0.0) -> Shortfall:
    return Shortfall(nutrient, "day 1", target, achieved, "missed")


def request(diet: str) -> PlanRequest:
    return PlanRequest(profile=Profile(sex="female", age=40), days=1, diet=diet)


def test_vegan_d3_gap_offers_a_capsule_not_a_quarter_kilo_of_margarine():
    (s,) = suggestions([gap("vit_d3_ug", 20.0)], CAT, request("vegan"))
    assert s["foods"] == []
    assert s["supplement"]["supplement_id"] == "d3_25" and s["supplement"]["units"] == 1
    assert "possibly not vegan" in s["supplement"]["note"]
    assert "cannot close it" in s["text"] and "1 capsule a day" in s["text"]


@pytest.mark.parametrize(("diet", "nutrient", "target"), [
    ("omnivore", "vit_d3_ug", 5.0), ("omnivore", "vit_d3_ug", 60.0),
    ("vegetarian", "calcium_mg", 800.0), ("vegan", "calcium_mg", 600.0),
    ("vegan", "k2_ug", 300.0), ("omnivore", "protein_g", 150.0),
])
def test_no_suggestion_exceeds_two_usual_servings_and_its_energy_is_counted(
        diet, nutrient, target):
    usual = usual_serving_by_hand()
    (s,) = suggestions([gap(nutrient, target)], CAT, request(diet))
    assert s["foods"] or s["supplement"]
    for food in s["foods"]:
        if food["food_id"] in usual:  # foods in no recipe take their category's serving
            assert food["grams"] <= MAX_SERVINGS * usual[food["food_id"]] + 0.1, food
        assert food["servings"] <= MAX_SERVINGS + 1e-6
        kcal = food["grams"] / 100 * FOODS.at[food["food_id"], "energy_kcal"]
        assert food["energy_kcal"] == pytest.approx(kcal, abs=0.2)
    if s["foods"]:
        assert s["supplement"] is None
        assert s["energy_kcal"] == pytest.approx(sum(f["energy_kcal"] for f in s["foods"]),
                                                 abs=1)
        assert f"adding about {s['energy_kcal']:,.0f} kcal" in s["text"]


def test_suggested_foods_close_the_gap():
    (s,) = suggestions([gap("vit_d3_ug", 5.0, achieved=1.0)], CAT, request("omnivore"))
    foods = FOODS.loc[[f["food_id"] for f in s["foods"]]]
    grams = pd.Series({f["food_id"]: f["grams"] for f in s["foods"]})
    assert (foods["vit_d3_ug"] * grams / 100).sum() >= 4.0 - 0.05
