"""Batch re-plan: a new version per client with minimal change, failures with reasons,
the same plans on the local pool and on a real Dask LocalCluster, and the CLI."""

from __future__ import annotations

import sys
import time
import types

import pytest
from distributed import Client, LocalCluster

from planner.__main__ import main
from planner.domain.catalog import load_catalog
from planner.domain.goals import PlanRequest
from planner.domain.plan import Plan
from planner.domain.workspace import ClientProfile, RuleKind, RuleRecord
from planner.services.batch import replan_clients
from planner.services.dask_pool import DaskPool
from planner.services.local_pool import LocalPool
from planner.store import accounts
from planner.store.db import open_store
from planner.store.repository import Workspace
from tests.planning_helpers import TINY

CAT = load_catalog(TINY)
PEOPLE = [("Ada", "female", 40), ("Bo", "male", 70), ("Cy", "female", 25), ("Di", "male", 33)]


def workspace(folder) -> Workspace:
    """A store with one dietitian and four clients; Bo pins salmon on day 2's dinner."""
    sessions = open_store(f"sqlite:///{folder / 'store.sqlite3'}")
    ws = Workspace(sessions, accounts.add_user(sessions, "ann", "correct horse 1"))
    for name, sex, age in PEOPLE:
        client = ws.create_client(ClientProfile(name, sex, age, "general", None, ""))
        if name == "Bo":
            ws.set_rule(client.id, client.version, RuleRecord(
                RuleKind.PIN_RECIPE, "salmon_rice", {"day": 2, "slot": "dinner"}))
    return ws


def saved_plans(ws: Workspace) -> dict[str, list[tuple]]:
    return {c.profile.name: [(m.day, m.slot, m.recipe_id, m.servings) for m in
                             Plan.from_json(ws.versions(c.id)[-1].plan_json).meals]
            for c in ws.list_clients()}


@pytest.fixture(scope="module")
def local_pool():
    pool = LocalPool(workers=2)
    yield pool
    pool.shutdown()


@pytest.fixture(scope="module")
def dask_pool():
    # Workers are spawned processes, which re-run ``__main__``: after an AppTest in this
    # process that is a Streamlit page, so they start from a blank one.
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    finally:
        sys.modules["__main__"] = main
    pool = DaskPool(Client(cluster))
    yield pool
    pool.shutdown()
    cluster.close()


def test_each_client_gets_a_new_version_changed_little_from_the_last(tmp_path, local_pool):
    ws = workspace(tmp_path)
    first = replan_clients(ws, CAT, local_pool, "first plans", time_limit_s=20)
    assert sorted((r.name, r.version, r.reason) for r in first) == [
        (name, 1, "") for name, _, _ in PEOPLE]
    seen = []
    again = replan_clients(ws, CAT, local_pool, "week 2", time_limit_s=20,  # shared cores
                           on_result=lambda r, done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)] and all(r.version == 2 for r in again)
    for client in ws.list_clients():
        v1, v2 = ws.versions(client.id)
        assert (v2.number, v2.note) == (2, "week 2")
        request = PlanRequest.model_validate_json(v2.goals_json)
        assert [(p.day, p.slot.value, p.recipe_id, p.servings) for p in request.previous] == [
            (m.day, m.slot, m.recipe_id, m.servings) for m in Plan.from_json(v1.plan_json).meals]
        assert Plan.from_json(v2.plan_json).meals == Plan.from_json(v1.plan_json).meals
    assert ("dinner", "salmon_rice") in {(m[1], m[2]) for m in saved_plans(ws)["Bo"]
                                         if m[0] == 2}


def test_failures_are_listed_with_their_reason_and_save_nothing(tmp_path, local_pool):
    ws = workspace(tmp_path)
    bo = next(c for c in ws.list_clients() if c.profile.name == "Bo")
    ws.set_rule(bo.id, ws.get_client(bo.id).version,
                RuleRecord(RuleKind.BAN_RECIPE, "retired_recipe"))
    results = replan_clients(ws, CAT, local_pool, "weekly", client_ids=[bo.id, 999])
    assert {(r.name, r.saved, r.reason) for r in results} == {
        ("Bo", False, "the goals cannot be planned: exclude_recipes: unknown recipe id "
                      "retired_recipe"),
        ("client 999", False, "no such active client in your workspace")}
    assert ws.versions(bo.id) == []


