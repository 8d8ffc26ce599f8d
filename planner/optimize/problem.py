"""A plan request as arrays, shared by every optimizer method.

Notation: r recipe, s slot, p portion ∈ PORTIONS, u supplement, k key (a
nutrient id or ``cost_eur``). ``amounts[r, k]`` is per serving (unknown = 0),
``supp_amounts[u, k]`` per unit. A *daily row* is ``lo ≤ Σ amount·qty ≤ hi``
on one day (daily minimums, every maximum, the steady vitamin K band, the
daily budget); a *weekly row* is ``Σ_{d∈block} intake[k, d] ≥ min·|block|``.

A ``Day`` is one day's choice: a recipe and portion per slot and whole
supplement units. ``DayRules`` say what makes one day differ from another
(locks, the previous plan's meals, the cross-week variety window);
days with equal rules are interchangeable.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog
from planner.domain.goals import MAX_SUPPLEMENT_UNITS, WEEK_DAYS, PlanRequest, Window, eligible
from planner.domain.plan import COST

BLOCK_DAYS = WEEK_DAYS  # a master block is one week of the goals
SLACK_PENALTY = 1000.0  # € per 100 % of a bound missed (elastic mode)
EMPTY_SLOT_PENALTY = 10_000.0  # € per meal slot left empty (elastic mode)
VARIETY_PENALTY = 0.1  # € per repeat of a recipe within a block
FAVOURITE_BONUS = 0.3  # € per favourite meal
CHANGE_PENALTY = 5.0  # € per meal that differs from the previous plan
SAME_PORTION_BONUS = 0.5  # € more when a kept previous meal keeps its portion too
EMPTY = -1  # recipe index of an empty slot (elastic mode)


@dataclass(frozen=True)
class Row:
    """``lo ≤ Σ amount[·, key]·qty ≤ hi`` per day (``-inf``/``inf``: no bound)."""

    key: int
    lo: float
    hi: float

    def penalty(self, side: str) -> float:
        """Elastic € per unit missed below ``lo`` (side "lo") or above ``hi``."""
        rhs = self.lo if side == "lo" else self.hi
        return SLACK_PENALTY / max(abs(rhs), 0.01)


@dataclass(frozen=True)
class Day:
    """One day: ``meals`` = ((slot, recipe index, portion), …) in slot order, and the
    whole units of each supplement (``units[u]``)."""

    meals: tuple[tuple[str, int, float], ...]
    units: tuple[int, ...]


@dataclass(frozen=True)
class DayRules:
    """What sets a day apart: its locks and previous meals ((slot, recipe index, portion),
    …), and its cross-week window group (``window_group``; 0: none)."""

    locks: tuple[tuple[str, int, float], ...] = ()
    previous: tuple[tuple[str, int, float], ...] = ()
    window: int = 0


@dataclass(frozen=True)
class Problem:
    """The request's recipes, supplements and rows as arrays (see the module docstring)."""

    request: PlanRequest
    recipe_ids: tuple[str, ...]
    names: tuple[str, ...]
    keys: tuple[str, ...]
    amounts: np.ndarray  # (R, K) per serving
    fits: dict[str, np.ndarray]  # slot → (R,) bool
    favourite: np.ndarray  # (R,) bool
    supp_ids: tuple[str, ...]
    supp_names: tuple[str, ...]
    supp_amounts: np.ndarray  # (U, K) per unit
    daily: tuple[Row, ...]
    weekly: tuple[tuple[int, float], ...]  # (key, minimum per day on average)

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.request.slots)

    @property
    def cost_key(self) -> int:
        return self.keys.index(COST)

    def index(self, recipe_id: str) -> int:
        return self.recipe_ids.index(recipe_id)

    def unit_choices(self) -> np.ndarray:
        """Every supplement combination as a (C, U) array of whole units (one row of
        zeros when no supplement is allowed)."""
        levels = range(MAX_SUPPLEMENT_UNITS + 1)
        combos = list(itertools.product(levels, repeat=len(self.supp_ids)))
        return np.array(combos, dtype=float).reshape(len(combos), len(self.supp_ids))

    def meal_costs(self, rules: DayRules, slot: np.ndarray, r: np.ndarray, p: np.ndarray,
                   ) -> np.ndarray:
        """The objective term of meals (slot index, recipe index, portion; arrays):
        c[r]·p − favourite bonus − kept-meal bonus; an empty slot costs its penalty."""
        real = r != EMPTY
        cost = np.full(len(r), EMPTY_SLOT_PENALTY)
        cost[real] = (self.amounts[r[real], self.cost_key] * p[real]
                      - FAVOURITE_BONUS * self.favourite[r[real]])
        for s, before, q in rules.previous:
            kept = (slot == self.slots.index(s)) & (r == before)
            cost[kept] -= CHANGE_PENALTY + SAME_PORTION_BONUS * (p[kept] == q)
        return cost

    def day_amounts(self, day: Day) -> np.ndarray:
        """(K,) the day's intake of every key (cost included)."""
        total = np.zeros(len(self.keys))
        for _, r, p in day.meals:
            if r != EMPTY:
                total += self.amounts[r] * p
        if day.units:
            total += np.asarray(day.units, float) @ self.supp_amounts
        return total

    def day_cost(self, rules: DayRules, day: Day) -> float:
        """The day's objective: its meals' terms plus supplement prices."""
        meals = float(self.meal_costs(
            rules, np.array([self.slots.index(s) for s, _, _ in day.meals], dtype=int),
            np.array([r for _, r, _ in day.meals], dtype=int),
            np.array([p for _, _, p in day.meals], dtype=float)).sum())
        pills = float(np.asarray(day.units, float) @ self.supp_amounts[:, self.cost_key]) \
            if day.units else 0.0
        return meals + pills


