"""Solves as jobs on the local pool: cancel, crash isolation, the queue limit, errors."""

from __future__ import annotations

import time

import pytest

from planner.domain.catalog import load_catalog
from planner.domain.goals import PlanRequest, Profile
from planner.services.jobs import JobError, JobState, QueueFull, solve_plan
from planner.services.local_pool import LocalPool
from tests.planning_helpers import TINY
from tests.solve_helpers import crash_solve, quick_solve, reporting_solve, sleep_solve

CAT = load_catalog(TINY)
REQUEST = PlanRequest(profile=Profile(sex="female", age=40), days=1,
                      slots=("breakfast", "dinner"), time_limit_s=30)
CHEAPEST = [("breakfast", "natto_rice"), ("dinner", "gouda_rice")]


def picks(plan) -> list[tuple[str, str]]:
    return [(m.slot, m.recipe_id) for m in plan.meals]


def until(condition, timeout: float = 30.0) -> None:
    """Wait for ``condition()`` (a setup step, not a timed assertion)."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.01)


@pytest.fixture
def pool():
    pool = LocalPool(workers=1, queue_limit=2)
    yield pool
    pool.shutdown()


def test_a_job_gives_the_plan_of_the_solve(pool):
    job = pool.submit(REQUEST, CAT)
    assert picks(job.result()) == CHEAPEST
    assert job.status is JobState.DONE and job.progress().queue_position is None


def test_a_running_job_is_cancelled_within_half_a_second(pool):
    pool.submit(REQUEST, CAT).result()  # the solver processes' server is up
    pool.solve = sleep_solve
    job = pool.submit(REQUEST, CAT)
    until(lambda: job.status is JobState.RUNNING)
    time.sleep(0.3)  # the sleeping solve is under way in its process
    job.cancel()
    assert job.wait(0.5), "the solver process was not stopped within 0.5 s"
    assert job.status is JobState.CANCELLED
    with pytest.raises(JobError, match="cancelled"):
        job.result()
    pool.solve = solve_plan  # the freed solver takes the next job
    assert picks(pool.submit(REQUEST, CAT).result()) == CHEAPEST


def test_a_running_job_shows_its_best_plan_so_far_and_cancel_stops_it(pool):
    pool.solve = reporting_solve
    job = pool.submit(REQUEST, CAT)
    until(lambda: job.progress().best is not None)
    progress = job.progress()
    assert progress.state is JobState.RUNNING
    expected = quick_solve(REQUEST, CAT)  # what the solve reported, made again here
    assert (picks(progress.best), progress.best.cost_eur) == (picks(expected), expected.cost_eur)
    job.cancel()
    assert job.wait(0.5) and job.status is JobState.CANCELLED
    assert job.progress().best is None  # an ended job has no plan so far


def test_a_waiting_job_cancelled_never_starts(pool):
    pool.solve = sleep_solve
    running = pool.submit(REQUEST, CAT)
    until(lambda: running.status is JobState.RUNNING)
    waiting = pool.submit(REQUEST, CAT)
    assert waiting.progress().queue_position == 1
    waiting.cancel()
    assert waiting.status is JobState.CANCELLED and waiting.started is None
    assert pool.waiting() == []


def test_a_crashing_solver_process_fails_its_job_and_the_pool_keeps_working(pool):
    pool.solve = crash_solve
    crashed = pool.submit(REQUEST, CAT)
    assert crashed.outcome().state is JobState.FAILED
    assert "solver process stopped unexpectedly" in crashed.outcome().error
    pool.solve = solve_plan
    assert picks(pool.submit(REQUEST, CAT).result()) == CHEAPEST


def test_goals_the_catalog_cannot_meet_fail_the_job_with_the_reason(pool):
    job = pool.submit(REQUEST.model_copy(update={"exclude_recipes": ("no_such_dish",)}), CAT)
    with pytest.raises(JobError, match="goals cannot be planned: exclude_recipes: unknown "
                                       "recipe id no_such_dish"):
        job.result()
    assert job.status is JobState.FAILED


def test_the_queue_limit_holds_and_frees_up_as_jobs_leave(pool):
    pool.solve = sleep_solve
    running = pool.submit(REQUEST, CAT)
    until(lambda: running.status is JobState.RUNNING)
    first, second = pool.submit(REQUEST, CAT), pool.submit(REQUEST, CAT)
    assert [first.progress().queue_position, second.progress().queue_position] == [1, 2]
    assert second.progress().state is JobState.QUEUED
    with pytest.raises(QueueFull, match="every solver is busy and 2 plans are waiting"):
        pool.submit(REQUEST, CAT)
    first.cancel()
    assert second.progress().queue_position == 1
    third = pool.submit(REQUEST, CAT)
    assert third.progress().queue_position == 2
