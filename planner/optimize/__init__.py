"""The optimizer: every PuLP model of the planner, behind one entry point.

``solve(request, catalog, deadline)`` returns a ``Solution``: the chosen meals
and supplement doses, the objective, the proven bound, a status and timings. It
neither explains nor suggests; ``planner.services.make_plan`` composes those. Methods:
``day-pattern`` (the default, ``day_pattern.py``) and ``compact`` (one MILP per
block, ``compact.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest
from planner.domain.plan import TOTAL_KEYS, Meal, SupplementDose
from planner.optimize import compact, day_pattern
from planner.optimize.deadline import Deadline, dispose, settle
from planner.optimize.pricing import Infeasible
from planner.optimize.problem import (
    BLOCK_DAYS,
    EMPTY,
    Day,
    Problem,
    blocks,
    build_problem,
    free_days,
    window_caps,
)

METHODS = ("day-pattern", "compact")
ELASTIC_RESERVE = 0.25  # s of a block's share kept for its closest plan, should it need one
FIRST_WEEK_SHARE = 0.6  # of the time, for the first week of a plan of free weeks

__all__ = ["METHODS", "Deadline", "Progress", "Solution", "dispose", "settle", "solve"]


@dataclass(frozen=True)
class Solution:
    """What the optimizer found by its deadline.

    status: ``optimal`` (within the request's gap of the proven bound), ``feasible``
    (every bound met, gap larger or unknown), ``relaxed`` (the closest plan, some
    bound missed), ``failed`` (no plan). ``objective`` and ``bound`` are in € of the
    objective (cost, variety and change penalties, favourite bonus); seconds are wall
    time from the start of the request. Blocks are solved in turn, so for a plan longer
    than a week ``bound`` sums each block's bound given the blocks before it: the gap says
    how far each week is from the best it could be after the weeks already planned. When
    every day is free (no locks, no previous plan), the weeks after the first follow it
    with a day changed (``day_pattern.next_week``), each bounded by the first week's
    bound, so the month's bound holds whatever the weeks.
    """

    status: str
    meals: tuple[Meal, ...]
    supplements: tuple[SupplementDose, ...]
    objective: float | None
    bound: float | None
    solver: str
    method: str
    seconds: float
    build_seconds: float = 0.0

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return day_pattern.relative_gap(self.objective, self.bound)


Progress = Callable[[Solution], None]  # hears of each better plan so far


def solve(request: PlanRequest, catalog: Catalog, deadline: Deadline | None = None,
          method: str = "day-pattern", fallback: bool = True,
          progress: Progress | None = None) -> Solution:
    """The cheapest plan meeting every bound by ``deadline`` (default: the request's time
    limit from now); else, with ``fallback``, the closest plan (``relaxed``).

    ``progress`` hears of the best plan so far as the search goes: each better plan of
    the block being solved, with the blocks before it (so, for a plan longer than a
    week, its first weeks before the whole plan).
    """
    deadline = deadline or Deadline(request.time_limit_s)
    if method == "compact":
        return _solve_compact(request, catalog, deadline, fallback, progress)
    if method != "day-pattern":
        raise ValueError(f"method: one of {', '.join(METHODS)} (got {method})")
    return _solve_day_pattern(request, catalog, deadline, fallback, progress)


def _reporter(problem: Problem, catalog: Catalog, history: dict[int, Day], plans: list,
              method: str, solver: str, deadline: Deadline, progress: Progress | None,
              ) -> Callable[[day_pattern.BlockPlan], None] | None:
    """What a block calls with each better plan of its own: ``progress`` with that plan
    after the blocks before it."""
    if progress is None:
        return None

    def report(plan: day_pattern.BlockPlan) -> None:
        progress(_solution(problem, catalog, {**history, **plan.days}, [*plans, plan],
                           method, solver, deadline, 0.0, blocks_planned=len(plans) + 1))
    return report


def _solve_day_pattern(request: PlanRequest, catalog: Catalog, deadline: Deadline,
                       fallback: bool, progress: Progress | None) -> Solution:
    built = time.monotonic()
    problem = build_problem(request, catalog)
    pricers = day_pattern.Pricers(problem, deadline)
    pricers.choose_kernel(min(request.days, BLOCK_DAYS))
    build_seconds = time.monotonic() - built
    history: dict[int, Day] = {}
    pool: list[Day] = []
    plans: list[day_pattern.BlockPlan | None] = []
    solver = "COIN_CMD" if request.solver == "cbc" else "HiGHS"
    parts = blocks(request)
    free = len(parts) > 1 and free_days(problem, list(range(1, request.days + 1)))
    for i, block in enumerate(parts):
        # free weeks after the first follow it a day changed (``next_week``): the first
        # week may take most of the time
        part = FIRST_WEEK_SHARE if free and i == 0 else 1 / (len(parts) - i)
        share = deadline.until(time.monotonic() + deadline.left() * part)
        reserve = min(ELASTIC_RESERVE, 0.3 * share.left()) if fallback else 0.0
        report = _reporter(problem, catalog, history, plans, "day-pattern", solver, deadline,
                           progress)
        plan = None
        if free and i > 0 and plans[0] is not None and not plans[0].elastic:
            plan = day_pattern.next_week(problem, block, history, plans[0])
            if plan is not None and report is not None:
                report(plan)
        with contextlib.suppress(Infeasible):  # no day meets the hard daily rules
            plan = plan or day_pattern.solve_block(problem, block, history,
                                                   share.until(share.end - reserve), False,
                                                   request.solver, pricers, pool, report)
        if plan is None and fallback and not deadline.expired():
            # the closest plan, with time borrowed from the blocks still to come
            share = deadline.until(time.monotonic() + deadline.left() / (len(parts) - i))
            plan = day_pattern.solve_block(problem, block, history, share, True,
                                           request.solver, pricers, pool, report)
        plans.append(plan)
        if plan is None:
            break
        history.update(plan.days)
    return _solution(problem, catalog, history, plans, "day-pattern", solver, deadline,
                     build_seconds)


def _solution(problem: Problem, catalog: Catalog, history: dict[int, Day], plans: list,
              method: str, solver: str, deadline: Deadline, build_seconds: float,
              blocks_planned: int | None = None) -> Solution:
    """The solution of ``history``: complete when ``blocks_planned`` (default: all of the
    request's) blocks have a plan."""
    locked = {(lk.day, lk.slot.value) for lk in problem.request.locks}
    meals, doses = [], []
    pills = catalog.supplements
    for d, day in sorted(history.items()):
        meals += [Meal(d, s, problem.recipe_ids[r], problem.names[r], p, (d, s) in locked)
                  for s, r, p in day.meals if r != EMPTY]
        for u, units in enumerate(day.units):
            if units:
                row = pills.loc[problem.supp_ids[u]]
                doses.append(SupplementDose(d, problem.supp_ids[u], problem.supp_names[u], units,
                                            {n: float(row[n]) * units for n in TOTAL_KEYS
                                             if float(row[n]) > 0}))
    done = [p for p in plans if p is not None]
    wanted = len(blocks(problem.request)) if blocks_planned is None else blocks_planned
    complete = bool(done) and len(done) == wanted
    objective = sum(p.objective for p in done) if complete else None
    bounds = [p.bound for p in done]
    bound = sum(bounds) if complete and None not in bounds else None
    status = _status(complete, any(p.elastic for p in done), objective, bound,
                     problem.request.gap_rel)
    return Solution(status, tuple(meals), tuple(doses), objective, bound, solver, method,
                    round(deadline.elapsed(), 3), round(build_seconds, 3))


def _status(complete: bool, elastic: bool, objective: float | None, bound: float | None,
            gap_rel: float) -> str:
    if not complete:
        return "failed"
    if elastic:
        return "relaxed"
    if bound is not None and day_pattern.relative_gap(objective, bound) <= gap_rel + 1e-9:
        return "optimal"
    return "feasible"


def _solve_compact(request: PlanRequest, catalog: Catalog, deadline: Deadline,
                   fallback: bool, progress: Progress | None) -> Solution:
    problem = build_problem(request, catalog)
    ctx = compact.context(request, catalog)
    history: dict[int, Day] = {}
    plans = []
    solver = "none"
    parts = blocks(request)
    slot_order = problem.slots
    for i, block in enumerate(parts):
        share = deadline.until(time.monotonic() + deadline.left() / (len(parts) - i))
        eaten = {d: [r for _, r, _ in day.meals] for d, day in history.items()}
        ctx = dataclasses.replace(ctx, windows=tuple(
            (problem.recipe_ids[r], days, cap) for r, days, cap in window_caps(problem, block,
                                                                              eaten)))
        result = compact.solve_block(ctx, block, share, fallback)
        solver = result.stats.solver
        if result.model is None or not result.stats.has_solution:
            dispose(result)
            plans.append(None)
            break
        picked = compact.chosen(result.model)
        for d in block:
            meals = sorted(((s, problem.index(r), p) for (dd, s, r, p) in picked if dd == d),
                           key=lambda m: slot_order.index(m[0]))
            units = tuple(round(result.model.z[d, u].value() or 0)
                          if (d, u) in result.model.z else 0 for u in problem.supp_ids)
            history[d] = Day(tuple(meals), units)
        plan = day_pattern.BlockPlan({d: history[d] for d in block},
                                     float(result.stats.objective), result.bound, result.elastic)
        dispose(result)  # a big model takes longer to free than to read
        if i < len(parts) - 1 and (report := _reporter(
                problem, catalog, history, plans, "compact", solver, deadline, progress)):
            report(plan)  # the weeks so far (the whole plan is the answer itself)
        plans.append(plan)
    return _solution(problem, catalog, history, plans, "compact", solver, deadline, 0.0)
