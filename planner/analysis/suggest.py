"""Close-the-gap suggestions: the cheapest grams of foods that would close a shortfall
(``planner.optimize.cheapest_mix``)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from planner.domain.catalog import ANIMAL_DIET, Catalog, Diet
from planner.domain.goals import PlanRequest
from planner.domain.plan import Shortfall
from planner.optimize.cheapest_mix import cheapest_mix

MAX_GRAMS = 300.0  # per food and day, so a suggestion stays a portion
TOP_FOODS = 3


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
