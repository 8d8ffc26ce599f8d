"""A plan re-checked against the goals and the data, never trusted from a cache or a file.

``recheck`` keeps only a plan's choices (recipe, servings and supplement units per day
and slot) and recomputes everything shown from the catalog and the request: names,
doses, day totals, cost, shortfalls, suggestions and status. A choice the goals do not
allow (an excluded recipe, a slot or day outside the plan, a broken lock, a supplement
not allowed) is a shortfall of its own, so such a plan is never shown as meeting them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pandas as pd

from planner.analysis import explain, suggest
from planner.domain.catalog import Catalog
from planner.domain.goals import MAX_REPEATS, PORTIONS, PlanRequest, eligible
from planner.domain.plan import (
    COST,
    TOTAL_KEYS,
    Fix,
    Meal,
    Plan,
    PlanStatus,
    Shortfall,
    daily_totals,
)

RULES = "meals"  # the Shortfall.nutrient of a choice the goals do not allow
MEETS = (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)


def recheck(plan: Plan, request: PlanRequest, catalog: Catalog) -> Plan:
    """``plan``'s choices with every derived figure recomputed for ``request`` and ``catalog``.

    Status: ``relaxed`` when anything is missed, else the plan's own ``optimal`` or
    ``feasible`` (``feasible`` for any other claim). Raises KeyError for a recipe or
    supplement the catalog lacks (callers check documents first).
    """
    names = catalog.recipes["name"]
    pills = catalog.supplements
    meals = [replace(m, name=str(names[m.recipe_id])) for m in plan.meals]
    doses = [replace(s, name=str(pills.at[s.supplement_id, "name"]),
                     nutrients={n: float(pills.at[s.supplement_id, n]) * s.units
                                for n in TOTAL_KEYS if pills.at[s.supplement_id, n] > 0})
             for s in plan.supplements]
    chosen = replace(plan, meals=meals, supplements=doses, targets=dict(request.targets))
    totals = daily_totals(chosen, catalog)
    missed = (rule_breaks(chosen, request, catalog) + variety_breaks(chosen, request)
              + explain.empty_slots(request, {(m.day, m.slot) for m in meals})
              + explain.shortfalls(request, catalog, totals))
    status = PlanStatus.RELAXED if missed else (
        PlanStatus(plan.status) if plan.status in MEETS else PlanStatus.FEASIBLE)
    return replace(with_totals(chosen, totals), status=status, shortfalls=missed,
                   suggestions=suggest.suggestions(missed, catalog, request))


def with_totals(plan: Plan, totals: pd.DataFrame) -> Plan:
    """``plan`` with its cost and day totals from ``totals`` (``daily_totals`` of it)."""
    return replace(plan, cost_eur=round(float(totals[COST].sum()), 2),
                   totals={int(d): {k: round(float(row[k]), 3) for k in (*TOTAL_KEYS, COST)}
                           for d, row in totals.iterrows()})


def rule_breaks(plan: Plan, request: PlanRequest, catalog: Catalog) -> list[Shortfall]:
    """A shortfall per meal or dose the request does not allow, and per lock not kept."""
    recipes, supplements = eligible(request, catalog)
    slots = {s.value for s in request.slots}
    found = [_break(f"day {m.day} {m.slot}", why) for m in plan.meals
             if (why := _meal_problem(m, request.days, slots, recipes))]
    at = {(m.day, m.slot): m for m in plan.meals}
    for lock in request.locks:
        meal = at.get((lock.day, lock.slot.value))
        if meal is None or (meal.recipe_id, meal.servings) != (lock.recipe_id, lock.servings):
            found.append(_break(f"day {lock.day} {lock.slot.value}",
                                f"the locked meal ({lock.recipe_id} ×{lock.servings:g}) is "
                                "not in this plan"))
    found += [_break(f"day {s.day}", f"the supplement {s.name} is not allowed by these goals")
              for s in plan.supplements if s.supplement_id not in supplements.index]
    return found


def variety_breaks(plan: Plan, request: PlanRequest) -> list[Shortfall]:
    """A shortfall per recipe that comes more than ``max_repeats`` times in some 7
    consecutive days (locks of it there excepted), with the fix that allows it."""
    found = []
    for start in range(1, max(request.days - 5, 1)):
        days = range(start, min(start + 7, request.days + 1))
        eaten = Counter(m.recipe_id for m in plan.meals if m.day in days)
        locked = Counter(lk.recipe_id for lk in request.locks if lk.day in days)
        for recipe, count in sorted(eaten.items()):
            if count > max(request.max_repeats, locked[recipe]):
                name = next(m.name for m in plan.meals if m.recipe_id == recipe)
                allow = min(count, MAX_REPEATS)
                found.append(Shortfall(
                    RULES, f"days {days[0]}–{days[-1]}", request.max_repeats, count,
                    f"{name} comes {count} times in these 7 days, over the variety limit of "
                    f"{request.max_repeats}: this library has too few recipes for these "
                    "goals over several weeks. Allowing more repeats would meet it.",
                    Fix(f"Allow {allow} repeats", {"max_repeats": allow})
                    if allow > request.max_repeats else None))
    return found


def _meal_problem(meal: Meal, days: int, slots: set[str], recipes) -> str:
    if meal.day > days or meal.slot not in slots:
        return f"{meal.name} is outside the planned days and meal slots"
    if meal.recipe_id not in recipes.index:
        return (f"{meal.name} is not allowed by these goals (diet, allergens, exclusions or "
                "steady vitamin K)")
    if meal.slot not in recipes.at[meal.recipe_id, "slots"]:
        return f"{meal.name} is not a {meal.slot} recipe"
    if meal.servings not in PORTIONS:
        return f"{meal.name}: {meal.servings:g} servings is not a planned portion"
    return ""


def _break(scope: str, why: str) -> Shortfall:
    return Shortfall(RULES, scope, 1.0, 0.0, why[0].upper() + why[1:] + ".")
