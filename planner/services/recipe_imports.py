"""Import a recipe: a reviewed draft saved for one dietitian, with its per-serving facts."""

from __future__ import annotations

import pandas as pd

from planner.domain.catalog import Catalog, RecipeRecord, derive_recipes
from planner.io.recipe_import import RecipeDraft, finalize
from planner.store.repository import Workspace


def save_recipe(ws: Workspace, draft: RecipeDraft, reviewed: pd.DataFrame,
                catalog: Catalog) -> tuple[RecipeRecord, pd.Series]:
    """Finalize ``draft`` with the ``reviewed`` ingredient lines, save it in ``ws``, and
    return it with its per-serving facts (nutrients, K2 coverage). Raises
    RecipeImportError or StoreError with a message for the dietitian."""
    recipe = finalize(draft, reviewed, catalog, {r.recipe_id for r in ws.recipes()})
    ws.save_recipe(recipe)
    return recipe, recipe_facts(recipe, catalog)


def recipe_facts(recipe: RecipeRecord, catalog: Catalog) -> pd.Series:
    """Per-serving nutrients and K2 coverage of ``recipe``, derived like the library's."""
    rows = pd.DataFrame([{"recipe_id": recipe.recipe_id, "food_id": f, "grams": g, "note": n}
                         for f, g, n in recipe.ingredients])
    meta = pd.DataFrame([{"recipe_id": recipe.recipe_id, "name": recipe.name,
                          "slots": "|".join(recipe.slots), "servings": recipe.servings}])
    return derive_recipes(meta, rows, catalog.foods).iloc[0]
