"""Why a plan misses a bound, in words a person can act on, backed by numbers.

A shortfall is read from the plan's daily totals (never from solver
internals). Its explanation gives the most (or least) the nutrient can reach
per day under the current settings: each slot's best eligible recipe at the
largest portion plus the allowed supplements at their most units, an upper
bound of what any plan can do. It then re-checks that reach with one setting
relaxed at a time (supplements, diet, allergens, food and recipe exclusions,
budget) and names the first that unblocks the target, with a machine-readable
``Fix`` (UI goal parameter → value).
"""

from __future__ import annotations

import pandas as pd

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog, Diet
from planner.domain.goals import (
    MAX_SUPPLEMENT_UNITS,
    PORTIONS,
    WEEK_DAYS,
    PlanRequest,
    Window,
    eligible,
)
from planner.domain.plan import COST, Fix, Shortfall

TOLERANCE = 1e-6
DIET_WORDS = {Diet.VEGETARIAN: "dairy and eggs", Diet.PESCATARIAN: "fish",
              Diet.OMNIVORE: "meat"}


def daily_reach(request: PlanRequest, catalog: Catalog, nutrient: str, most: bool = True,
                ) -> float:
    """The most (``most``) or least a day can hold of ``nutrient`` under ``request``.

    most: Σ_slots max_r a[r,n]·max(PORTIONS) + Σ_u a[u,n]·MAX_SUPPLEMENT_UNITS;
    least: Σ_slots min_r a[r,n]·min(PORTIONS). Unknown amounts count 0.
    """
    recipes, supplements = eligible(request, catalog)
    column = "cost_eur" if nutrient == COST else nutrient
    total = 0.0
    for slot in request.slots:
        values = recipes.loc[recipes["slots"].map(lambda s, slot=slot: slot in s), column]
        if values.empty:
            continue
        total += values.max() * max(PORTIONS) if most else values.min() * min(PORTIONS)
    if most and nutrient != COST and not supplements.empty:
        total += float(supplements[nutrient].sum()) * MAX_SUPPLEMENT_UNITS
    return float(total)


def _unblockers(request: PlanRequest) -> list[tuple[str, PlanRequest, Fix]]:
    """(phrase, relaxed request, fix) for each setting that could be relaxed, in order."""
    out = []
    if not request.supplements:
        out.append(("Allowing supplements", request.model_copy(update={"supplements": True}),
                    Fix("Allow supplements", {"supplements": True})))
    for diet in Diet:
        if diet.rank > Diet(request.diet).rank:
            out.append((f"Allowing {DIET_WORDS[diet]} ({diet.value} meals)",
                        request.model_copy(update={"diet": diet}),
                        Fix(f"Switch to a {diet.value} diet", {"diet": diet.value})))
    for field, words in (("exclude_allergens", "the allergen exclusions"),
                         ("exclude_foods", "the excluded foods"),
                         ("exclude_recipes", "the excluded recipes")):
        if getattr(request, field):
            out.append((f"Lifting {words}", request.model_copy(update={field: ()}),
                        Fix(f"Lift {words}", {field: []})))
    return out


def _subject(request: PlanRequest) -> str:
    words = f"{Diet(request.diet).value.capitalize()} meals"
    if request.exclude_allergens or request.exclude_foods or request.exclude_recipes:
        words += " without your excluded foods"
    return words + (" and supplements" if request.supplements else "")


def explain_min(request: PlanRequest, catalog: Catalog, nutrient: str, target: float,
                ) -> tuple[str, Fix | None]:
    """A sentence on why ``nutrient`` cannot reach ``target`` a day, and the fix if any."""
    unit = nu.get(nutrient).unit
    label = nu.get(nutrient).label
    reach = daily_reach(request, catalog, nutrient)
    head = (f"{_subject(request)} in this library give at most {reach:,.1f} {unit} of "
            f"{label} a day; the target is {target:,.1f} {unit}.")
    if reach + TOLERANCE < target:
        for phrase, relaxed, fix in _unblockers(request):
            if daily_reach(relaxed, catalog, nutrient) + TOLERANCE >= target:
                return f"{head} {phrase} would meet it.", fix
        return f"{head} No single setting change would meet it; lower the target.", None
    if request.budget_eur is not None:
        return (f"{label} can reach {reach:,.1f} {unit} a day, but not within the daily "
                f"budget of €{request.budget_eur:.2f} together with the other targets. "
                "Removing the budget may meet it.", Fix("Remove the budget", {"budget_eur": None}))
    return (f"{label} can reach {reach:,.1f} {unit} a day on its own, but not together with "
            "the other targets (energy range, upper limits, variety or locked meals).", None)


