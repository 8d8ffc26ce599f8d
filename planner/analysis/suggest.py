"""Close-the-gap suggestions: the cheapest foods, in usual servings, that would close a
shortfall (``planner.optimize.cheapest_mix``), or a supplement when usual servings cannot.

A food's usual serving is how much one serving of this library's recipes uses (the median
over the recipes with it), else the median of its category's usual servings; a food with
neither is not suggested. At most ``MAX_SERVINGS`` usual servings of a food a day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog, Diet
from planner.domain.goals import PlanRequest, eligible_foods
from planner.domain.plan import Shortfall, supplement_note
from planner.optimize.cheapest_mix import cheapest_mix

MAX_SERVINGS = 2.0  # usual servings per food and day, so a suggestion stays food one eats
TOP_FOODS = 3


def usual_servings(catalog: Catalog) -> pd.Series:
    """Grams of one usual serving per food id: the median grams one recipe serving uses,
    else the median of its category's usual servings (foods in neither are left out)."""
    rows = catalog.ingredients.join(catalog.recipes["servings"], on="recipe_id")
    used = (rows["grams"].astype(float) / rows["servings"]).groupby(rows["food_id"]).median()
    category = catalog.foods["category"]
    by_category = used.groupby(category.reindex(used.index)).median()
    return used.combine_first(category.map(by_category)).dropna()


def suggestions(shortfalls: Iterable[Shortfall], catalog: Catalog, request: PlanRequest,
                ) -> list[dict]:
    """Per nutrient short of its minimum, what would close the largest daily gap.

    Each suggestion: ``nutrient, gap`` (registry unit a day), ``foods`` (``food_id, name,
    grams, servings, energy_kcal, cost_eur``: the cheapest mix of at most ``MAX_SERVINGS``
    usual servings per food), ``energy_kcal`` they add, ``supplement`` (offered when
    the foods cannot close the gap and the catalog has one with the nutrient, else None)
    and ``text``, one sentence saying all of it.
    """
    gaps: dict[str, float] = {}
    for s in shortfalls:
        if s.achieved < s.target and s.nutrient in catalog.foods.columns:
            gaps[s.nutrient] = max(gaps.get(s.nutrient, 0.0), s.target - s.achieved)
    foods = eligible_foods(catalog, request)
    foods = foods[foods["price_per_kg"].notna()]
    serving = usual_servings(catalog).reindex(foods.index).dropna()
    foods = foods.loc[serving.index]
    out = []
    for nutrient, gap in gaps.items():
        # One unit is one usual serving, so the LP's one cap is MAX_SERVINGS of each food.
        per_serving = foods[[nutrient]].mul(serving / 100, axis=0)
        counts = cheapest_mix(per_serving, foods["price_per_kg"] / 1000 * serving,
                              {nutrient: gap}, MAX_SERVINGS)
        picked = [] if counts is None else [
            _food(foods.loc[f], f, n, serving[f])
            for f, n in counts[counts * serving > 0.5].sort_values(ascending=False)
            .head(TOP_FOODS).items()]
        pill = None if counts is not None else _supplement(catalog, request, nutrient, gap)
        if picked or pill:
            energy = round(sum(f["energy_kcal"] for f in picked))
            out.append({"nutrient": nutrient, "gap": round(gap, 3), "foods": picked,
                        "energy_kcal": energy, "supplement": pill,
                        "text": _text(nutrient, gap, picked, energy, pill)})
    return out


def _food(row: pd.Series, food_id: str, servings: float, serving_g: float) -> dict:
    grams = float(servings * serving_g)
    return {"food_id": food_id, "name": str(row["name"]), "grams": round(grams, 1),
            "servings": round(float(servings), 2),
            "energy_kcal": round(grams / 100 * float(row["energy_kcal"] or 0.0), 1),
            "cost_eur": round(grams / 1000 * float(row["price_per_kg"]), 2)}


def _supplement(catalog: Catalog, request: PlanRequest, nutrient: str, gap: float,
                ) -> dict | None:
    """The cheapest daily dose of one supplement that closes ``gap`` (fewest units on a tie)."""
    pills = catalog.supplements
    if nutrient not in pills.columns:
        return None
    doses = [(math.ceil(gap / amount - 1e-9) * price, math.ceil(gap / amount - 1e-9), i)
             for i, amount, price in zip(pills.index, pills[nutrient].fillna(0.0),
                                         pills["price_per_unit"], strict=True) if amount > 0]
    if not doses:
        return None
    cost, units, pill = min(doses, key=lambda d: (d[0], d[1]))
    note = supplement_note(catalog, pill) if request.diet == Diet.VEGAN else ""
    return {"supplement_id": pill, "name": str(pills.at[pill, "name"]), "units": units,
            "unit": str(pills.at[pill, "unit"]), "cost_eur": round(float(cost), 2),
            "note": note}


def _text(nutrient: str, gap: float, foods: list[dict], energy: float,
          pill: dict | None) -> str:
    n = nu.get(nutrient)
    head = f"To close the {n.label} gap ({gap:,.3g} {n.unit} a day)"
    if foods:
        eaten = ", ".join(f"{f['name']} {f['grams']:,.0f} g ({f['servings']:g} usual "
                          f"serving{'s' if f['servings'] != 1 else ''})" for f in foods)
        return f"{head}: {eaten} a day, adding about {energy:,.0f} kcal."
    dose = f"{pill['units']} {pill['unit']}{'s' if pill['units'] != 1 else ''}"
    return (f"{head}: foods in usual servings cannot close it; {pill['name']}, {dose} a day "
            "would." + (f" {pill['note']}" if pill["note"] else ""))
