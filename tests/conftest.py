"""Shared fixtures: a fresh store per backend (SQLite, and PostgreSQL when
``TEST_DATABASE_URL`` is set) with two dietitians' workspaces in it, and a quick solver
for the page tests.

Hypothesis runs without its per-example deadline: the suite runs on shared CI cores, and
speed is measured in ``benchmarks/``, never in tests.

The suite runs at the solver processes' priority (``solver_process.lower_priority``): at
nice 0 its own parallel workers, busy with other tests, would starve the solves that the
page tests start (nice 10) far beyond a real server's load, and those would end at their
deadline with no plan."""

from __future__ import annotations

import pytest
from hypothesis import settings

from planner.services import solve_service, solver_process
from planner.services.local_pool import LocalPool
from planner.store import accounts
from planner.store.repository import Workspace
from tests.fixtures.store.backends import BACKENDS, store_for
from tests.solve_helpers import quick_solve

solver_process.lower_priority()
settings.register_profile("shared-cores", deadline=None)
settings.load_profile("shared-cores")


@pytest.fixture(params=BACKENDS)
def sessions(request, tmp_path):
    with store_for(request.param, tmp_path) as store:
        yield store


@pytest.fixture
def ann(sessions):
    return Workspace(sessions, accounts.add_user(sessions, "ann", "correct horse 1"))


@pytest.fixture
def bob(sessions):
    return Workspace(sessions, accounts.add_user(sessions, "bob", "battery staple 2"))


@pytest.fixture
def quick_solver():
    """Page tests: every solve of this process goes to a one-worker pool whose solve is
    ``solve_helpers.quick_solve``, so a test about a page does not pay for a real solve."""
    pool = LocalPool(1, 20, solve=quick_solve)
    previous = solve_service.set_pool(pool)
    yield pool
    solve_service.set_pool(previous)
    pool.shutdown()
