"""Plans longer than a week: any 7 consecutive days hold a recipe at most ``max_repeats``
times, across the weeks too, and no week repeats an earlier one."""

import pytest

from planner.domain.catalog import load_catalog
from planner.domain.goals import Lock, PlanRequest, Profile
from planner.optimize import Deadline, solve
from planner.optimize.problem import build_problem, window_caps
from planner.services import make_plan as model
from tests.planning_helpers import TINY, check_structure

CAT = load_catalog(TINY)


def request(**fields) -> PlanRequest:
    return PlanRequest(profile=Profile(sex="female", age=40), **fields)


def test_window_caps_by_hand():
    """Gouda rice on days 2 and 6 of week 1, salmon rice on day 7: in week 2 gouda may come
    0 times in days 8–10 (both uses lie in the 6 days before) and once in days 8–13 (one
    use in the 3 days before); salmon once in either span."""
    problem = build_problem(request(days=14, slots=("dinner",), max_repeats=2), CAT)
    gouda, salmon = problem.index("gouda_rice"), problem.index("salmon_rice")
    eaten = {2: [gouda], 6: [gouda], 7: [salmon]}
    caps = {(problem.recipe_ids[r], min(days), max(days)): cap
            for r, days, cap in window_caps(problem, list(range(8, 15)), eaten)}
    assert caps == {("gouda_rice", 8, 10): 0.0, ("gouda_rice", 8, 13): 1.0,
                    ("salmon_rice", 8, 10): 1.0, ("salmon_rice", 8, 13): 1.0}


@pytest.mark.parametrize("method", ["day-pattern", "compact"])
def test_two_weeks_of_dinners_keep_every_seven_day_window(method):
    req = request(days=14, slots=("dinner",), max_repeats=5, time_limit_s=10)
    plan = model.compose(req, CAT, solve(req, CAT, Deadline(10), method))
    assert plan.status in ("optimal", "feasible")
    check_structure(plan, req, TINY)  # includes every 7 consecutive days
    weeks = [sorted((m.recipe_id, m.servings) for m in plan.meals if (m.day - 1) // 7 == w)
             for w in (0, 1)]
    if method == "day-pattern":
        assert weeks[0] != weeks[1], "a week does not repeat the one before"


def test_a_library_just_large_enough_for_the_rule_repeats_its_week():
    """Two dinner recipes, at most 4 times in 7 days: the sliding rule leaves week 2 little
    room, and the week before again always keeps it (any 7 days of a 7-day cycle hold one
    week's meals), so the plan meets the rule with every dinner."""
    req = request(days=14, slots=("dinner",), max_repeats=4, time_limit_s=10)
    plan = model.solve(req, CAT, Deadline(10))
    assert plan.status in ("optimal", "feasible")
    check_structure(plan, req, TINY)  # includes every 7 consecutive days
    assert len(plan.meals) == 14


def test_a_library_too_small_for_the_rule_still_gets_meals_and_the_reason():
    """The same, with salmon rice locked on day 9: the week before can no longer come again,
    week 1 leaves week 2 too few dinners under the rule, so the closest plan has every
    dinner and names the repeat it needs."""
    lock = Lock(day=9, slot="dinner", recipe_id="salmon_rice", servings=1.0)
    req = request(days=14, slots=("dinner",), max_repeats=4, time_limit_s=10, locks=[lock])
    plan = model.solve(req, CAT, Deadline(10))
    assert plan.status == "relaxed"
    assert len(plan.meals) == 14, "no slot is left empty for the variety rule"
    variety = [s for s in plan.shortfalls if s.scope.startswith("days ")]
    assert variety and all(s.achieved > 4 for s in variety)
    assert variety[0].fix.changes == {"max_repeats": int(variety[0].achieved)}
