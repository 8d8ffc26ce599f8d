"""Close-the-gap suggestions: the cheapest grams of foods that would close a shortfall.

One continuous LP (``cheapest_mix``) serves both the suggestions and the
classic Stigler diet test: min Σ_f c[f]·q[f] s.t. Σ_f a[f,n]·q[f] ≥ need[n],
0 ≤ q[f] ≤ cap.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pulp

from planner.catalog import ANIMAL_DIET, Catalog, Diet
from planner.goals import PlanRequest
from planner.plan import Shortfall

MAX_GRAMS = 300.0  # per food and day, so a suggestion stays a portion
TOP_FOODS = 3


def cheapest_mix(amounts: pd.DataFrame, cost: pd.Series, need: dict[str, float],
                 cap: float | None = None) -> pd.Series | None:
    """Quantity per row of ``amounts`` (rows foods, columns nutrients per unit) at least cost.

    min Σ_f cost[f]·q[f] s.t. Σ_f amounts[f,n]·q[f] ≥ need[n] ∀n, 0 ≤ q[f] ≤ cap.
    Returns None when no mix meets ``need``.
    """
    lp = pulp.LpProblem("cheapest_mix")
    q = {f: lp.add_variable(f"q_{i}", 0, cap) for i, f in enumerate(amounts.index)}
    for j, (n, value) in enumerate(need.items()):
        column = amounts[n].fillna(0.0)
        terms = [(q[f], float(a)) for f, a in column.items() if a]
        lp += pulp.lpSum_vars_coefs(terms) >= value, f"need_{j}"
    lp.setObjective(pulp.lpSum_vars_coefs([(q[f], float(c)) for f, c in cost.items()]))
    stats = lp.solve(pulp.HiGHS(msg=False))
    if stats.status != pulp.LpSolveStatus.Optimal:
        return None
    return pd.Series({f: var.value() or 0.0 for f, var in q.items()})


def eligible_foods(catalog: Catalog, request: PlanRequest) -> pd.DataFrame:
    """Foods of the request's diet, without excluded allergens or foods, with a price."""
    foods = catalog.foods
    avoid = set(request.exclude_allergens)
    keep = (foods["animal"].map(lambda a: Diet(request.diet).allows(ANIMAL_DIET[a]))
            & foods["allergens"].fillna("").map(lambda a: not (set(a.split("|")) & avoid))
            & ~foods.index.isin(request.exclude_foods) & foods["price_per_kg"].notna())
    return foods[keep]


def suggestions(shortfalls: Iterable[Shortfall], catalog: Catalog, request: PlanRequest,
                ) -> list[dict]:
    """Per nutrient short of its minimum, the cheapest foods (g/day) closing the largest gap."""
    gaps: dict[str, float] = {}
    for s in shortfalls:
        if s.achieved < s.target and s.nutrient in catalog.foods.columns:
            gaps[s.nutrient] = max(gaps.get(s.nutrient, 0.0), s.target - s.achieved)
    foods = eligible_foods(catalog, request)
    out = []
    for nutrient, gap in gaps.items():
        grams = cheapest_mix(foods[[nutrient]] / 100, foods["price_per_kg"] / 1000,
                             {nutrient: gap}, MAX_GRAMS)
        if grams is None:
            continue
        picked = grams[grams > 0.5].sort_values(ascending=False).head(TOP_FOODS)
        out.append({"nutrient": nutrient, "gap": round(gap, 3), "foods": [
            {"food_id": f, "name": str(foods.at[f, "name"]), "grams": round(float(g), 1),
             "cost_eur": round(float(g) / 1000 * float(foods.at[f, "price_per_kg"]), 2)}
            for f, g in picked.items()]})
    return out
