"""A solve as a job: its states, its best plan so far, its outcome, and one solve run
in a child process.

``run_in_child`` is what every pool runs, on a local thread or on a Dask worker:
the solve happens in a process of its own (a fresh interpreter, never a fork of a
threaded web server or worker), so a solver that crashes fails only its job, and
cancelling kills that process at once instead of waiting for the solver. The child
sends each better plan it finds as it goes (``Frame``), then the outcome.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest
from planner.domain.plan import Plan

POLL_S = 0.05  # how often a running job checks for cancel; bounds the cancel delay
Report = Callable[[Plan], None]  # hears of the best plan so far
SolveFn = Callable[..., Plan]  # solve(request, catalog, progress=Report | None) -> Plan
ROOT = Path(__file__).resolve().parents[2]  # the project: importable by solver processes
_spare: subprocess.Popen | None = None
_spare_lock = threading.Lock()


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
class Frame:
    """What a solver process writes: ``interim`` plans as it finds them, then ``outcome``."""

    interim: Plan | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Progress:
    """A job as the user sees it: state, place in the waiting line (1 = next; None
    when not waiting), seconds spent solving, the request's time limit, and the best plan
    found so far (``make_plan.interim``: not explained; None before the first)."""

    state: JobState
    queue_position: int | None
    seconds: float
    time_limit_s: float
    best: Plan | None = None


def solve_plan(request: PlanRequest, catalog: Catalog, progress: Report | None = None) -> Plan:
    """The default solve of a job: ``make_plan.solve`` by the request's deadline."""
    from planner.services import make_plan as model

    return model.solve(request, catalog, progress=progress)


def failure_reason(exc: BaseException) -> str:
    """One line a dietitian can read: the request's fault, or the solver's."""
    first = (str(exc).splitlines() or [""])[0]
    if isinstance(exc, ValueError):
        return f"the goals cannot be planned: {first}"
    return f"the solver failed ({type(exc).__name__}: {first})"


def _start() -> subprocess.Popen:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return subprocess.Popen([sys.executable, "-m", "planner.services.solver_process"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": path})


def _solver_process() -> subprocess.Popen:
    """The waiting solver process, or a new one."""
    global _spare
    with _spare_lock:
        ready = _spare if _spare is not None and _spare.poll() is None else _start()
        _spare = None
    return ready


def replenish() -> None:
    """Start a solver process to wait for the next job, unless one waits already: when a
    pool is made and after each solve (so its imports never take CPU from one)."""
    global _spare
    with _spare_lock:
        if _spare is None or _spare.poll() is not None:
            _spare = _start()


def _read_frames(child: subprocess.Popen, report: Report | None, ended: list[Outcome]) -> None:
    """Read the child's frames until it closes its output: interim plans go to ``report``,
    the outcome into ``ended``."""
    with contextlib.suppress(EOFError, OSError, pickle.UnpicklingError):  # a killed child
        while True:
            frame: Frame = pickle.load(child.stdout)
            if frame.outcome is not None:
                ended.append(frame.outcome)
            elif report is not None and frame.interim is not None:
                report(frame.interim)


def run_in_child(solve: SolveFn, request: PlanRequest, catalog: Catalog,
                 cancelled: Callable[[], bool], report: Report | None = None) -> Outcome:
    """Solve in a solver process of its own (``solver_process``), passing each plan so far
    to ``report``; kill it as soon as ``cancelled()`` is true (checked every ``POLL_S``).
    A process that dies without an answer is a failed job."""
    child = _solver_process()
    ended: list[Outcome] = []
    reader = threading.Thread(target=_read_frames, args=(child, report, ended), daemon=True)
    try:
        with contextlib.suppress(BrokenPipeError):  # a child that died says so below
            child.stdin.write(pickle.dumps((solve, request, catalog)))
            child.stdin.close()  # the job is sent
        reader.start()
        while reader.is_alive():
            reader.join(POLL_S)
            if reader.is_alive() and cancelled():
                return Outcome(JobState.CANCELLED, error="cancelled")
    finally:
        child.kill()
        child.wait()
        with contextlib.suppress(OSError):  # already closed, or broken by a dead child
            child.stdin.close()
        reader.join()
        replenish()
    if not ended:
        return Outcome(JobState.FAILED, error="the solver process stopped unexpectedly "
                                              f"(exit code {child.returncode})")
    return ended[0]


class Pool(Protocol):
    """What every pool offers: ``submit`` a solve, see who ``waiting``, ``shutdown``."""

    workers: int

    def submit(self, request: PlanRequest, catalog: Catalog) -> Job: ...

    def waiting(self) -> list[Job]: ...

    def shutdown(self) -> None: ...


class Job:
    """One submitted solve. ``future`` (a ``concurrent.futures`` or ``distributed``
    future) resolves to an ``Outcome``; ``stop`` tells the pool to cancel it; the pool
    answers ``position`` (the place in its waiting line, None once running) and ``best``
    (the best plan so far, None before the first), and sets ``started`` when it knows
    the solve began."""

    def __init__(self, job_id: str, request: PlanRequest, stop: Callable[[], None],
                 position: Callable[[Job], int | None],
                 best: Callable[[Job], Plan | None]) -> None:
        self.id = job_id
        self.request = request
        self.future: Any = None  # set by the pool right after submitting
        self.submitted = time.monotonic()
        self.started: float | None = None
        self._stop = stop
        self._position = position
        self._best = best
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
        best = self._best(self) if state is JobState.RUNNING else None
        return Progress(state, position, seconds, self.request.time_limit_s, best)

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
