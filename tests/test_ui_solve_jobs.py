"""The Plan page solves as jobs: a full queue, a crashing solve and a cancelled solve each
say so and keep the plan on screen (AppTest; the pool is replaced at our seam,
``solve_service.submit``)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.services import solve_service
from planner.services.jobs import QueueFull
from planner.services.local_pool import LocalPool
from tests.solve_helpers import crash_solve, sleep_solve

APP = str(Path(__file__).resolve().parent.parent / "app.py")
pytestmark = pytest.mark.usefixtures("quick_solver")  # the page, not the plan


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def week(at: AppTest) -> list:
    """The meals on screen (the week grid's tables)."""
    assert [h.value for h in at.header] == ["Week plan"], "no plan on screen"
    return [t.value.to_dict() for t in at.dataframe]


def with_plan() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.button(key="create_plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at.run()  # Re-plan is enabled from the run after the plan


def test_a_full_queue_is_said_at_once_and_the_plan_stays(monkeypatch):
    at = with_plan()
    before = week(at)

    def full(request, catalog):
        raise QueueFull("every solver is busy and 20 plans are waiting: try again in a minute")

    monkeypatch.setattr(solve_service, "submit", full)
    at.button(key="replan").click().run()
    assert ("Not started: every solver is busy and 20 plans are waiting: try again in a "
            "minute.") in [w.value for w in at.warning]
    assert week(at) == before


@pytest.mark.parametrize(("solve", "cancel", "reason"), [
    (crash_solve, False, "the solver process stopped unexpectedly (exit code -9)"),
    (sleep_solve, True, "cancelled"),
])
def test_a_solve_that_ends_without_a_plan_keeps_the_previous_plan(monkeypatch, solve, cancel,
                                                                  reason):
    at = with_plan()
    before = week(at)
    pool = LocalPool(workers=1, solve=solve)

    def submit(request, catalog):
        job = pool.submit(request, catalog)
        if cancel:
            threading.Timer(1.0, job.cancel).start()  # Cancel, as the button would
        return job

    monkeypatch.setattr(solve_service, "submit", submit)
    try:
        at.button(key="create_plan").click().run()
    finally:
        pool.shutdown()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [f"No new plan: {reason}. Your previous plan is kept."]
    assert week(at) == before
