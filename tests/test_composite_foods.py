"""Composite foods carry the diets and allergens of their usual ingredients (kimchi's fish
sauce or salted shrimp, mayonnaise's egg yolk, pesto's cheese and nuts, gochujang's soybean
and wheat), with the reason in their notes, and recipes inherit them."""

import pytest

from planner.domain.catalog import Diet, load_catalog
from planner.domain.goals import eligible_recipe_ids

CATALOG = load_catalog()


@pytest.mark.parametrize(("food_id", "animal", "allergens", "reason"), [
    ("kimchi", "fish", {"fish", "shellfish"}, "fish sauce or salted shrimp"),
    ("mayonnaise", "egg", {"egg"}, "egg yolk"),
    ("pesto", "dairy", {"milk", "tree_nut"}, "pine nuts"),
    ("gochujang", "none", {"soy", "wheat", "gluten"}, "may contain wheat"),
])
def test_a_composite_food_carries_its_usual_ingredients(food_id, animal, allergens, reason):
    food = CATALOG.foods.loc[food_id]
    assert food["animal"] == animal
    assert set(food["allergens"].split("|")) == allergens
    assert reason in food["notes"]


def test_kimchi_says_it_may_contain_seafood_and_cites_the_standard():
    notes = CATALOG.foods.at["kimchi", "notes"]
    assert notes.startswith("may contain fish and shellfish") and "CXS 223-2001" in notes


def test_a_recipe_with_kimchi_is_not_vegan_and_is_excluded_for_a_fish_allergy():
    recipes = CATALOG.recipes
    with_kimchi = CATALOG.recipes_with_food({"kimchi"})
    assert "natto_kimchi_bowl" in with_kimchi
    bowl = recipes.loc["natto_kimchi_bowl"]
    assert bowl["diet"] == Diet.PESCATARIAN and {"fish", "shellfish"} <= bowl["allergens"]
    assert "natto_kimchi_bowl" in eligible_recipe_ids(CATALOG, Diet.PESCATARIAN)
    for diet, allergens in [(Diet.VEGAN, ()), (Diet.VEGETARIAN, ()),
                            (Diet.OMNIVORE, ("fish",)), (Diet.OMNIVORE, ("shellfish",))]:
        assert not with_kimchi & set(eligible_recipe_ids(CATALOG, diet, allergens)), (
            diet, allergens)
