"""Plans on the bundled library, checked against an independent recomputation from data/."""

import pytest

from planner import DATA_DIR, optimize
from planner.domain import nutrients as nu
from planner.domain.catalog import load_catalog
from planner.domain.goals import Bound, Lock, Profile, default_request
from planner.domain.plan import Plan, daily_totals, shopping_list
from planner.services import make_plan as model
from tests.planning_helpers import check_structure, misses, recompute

CAT = load_catalog()
ME = Profile(sex="female", age=40)
FAST = {"time_limit_s": 4.0, "gap_rel": 0.05}  # a request's whole time, on shared CI cores


@pytest.fixture(scope="module")
def week():
    req = default_request(CAT, ME, **FAST)
    return req, model.solve(req, CAT)


def test_a_default_week_meets_every_bound_by_independent_recomputation(week):
    req, plan = week
    assert plan.status in ("optimal", "feasible")
    check_structure(plan, req, DATA_DIR)
    again = recompute(plan, DATA_DIR)
    assert misses(req, again) == []
    ours = daily_totals(plan, CAT)
    for n in (nu.ENERGY, nu.CALCIUM, nu.K2, nu.D3, "cost_eur"):
        assert ours[n].to_numpy() == pytest.approx(again[n].to_numpy(), rel=1e-9, abs=1e-9)
        assert [plan.totals[d][n] for d in again.index] == pytest.approx(
            again[n].to_numpy(), abs=1e-3)
    assert plan.cost_eur == pytest.approx(again["cost_eur"].sum(), abs=0.01)
    assert plan.solver.name == "HiGHS" and plan.solver.build_seconds > 0


def test_the_json_document_round_trips(week):
    _, plan = week
    text = plan.to_json()
    assert Plan.from_json(text).to_json() == text
    assert Plan.from_json(text) == plan


def test_shopping_list_adds_up_to_the_recipe_grams(week):
    _, plan = week
    items = shopping_list(plan, CAT)
    assert list(items.columns) == ["food_id", "name", "category", "grams", "cost_eur"]
    assert items["cost_eur"].sum() == pytest.approx(plan.cost_eur, abs=0.05)


def test_minimal_change_keeps_every_meal_the_edit_does_not_touch(week):
    req, plan = week
    banned = plan.meals[0].recipe_id
    replan = model.solve(default_request(CAT, ME, exclude_recipes=[banned], previous=plan,
                                         **FAST), CAT)
    assert replan.status in ("optimal", "feasible")
    before = {(m.day, m.slot): m.recipe_id for m in plan.meals}
    after = {(m.day, m.slot): m.recipe_id for m in replan.meals}
    untouched = [k for k, r in before.items() if r != banned]
    kept = sum(after[k] == before[k] for k in untouched)
    assert kept == len(untouched)
    assert banned not in after.values()
    assert not any(m.locked for m in replan.meals), "kept meals are not user locks"


def test_locks_and_exclusions_hold_over_four_weeks():
    locks = (Lock(day=3, slot="dinner", recipe_id=CAT.recipes.index[
        CAT.recipes["slots"].map(lambda s: "dinner" in s)][0], servings=1.5),)
    req = default_request(CAT, ME, days=28, diet="pescatarian", exclude_allergens=["milk"],
                          locks=locks, **FAST | {"time_limit_s": 16.0})  # a month
    plan = model.solve(req, CAT)
    assert len(plan.meals) == 28 * 4
    check_structure(plan, req, DATA_DIR)
    if plan.status != "relaxed":
        assert misses(req, recompute(plan, DATA_DIR)) == []


def test_a_month_of_free_weeks_keeps_every_rule_and_each_week_is_new():
    """No locks, no previous plan: weeks 2–4 follow the week before with one day changed in
    place (``day_pattern.next_week``), so every 7 consecutive days keep the repeat limit,
    every week its minimums, and no week repeats an earlier one; the month's bound is four
    times the first week's, whatever the weeks."""
    req = default_request(CAT, ME, days=28, **FAST | {"time_limit_s": 16.0})
    month = optimize.solve(req, CAT)
    plan = model.compose(req, CAT, month)
    assert plan.status in ("optimal", "feasible")
    check_structure(plan, req, DATA_DIR)  # includes every 7 consecutive days
    assert misses(req, recompute(plan, DATA_DIR)) == []
    days = {d: sorted((m.slot, m.recipe_id, m.servings) for m in plan.meals if m.day == d)
            for d in range(1, 29)}
    weeks = [sorted(map(str, (days[d] for d in range(w, w + 7)))) for w in (1, 8, 15, 22)]
    assert len({tuple(w) for w in weeks}) == 4
    for w in (8, 15, 22):
        assert sum(days[d] != days[d - 7] for d in range(w, w + 7)) == 1
    week = optimize.solve(default_request(CAT, ME, **FAST | {"time_limit_s": 16.0}), CAT)
    assert month.bound == pytest.approx(4 * week.bound)


def test_vegan_d3_goal_is_relaxed_and_supplements_are_named():
    req = default_request(CAT, ME, diet="vegan", days=3,
                          targets={nu.D3: Bound(min=50, max=100, window="week")}, **FAST)
    plan = model.solve(req, CAT)
    assert plan.status == "relaxed"
    d3 = [s for s in plan.shortfalls if s.nutrient == nu.D3]
    assert d3 and "Allowing supplements would meet it" in d3[0].explanation
    assert d3[0].fix.changes == {"supplements": True}
    fixed = model.solve(req.model_copy(update={"supplements": True}), CAT)
    assert fixed.status in ("optimal", "feasible")
    assert misses(req, recompute(fixed, DATA_DIR)) == []


@pytest.mark.parametrize("share", [0.0, 80.0])
def test_k2_spread_holds_every_day_on_recompute(share):
    """A weekly K2 target of 120 µg/day with each day at least ``share`` % of it: every day
    recomputed from the CSV files reaches the floor (0 %: only the weekly mean counts)."""
    req = default_request(CAT, ME, targets={nu.K2: Bound(min=120.0, window="week")},
                          k2_daily_share=share, **FAST)
    plan = model.solve(req, CAT)
    assert plan.status in ("optimal", "feasible")
    k2 = recompute(plan, DATA_DIR)["k2_ug"]
    assert k2.mean() >= 120.0 - 1e-6
    assert k2.min() >= 120.0 * share / 100 - 1e-6
    assert misses(req, recompute(plan, DATA_DIR)) == []
