"""One deadline per request, and solvers that keep it.

A ``Deadline`` is an absolute point on the monotonic clock, made when the
request starts; every step (loading, building, solving, fallback, output) asks
it how much time is left. ``highs`` and ``cbc`` return PuLP solvers bound to a
deadline: HiGHS is stopped by its interrupt callbacks and, should it sit in a
phase without callbacks (presolve), by ``Watchdog`` calling ``cancelSolve``
from a timer thread; a CBC subprocess still running at the deadline is killed.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import tempfile
import threading
import time
import weakref
from pathlib import Path

import pulp

CALLBACKS = ("kCallbackMipInterrupt", "kCallbackSimplexInterrupt", "kCallbackIpmInterrupt")
MIN_SOLVER_SECONDS = 0.01
THREADS = 1  # for every HiGHS run: its thread scheduler is global to the process, made by
# the first run, and each later run asking for another number of threads fails at once
GRACE = 0.1  # s a solve may overrun its deadline before ``run`` stops waiting for it


class Deadline:
    """The moment a request must end by, ``seconds`` after ``start`` (monotonic clock)."""

    def __init__(self, seconds: float, start: float | None = None) -> None:
        self.start = time.monotonic() if start is None else start
        self.end = self.start + seconds

    def left(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.end - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def until(self, moment: float) -> Deadline:
        """A deadline ending at ``moment`` or at this one's end, whichever is first."""
        sub = Deadline(0.0, self.start)
        sub.end = min(self.end, moment)
        return sub


def highs(deadline: Deadline, mip: bool = True, gap_rel: float | None = None,
          warm_start: bool = False, planned_by: float | None = None) -> pulp.HiGHS:
    """A one-thread PuLP HiGHS solver that stops at ``deadline`` (callbacks on every
    interruptible phase; see ``Watchdog`` for the rest), or at the monotonic time
    ``planned_by`` once it has a plan."""

    def interrupt(_kind, _message, data_out, data_in, _user_data) -> None:
        now = time.monotonic()
        if now >= deadline.end or (planned_by is not None and now >= planned_by
                                   and math.isfinite(data_out.mip_primal_bound)):
            data_in.user_interrupt = True

    kinds = [getattr(pulp.HiGHS.hscb.HighsCallbackType, name) for name in CALLBACKS]
    return pulp.HiGHS(mip=mip, msg=False, threads=THREADS, gapRel=gap_rel, warmStart=warm_start,
                      timeLimit=max(deadline.left(), MIN_SOLVER_SECONDS),
                      callbackTuple=(interrupt, None), callbacksToActivate=kinds)


def cbc(deadline: Deadline, gap_rel: float | None = None, warm_start: bool = False,
        ) -> pulp.COIN_CMD:
    """PuLP's CBC subprocess with the time left as its limit (``Watchdog`` kills it after)."""
    return pulp.COIN_CMD(msg=False, timeLimit=max(deadline.left(), MIN_SOLVER_SECONDS),
                         gapRel=gap_rel, warmStart=warm_start)


class Watchdog:
    """Stops a solve still running at the deadline, and again every ``RECHECK`` s until it
    returns (a solver process may start just after the deadline): HiGHS by ``cancelSolve``
    on the problem's solver object, CBC by killing this process's ``cbc`` children."""

    RECHECK = 0.05

    def __init__(self, problem: pulp.LpProblem, deadline: Deadline) -> None:
        self.problem, self.deadline = problem, deadline
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def __enter__(self) -> Watchdog:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.done.set()

    def watch(self) -> None:
        if self.done.wait(self.deadline.left()):
            return
        self.stop()
        while not self.done.wait(self.RECHECK):
            self.stop()

    def stop(self) -> None:
        model = getattr(self.problem, "solverModel", None)
        if model is not None and hasattr(model, "cancelSolve"):
            model.cancelSolve()
        for pid in _children("cbc"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _children(name: str) -> list[int]:
    """Pids of this process's child processes whose command name contains ``name``."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").glob("*"):
        with contextlib.suppress(OSError):
            for pid in (task / "children").read_text().split():
                comm = Path(f"/proc/{pid}/comm").read_text().strip().lower()
                if name in comm:
                    found.append(int(pid))
    return found


_busy: weakref.WeakKeyDictionary[pulp.LpProblem, threading.Thread] = weakref.WeakKeyDictionary()


def run(problem: pulp.LpProblem, solver: pulp.LpSolver, deadline: Deadline,
        ) -> pulp.LpSolveStats:
    """``problem.solve(solver)`` by ``deadline``: a solver that dies or is killed, a
    deadline already past, or a solve still busy ``GRACE`` s after it (PuLP handing a large
    model to the solver cannot be interrupted) gives a status without a solution, never an
    exception. A solve left busy keeps its problem: the next ``run`` of that problem first
    waits for it, within its own deadline.
    """
    earlier = _busy.get(problem)
    if earlier is not None:
        earlier.join(deadline.left())
    if deadline.expired() or (earlier is not None and earlier.is_alive()):
        return pulp.LpSolveStats(solver=solver.name, status=pulp.LpSolveStatus.NotSolved)
    outcome: list[pulp.LpSolveStats] = []
    scratch = None  # a solver process's model and solution files, removed however it ends
    if isinstance(solver, pulp.LpSolver_CMD):
        scratch = solver.tmpDir = tempfile.mkdtemp(prefix="planner-solver-")

    def solve() -> None:
        with Watchdog(problem, deadline):
            try:
                outcome.append(problem.solve(solver))
            except pulp.PulpSolverError as exc:
                outcome.append(pulp.LpSolveStats(solver=solver.name,
                                                 status=pulp.LpSolveStatus.Undefined,
                                                 logs={"error": str(exc)}))
            finally:
                if scratch is not None:
                    shutil.rmtree(scratch, ignore_errors=True)

    worker = threading.Thread(target=solve, daemon=True)
    worker.start()
    worker.join(deadline.left() + GRACE)
    if not outcome:
        _busy[problem] = worker
        return pulp.LpSolveStats(solver=solver.name, status=pulp.LpSolveStatus.NotSolved)
    _busy.pop(problem, None)
    return outcome[0]


def proven_bound(stats: pulp.LpSolveStats) -> float | None:
    """The solver's bound, unless it cannot be one (not finite, or above its own plan:
    CBC stopped by a time limit sometimes reports either)."""
    bound = stats.best_bound
    if bound is None or not math.isfinite(bound):
        return None
    if stats.has_solution and stats.objective is not None and bound > stats.objective + 1e-6:
        return None
    return bound


def settle(seconds: float = 2.0) -> None:
    """Wait (up to ``seconds`` in all) for solves left busy past their deadline, so that a
    process can exit without a solver thread still inside HiGHS."""
    end = time.monotonic() + seconds
    for worker in list(_busy.values()):
        worker.join(max(0.0, end - time.monotonic()))


def dispose(large: object) -> None:
    """Free ``large`` (a model too big to free within a deadline) in a background thread."""
    threading.Thread(target=_drop, args=(large,), daemon=True).start()


def _drop(large: object) -> None:
    del large
