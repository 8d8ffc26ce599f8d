"""Pricing finds the cheapest day: every day of small random libraries enumerated by brute
force at random duals, against ``DayPricing.price`` (proving, or stopping once it has
days), joined in one block or in many, and a join stopped at once."""

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pytest

from planner.domain import nutrients as nu
from planner.domain.catalog import load_catalog
from planner.domain.goals import Bound, PlanRequest, Profile
from planner.optimize import pricing as pricing_module
from planner.optimize.pricing import DayPricing, OutOfTime
from planner.optimize.problem import DayRules, build_problem
from tests.planning_helpers import random_catalog

SLOTS = ("breakfast", "lunch", "dinner")


def pricing_at_random_duals(seed: int) -> tuple[DayPricing, np.ndarray, np.ndarray]:
    """A random library's pricing problem (daily energy band, calcium floor, weekly D3) and
    random duals: w on the weekly row, y on each recipe."""
    with tempfile.TemporaryDirectory() as tmp:
        catalog = load_catalog(random_catalog(Path(tmp), seed, n_recipes=24))
    req = PlanRequest(profile=Profile(sex="female", age=40), days=7, slots=SLOTS,
                      supplements=False,
                      targets={nu.ENERGY: Bound(min=900, max=2200),
                               nu.CALCIUM: Bound(min=300),
                               nu.D3: Bound(min=5, window="week")})
    problem = build_problem(req, catalog)
    rng = np.random.default_rng(seed)
    return (DayPricing(problem, DayRules(), elastic=False), rng.uniform(0, 0.2, 1),
            rng.uniform(0, 1.0, len(problem.recipe_ids)))


def brute_force(pricing: DayPricing, option: np.ndarray) -> tuple[float, set]:
    """The least objective over every day (one option per slot, no recipe twice, every
    daily row met) and the days that reach it, as sets of (slot, recipe, portion)."""
    rows = pricing.problem.daily
    per_slot = [np.flatnonzero(pricing.slot == s) for s in range(len(SLOTS))]
    best, argbest = np.inf, set()
    for choice in itertools.product(*per_slot):
        recipes = pricing.rec[list(choice)]
        if len(set(recipes)) < len(recipes):
            continue
        amounts = pricing.amount[list(choice)].sum(axis=0)
        if not all(row.lo - 1e-6 <= amounts[row.key] <= row.hi + 1e-6 for row in rows):
            continue
        value = float(option[list(choice)].sum())
        day = frozenset((SLOTS[pricing.slot[o]], int(pricing.rec[o]), float(pricing.por[o]))
                        for o in choice)
        if value < best - 1e-9:
            best, argbest = value, {day}
        elif value <= best + 1e-9:
            argbest.add(day)
    return best, argbest


# (pairs checked at once, blocks per half): the defaults join these small libraries in one
# block and one chunk; the others cut them into blocks of a daily row and many chunks
JOINS = [None, (50, 4), (7, 12)]


@pytest.mark.parametrize("join", JOINS)
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("prove", [True, False])
def test_pricing_finds_the_cheapest_day_and_bounds_every_day(seed, join, prove, monkeypatch):
    if join is not None:
        monkeypatch.setattr(pricing_module, "JOIN_CHUNK", join[0])
        monkeypatch.setattr(pricing_module, "BLOCKS", join[1])
    pricing, w, y = pricing_at_random_duals(seed)
    option, _ = pricing.costs(w, y)
    best, argbest = brute_force(pricing, option)
    if not np.isfinite(best):
        pytest.skip("no day meets the daily rows for this seed")
    for mu in (best - 0.3, best + 1e-3, best + 1.0):
        priced = pricing.price(w, y, mu, top=3, prove=prove)
        assert priced.bound <= best + 1e-6, "the bound is a bound"
        for day, value in zip(priced.days, priced.values, strict=True):
            meals = [(s, r, p) for s, r, p in day.meals]
            chosen = [int(np.flatnonzero((pricing.rec == r) & (pricing.por == p)
                                         & (pricing.slot == SLOTS.index(s)))[0])
                      for s, r, p in meals]
            assert value == pytest.approx(float(option[chosen].sum()))
            assert value < mu, "only days that price out come back"
            amounts = pricing.amount[chosen].sum(axis=0)
            assert all(row.lo - 1e-6 <= amounts[row.key] <= row.hi + 1e-6
                       for row in pricing.problem.daily)
        if priced.exact:  # the bound is the least objective, as far as it is below mu
            assert min(priced.bound, mu) == pytest.approx(min(best, mu), abs=1e-6)
        if priced.exact and mu > best + 1e-6:
            assert frozenset(priced.days[0].meals) in argbest, "the cheapest day comes first"


@pytest.mark.parametrize("join", JOINS)
@pytest.mark.parametrize("seed", range(8))
def test_a_join_stopped_at_once_still_bounds_every_day(seed, join, monkeypatch):
    if join is not None:
        monkeypatch.setattr(pricing_module, "JOIN_CHUNK", join[0])
        monkeypatch.setattr(pricing_module, "BLOCKS", join[1])
    pricing, w, y = pricing_at_random_duals(seed)
    option, pill = pricing.costs(w, y)
    best, _ = brute_force(pricing, option)
    floor, rc, rc_pill = pricing.solve_lp(option, pill)
    monkeypatch.setattr(pricing_module, "JOIN_BUDGET", -1)  # stops before its first pair
    stopped = pricing.enumerate_days(option, pill, np.maximum(rc, 0.0),
                                     pricing.combos @ np.maximum(rc_pill, 0.0), floor,
                                     np.inf, top=3)
    assert stopped is not None and not stopped.exact
    assert stopped.bound <= best + 1e-6, "the least reach left unchecked bounds every day"


@pytest.mark.parametrize("seed", range(8))
def test_pricing_past_its_time_makes_no_halves_and_solves_no_lp(seed):
    pricing, w, y = pricing_at_random_duals(seed)
    option, pill = pricing.costs(w, y)
    floor, rc, rc_pill = pricing.solve_lp(option, pill)
    assert pricing.enumerate_days(option, pill, np.maximum(rc, 0.0),
                                  pricing.combos @ np.maximum(rc_pill, 0.0), floor, np.inf,
                                  top=3, until=0.0) is None
    with pytest.raises(OutOfTime):
        pricing.price(w, y, floor + 1.0, until=0.0)
