"""The solve service: ``submit(request, catalog) -> Job`` on the one pool of this process.

Without configuration the pool is local (``LocalPool``: solver processes on this
machine, ``PLANNER_SOLVE_WORKERS`` of them, default one per core less one, with at
most ``PLANNER_SOLVE_QUEUE`` jobs waiting, default 20). With
``PLANNER_DASK_SCHEDULER=tcp://host:8786`` the same jobs go to that Dask cluster.
"""

from __future__ import annotations

import os
import threading

from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest
from planner.services.jobs import Job, Pool
from planner.services.local_pool import LocalPool

SCHEDULER_ENV = "PLANNER_DASK_SCHEDULER"
_lock = threading.Lock()
_pool: Pool | None = None


def _int_env(name: str, default: int | None) -> int | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1 (got {text!r})")
    return int(text)


def make_pool() -> Pool:
    """A new pool as the environment asks: the Dask cluster at ``PLANNER_DASK_SCHEDULER``,
    else a local pool."""
    address = os.environ.get(SCHEDULER_ENV, "").strip()
    if address:
        from planner.services.dask_pool import DaskPool  # distributed only when asked for

        return DaskPool.connect(address)
    return LocalPool(_int_env("PLANNER_SOLVE_WORKERS", None),
                     _int_env("PLANNER_SOLVE_QUEUE", 20))


def pool() -> Pool:
    """The pool of this process, made on first use."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = make_pool()
        return _pool


def warm() -> None:
    """Make the local pool ahead of the first solve, so a solver process waits for it; a
    Dask pool is made on first use (its connection belongs to a solve)."""
    if not os.environ.get(SCHEDULER_ENV, "").strip():
        pool()


def set_pool(new: Pool | None) -> Pool | None:
    """Make ``new`` this process's pool (None: made on next use); returns the one before."""
    global _pool
    with _lock:
        previous, _pool = _pool, new
        return previous


def submit(request: PlanRequest, catalog: Catalog) -> Job:
    """Queue a solve on this process's pool; ``jobs.QueueFull`` when the line is full."""
    return pool().submit(request, catalog)
