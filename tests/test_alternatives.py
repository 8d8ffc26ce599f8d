"""Swap candidates and the per-day status, on hand-built plans of the tiny fixture."""

import pytest

from planner.analysis import alternatives
from planner.domain import nutrients as nu
from planner.domain.goals import eligible_recipe_ids
from tests.fixtures.charts_export.plans import catalog, make_plan, two_days

CAT = catalog()


def test_the_one_eligibility_filter_follows_diet_allergens_exclusions_and_steady_k():
    assert list(eligible_recipe_ids(CAT, "vegan")) == ["natto_rice"]
    assert list(eligible_recipe_ids(CAT, "omnivore", ["soy"])) == ["gouda_rice", "salmon_rice"]
    assert list(eligible_recipe_ids(CAT, "omnivore", [], ["gouda"], ["salmon_rice"])) == [
        "natto_rice"]
    assert "natto_rice" not in eligible_recipe_ids(CAT, "omnivore", steady_k=True)


def test_alternatives_rank_by_how_close_the_day_stays_to_target():
    # Day 2 lunch is gouda rice ×2. Natto rice brings day 2 to 900 µg K2, and gouda is not
    # offered (already that day's lunch); salmon rice is dinner-only.
    plan = two_days()
    ranked = alternatives.best_alternatives(plan, CAT, 2, "lunch", ["gouda_rice", "natto_rice",
                                                                    "salmon_rice"])
    assert [a.recipe_id for a in ranked] == ["natto_rice"]


def test_misses_are_zero_inside_the_bounds_and_relative_outside():
    import pandas as pd

    totals = pd.DataFrame({nu.CALCIUM: [1000.0, 500.0, 3000.0]})
    bound = plan_targets()[nu.CALCIUM]
    got = alternatives.misses(totals, {nu.CALCIUM: bound})
    assert list(got) == [0.0, 0.5, pytest.approx(0.2)]


def plan_targets():
    return two_days().targets


def test_swap_replaces_one_meal_locks_it_and_updates_cost():
    plan = two_days()
    swapped = alternatives.swap(plan, CAT, 2, "lunch", "natto_rice")
    meal = next(m for m in swapped.meals if (m.day, m.slot) == (2, "lunch"))
    assert (meal.recipe_id, meal.servings, meal.locked) == ("natto_rice", 2.0, True)
    assert [m for m in swapped.meals if (m.day, m.slot) != (2, "lunch")] == [
        m for m in plan.meals if (m.day, m.slot) != (2, "lunch")]
    cost = CAT.recipes["cost_eur"]
    assert swapped.cost_eur == pytest.approx(
        plan.cost_eur + 2 * (cost["natto_rice"] - cost["gouda_rice"]))


def test_day_status_marks_daily_and_weekly_targets_where_they_apply():
    status = alternatives.day_status(make_plan([(1, "dinner", "gouda_rice", 1.0)]), CAT)
    d3 = status[status["nutrient"] == nu.D3].set_index("day")
    assert d3.loc[1, "met"] is None  # no ✓ on a day against a weekly minimum
    assert d3.loc[1, "week_so_far"] == pytest.approx(0.1)
    assert d3.loc[1, "week_target"] == pytest.approx(15.0)  # one planned day
    assert d3.loc[alternatives.WEEK, "met"] is False  # 0.1 µg average < 15 µg weekly target
    calcium = status[status["nutrient"] == nu.CALCIUM].set_index("day")
    assert calcium.loc[1, "met"] is False and calcium.loc[alternatives.WEEK, "met"] is None
