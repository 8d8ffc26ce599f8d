"""Make a plan: the optimizer's solution, explained and with close-the-gap suggestions.

``solve`` is what every solve job runs (Plan page, workspace, batch) and the CLI: it checks the
request against the catalog, asks ``planner.optimize`` for a solution by the
request's deadline, and composes the ``Plan`` through the same check as any plan
put on screen (``plan_check.recheck``: totals, shortfalls, rule breaks, suggestions).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from planner import optimize
from planner.analysis import plan_check
from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest, check_against_catalog, eligible
from planner.domain.plan import Plan, PlanStatus, SolverInfo, daily_totals
from planner.optimize import Deadline, settle

__all__ = ["Deadline", "compose", "interim", "settle", "solve"]  # a deadline is part of a request

KEEP_SHARE = 0.5  # of the time left for a re-plan that keeps every previous meal
COMPOSE_SECONDS = 0.15  # kept from the optimizer for totals, explanations and suggestions


def solve(request: PlanRequest, catalog: Catalog, deadline: Deadline | None = None,
          method: str = "day-pattern", progress: Callable[[Plan], None] | None = None,
          ) -> Plan:
    """The cheapest plan meeting every bound by ``deadline`` (default: the request's time
    limit from now); else the closest plan with its shortfalls explained.

    With previous meals (minimal change), first try keeping every previous meal the
    request still allows, fixed like a lock; only when that cannot meet the bounds does
    the whole plan re-optimize, penalizing each changed meal. ``progress`` hears of the
    best plan so far (``interim``) while the optimizer searches.
    """
    deadline = deadline or Deadline(request.time_limit_s)
    check_against_catalog(request, catalog)
    solving = deadline.until(deadline.end - COMPOSE_SECONDS)
    heard = None if progress is None else (
        lambda solution: progress(interim(request, catalog, solution)))
    if request.previous:
        keep = solving.until(solving.end - solving.left() * (1 - KEEP_SHARE))
        kept = optimize.solve(_keep_previous(request, catalog), catalog, keep, method,
                              fallback=False, progress=heard)
        if kept.status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE):
            return compose(request, catalog, kept)
    return compose(request, catalog,
                   optimize.solve(request, catalog, solving, method, progress=heard))


def _keep_previous(request: PlanRequest, catalog: Catalog) -> PlanRequest:
    """``request`` with every still-allowed previous meal added as a lock."""
    allowed = eligible(request, catalog)[0].index
    taken = {(lk.day, lk.slot) for lk in request.locks}
    keep = tuple(p for p in request.previous
                 if p.recipe_id in allowed and p.slot in request.slots
                 and p.day <= request.days and (p.day, p.slot) not in taken)
    return request.model_copy(update={"locks": request.locks + keep, "previous": ()})


def interim(request: PlanRequest, catalog: Catalog, solution: optimize.Solution) -> Plan:
    """A plan so far, for progress: its meals, supplements, day totals and cost, with the
    solver's figures; not explained, and for a plan longer than a week perhaps only its
    first weeks."""
    draft = _draft(request, solution)
    return plan_check.with_totals(draft, daily_totals(draft, catalog))


def _draft(request: PlanRequest, solution: optimize.Solution) -> Plan:
    """The solution's choices as a ``Plan`` with the solver's figures, nothing derived."""
    locked = {(lk.day, lk.slot.value) for lk in request.locks}  # the user's, not kept meals
    gap = solution.gap
    return Plan(status=solution.status,
                meals=[dataclasses.replace(m, locked=(m.day, m.slot) in locked)
                       for m in solution.meals],
                supplements=list(solution.supplements), targets=dict(request.targets),
                cost_eur=0.0,
                solver=SolverInfo(name=solution.solver, seconds=solution.seconds,
                                  gap=None if gap is None else round(gap, 5),
                                  status_text=f"{solution.method}: {solution.status}",
                                  build_seconds=solution.build_seconds))


def compose(request: PlanRequest, catalog: Catalog, solution: optimize.Solution) -> Plan:
    """The ``Plan`` of a solution: its choices checked like any plan on screen
    (``plan_check.recheck``: totals, cost, every bound and rule missed explained, the foods
    that would close a gap), with the solver's figures."""
    draft = _draft(request, solution)
    if solution.status == PlanStatus.FAILED:
        return draft
    return plan_check.recheck(draft, request, catalog)