def build_problem(request: PlanRequest, catalog: Catalog) -> Problem:
    """The request's arrays: eligible recipes (the one filter, ``goals.eligible``), the
    keys its bounds use, and its daily and weekly rows."""
    recipes, supplements = eligible(request, catalog)
    used = set(request.targets) | ({nu.K_TOTAL} if request.steady_k else set())
    keys = (*(n for n in nu.ALL_IDS if n in used), COST)
    at = {k: i for i, k in enumerate(keys)}
    daily, weekly = [], []
    for n, bound in request.targets.items():
        if bound.min and bound.min > 0 and bound.window == Window.WEEK:
            weekly.append((at[n], bound.min))
        low = request.daily_floor(n)  # a daily minimum, or the K2 spread of a weekly one
        if low is not None or bound.max is not None:
            daily.append(Row(at[n], low if low is not None else -math.inf,
                             bound.max if bound.max is not None else math.inf))
    if request.steady_k is not None:
        v, band = request.steady_k.value_ug, request.steady_k.band
        daily.append(Row(at[nu.K_TOTAL], v * (1 - band), v * (1 + band)))
    if request.budget_eur is not None:
        daily.append(Row(at[COST], -math.inf, request.budget_eur))
    pills = supplements.rename(columns={"price_per_unit": COST})
    return Problem(
        request=request,
        recipe_ids=tuple(recipes.index),
        names=tuple(str(n) for n in recipes["name"]),
        keys=keys,
        amounts=recipes[list(keys)].to_numpy(dtype=float).reshape(len(recipes), len(keys)),
        fits={s.value: recipes["slots"].map(lambda x, s=s: s in x).to_numpy(dtype=bool)
              for s in request.slots},
        favourite=recipes.index.isin(request.favourite_recipes),
        supp_ids=tuple(pills.index),
        supp_names=tuple(str(n) for n in pills["name"]),
        supp_amounts=pills[list(keys)].to_numpy(dtype=float).reshape(len(pills), len(keys)),
        daily=tuple(daily),
        weekly=tuple(weekly),
    )


def blocks(request: PlanRequest) -> list[list[int]]:
    """The request's days in 7-day blocks (the last one may be shorter)."""
    days = list(range(1, request.days + 1))
    return [days[i:i + BLOCK_DAYS] for i in range(0, len(days), BLOCK_DAYS)]


def free_days(problem: Problem, days: list[int]) -> bool:
    """Whether no day of ``days`` has locks or previous meals (``fixed_meals``)."""
    return not any(any(fixed_meals(problem, d)) for d in days)


def fixed_meals(problem: Problem, day: int) -> tuple[tuple, tuple]:
    """(locks, previous meals) on ``day`` as (slot, recipe index, portion) tuples; previous
    meals of recipes the request no longer allows are dropped."""
    known = set(problem.recipe_ids)
    request = problem.request
    locks = tuple((lk.slot.value, problem.index(lk.recipe_id), lk.servings)
                  for lk in request.locks if lk.day == day)
    previous = tuple((p.slot.value, problem.index(p.recipe_id), p.servings)
                     for p in request.previous
                     if p.day == day and p.recipe_id in known and p.slot in request.slots)
    return locks, previous


WINDOW_SPANS = ((6, 3), (3, 6))  # (days before the block, first days of the block)


def window_caps(problem: Problem, block: list[int], eaten: dict[int, list[int]],
                ) -> list[tuple[int, frozenset[int], float]]:
    """The cross-week variety rule ("a recipe at most ``max_repeats`` times in any 7
    consecutive days") for a block after others, as (recipe index, days of the block, cap):
    at most ``cap`` meals of the recipe on those days, given ``eaten`` (day → recipe
    indices) before the block.

    A 7-day window starting in the 6 days before the block reaches at most the block's
    first 3 days if it starts in the first 3 of them, else at most its first 6; so a recipe
    met t times in the 6 (last 3) days before may come ``max_repeats − t`` times in the
    first 3 (6) days (``WINDOW_SPANS``). A cap is raised to the recipe's locks on those
    days, so locks always fit.
    """
    limit = problem.request.max_repeats
    out = []
    for before, first in WINDOW_SPANS:
        uses = Counter(r for d in range(max(1, block[0] - before), block[0])
                       for r in eaten.get(d, ()))
        days = frozenset(d for d in block if d < block[0] + first)
        locks = Counter(problem.index(lk.recipe_id) for lk in problem.request.locks
                        if lk.day in days)
        out += [(r, days, float(max(limit - t, locks[r], 0))) for r, t in uses.items()]
    return out


def window_group(block: list[int], day: int, after_others: bool) -> int:
    """Which cross-week window days ``day`` belongs to: 0 none, else the index + 1 of the
    smallest span of ``WINDOW_SPANS`` that reaches it (days of a group are alike)."""
    if not after_others:
        return 0
    for group, (_, first) in enumerate(sorted(WINDOW_SPANS, key=lambda s: s[1]), start=1):
        if day < block[0] + first:
            return group
    return 0
