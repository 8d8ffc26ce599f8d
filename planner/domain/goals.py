"""What a person asks of a plan: profile, targets per nutrient, diet, exclusions, limits.

Every cross-field rule is a validator raising ValueError whose message names
the field, so the UI can show it beside the input and the CLI can print it.
Targets come from ``data/dri.csv`` (``default_request``); K2 has no official
intake, so its default comes from a named evidence preset (``k2_presets``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planner.domain import nutrients as nu
from planner.domain.catalog import (
    ALLERGENS,
    ANIMAL_DIET,
    Catalog,
    Diet,
    LifeStage,
    Sex,
    Slot,
)

PORTIONS: tuple[float, ...] = (1.0, 1.5, 2.0)
MAX_SUPPLEMENT_UNITS = 2  # per day and product
STEADY_K_FOODS = ("natto",)  # food ids containing these are banned under steady vitamin K
MAX_DAYS = 28
WEEK_DAYS = 7  # a week block: weekly targets and the variety limit count over 7 days
MAX_REPEATS = 7  # the largest variety limit: a recipe at most this often in 7 days


# Energy band and protein floor per sex: typical adult needs (kcal, g), not from dri.csv.
ENERGY_BAND = {Sex.FEMALE: (1800.0, 2400.0), Sex.MALE: (2200.0, 2900.0)}
PROTEIN_FLOOR = {Sex.FEMALE: 50.0, Sex.MALE: 60.0}


class Window(StrEnum):
    """Averaging window of a target's minimum; a maximum is always checked every day."""

    DAY = "day"
    WEEK = "week"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Profile(_Frozen):
    sex: Sex
    age: int = Field(ge=1, le=120)
    life_stage: LifeStage = LifeStage.GENERAL

    @model_validator(mode="after")
    def _stage_fits_sex(self) -> Profile:
        if self.life_stage != LifeStage.GENERAL and self.sex != Sex.FEMALE:
            raise ValueError(f"life_stage: {self.life_stage} applies to a female profile")
        return self


class Bound(_Frozen):
    """A target: ``min`` averaged over ``window`` (day or 7-day block), ``max`` per day."""

    min: float | None = None
    max: float | None = None
    window: Window = Window.DAY

    @model_validator(mode="after")
    def _ordered(self) -> Bound:
        for name in ("min", "max"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name}: a target cannot be negative (got {value:g})")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"max: the maximum ({self.max:g}) is below the minimum "
                             f"({self.min:g})")
        return self


class Lock(_Frozen):
    """A fixed recipe (and servings) on ``day`` (1-based) in ``slot``."""

    day: int = Field(ge=1, le=MAX_DAYS)
    slot: Slot
    recipe_id: str
    servings: float = 1.0

    @field_validator("servings")
    @classmethod
    def _portion(cls, value: float) -> float:
        if value not in PORTIONS:
            raise ValueError(f"servings: must be one of {', '.join(f'{p:g}' for p in PORTIONS)}")
        return value


class SteadyK(_Frozen):
    """Steady vitamin K (warfarin): every day's K1 + K2 within ``value_ug`` × (1 ± ``band``)."""

    value_ug: float = Field(gt=0)
    band: float = Field(default=0.2, gt=0, lt=1)


