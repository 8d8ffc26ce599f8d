"""Shared by the optimizer tests: an independent recomputation of a plan from the CSV files,
a checker of every bound, variety limit, lock and exclusion, and small random catalogs.

Nothing here calls ``planner.domain.plan.daily_totals`` or the model: the nutrients are
recomputed with raw pandas from ``recipe_ingredients.csv`` × ``foods.csv``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

TINY = Path(__file__).parent / "fixtures" / "tiny"
MK = ["mk4_ug", "mk5_ug", "mk6_ug", "mk7_ug", "mk8_ug", "mk9_ug", "mk10_ug", "mk_unspecified_ug"]
TOL = 1e-6


def recompute(plan, data_dir: Path) -> pd.DataFrame:
    """Day × nutrient from the CSV files: Σ grams/100 · value · servings / recipe servings."""
    foods = pd.read_csv(data_dir / "foods.csv").set_index("food_id")
    foods["k2_ug"] = foods[MK].fillna(0).sum(axis=1)
    foods["vit_k_total_ug"] = foods["k2_ug"] + foods["vit_k1_ug"].fillna(0)
    foods["cost_eur"] = foods["price_per_kg"] / 10  # per 100 g
    ings = pd.read_csv(data_dir / "recipe_ingredients.csv")
    servings = pd.read_csv(data_dir / "recipes.csv").set_index("recipe_id")["servings"]
    pills = pd.read_csv(data_dir / "supplements.csv").set_index("supplement_id")
    pills["k2_ug"] = pills[MK].fillna(0).sum(axis=1)
    pills["vit_k_total_ug"] = pills["k2_ug"] + pills["vit_k1_ug"].fillna(0)
    pills["cost_eur"] = pills["price_per_unit"]
    columns = ["energy_kcal", "protein_g", "calcium_mg", "vit_d3_ug", "k2_ug",
               "vit_k_total_ug", "sodium_mg", "cost_eur"]
    days = sorted({m.day for m in plan.meals} | {s.day for s in plan.supplements})
    out = pd.DataFrame(0.0, index=days, columns=columns)
    for m in plan.meals:
        rows = ings[ings["recipe_id"] == m.recipe_id]
        facts = foods.loc[rows["food_id"], columns].fillna(0).to_numpy()
        grams = rows["grams"].to_numpy()[:, None] / 100
        out.loc[m.day] += (facts * grams).sum(axis=0) * m.servings / servings[m.recipe_id]
    for s in plan.supplements:
        out.loc[s.day] += pills.loc[s.supplement_id, columns].fillna(0).to_numpy() * s.units
    return out


def misses(request, totals: pd.DataFrame) -> list[tuple[str, str]]:
    """(nutrient, scope) of every bound ``totals`` miss (weekly minimums on 7-day means)."""
    found = []
    index = range(1, request.days + 1)
    for n, bound in request.targets.items():
        values = totals[n].reindex(index, fill_value=0.0) if n in totals else None
        if values is None:
            continue
        if bound.min:
            if str(bound.window) == "week":
                for i in range(0, request.days, 7):
                    if values.iloc[i:i + 7].mean() < bound.min - TOL:
                        found.append((n, f"week from day {i + 1}"))
                if n == "k2_ug" and request.k2_daily_share > 0:  # K2 spread over the week
                    floor = bound.min * request.k2_daily_share / 100
                    found += [(n, f"spread day {d}") for d, v in values.items()
                              if v < floor - TOL]
            else:
                found += [(n, f"day {d}") for d, v in values.items() if v < bound.min - TOL]
        if bound.max is not None:
            found += [(n, f"day {d}") for d, v in values.items() if v > bound.max + TOL]
    if request.steady_k is not None:
        v, band = request.steady_k.value_ug, request.steady_k.band
        k = totals["vit_k_total_ug"].reindex(index, fill_value=0.0)
        found += [("steady_k", f"day {d}") for d, x in k.items()
                  if not v * (1 - band) - TOL <= x <= v * (1 + band) + TOL]
    if request.budget_eur is not None:
        found += [("budget", f"day {d}") for d, c in totals["cost_eur"].items()
                  if c > request.budget_eur + TOL]
    return found


def check_structure(plan, request, data_dir: Path) -> None:
    """One meal per day and slot, portions, locks, exclusions, diet and variety hold."""
    recipes = pd.read_csv(data_dir / "recipes.csv").set_index("recipe_id")
    ings = pd.read_csv(data_dir / "recipe_ingredients.csv")
    foods = pd.read_csv(data_dir / "foods.csv").set_index("food_id")
    places = [(m.day, m.slot) for m in plan.meals]
    assert len(places) == len(set(places)), "at most one meal per day and slot"
    if plan.status in ("optimal", "feasible"):
        assert sorted(places) == sorted((d, s.value) for d in range(1, request.days + 1)
                                        for s in request.slots)
    locks = {(lk.day, lk.slot.value): lk for lk in request.locks}
    rank = {"vegan": 0, "vegetarian": 1, "pescatarian": 2, "omnivore": 3}
    animal_rank = {"none": 0, "dairy": 1, "egg": 1, "fish": 2, "shellfish": 2, "meat": 3,
                   "poultry": 3}
    for m in plan.meals:
        assert m.servings in (1.0, 1.5, 2.0)
        assert m.slot in recipes.loc[m.recipe_id, "slots"].split("|")
        lock = locks.get((m.day, m.slot))
        if lock is not None:
            assert (m.recipe_id, m.servings) == (lock.recipe_id, lock.servings)
            continue
        assert m.recipe_id not in request.exclude_recipes
        used = foods.loc[ings.loc[ings["recipe_id"] == m.recipe_id, "food_id"]]
        assert not set(used.index) & set(request.exclude_foods)
        allergens = {a for v in used["allergens"].dropna() for a in v.split("|")}
        assert not allergens & set(request.exclude_allergens), (m.recipe_id, allergens)
        assert max(animal_rank[a] for a in used["animal"]) <= rank[str(request.diet)]
        if request.steady_k is not None:
            assert not any("natto" in f for f in used.index)
    for day in range(1, request.days + 1):
        eaten = [m.recipe_id for m in plan.meals if m.day == day]
        locked = [lk.recipe_id for lk in request.locks if lk.day == day]
        for r in set(eaten):
            assert eaten.count(r) <= max(1, locked.count(r)), f"{r} twice on day {day}"
    for start in range(1, request.days + 1, 7):
        block = [m.recipe_id for m in plan.meals if start <= m.day < start + 7]
        for r in set(block):
            locked = sum(lk.recipe_id == r and start <= lk.day < start + 7
                         for lk in request.locks)
            assert block.count(r) <= max(request.max_repeats, locked)
    named = {s.scope for s in plan.shortfalls}  # a relaxed plan names each break
    for start in range(1, request.days - 5):  # any 7 consecutive days, across weeks too
        window = [m.recipe_id for m in plan.meals if start <= m.day < start + 7]
        for r in set(window):
            if not any(lk.recipe_id == r and start <= lk.day < start + 7
                       for lk in request.locks):
                assert (window.count(r) <= request.max_repeats
                        or f"days {start}–{start + 6}" in named), f"{r} in days {start}+6"
    if not request.supplements:
        assert not plan.supplements


def random_catalog(tmp: Path, seed: int, n_recipes: int = 8) -> Path:
    """A small random catalog on the tiny fixture's foods (plus its other tables)."""
    rng = np.random.default_rng(seed)
    shutil.copytree(TINY, tmp, dirs_exist_ok=True)
    foods = pd.read_csv(TINY / "foods.csv")["food_id"].tolist()
    slots = ["breakfast", "lunch", "dinner", "snack"]
    recipes, ings = [], []
    for i in range(n_recipes):
        rid = f"r{i}"
        chosen = rng.choice(slots, size=int(rng.integers(1, 3)), replace=False)
        recipes.append({"recipe_id": rid, "name": f"Recipe {i}", "slots": "|".join(chosen),
                        "servings": int(rng.integers(1, 3)), "prep_minutes": 10,
                        "cuisine": "test", "tags": "", "method": "Cook."})
        for food in rng.choice(foods, size=int(rng.integers(1, 3)), replace=False):
            ings.append({"recipe_id": rid, "food_id": food,
                         "grams": float(rng.integers(20, 300)), "note": ""})
    pd.DataFrame(recipes).to_csv(tmp / "recipes.csv", index=False)
    pd.DataFrame(ings).to_csv(tmp / "recipe_ingredients.csv", index=False)
    return tmp
