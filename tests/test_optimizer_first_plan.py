"""A block finds a plan early: the first columns alone make one, and a closest plan that
needs no slack counts as a plan."""

import subprocess
import sys
from pathlib import Path

from planner.domain import nutrients as nu
from planner.domain.catalog import load_catalog
from planner.domain.goals import Bound, PlanRequest, Profile, default_request
from planner.optimize import day_pattern
from planner.optimize.deadline import Deadline
from planner.optimize.problem import build_problem
from tests.planning_helpers import TINY
from tests.solve_helpers import quick_solve

CAT = load_catalog()
ME = Profile(sex="female", age=40)
WEEK = list(range(1, 8))


def test_the_first_columns_alone_make_a_plan_when_days_differ_by_previous_meals():
    """Re-planning a vegan week for 50 µg D3 a day on average once supplements are allowed,
    from a plan without them: days keep their own previous meals, so they form several
    kinds, and the supplement just pays for itself at the average day's prices. The integer
    master over the first columns (all a short deadline may have) still has a plan."""
    goals = {"diet": "vegan", "targets": {nu.D3: Bound(min=50.0, window="week")}}
    before = quick_solve(default_request(CAT, ME, **goals), CAT)
    request = default_request(CAT, ME, **goals, supplements=True, previous=before)
    problem = build_problem(request, CAT)
    solver = day_pattern.BlockSolver(problem, WEEK, {}, False,
                                     day_pattern.Pricers(problem, Deadline(60)))
    assert len(solver.kinds) > 1
    solver.first_columns(Deadline(60))
    assert solver.integer(Deadline(60), request.gap_rel, "highs") is not None


def _tiny_block(d3_min: float) -> day_pattern.BlockPlan | None:
    tiny = load_catalog(TINY)
    request = PlanRequest(profile=ME, days=7, slots=("breakfast", "dinner"), max_repeats=7,
                          targets={nu.D3: Bound(min=d3_min)})
    problem = build_problem(request, tiny)
    return day_pattern.solve_block(problem, WEEK, {}, Deadline(60), True, "highs",
                                   day_pattern.Pricers(problem, Deadline(60)), [])


def test_a_closest_plan_that_needs_no_slack_is_a_plan():
    """On the tiny fixture salmon gives up to 30 µg D3 a dinner (two portions): the closest
    plan for 10 µg a day meets it, for 40 µg a day it cannot."""
    reachable = _tiny_block(10.0)
    assert reachable is not None and not reachable.elastic
    unreachable = _tiny_block(40.0)
    assert unreachable is not None and unreachable.elastic


def test_a_solve_after_a_close_the_gap_suggestion_in_the_same_process_still_solves():
    """HiGHS keeps one thread scheduler per process, made by its first run: a suggestion's
    LP (``cheapest_mix``) run first must not leave every later solve failing at once. In a
    fresh process, so that no earlier test has made the scheduler already."""
    script = (
        "import pandas as pd\n"
        "from planner.domain.catalog import load_catalog\n"
        "from planner.domain.goals import Profile, default_request\n"
        "from planner.optimize import solve\n"
        "from planner.optimize.cheapest_mix import cheapest_mix\n"
        "amounts = pd.DataFrame({'d3': [1.0, 2.0]}, index=['a', 'b'])\n"
        "assert cheapest_mix(amounts, pd.Series({'a': 1.0, 'b': 3.0}), {'d3': 4.0}) is not None\n"
        "catalog = load_catalog()\n"
        "request = default_request(catalog, Profile(sex='female', age=40), days=7,\n"
        "                          time_limit_s=30.0)\n"
        "print(solve(request, catalog).status)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=Path(__file__).parents[1], check=True)
    assert run.stdout.split()[-1] in ("optimal", "feasible"), run.stdout + run.stderr
