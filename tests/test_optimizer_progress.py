"""The best plan so far: what a running solve reports is a real plan of the days it
reaches, re-checked from the data, and the last one reported is the plan returned."""

import pytest

from planner.analysis import plan_check
from planner.domain.catalog import load_catalog
from planner.domain.goals import PlanRequest, Profile
from planner.domain.plan import COST, daily_totals
from planner.services import make_plan
from tests.planning_helpers import TINY, check_structure

CAT = load_catalog(TINY)


def picks(plan) -> list[tuple]:
    return [(m.day, m.slot, m.recipe_id, m.servings) for m in plan.meals]


@pytest.mark.parametrize("method", ["day-pattern", "compact"])
def test_each_plan_so_far_meets_the_goals_for_its_days_and_the_last_is_the_plan(method):
    request = PlanRequest(profile=Profile(sex="female", age=40), days=14,
                          slots=("dinner",), max_repeats=5, time_limit_s=20)
    heard = []
    plan = make_plan.solve(request, CAT, method=method, progress=heard.append)
    assert plan.status in ("optimal", "feasible") and heard
    reach = [max(m.day for m in p.meals) for p in heard]
    assert reach == sorted(reach) and reach[0] == 7, "the first week comes first"
    for so_far, days in zip(heard, reach, strict=True):
        assert so_far.cost_eur == pytest.approx(daily_totals(so_far, CAT)[COST].sum(), abs=0.01)
        for_its_days = request.model_copy(update={"days": days})
        assert plan_check.recheck(so_far, for_its_days, CAT).shortfalls == []
        check_structure(so_far, for_its_days, TINY)
    if method == "day-pattern":  # reported as found, so the last is the answer
        assert reach[-1] == 14 and picks(heard[-1]) == picks(plan)
    else:  # a block's plan is the block's answer: the whole plan is the answer itself
        assert reach == [7]
