"""One-day swaps (``Master.best_swap``), the day-pattern method's local search."""

from types import SimpleNamespace

import pytest

from planner import DATA_DIR
from planner.domain.catalog import load_catalog
from planner.domain.goals import Profile, default_request
from planner.optimize import day_pattern
from planner.optimize.deadline import Deadline
from planner.optimize.problem import EMPTY, build_problem
from tests.planning_helpers import misses, recompute

CAT = load_catalog()


def _as_plan(problem, days: dict) -> SimpleNamespace:
    """The days as a plan ``planning_helpers.recompute`` reads."""
    meals = [SimpleNamespace(day=d, recipe_id=problem.recipe_ids[r], servings=p)
             for d, day in days.items() for _, r, p in day.meals if r != EMPTY]
    pills = [SimpleNamespace(day=d, supplement_id=problem.supp_ids[u], units=n)
             for d, day in days.items() for u, n in enumerate(day.units) if n]
    return SimpleNamespace(meals=meals, supplements=pills)


def _second_week(max_repeats: int):
    """A 14-day request's first week solved, and its second block after a few rounds of
    column generation, with its integer plan over those columns."""
    request = default_request(CAT, Profile(sex="female", age=40), days=14,
                              max_repeats=max_repeats)
    problem = build_problem(request, CAT)
    pricers = day_pattern.Pricers(problem, Deadline(60))
    first = day_pattern.solve_block(problem, list(range(1, 8)), {}, Deadline(60), False,
                                    "highs", pricers, [])
    second = day_pattern.BlockSolver(problem, list(range(8, 15)), first.days, False, pricers)
    second.first_columns(Deadline(60))
    second.generate(Deadline(60), request.gap_rel, max_rounds=3)
    found = second.integer(Deadline(60), request.gap_rel, "highs")
    return request, problem, first, second, found


@pytest.mark.parametrize("max_repeats", [1, 2])
def test_the_best_swap_is_the_cheapest_one_day_change_that_keeps_every_rule(max_repeats):
    """Checked against every one-day change, each judged by ``Master.meets_rules`` and
    ``objective_of``; the plan it gives is re-checked from the CSV files, across both
    weeks."""
    request, problem, first, second, found = _second_week(max_repeats)
    assert found is not None
    master = second.master
    objective, counts = master.best_swap(found[1])

    cheapest = master.objective_of(found[1])
    for out in found[1]:
        for into in master.columns.var:
            if into[0] != out[0] or into == out:
                continue
            plan = dict(found[1])
            plan[out] -= 1
            plan[into] = plan.get(into, 0) + 1
            plan = {key: n for key, n in plan.items() if n > 0}
            if master.meets_rules(plan):
                cheapest = min(cheapest, master.objective_of(plan))
    assert objective == pytest.approx(cheapest)
    assert objective == pytest.approx(master.objective_of(counts))
    assert master.meets_rules(counts)

    month = {**first.days, **second.plan_of(counts)}
    assert sorted(month) == list(range(1, 15))
    assert not misses(request, recompute(_as_plan(problem, month), DATA_DIR))
    eaten = {d: [problem.recipe_ids[r] for _, r, _ in month[d].meals] for d in month}
    for start in range(1, 9):  # every 7 consecutive days, across the two weeks
        meals = [r for d in range(start, start + 7) for r in eaten[d]]
        assert max(meals.count(r) for r in meals) <= request.max_repeats
