"""Solve functions for the job tests, importable by solver processes and Dask workers."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

from planner.analysis import plan_check
from planner.domain.catalog import Catalog
from planner.domain.goals import WEEK_DAYS, PlanRequest, eligible
from planner.domain.plan import COST, Meal, Plan, SolverInfo


def sleep_solve(request: PlanRequest, catalog: Catalog, progress=None) -> Plan:
    """A solve that never finishes by itself (a minute, well past any test)."""
    time.sleep(60)
    raise AssertionError("a sleeping solve should have been cancelled")


def crash_solve(request: PlanRequest, catalog: Catalog, progress=None) -> Plan:
    """A solver process that dies as a segfaulting native solver would."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def reporting_solve(request: PlanRequest, catalog: Catalog, progress=None) -> Plan:
    """A solve that reports ``quick_solve``'s plan as its best so far, then never finishes
    by itself (a minute, well past any test)."""
    progress(quick_solve(request, catalog))
    return sleep_solve(request, catalog)


def quick_solve(request: PlanRequest, catalog: Catalog, progress=None) -> Plan:
    """A fast stand-in for the optimizer in page tests (the page, not the plan, is tested).

    Each slot gets its lock, else the cheapest allowed recipe that is not eaten that day
    yet nor ``max_repeats`` times that week; the plan is then re-checked like any other,
    so its status and shortfalls are honest for what it chose.
    """
    started = time.perf_counter()
    recipes, _ = eligible(request, catalog)
    locks = {(lock.day, lock.slot): lock for lock in request.locks}
    meals, used = [], Counter()
    for day in range(1, request.days + 1):
        if (day - 1) % WEEK_DAYS == 0:
            used.clear()
        today: set[str] = set()
        for slot in request.slots:
            lock = locks.get((day, slot))
            if lock is None:
                fits = recipes[recipes["slots"].map(lambda s, slot=slot: slot in s)
                               & ~recipes.index.isin(today)
                               & recipes.index.map(lambda r: used[r] < request.max_repeats)]
                if fits.empty:
                    continue
                recipe_id, servings = str(fits[COST].idxmin()), 1.0
            else:
                recipe_id, servings = lock.recipe_id, lock.servings
            today.add(recipe_id)
            used[recipe_id] += 1
            meals.append(Meal(day, slot.value, recipe_id, "", servings, lock is not None))
    plan = Plan(status="feasible", meals=meals, supplements=[], targets={}, cost_eur=0.0,
                solver=SolverInfo(name="quick test solver", status_text="quick",
                                  seconds=time.perf_counter() - started))
    return plan_check.recheck(plan, request, catalog)