class PlanRequest(_Frozen):
    """Everything the optimizer needs besides the catalog."""

    profile: Profile
    days: int = Field(default=7, ge=1, le=MAX_DAYS)
    slots: tuple[Slot, ...] = tuple(Slot)
    targets: dict[str, Bound] = Field(default_factory=dict)
    diet: Diet = Diet.OMNIVORE
    exclude_allergens: tuple[str, ...] = ()
    exclude_foods: tuple[str, ...] = ()
    exclude_recipes: tuple[str, ...] = ()
    favourite_recipes: tuple[str, ...] = ()
    supplements: bool = False
    budget_eur: float | None = Field(default=None, gt=0)
    max_repeats: int = Field(default=2, ge=1, le=MAX_REPEATS)
    k2_daily_share: float = Field(default=50.0, ge=0, le=100)  # % of a weekly K2 minimum, daily
    locks: tuple[Lock, ...] = ()
    steady_k: SteadyK | None = None
    previous: tuple[Lock, ...] = ()
    time_limit_s: float = Field(default=2.0, gt=0)
    gap_rel: float = Field(default=0.02, ge=0, lt=1)
    solver: Literal["highs", "cbc"] = "highs"

    @field_validator("slots")
    @classmethod
    def _some_slots(cls, value: tuple[Slot, ...]) -> tuple[Slot, ...]:
        if not value:
            raise ValueError("slots: choose at least one meal slot")
        if len(set(value)) != len(value):
            raise ValueError("slots: a slot is listed twice")
        return tuple(s for s in Slot if s in value)

    @field_validator("targets")
    @classmethod
    def _known_nutrients(cls, value: dict[str, Bound]) -> dict[str, Bound]:
        unknown = sorted(set(value) - set(nu.ALL_IDS))
        if unknown:
            raise ValueError(f"targets: unknown nutrient id {', '.join(unknown)}")
        return value

    @field_validator("exclude_allergens")
    @classmethod
    def _known_allergens(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(ALLERGENS))
        if unknown:
            raise ValueError(f"exclude_allergens: unknown allergen {', '.join(unknown)} "
                             f"(known: {', '.join(ALLERGENS)})")
        return value

    @field_validator("previous", mode="before")
    @classmethod
    def _previous_meals(cls, value: Any) -> Any:
        """Accept a previous ``Plan`` (anything with ``meals``) and keep its meals."""
        if value is None:
            return ()
        meals = getattr(value, "meals", value)
        return tuple(m if isinstance(m, (Lock, dict)) else
                     Lock(day=m.day, slot=m.slot, recipe_id=m.recipe_id, servings=m.servings)
                     for m in meals)

    @model_validator(mode="after")
    def _locks_fit(self) -> PlanRequest:
        seen = set()
        for lock in self.locks:
            where = f"day {lock.day} {lock.slot}"
            if lock.day > self.days:
                raise ValueError(f"locks: {where} is after the last day ({self.days})")
            if lock.slot not in self.slots:
                raise ValueError(f"locks: {where} is not one of the planned slots")
            if (lock.day, lock.slot) in seen:
                raise ValueError(f"locks: {where} is locked twice")
            if lock.recipe_id in self.exclude_recipes:
                raise ValueError(f"locks: {lock.recipe_id} is locked but also excluded")
            seen.add((lock.day, lock.slot))
        return self

    def daily_floor(self, nutrient: str) -> float | None:
        """The least intake of ``nutrient`` on every day: a daily target's minimum; for a
        weekly K2 target, ``k2_daily_share`` % of it (K2 spread over the week); else None."""
        bound = self.targets.get(nutrient)
        if bound is None or bound.min is None or bound.min <= 0:
            return None
        if bound.window == Window.DAY:
            return bound.min
        if nutrient == nu.K2 and self.k2_daily_share > 0:
            return bound.min * self.k2_daily_share / 100
        return None


def check_against_catalog(request: PlanRequest, catalog: Catalog) -> None:
    """Raise ValueError naming the field when the request refers to ids the catalog lacks."""
    recipes = catalog.recipes
    for field in ("exclude_recipes", "favourite_recipes"):
        unknown = sorted(set(getattr(request, field)) - set(recipes.index))
        if unknown:
            raise ValueError(f"{field}: unknown recipe id {', '.join(unknown)}")
    unknown = sorted(set(request.exclude_foods) - set(catalog.foods.index))
    if unknown:
        raise ValueError(f"exclude_foods: unknown food id {', '.join(unknown)}")
    for lock in request.locks:
        if lock.recipe_id not in recipes.index:
            raise ValueError(f"locks: unknown recipe id {lock.recipe_id}")
        if lock.slot not in recipes.at[lock.recipe_id, "slots"]:
            raise ValueError(f"locks: {lock.recipe_id} is not a {lock.slot} recipe")


@dataclass(frozen=True)
class K2Preset:
    """A K2 intake from the evidence, with its citation: evidence, not a recommendation."""

    preset_id: str
    label: str
    k2_ug_per_day: float
    kind: str
    citation: str
    note: str


def k2_presets(catalog: Catalog) -> list[K2Preset]:
    """The K2 evidence presets of ``data/k2_presets.csv``, each with its full citation."""
    cites = catalog.sources["citation"]
    return [K2Preset(pid, row["label"], float(row["k2_ug_per_day"]), row["kind"],
                     str(cites.get(row["source"], row["source"])),
                     "" if pd.isna(row["note"]) else str(row["note"]))
            for pid, row in catalog.k2_presets.iterrows()]


def default_k2(catalog: Catalog) -> float | None:
    """The default K2 minimum (µg/day): the largest observational intake among the presets."""
    observed = [p.k2_ug_per_day for p in k2_presets(catalog) if p.kind == "observational"]
    return max(observed, default=None)


def dri_targets(catalog: Catalog, profile: Profile) -> dict[str, Bound]:
    """Targets from ``catalog.dri`` for ``profile``: RDA/AI as minimum, UL as daily maximum.

    A life-stage row wins over the general row; a sex-specific row over ``any``.
    D3 and vitamin K minimums are weekly (fat-soluble, stored); calcium is daily.
    """
    dri = catalog.dri
    fits = ((dri["sex"].isin([profile.sex, "any"]))
            & (dri["age_min"].fillna(0) <= profile.age)
            & (dri["age_max"].fillna(200) >= profile.age)
            & (dri["life_stage"].isin([profile.life_stage, "general"])))
    rows = dri[fits].assign(
        rank=lambda f: (f["life_stage"] == profile.life_stage).astype(int) * 2
        + (f["sex"] == profile.sex).astype(int))
    targets: dict[str, Bound] = {}
    for nutrient, group in rows.groupby("nutrient"):
        best = group.sort_values("rank", ascending=False)
        low = best[best["kind"].isin(["RDA", "AI"])]["value"]
        high = best[best["kind"] == "UL"]["value"]
        window = Window.DAY if nutrient == nu.CALCIUM else Window.WEEK
        targets[str(nutrient)] = Bound(min=float(low.iloc[0]) if len(low) else None,
                                       max=float(high.iloc[0]) if len(high) else None,
                                       window=window)
    return targets


