"""Batch re-plan: a new plan version for each of a dietitian's clients, as jobs.

Each client's newest version is the ``previous`` plan (minimal change) and sets the
number of days; a client without a plan gets a first one of ``DEFAULT_DAYS``. Every
result is saved as a new version based on the one it started from; a client whose
goals cannot be planned, whose solve fails or whose record changed meanwhile is
listed with the reason and nothing is saved for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest
from planner.domain.plan import PlanStatus
from planner.domain.workspace import ClientRecord, StoreError
from planner.services.client_plans import read_versions, save_version, stored_request
from planner.services.jobs import Job, JobError, Pool, QueueFull
from planner.store.repository import Workspace

DEFAULT_DAYS = 7
RETRY_S = 0.5  # wait before trying a full queue again when none of our jobs is running


def next_monday(today: date) -> date:
    """The Monday after ``today``: the week a weekly re-plan is for by default."""
    return today + timedelta(days=7 - today.weekday())


def week_note(week: date) -> str:
    """The note saved with every version of a weekly re-plan."""
    return f"re-plan for the week of {week.isoformat()}"


@dataclass(frozen=True)
class Replanned:
    """One client's outcome: the saved ``version`` and plan ``status``, or the
    ``reason`` nothing was saved."""

    client_id: int
    name: str
    version: int | None = None
    status: str = ""
    reason: str = ""

    @property
    def saved(self) -> bool:
        return self.version is not None


@dataclass(frozen=True)
class _Work:
    client: ClientRecord
    request: PlanRequest
    based_on: int | None


def replan_clients(ws: Workspace, catalog: Catalog, pool: Pool, note: str,
                   client_ids: Sequence[int] | None = None,
                   on_result: Callable[[Replanned, int, int], None] | None = None,
                   time_limit_s: float | None = None) -> list[Replanned]:
    """Re-plan the dietitian's active clients (or ``client_ids``) on ``pool`` and save each
    plan with ``note``. ``on_result(outcome, done, total)`` follows progress;
    ``time_limit_s`` replaces the default solver time per plan. Returns one outcome per
    client."""
    clients = ws.list_clients()
    missing: list[int] = []
    if client_ids is not None:
        clients = [c for c in clients if c.id in set(client_ids)]
        missing = sorted(set(client_ids) - {c.id for c in clients})
    total = len(clients) + len(missing)
    results: list[Replanned] = []

    def record(outcome: Replanned) -> None:
        results.append(outcome)
        if on_result is not None:
            on_result(outcome, len(results), total)

    for client_id in missing:
        record(Replanned(client_id, f"client {client_id}",
                         reason="no such active client in your workspace"))
    todo: list[_Work] = []
    for client in clients:
        try:
            todo.append(_prepare(ws, catalog, client, time_limit_s))
        except (ValueError, StoreError) as exc:
            record(Replanned(client.id, client.profile.name,
                             reason=f"the goals cannot be planned: {exc}"))
    running: list[tuple[_Work, Job]] = []
    while todo or running:
        if todo:
            try:
                running.append((todo[0], pool.submit(todo[0].request, catalog)))
                todo.pop(0)
                continue
            except QueueFull:
                if not running:
                    time.sleep(RETRY_S)
                    continue
        work, job = running.pop(0)
        record(_save(ws, work, job, note))
    return results


def _prepare(ws: Workspace, catalog: Catalog, client: ClientRecord,
             time_limit_s: float | None) -> _Work:
    latest = ws.latest_number(client.id)
    previous = None if latest is None else read_versions(  # a damaged version: start afresh
        [ws.version(client.id, latest)], catalog)[0].plan
    days = max((m.day for m in previous.meals), default=DEFAULT_DAYS) if previous else DEFAULT_DAYS
    limit = {} if time_limit_s is None else {"time_limit_s": time_limit_s}
    request = stored_request(ws, client, catalog, days, previous, **limit)
    return _Work(client, request, latest)


def _save(ws: Workspace, work: _Work, job: Job, note: str) -> Replanned:
    name = work.client.profile.name
    try:
        plan = job.result()
    except JobError as exc:
        return Replanned(work.client.id, name, reason=str(exc))
    if plan.status == PlanStatus.FAILED:
        return Replanned(work.client.id, name, status=plan.status,
                         reason=f"no plan found ({plan.solver.status_text or 'no solution'})")
    try:
        version = save_version(ws, work.client.id, work.request, plan, note, work.based_on)
    except StoreError as exc:
        return Replanned(work.client.id, name, status=plan.status, reason=str(exc))
    return Replanned(work.client.id, name, version.number, plan.status)
