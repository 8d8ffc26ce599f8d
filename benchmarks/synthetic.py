"""Synthetic recipe libraries of any size, built from a real catalog's foods.

Each synthetic recipe combines 3–6 random foods, scaled so one serving gives
150–900 kcal, so its per-serving figures come from the same derivation as the
bundled recipes and stay in the range of real dishes.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from planner.domain.catalog import Catalog, derive_recipes

SLOT_CHOICES = ("breakfast", "lunch", "dinner", "snack", "lunch|dinner", "breakfast|snack")


def synthetic_tables(base: Catalog, n_recipes: int, seed: int = 0,
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n_recipes`` random recipes as the rows of recipes.csv and recipe_ingredients.csv."""
    rng = np.random.default_rng(seed)
    foods = base.foods
    kcal_per_g = foods["energy_kcal"].fillna(0).to_numpy() / 100
    rows, recipes = [], []
    for i in range(n_recipes):
        rid = f"syn_{i:05d}"
        count = min(len(foods), int(rng.integers(3, 7)))
        picks = rng.choice(len(foods), size=count, replace=False)
        grams = rng.uniform(20, 200, size=count)
        scale = rng.uniform(150, 900) / max(float(grams @ kcal_per_g[picks]), 1.0)
        servings = int(rng.integers(1, 5))
        for pick, g in zip(picks, grams * scale * servings, strict=True):
            rows.append((rid, foods.index[pick], float(g), None))
        slots = SLOT_CHOICES[rng.integers(len(SLOT_CHOICES))]
        recipes.append((rid, f"Synthetic {i}", slots, float(servings), 20.0, None, None, None))
    recipe_frame = pd.DataFrame(recipes, columns=[
        "recipe_id", "name", "slots", "servings", "prep_minutes", "cuisine", "tags", "method"])
    ingredients = pd.DataFrame(rows, columns=["recipe_id", "food_id", "grams", "note"])
    return recipe_frame, ingredients


def synthetic_catalog(base: Catalog, n_recipes: int, seed: int = 0) -> Catalog:
    """A copy of ``base`` whose recipes are ``n_recipes`` random ones (same foods)."""
    recipes, ingredients = synthetic_tables(base, n_recipes, seed)
    derived = derive_recipes(recipes, ingredients, base.foods)
    return dataclasses.replace(base, recipes=derived, ingredients=ingredients)


def write_synthetic_data(base: Catalog, data_dir: Path, out_dir: Path, n_recipes: int,
                         seed: int = 0) -> Path:
    """A copy of the data folder ``data_dir`` in ``out_dir`` with ``n_recipes`` random recipes,
    so the command line can plan on it (``--data out_dir``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in data_dir.glob("*.csv"):
        shutil.copyfile(path, out_dir / path.name)
    recipes, ingredients = synthetic_tables(base, n_recipes, seed)
    recipes.to_csv(out_dir / "recipes.csv", index=False)
    ingredients.round({"grams": 1}).to_csv(out_dir / "recipe_ingredients.csv", index=False)
    return out_dir
