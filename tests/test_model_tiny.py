"""Plans on the tiny fixture whose answers can be worked out by hand.

Per serving: natto rice (breakfast|lunch) €0.80; gouda rice (lunch|dinner)
€0.90, 0.1 µg D3; salmon rice (dinner) €3.30, 15 µg D3.
"""

import pytest

from planner.domain import nutrients as nu
from planner.domain.catalog import load_catalog
from planner.domain.goals import Bound, Lock, PlanRequest, Profile
from planner.services import make_plan as model
from tests.planning_helpers import TINY, check_structure, misses, recompute

CAT = load_catalog(TINY)
ME = Profile(sex="female", age=40)


def request(**fields) -> PlanRequest:
    return PlanRequest(profile=ME, **{"days": 1, "slots": ("breakfast", "dinner"), **fields})


def picks(plan) -> list[tuple[int, str, str, float]]:
    return [(m.day, m.slot, m.recipe_id, m.servings) for m in plan.meals]


def test_without_targets_the_cheapest_recipe_fills_each_slot():
    plan = model.solve(request(), CAT)
    assert plan.status == "optimal"
    assert picks(plan) == [(1, "breakfast", "natto_rice", 1.0), (1, "dinner", "gouda_rice", 1.0)]
    assert plan.cost_eur == pytest.approx(1.70)


@pytest.mark.parametrize(("d3_min", "dinner", "cost"), [
    (10.0, ("salmon_rice", 1.0), 0.8 + 3.3),
    (20.0, ("salmon_rice", 1.5), 0.8 + 1.5 * 3.3),
    (25.0, ("salmon_rice", 2.0), 0.8 + 2 * 3.3),
])
def test_a_d3_floor_buys_just_enough_salmon(d3_min, dinner, cost):
    plan = model.solve(request(targets={nu.D3: Bound(min=d3_min)}), CAT)
    assert plan.status == "optimal"
    assert picks(plan) == [(1, "breakfast", "natto_rice", 1.0), (1, "dinner", *dinner)]
    assert plan.cost_eur == pytest.approx(cost)
    assert plan.totals[1][nu.D3] == pytest.approx(recompute(plan, TINY).loc[1, nu.D3])


def test_a_weekly_d3_minimum_is_met_on_average_not_every_day():
    req = request(days=7, slots=("dinner",), max_repeats=7,
                  targets={nu.D3: Bound(min=15.0 / 7 * 2, window="week")})
    plan = model.solve(req, CAT)
    salmon = [m for m in plan.meals if m.recipe_id == "salmon_rice"]
    # 30 µg a week: two salmon dinners (the cheapest way), gouda the other five days
    assert len(salmon) == 2 and all(m.servings == 1.0 for m in salmon)
    assert not misses(req, recompute(plan, TINY))


def test_a_lock_is_kept_even_when_it_costs_more():
    req = request(locks=(Lock(day=1, slot="dinner", recipe_id="salmon_rice", servings=2.0),))
    plan = model.solve(req, CAT)
    assert (1, "dinner", "salmon_rice", 2.0) in picks(plan)
    assert [m.locked for m in plan.meals] == [False, True]
    check_structure(plan, req, TINY)


def test_never_the_same_recipe_twice_a_day():
    plan = model.solve(request(slots=("breakfast", "lunch")), CAT)
    assert picks(plan) == [(1, "breakfast", "natto_rice", 1.0), (1, "lunch", "gouda_rice", 1.0)]


def test_max_repeats_spreads_dinners_over_the_week():
    req = request(days=7, slots=("dinner",), max_repeats=4)
    plan = model.solve(req, CAT)
    recipes = [m.recipe_id for m in plan.meals]
    assert recipes.count("gouda_rice") == 4 and recipes.count("salmon_rice") == 3
    check_structure(plan, req, TINY)


def test_an_unreachable_d3_goal_is_relaxed_and_names_the_diet_as_blocker():
    req = request(slots=("dinner",), diet="vegetarian", targets={nu.D3: Bound(min=10.0)})
    plan = model.solve(req, CAT)
    assert plan.status == "relaxed"
    assert picks(plan) == [(1, "dinner", "gouda_rice", 2.0)], "the closest plan: most D3"
    [short] = plan.shortfalls
    assert (short.nutrient, short.scope, short.target) == (nu.D3, "day 1", 10.0)
    assert short.achieved == pytest.approx(0.2)
    assert "at most 0.2 µg" in short.explanation  # gouda rice ×2
    assert "fish (pescatarian meals) would meet it" in short.explanation
    assert short.fix.changes == {"diet": "pescatarian"}


def test_supplements_close_a_k2_gap_when_allowed():
    target = {nu.K2: Bound(min=150.0)}
    req = request(slots=("dinner",), targets=target, supplements=True)
    plan = model.solve(req, CAT)
    assert plan.status == "optimal"
    assert [(s.supplement_id, s.units) for s in plan.supplements] == [("k2_mk7_100", 2)]
    assert not misses(req, recompute(plan, TINY))
    closed = model.solve(request(slots=("dinner",), targets=target), CAT)
    assert closed.status == "relaxed"
    assert closed.shortfalls[0].fix.changes == {"supplements": True}


def test_steady_vitamin_k_bans_natto_and_k2_supplements():
    req = request(slots=("breakfast", "lunch"), supplements=True,
                  steady_k={"value_ug": 5.0, "band": 0.5})
    plan = model.solve(req, CAT)
    assert "natto_rice" not in {m.recipe_id for m in plan.meals}
    assert not plan.supplements
    check_structure(plan, req, TINY)


def test_a_budget_below_the_cheapest_day_is_explained():
    req = request(budget_eur=1.0)
    plan = model.solve(req, CAT)
    assert plan.status == "relaxed"
    [short] = plan.shortfalls
    assert short.nutrient == "cost_eur"
    assert "lightest possible day" in short.explanation


def test_cbc_gives_the_same_plan():
    req = request(targets={nu.D3: Bound(min=20.0)}, solver="cbc")
    plan = model.solve(req, CAT)
    assert picks(plan) == [(1, "breakfast", "natto_rice", 1.0), (1, "dinner", "salmon_rice", 1.5)]
    assert plan.solver.name == "COIN_CMD"
