"""The shape of a plan JSON document from outside (an upload, a cache file), checked first.

Pydantic refuses what ``Plan.from_json`` would choke on or trust blindly: non-finite
numbers, wrong types, impossible days, slots, servings and units, and oversize lists;
``unknown_ids`` then names recipes, supplements and nutrients the catalog lacks.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog, Slot
from planner.domain.goals import MAX_DAYS, MAX_SUPPLEMENT_UNITS
from planner.domain.plan import COST, STATUSES

MAX_BYTES = 1024 * 1024  # a 28-day plan is about 40 KiB
MAX_TEXT = 200
Id = str  # checked against the catalog by ``unknown_ids``


class _Strict(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, extra="ignore")


class MealDoc(_Strict):
    slot: Slot
    recipe_id: Id = Field(max_length=80)
    name: str = Field(default="", max_length=MAX_TEXT)
    servings: float = Field(gt=0, le=10)
    locked: bool = False


class DoseDoc(_Strict):
    supplement_id: Id = Field(max_length=80)
    units: int = Field(ge=1, le=MAX_SUPPLEMENT_UNITS)


class DayDoc(_Strict):
    day: int = Field(ge=1, le=MAX_DAYS)
    meals: list[MealDoc] = Field(max_length=len(Slot))
    supplements: list[DoseDoc] = Field(default_factory=list, max_length=50)
    totals: dict[str, float] = Field(default_factory=dict, max_length=len(nu.ALL_IDS) + 1)


class BoundDoc(_Strict):
    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)
    window: str = Field(default="day", pattern="^(day|week)$")


class PlanDocument(_Strict):
    """A plan as ``Plan.to_json`` writes it; only what is re-checked afterwards is read."""

    status: str = Field(pattern="^(" + "|".join(STATUSES) + ")$")
    days: list[DayDoc] = Field(max_length=MAX_DAYS)
    targets: dict[str, BoundDoc] = Field(max_length=len(nu.ALL_IDS))
    cost_eur: float


def unknown_ids(doc: PlanDocument, catalog: Catalog | None) -> list[str]:
    """What the document names that this catalog (or the nutrient registry) lacks."""
    problems = []
    nutrients = {n for d in doc.days for n in d.totals} | set(doc.targets)
    bad = sorted(n for n in nutrients if n != COST and n not in nu.ALL_IDS)
    if bad:
        problems.append("nutrients this planner does not know: " + ", ".join(bad))
    if catalog is None:
        return problems
    recipes = sorted({m.recipe_id for d in doc.days for m in d.meals}
                     - set(catalog.recipes.index))
    if recipes:
        problems.append("recipes this recipe library does not have: " + ", ".join(recipes))
    pills = sorted({s.supplement_id for d in doc.days for s in d.supplements}
                   - set(catalog.supplements.index))
    if pills:
        problems.append("supplements this library does not have: " + ", ".join(pills))
    return problems


def first_problem(errors: list[dict[str, Any]]) -> str:
    """A pydantic error list as one short sentence naming where the first problem is."""
    err = errors[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "the document"
    return f"{where}: {err.get('msg', 'not valid')}"
