"""``python -m planner.services.solver_process``: one solve, from stdin to stdout.

Reads a pickled ``(solve, request, catalog)`` from standard input, writes a pickled
``jobs.Frame`` to standard output for each better plan found so far, then one with the
``jobs.Outcome``, and exits. Started ahead of need (the
solver libraries imported while it waits), so a job does not pay for the imports.
A closed standard input before any job (its parent went away) ends it quietly. It
runs at a lower CPU priority (``NICENESS``), so on a busy machine the web server's
page runs come before solves.
"""

from __future__ import annotations

import os
import pickle
import sys

import planner.services.make_plan  # noqa: F401 — imported while waiting for a job
from planner.domain.plan import Plan
from planner.services.jobs import Frame, JobState, Outcome, failure_reason

NICENESS = 10  # the solver process's nice value, at least (Unix; higher = yields more)


def lower_priority() -> None:
    """Run this process at nice ``NICENESS`` at least (no change where it is nicer)."""
    if hasattr(os, "setpriority"):
        current = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, max(current, NICENESS))


def main() -> None:
    lower_priority()
    payload = sys.stdin.buffer.read()
    if not payload:
        return
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # solver banners are no one's output
    solve, request, catalog = pickle.loads(payload)

    def send(frame: Frame) -> None:
        out.write(pickle.dumps(frame))
        out.flush()

    def report(plan: Plan) -> None:
        send(Frame(interim=plan))

    try:
        outcome = Outcome(JobState.DONE, plan=solve(request, catalog, progress=report))
    except Exception as exc:  # any error of a solve is its job's failure, not the pool's
        outcome = Outcome(JobState.FAILED, error=failure_reason(exc))
    send(Frame(outcome=outcome))
    out.close()


if __name__ == "__main__":
    main()