def explain_max(request: PlanRequest, catalog: Catalog, nutrient: str, target: float,
                ) -> tuple[str, Fix | None]:
    """A sentence on why a day exceeds the upper limit ``target``."""
    unit = "€" if nutrient == COST else nu.get(nutrient).unit
    label = "Cost" if nutrient == COST else nu.get(nutrient).label
    least = daily_reach(request, catalog, nutrient, most=False)
    if least > target + TOLERANCE:
        return (f"The lightest possible day still has {least:,.1f} {unit} of {label}; the "
                f"limit is {target:,.1f} {unit}.", None)
    return (f"{label} can stay under {target:,.1f} {unit} on its own, but not together "
            "with the other targets (minimums, locked meals or variety).", None)


def _block_means(series: pd.Series) -> list[tuple[str, float, int]]:
    days = list(series.index)
    blocks = [days[i:i + WEEK_DAYS] for i in range(0, len(days), WEEK_DAYS)]
    return [("week" if len(blocks) == 1 else f"week {i + 1}", float(series[b].mean()), len(b))
            for i, b in enumerate(blocks)]


def _bounds(request: PlanRequest) -> list[tuple[str, float | None, float | None, Window]]:
    out = [(n, b.min, b.max, b.window) for n, b in request.targets.items()]
    out += [(n, floor, None, Window.DAY) for n, b in request.targets.items()
            if b.window == Window.WEEK and (floor := request.daily_floor(n)) is not None]
    if request.steady_k is not None:
        v, band = request.steady_k.value_ug, request.steady_k.band
        out.append((nu.K_TOTAL, v * (1 - band), v * (1 + band), Window.DAY))
    if request.budget_eur is not None:
        out.append((COST, None, request.budget_eur, Window.DAY))
    return out


def explain_spread(request: PlanRequest, nutrient: str, floor: float) -> tuple[str, Fix]:
    """Why a day misses the K2 spread floor, and the fix that lets K2 vary by day."""
    label, unit = nu.get(nutrient).label, nu.get(nutrient).unit
    return (f"{label} is asked for on every day, at least {floor:,.1f} {unit} "
            f"({request.k2_daily_share:g} % of the weekly average target), and not every day "
            "of this plan can reach it with the other targets. Letting it vary from day to "
            "day would meet the weekly average.",
            Fix("Let K2 vary from day to day", {"k2_daily_share": 0.0}))


def shortfalls(request: PlanRequest, catalog: Catalog, totals: pd.DataFrame) -> list[Shortfall]:
    """Every bound the daily ``totals`` (``plan.daily_totals``) miss, explained.

    A weekly minimum is checked on each 7-day block's mean, a daily one and
    every maximum on each day.
    """
    found: list[Shortfall] = []
    for n, low, high, window in _bounds(request):
        values = totals[n].reindex(range(1, request.days + 1), fill_value=0.0)
        if low is not None and low > 0:
            scoped = (_block_means(values) if window == Window.WEEK
                      else [(f"day {d}", float(v), 1) for d, v in values.items()])
            misses = [(scope, v) for scope, v, _ in scoped if v + TOLERANCE < low]
            if misses:
                spread = window == Window.DAY and request.targets[n].window == Window.WEEK
                text, fix = (explain_spread(request, n, low) if spread
                             else explain_min(request, catalog, n, low))
                found += [Shortfall(n, scope, low, round(v, 3), text, fix)
                          for scope, v in misses]
        if high is not None:
            misses = [(f"day {d}", float(v)) for d, v in values.items() if v > high + TOLERANCE]
            if misses:
                text, fix = explain_max(request, catalog, n, high)
                found += [Shortfall(n, scope, high, round(v, 3), text, fix)
                          for scope, v in misses]
    return found


def empty_slots(request: PlanRequest, places: set[tuple[int, str]]) -> list[Shortfall]:
    """A shortfall for each planned day and slot left without a meal (``places`` has meals)."""
    found = []
    for slot in request.slots:
        missing = [d for d in range(1, request.days + 1) if (d, slot.value) not in places]
        text = (f"No {slot.value} recipe in this library fits the {Diet(request.diet).value} "
                "diet, the exclusions and the variety limit on these days.")
        fix = (Fix("Lift the recipe exclusions", {"exclude_recipes": []})
               if request.exclude_recipes else None)
        found += [Shortfall("meals", f"day {d} {slot.value}", 1.0, 0.0, text, fix)
                  for d in missing]
    return found
