"""Fixtures shared by the store suites: a fresh store per backend (SQLite, and PostgreSQL
when ``TEST_DATABASE_URL`` is set) and two dietitians' workspaces in it.

Hypothesis runs without its per-example deadline: the suite runs on shared CI cores, and
speed is measured in ``benchmarks/``, never in tests."""

from __future__ import annotations

import pytest
from hypothesis import settings

from planner.store import accounts
from planner.store.repository import Workspace
from tests.fixtures.store.backends import BACKENDS, store_for

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