def test_the_same_batch_gives_the_same_plans_on_the_pool_and_on_a_dask_cluster(
        tmp_path, local_pool, dask_pool):
    on_pool, on_dask = workspace(tmp_path / "pool"), workspace(tmp_path / "dask")
    for _ in range(2):  # a first plan, then a re-plan from it
        for ws, pool in ((on_pool, local_pool), (on_dask, dask_pool)):
            assert all(r.saved for r in replan_clients(ws, CAT, pool, "weekly",
                                                       time_limit_s=60))
    plans = saved_plans(on_pool)
    assert plans == saved_plans(on_dask)
    assert set(plans) == {p[0] for p in PEOPLE} and all(plans.values())


def test_a_crashing_solve_on_the_cluster_fails_its_job_only(dask_pool):
    from planner.services.jobs import JobState, solve_plan
    from tests.solve_helpers import crash_solve

    request = PlanRequest(profile={"sex": "female", "age": 40}, days=1,
                          slots=("breakfast",), time_limit_s=30)
    dask_pool.solve = crash_solve
    crashed = dask_pool.submit(request, CAT)
    dask_pool.solve = solve_plan
    fine = dask_pool.submit(request, CAT)
    assert crashed.outcome().state is JobState.FAILED
    assert "solver process stopped unexpectedly" in crashed.outcome().error
    assert fine.result().meals[0].recipe_id == "natto_rice"


def test_a_job_on_the_cluster_shows_its_best_plan_so_far_and_is_cancelled(dask_pool):
    from planner.services.jobs import JobState, solve_plan
    from tests.solve_helpers import quick_solve, reporting_solve

    request = PlanRequest(profile={"sex": "female", "age": 40}, days=1,
                          slots=("breakfast", "dinner"), time_limit_s=30)
    dask_pool.solve = reporting_solve
    try:
        job = dask_pool.submit(request, CAT)
    finally:
        dask_pool.solve = solve_plan
    end = time.monotonic() + 60
    while job.progress().best is None:  # waiting for a worker and its solver process
        assert time.monotonic() < end, "no plan so far reached the client"
        time.sleep(0.05)
    expected = quick_solve(request, CAT)
    best = job.progress().best
    assert [(m.slot, m.recipe_id) for m in best.meals] == [
        (m.slot, m.recipe_id) for m in expected.meals]
    job.cancel()
    assert job.wait(5) and job.status is JobState.CANCELLED


def test_the_cli_names_an_unknown_dietitian(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["batch", "replan", "--owner", "nobody"]) == 2
    assert capsys.readouterr().err == "error: no dietitian account named 'nobody'\n"


def test_the_cli_replans_every_client_and_lists_failures(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_SOLVE_WORKERS", "1")
    sessions = open_store()
    ws = Workspace(sessions, accounts.add_user(sessions, "ann", "correct horse 1"))
    ws.create_client(ClientProfile("Ada", "female", 40, "general", None, ""))
    bo = ws.create_client(ClientProfile("Bo", "male", 70, "general", None, ""))
    ws.set_rule(bo.id, bo.version, RuleRecord(RuleKind.BAN_FOOD, "unobtainium"))
    assert main(["batch", "replan", "--owner", "ann", "--week", "2026-12-07"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[1/2] Bo: FAILED"  # found before any solve
    assert out[1].startswith("[2/2] Ada: saved version 1 (")
    assert out[2:] == ["1 of 2 clients re-planned for the week of 2026-12-07.",
                       f"  Bo (client {bo.id}): the goals cannot be planned: exclude_foods: "
                       "unknown food id unobtainium"]
    assert ws.versions(bo.id) == []
    [version] = ws.versions(ws.list_clients()[0].id)
    assert version.note == "re-plan for the week of 2026-12-07"
