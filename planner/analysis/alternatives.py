"""How well each day stays on target: the per-day status and the best swaps for one meal.

Day totals come from ``planner.domain.plan.daily_totals`` (the one place plan
nutrients are computed); a swap changes one meal's contribution, which is
linear in servings: new day = day − old per-serving · servings + new per-serving · servings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd

from planner.analysis.plan_summary import RELATIVE_TOLERANCE, meets_min
from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog
from planner.domain.goals import WEEK_DAYS, Bound, SteadyK
from planner.domain.plan import COST, TOTAL_KEYS, Plan, daily_totals

STATUS_NUTRIENTS = (nu.K2, nu.D3, nu.CALCIUM, nu.ENERGY)
WEEK = "week average"


@dataclass(frozen=True)
class Alternative:
    """A recipe that could take a meal's place; ``miss`` 0 means the day meets every target."""

    recipe_id: str
    name: str
    miss: float
    cost_eur: float

    @property
    def label(self) -> str:
        fit = "day on target" if self.miss < 1e-9 else f"day {self.miss:.0%} off target"
        return f"{self.name} — {fit}, €{self.cost_eur:.2f}/serving"


def misses(totals: pd.DataFrame, targets: dict) -> pd.Series:
    """Per row, Σ over daily-checked bounds of the relative distance outside them (0 = all met).

    min: max(0, (min − v) / min); max: max(0, (v − max) / max). A weekly
    minimum is read as a daily average, so a day is scored against it too.
    """
    score = pd.Series(0.0, index=totals.index)
    for nutrient, bound in targets.items():
        if nutrient not in totals.columns:
            continue
        value = totals[nutrient].fillna(0.0)
        if bound.min:
            score += ((bound.min - value) / bound.min).clip(lower=0)
        if bound.max:
            score += ((value - bound.max) / bound.max).clip(lower=0)
    return score


def day_status(plan: Plan, catalog: Catalog, steady_k: SteadyK | None = None) -> pd.DataFrame:
    """``day, nutrient, value, met, week_so_far, week_target`` for K2, D3, calcium and energy
    (and K1 + K2 against its band under ``steady_k``), plus a week-average row per nutrient.

    ``met`` is True/False where the target applies to that row (each day for a
    daily target or any upper limit, the 7-day average for a weekly minimum) and
    None where it does not: a day is never ✓ against a weekly minimum, it shows
    ``week_so_far`` (the running total of its 7-day block) against ``week_target``
    (minimum × the block's days) instead; both NaN for other rows.
    """
    totals = daily_totals(plan, catalog)
    targets = dict(plan.targets)
    if steady_k is not None:
        v, band = steady_k.value_ug, steady_k.band
        targets[nu.K_TOTAL] = Bound(min=v * (1 - band), max=v * (1 + band))
    rows = []
    for nutrient in (*STATUS_NUTRIENTS, *([nu.K_TOTAL] if steady_k is not None else [])):
        if nutrient not in totals.columns:
            continue
        bound = targets.get(nutrient)
        values = totals[nutrient].fillna(0.0)
        weekly = bound is not None and bound.min is not None and str(bound.window) == "week"
        for start in range(0, len(values), WEEK_DAYS):
            block = values.iloc[start:start + WEEK_DAYS]
            so_far = block.cumsum()
            for day, value in block.items():
                rows.append((day, nutrient, float(value), _met(bound, value, daily=True),
                             float(so_far[day]) if weekly else float("nan"),
                             bound.min * len(block) if weekly else float("nan")))
        rows.append((WEEK, nutrient, float(values.mean()),
                     _met(bound, values.mean(), daily=False), float("nan"), float("nan")))
    return pd.DataFrame(rows, columns=["day", "nutrient", "value", "met", "week_so_far",
                                       "week_target"])


def _met(bound, value: float, daily: bool) -> bool | None:
    """A day: its daily minimum and its maximum (a day under a weekly minimum is not judged
    on it); the average: a weekly minimum."""
    if bound is None:
        return None
    weekly = str(bound.window) == "week"
    checks = []
    if bound.min is not None and weekly != daily:
        checks.append(meets_min(value, bound.min))
    if bound.max is not None and daily:
        checks.append(value <= bound.max * (1 + RELATIVE_TOLERANCE) + 1e-6)
    if weekly and daily and all(checks):
        return None  # under its limit; the weekly minimum is judged on the average
    return all(checks) if checks else None


def best_alternatives(plan: Plan, catalog: Catalog, day: int, slot: str,
                      candidates: Iterable[str], n: int = 5) -> list[Alternative]:
    """Up to ``n`` of ``candidates`` for the meal at ``day``/``slot``, best first.

    Ranked by how far that day then sits from its targets (``misses``), then
    cost. Recipes not offered for ``slot`` or already eaten that day are skipped.
    """
    meal = _meal_at(plan, day, slot)
    eaten = {m.recipe_id for m in plan.meals if m.day == day}
    recipes = catalog.recipes
    ids = [r for r in dict.fromkeys(candidates)
           if r in recipes.index and r not in eaten and slot in recipes.at[r, "slots"]]
    if not ids:
        return []
    columns = [c for c in plan.targets if c in recipes.columns]
    day_total = daily_totals(plan, catalog).loc[day, columns].fillna(0.0)
    base = day_total - recipes.loc[meal.recipe_id, columns].fillna(0.0) * meal.servings
    new = recipes.loc[ids, columns].fillna(0.0) * meal.servings + base
    ranked = pd.DataFrame({"miss": misses(new, plan.targets),
                           "cost": recipes.loc[ids, "cost_eur"]}).sort_values(["miss", "cost"])
    return [Alternative(r, recipes.at[r, "name"], float(row.miss), float(row.cost))
            for r, row in ranked.head(n).iterrows()]


def swap(plan: Plan, catalog: Catalog, day: int, slot: str, recipe_id: str) -> Plan:
    """``plan`` with the meal at ``day``/``slot`` replaced by ``recipe_id`` (same servings),
    locked, with cost and day totals updated."""
    old = _meal_at(plan, day, slot)
    new = replace(old, recipe_id=recipe_id, name=catalog.recipes.at[recipe_id, "name"],
                  locked=True)
    cost = catalog.recipes["cost_eur"]
    swapped = replace(plan, meals=[new if m is old else m for m in plan.meals],
                      cost_eur=plan.cost_eur
                      + (cost[recipe_id] - cost[old.recipe_id]) * old.servings)
    totals = daily_totals(swapped, catalog)[[*TOTAL_KEYS, COST]]
    return replace(swapped, totals={int(d): row.to_dict() for d, row in totals.iterrows()})


def _meal_at(plan: Plan, day: int, slot: str):
    for meal in plan.meals:
        if meal.day == day and str(meal.slot) == str(slot):
            return meal
    raise KeyError(f"the plan has no meal on day {day} at {slot}")
