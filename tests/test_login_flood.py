"""A login flood cannot stall the workspace or slip past the limit (SQLite and PostgreSQL):
readers never wait for a writer, parallel guesses are counted atomically."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from planner.domain.workspace import AuthError, ClientProfile, RateLimited
from planner.store import accounts
from planner.store.db import writing
from planner.store.repository import Workspace
from tests.fixtures.store.backends import BACKENDS, store_for

PASSWORD = "correct horse battery"


@pytest.fixture(params=BACKENDS)
def sessions(request, tmp_path):
    with store_for(request.param, tmp_path) as store:
        yield store


def test_twenty_parallel_guesses_are_refused_after_the_limit(sessions):
    accounts.add_user(sessions, "ann", PASSWORD)
    now = datetime.now(UTC)

    def guess(_):
        try:
            accounts.authenticate(sessions, "ann", "guess", "198.51.100.7", now)
        except RateLimited:
            return "refused"
        except AuthError:
            return "checked"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert outcomes.count("checked") == accounts.MAX_FAILURES, outcomes
    assert outcomes.count("refused") == 20 - accounts.MAX_FAILURES


def test_a_client_list_is_read_while_a_writer_holds_the_store(sessions):
    ann = accounts.add_user(sessions, "ann", PASSWORD)
    workspace = Workspace(sessions, ann)
    workspace.create_client(ClientProfile(name="Client A", sex="female", age=50,
                                          life_stage="general"))
    read, names = threading.Event(), []

    def reader():
        names.extend(c.profile.name for c in workspace.list_clients())
        read.set()

    with writing(sessions) as session:
        session.execute(text("DELETE FROM login_throttle"))  # holds the write lock
        thread = threading.Thread(target=reader)
        thread.start()
        finished_under_writer = read.wait(timeout=20)
    thread.join()
    assert finished_under_writer, "the reader waited for the writer"
    assert names == ["Client A"]


def test_logins_flooding_from_three_threads_leave_the_workspace_usable(sessions):
    ann = accounts.add_user(sessions, "ann", PASSWORD)
    workspace = Workspace(sessions, ann)
    stop = threading.Event()

    def flood(n):
        i = 0
        while not stop.is_set():
            i += 1
            with contextlib.suppress(AuthError):
                accounts.authenticate(sessions, f"stranger{n}_{i}", "guess", f"203.0.113.{n}")

    threads = [threading.Thread(target=flood, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(5):
            workspace.create_client(ClientProfile(name=f"C{i}", sex="male", age=40,
                                                  life_stage="general"))
            assert len(workspace.list_clients()) == i + 1
        assert accounts.authenticate(sessions, "ann", PASSWORD, "192.0.2.1").username == "ann"
    finally:
        stop.set()
        for t in threads:
            t.join()