def default_targets(catalog: Catalog, profile: Profile) -> dict[str, Bound]:
    """DRI targets plus the energy band, protein floor and default K2 preset (weekly)."""
    low, high = ENERGY_BAND[profile.sex]
    targets = {nu.ENERGY: Bound(min=low, max=high),
               nu.PROTEIN: Bound(min=PROTEIN_FLOOR[profile.sex])}
    k2 = default_k2(catalog)
    if k2 is not None:
        targets[nu.K2] = Bound(min=k2, window=Window.WEEK)
    targets.update(dri_targets(catalog, profile))
    return targets


def default_request(catalog: Catalog, profile: Profile,
                    reference: dict[str, Bound] | None = None, **overrides: Any) -> PlanRequest:
    """A request with default targets for ``profile`` (``reference`` when the caller has
    them already); ``overrides`` set any other field.

    ``targets`` in ``overrides`` replace the defaults nutrient by nutrient.
    Raises ValueError (pydantic's ValidationError) naming the field at fault.
    """
    if reference is None:
        reference = default_targets(catalog, profile)
    targets = reference | dict(overrides.pop("targets", None) or {})
    request = PlanRequest(profile=profile, targets=targets, **overrides)
    check_against_catalog(request, catalog)
    return request


def steady_k_banned_foods(catalog: Catalog) -> set[str]:
    """Foods left out under steady vitamin K (warfarin): natto, whose K2 swings a day's K."""
    return {f for f in catalog.foods.index if any(k in f for k in STEADY_K_FOODS)}


def steady_k_banned_supplements(catalog: Catalog) -> set[str]:
    """Supplements left out under steady vitamin K: every one carrying K2."""
    supplements = catalog.supplements
    return set(supplements.index[supplements[nu.K2].fillna(0) > 0])


def eligible_recipe_ids(catalog: Catalog, diet: Diet | str, allergens: Iterable[str] = (),
                        exclude_foods: Iterable[str] = (), exclude_recipes: Iterable[str] = (),
                        steady_k: bool = False) -> pd.Index:
    """The one eligibility filter: recipes of ``diet`` without the allergens, foods or
    recipe ids excluded (and natto under steady vitamin K)."""
    recipes = catalog.recipes
    banned_foods = set(exclude_foods) | (steady_k_banned_foods(catalog) if steady_k else set())
    banned = set(exclude_recipes) | catalog.recipes_with_food(banned_foods)
    avoid = frozenset(allergens)
    keep = (recipes["diet"].map(Diet(diet).allows)
            & recipes["allergens"].map(lambda a: not (a & avoid))
            & ~recipes.index.isin(banned))
    return recipes.index[keep]


def eligible_foods(catalog: Catalog, request: PlanRequest) -> pd.DataFrame:
    """Foods the request allows on their own: of its diet, without the excluded allergens
    or foods (and natto under steady vitamin K)."""
    foods = catalog.foods
    avoid = set(request.exclude_allergens)
    banned = set(request.exclude_foods) | (
        steady_k_banned_foods(catalog) if request.steady_k is not None else set())
    keep = (foods["animal"].map(lambda a: Diet(request.diet).allows(ANIMAL_DIET[a]))
            & foods["allergens"].fillna("").map(lambda a: not (set(a.split("|")) & avoid))
            & ~foods.index.isin(banned))
    return foods[keep]


def eligible(request: PlanRequest, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recipes and supplements the request allows (exclusions as pre-filtering).

    Recipes pass ``eligible_recipe_ids``, and every locked recipe is kept;
    supplements only when allowed (none with K2 under steady vitamin K).
    Unknown amounts become 0.
    """
    recipes = catalog.recipes
    steady = request.steady_k is not None
    keep = recipes.index.isin(eligible_recipe_ids(
        catalog, request.diet, request.exclude_allergens, request.exclude_foods,
        request.exclude_recipes, steady))
    keep |= recipes.index.isin([lock.recipe_id for lock in request.locks])
    ids = list(nu.ALL_IDS)
    chosen = recipes[keep].copy()
    chosen[ids] = chosen[ids].fillna(0.0)
    supplements = catalog.supplements.iloc[0:0] if not request.supplements else (
        catalog.supplements.copy())
    supplements[ids] = supplements[ids].fillna(0.0)
    if steady:
        supplements = supplements.drop(index=steady_k_banned_supplements(catalog) & set(
            supplements.index))
    return chosen, supplements
