"""The embedded pool: a bounded number of solver processes on this machine.

``workers`` threads take jobs first come, first served from the standard library's
executor queue; each thread runs one solve in a child process
(``jobs.run_in_child``) and kills it on cancel. At most ``queue_limit`` jobs wait:
one more is refused with ``QueueFull`` so the caller can say so at once.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest
from planner.domain.plan import Plan
from planner.services.jobs import (
    FINAL,
    Job,
    Outcome,
    QueueFull,
    SolveFn,
    replenish,
    run_in_child,
    solve_plan,
)


def machine_workers() -> int:
    """Solver processes for this machine: one per core the process may use, less one
    kept for the web server, at least one."""
    return max(1, len(os.sched_getaffinity(0)) - 1)


class LocalPool:
    """Jobs on solver processes of this machine."""

    def __init__(self, workers: int | None = None, queue_limit: int = 20,
                 solve: SolveFn = solve_plan) -> None:
        self.workers = workers or machine_workers()
        self.queue_limit = queue_limit
        self.solve = solve
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="solver")
        self._lock = threading.Lock()
        self._jobs: list[Job] = []  # not yet ended, in submission order
        self._ids = itertools.count(1)
        self._latest: dict[str, Plan] = {}  # job id → its best plan so far, while it runs
        replenish()  # the first job finds its solver process ready

    def waiting(self) -> list[Job]:
        """Jobs not started yet, first come first."""
        with self._lock:
            self._jobs = [j for j in self._jobs if not j.future.done()]
            return [j for j in self._jobs if j.started is None]

    def submit(self, request: PlanRequest, catalog: Catalog) -> Job:
        """Queue a solve of ``request``; QueueFull when ``queue_limit`` jobs already wait."""
        waiting = len(self.waiting())
        if waiting >= self.queue_limit:
            raise QueueFull(f"every solver is busy and {waiting} plans are "
                            "waiting: try again in a minute")
        cancel = threading.Event()

        def stop() -> None:
            job.future.cancel()  # a waiting job never starts
            cancel.set()  # a running one's process is killed

        job = Job(f"local-{next(self._ids)}", request, stop, self._position, self._best)
        with self._lock:
            job.future = self._executor.submit(self._run, job, catalog, cancel)
            self._jobs.append(job)
        return job

    def _run(self, job: Job, catalog: Catalog, cancel: threading.Event) -> Outcome:
        job.started = time.monotonic()

        def report(plan: Plan) -> None:
            self._latest[job.id] = plan

        try:
            return run_in_child(self.solve, job.request, catalog, cancel.is_set, report)
        finally:
            self._latest.pop(job.id, None)

    def _best(self, job: Job) -> Plan | None:
        return self._latest.get(job.id)

    def _position(self, job: Job) -> int | None:
        waiting = self.waiting()
        return waiting.index(job) + 1 if job in waiting else None

    def shutdown(self) -> None:
        """Cancel every job and stop the threads."""
        for job in list(self._jobs):
            if job.status not in FINAL:
                job.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)
