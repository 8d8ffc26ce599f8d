"""Solve functions for the job tests, importable by solver processes and Dask workers."""

from __future__ import annotations

import os
import signal
import time

from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest
from planner.domain.plan import Plan


def sleep_solve(request: PlanRequest, catalog: Catalog) -> Plan:
    """A solve that never finishes by itself (a minute, well past any test)."""
    time.sleep(60)
    raise AssertionError("a sleeping solve should have been cancelled")


def crash_solve(request: PlanRequest, catalog: Catalog) -> Plan:
    """A solver process that dies as a segfaulting native solver would."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")
