"""A solve as a job: its states, its outcome, and one solve run in a child process.

``run_in_child`` is what every pool runs, on a local thread or on a Dask worker:
the solve happens in a process of its own, so a solver that crashes fails only its
job, and cancelling kills that process at once instead of waiting for the solver.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from planner.catalog import Catalog
from planner.goals import PlanRequest
from planner.plan import Plan

POLL_S = 0.05  # how often a running job checks for cancel; bounds the cancel delay
SolveFn = Callable[[PlanRequest, Catalog], Plan]


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class QueueFull(RuntimeError):
    """Every solver is busy and the waiting line is at its limit."""


class JobError(RuntimeError):
    """A job ended without a plan (failed or cancelled); the message says why."""


@dataclass(frozen=True)
class Outcome:
    """How a job ended: ``plan`` when done, ``error`` (one plain sentence) otherwise."""

    state: JobState
    plan: Plan | None = None
    error: str = ""


@dataclass(frozen=True)
class Progress:
    """A job as the user sees it: state, place in the waiting line (1 = next; None
    when not waiting), seconds spent solving and the request's time limit."""

    state: JobState
    queue_position: int | None
    seconds: float
    time_limit_s: float


def solve_plan(request: PlanRequest, catalog: Catalog) -> Plan:
    """The default solve of a job: ``planner.model.solve`` by the request's deadline."""
    from planner import model

    return model.solve(request, catalog)


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: children fork from a clean server that has the solver imported,
    # never from a threaded web server or Dask worker.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["planner.model"])
    return ctx


def _child(send: Any, solve: SolveFn, request: PlanRequest, catalog: Catalog) -> None:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # solver banners are no one's output
    try:
        outcome = Outcome(JobState.DONE, plan=solve(request, catalog))
    except Exception as exc:  # any error of a solve is its job's failure, not the pool's
        outcome = Outcome(JobState.FAILED, error=failure_reason(exc))
    send.send(outcome)


def failure_reason(exc: BaseException) -> str:
    """One line a dietitian can read: the request's fault, or the solver's."""
    first = (str(exc).splitlines() or [""])[0]
    if isinstance(exc, ValueError):
        return f"the goals cannot be planned: {first}"
    return f"the solver failed ({type(exc).__name__}: {first})"


def run_in_child(solve: SolveFn, request: PlanRequest, catalog: Catalog,
                 cancelled: Callable[[], bool]) -> Outcome:
    """Solve in a child process; kill it as soon as ``cancelled()`` is true (checked
    every ``POLL_S``). A child that dies without an answer is a failed job."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, solve, request, catalog), daemon=True)
    child.start()
    send.close()
    try:
        while not receive.poll(POLL_S):
            if cancelled():
                return Outcome(JobState.CANCELLED, error="cancelled")
            if not child.is_alive() and not receive.poll(0):
                return _died(child)
        try:
            return receive.recv()
        except EOFError:
            child.join()
            return _died(child)
    finally:
        child.kill()
        child.join()
        receive.close()


def _died(child: multiprocessing.process.BaseProcess) -> Outcome:
    return Outcome(JobState.FAILED, error="the solver process stopped unexpectedly "
                                          f"(exit code {child.exitcode})")


class Pool(Protocol):
    """What every pool offers: ``submit`` a solve, see who ``waiting``, ``shutdown``."""

    workers: int

    def submit(self, request: PlanRequest, catalog: Catalog) -> Job: ...

    def waiting(self) -> list[Job]: ...

    def shutdown(self) -> None: ...


class Job:
    """One submitted solve. ``future`` (a ``concurrent.futures`` or ``distributed``
    future) resolves to an ``Outcome``; ``stop`` tells the pool to cancel it; the pool
    answers ``position`` (the place in its waiting line, None once running) and sets
    ``started`` when it knows the solve began."""

    def __init__(self, job_id: str, request: PlanRequest, stop: Callable[[], None],
                 position: Callable[[Job], int | None]) -> None:
        self.id = job_id
        self.request = request
        self.future: Any = None  # set by the pool right after submitting
        self.submitted = time.monotonic()
        self.started: float | None = None
        self._stop = stop
        self._position = position
        self._cancel_asked = False

    def queue_position(self) -> int | None:
        return None if self.future.done() else self._position(self)

    @property
    def status(self) -> JobState:
        if self._cancel_asked or self.future.cancelled():
            return JobState.CANCELLED
        if self.future.done():
            return self.outcome().state
        return JobState.QUEUED if self.queue_position() else JobState.RUNNING

    def progress(self) -> Progress:
        state = self.status
        position = self.queue_position() if state is JobState.QUEUED else None
        if state is JobState.RUNNING and self.started is None:
            self.started = time.monotonic()
        seconds = 0.0 if self.started is None else time.monotonic() - self.started
        return Progress(state, position, seconds, self.request.time_limit_s)

    def cancel(self) -> None:
        """Stop the job: a waiting job never starts, a running one's process is killed."""
        if self.future.done() and not self._cancel_asked:
            return
        self._cancel_asked = True
        self._stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the job has ended (its process is gone); False on timeout."""
        try:
            self.future.result(timeout)
        except TimeoutError:
            return False
        except Exception:  # ended all the same; ``outcome`` says how
            return True
        return True

    def outcome(self) -> Outcome:
        """How the job ended (waits for it)."""
        if self._cancel_asked or self.future.cancelled():
            return Outcome(JobState.CANCELLED, error="cancelled")
        try:
            return self.future.result()
        except Exception as exc:  # a lost worker or connection fails the job
            return Outcome(JobState.FAILED, error=failure_reason(exc))

    def result(self) -> Plan:
        """The plan (waits for it); JobError saying why when there is none."""
        outcome = self.outcome()
        if outcome.plan is None:
            raise JobError(outcome.error)
        return outcome.plan
