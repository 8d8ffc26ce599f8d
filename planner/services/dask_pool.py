"""Jobs on a Dask cluster: ``distributed.Client`` by scheduler address, or a given one.

Each job is one Dask task running ``jobs.run_in_child`` on a worker, so a crash or
a cancel ends the solver process, never the worker. Cancel sets a
``distributed.Event`` the task checks every ``jobs.POLL_S``; the task keeps its best
plan so far (pickled) in a ``distributed.Variable`` the client reads for progress.

The waiting line is estimated from this client's own jobs: the first ``threads``
unfinished jobs (the cluster's worker threads) run, the rest wait in order.
"""

from __future__ import annotations

import pickle
import threading
import uuid

from distributed import Client, Event, Future, Variable

from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest
from planner.domain.plan import Plan
from planner.services.jobs import Job, Outcome, QueueFull, SolveFn, run_in_child, solve_plan

EVENT_PREFIX = "planner-cancel-"
BEST_PREFIX = "planner-best-"
READ_BEST_S = 0.2  # longest wait for the best plan so far (the variable is set at submit)


def _task(solve: SolveFn, request: PlanRequest, catalog: Catalog, job_id: str) -> Outcome:
    """What a Dask worker runs for one job."""
    event, best = Event(EVENT_PREFIX + job_id), Variable(BEST_PREFIX + job_id)
    try:
        return run_in_child(solve, request, catalog, event.is_set,
                            lambda plan: best.set(pickle.dumps(plan)))
    finally:
        event.clear()
        best.delete()


class DaskPool:
    """Jobs on the Dask cluster behind ``client``."""

    def __init__(self, client: Client, queue_limit: int = 1000,
                 solve: SolveFn = solve_plan) -> None:
        self.client = client
        self.queue_limit = queue_limit
        self.solve = solve
        self._lock = threading.Lock()
        self._jobs: list[Job] = []  # not yet ended, in submission order
        self._catalog: tuple[Catalog, Future] | None = None

    @classmethod
    def connect(cls, address: str, **kwargs) -> DaskPool:
        """A pool on the scheduler at ``address`` (``tcp://host:8786``)."""
        return cls(Client(address), **kwargs)

    @property
    def workers(self) -> int:
        """Worker threads of the cluster: how many jobs run at once."""
        return max(1, sum(self.client.nthreads().values()))

    def waiting(self) -> list[Job]:
        """Jobs estimated not to have started yet, first come first."""
        with self._lock:
            self._jobs = [j for j in self._jobs if not j.future.done()]
            return self._jobs[self.workers:]

    def submit(self, request: PlanRequest, catalog: Catalog) -> Job:
        """Send a solve of ``request`` to the cluster; QueueFull past ``queue_limit``."""
        waiting = len(self.waiting())
        if waiting >= self.queue_limit:
            raise QueueFull(f"the solver cluster is busy and {waiting} plans are waiting: "
                            "try again in a minute")
        job_id = uuid.uuid4().hex

        def stop() -> None:
            Event(EVENT_PREFIX + job_id, client=self.client).set()
            job.future.cancel()

        job = Job(job_id, request, stop, self._position, self._best)
        Variable(BEST_PREFIX + job_id, client=self.client).set(b"")  # read at once until set
        with self._lock:
            job.future = self.client.submit(_task, self.solve, request, self._scattered(catalog),
                                            job_id, key=f"plan-{job_id}", pure=False)
            self._jobs.append(job)
        return job

    def _scattered(self, catalog: Catalog) -> Future:
        """The catalog sent to the cluster once, not with every job."""
        if self._catalog is None or self._catalog[0] is not catalog:
            self._catalog = (catalog, self.client.scatter(catalog, broadcast=True))
        return self._catalog[1]

    def _best(self, job: Job) -> Plan | None:
        try:
            data = Variable(BEST_PREFIX + job.id, client=self.client).get(timeout=READ_BEST_S)
        except TimeoutError:  # the job ended and took its variable with it
            return None
        return pickle.loads(data) if data else None

    def _position(self, job: Job) -> int | None:
        waiting = self.waiting()
        return waiting.index(job) + 1 if job in waiting else None

    def shutdown(self) -> None:
        """Cancel this client's jobs and close the connection (the cluster stays up)."""
        for job in list(self._jobs):
            job.cancel()
        self.client.close()
