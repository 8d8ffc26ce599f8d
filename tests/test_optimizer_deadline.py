"""A time limit is a promise: a hanging or dying solver, or a big request, still ends by
the deadline plus 0.3 s with the best plan found so far or ``failed``, never a traceback."""

import random
import tempfile
import time

import pulp
import pytest

from planner import DATA_DIR
from planner.domain.catalog import load_catalog
from planner.domain.goals import Profile, default_request
from planner.optimize import Deadline, solve
from planner.optimize import deadline as dl
from tests.planning_helpers import misses, recompute

CAT = load_catalog()
ME = Profile(sex="female", age=40)
GRACE = 0.3


def market_split(rows: int = 5, cols: int = 40) -> pulp.LpProblem:
    """A market-split instance (Σ a_ij x_j = ⌊Σ_j a_ij / 2⌋): tiny, and far beyond what
    branch and bound solves in seconds."""
    rng = random.Random(7)
    lp = pulp.LpProblem("market_split")
    x = [lp.add_variable(f"x_{j}", cat="Binary") for j in range(cols)]
    for i in range(rows):
        a = [rng.randint(0, 99) for _ in range(cols)]
        lp += pulp.lpSum_vars_coefs(zip(x, a, strict=True)) == sum(a) // 2, f"split_{i}"
    lp.setObjective(pulp.lpSum_vars_coefs([(v, 1.0) for v in x]))
    return lp


def test_highs_is_stopped_at_the_deadline():
    deadline = Deadline(0.5)
    stats = dl.run(market_split(), dl.highs(deadline), deadline)
    assert time.monotonic() - deadline.start <= 0.5 + GRACE
    assert stats.status != pulp.LpSolveStatus.Optimal


@pytest.fixture
def fake_cbc(tmp_path, monkeypatch):
    """Make every CBC the request asks for a program of ours (named ``cbc``, so the watchdog
    recognises it), replaced at our seam ``deadline.cbc``."""
    def install(script: str) -> None:
        path = tmp_path / "cbc"
        path.write_text("#!/bin/sh\n" + script + "\n")
        path.chmod(0o755)
        monkeypatch.setattr(dl, "cbc", lambda deadline, gap_rel=None, warm_start=False:
                            pulp.COIN_CMD(path=str(path), msg=False,
                                          timeLimit=max(deadline.left(), 0.01)))
    return install


@pytest.mark.parametrize("script", ["sleep 60", "exit 3"], ids=["hanging", "dying"])
def test_a_hanging_or_dying_solver_keeps_the_deadline(fake_cbc, script, tmp_path,
                                                      monkeypatch):
    fake_cbc(script)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))  # where PuLP puts them by default
    req = default_request(CAT, ME, solver="cbc", time_limit_s=1.5)
    started = time.monotonic()
    solution = solve(req, CAT, Deadline(1.5, started))
    assert time.monotonic() - started <= 1.5 + GRACE
    dl.settle()
    assert list(scratch.rglob("*")) == [], "a killed or failed solver leaves no model files"
    assert solution.status in ("optimal", "feasible", "relaxed", "failed")
    if solution.status in ("optimal", "feasible"):  # a dive's plan: it meets every bound
        from planner.services import make_plan as model
        plan = model.compose(req, CAT, solution)
        assert misses(req, recompute(plan, DATA_DIR)) == []


@pytest.mark.parametrize("method", ["day-pattern", "compact"])
def test_a_month_on_a_short_limit_ends_in_time(method):
    req = default_request(CAT, ME, days=28, time_limit_s=0.8)
    started = time.monotonic()
    solution = solve(req, CAT, Deadline(0.8, started), method)
    assert time.monotonic() - started <= 0.8 + GRACE
    assert solution.status in ("optimal", "feasible", "relaxed", "failed")


@pytest.mark.parametrize("request_over", [False, True])
def test_a_phase_that_ends_during_pricing_ends_its_round_and_the_request_its_block(
        monkeypatch, request_over):
    """Pricing out of time at the end of a phase (column generation) ends that round only,
    so the integer master still runs; out of time at the request's deadline, it ends the
    block (``solve_block`` keeps the best plan so far)."""
    from planner.optimize import day_pattern
    from planner.optimize.pricing import DayPricing, OutOfTime
    from planner.optimize.problem import build_problem

    problem = build_problem(default_request(CAT, ME, days=7), CAT)
    request_deadline = Deadline(-1.0 if request_over else 30.0)
    pricers = day_pattern.Pricers(problem, request_deadline)
    block = day_pattern.BlockSolver(problem, list(range(1, 8)), {}, False, pricers)
    columns, bound = dict(block.master.columns.var), block.bound

    def out_of_time(self, *args, **kwargs):
        raise OutOfTime("time limit")

    monkeypatch.setattr(DayPricing, "price", out_of_time)
    if request_over:
        with pytest.raises(OutOfTime):
            block.generate(Deadline(30.0), 0.01)
    else:
        block.generate(Deadline(30.0), 0.01)
        assert block.master.columns.var == columns and block.bound == bound
