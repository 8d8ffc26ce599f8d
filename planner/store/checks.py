"""What the workspace accepts, checked before the database sees it: text limits,
profiles, rules and steady vitamin K. The Clients page and a client-record import
go through the same functions, so an imported record passes exactly what a typed
one must."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.domain.catalog import Slot
from planner.domain.goals import MAX_DAYS, PORTIONS, Bound, LifeStage, Sex
from planner.domain.workspace import ClientProfile, RuleKind, RuleRecord, StoreError

SEXES = tuple(Sex)
LIFE_STAGES = tuple(LifeStage)
RULE_ORIGINS = ("dietitian", "steady_k")
MAX_STEADY_K_UG = 2000.0

# Longest text per field (characters), checked before the database sees it.
TEXT_LIMITS = {"name": 200, "display name": 80, "notes": 5000, "note": 2000, "rule key": 80,
               "recipe id": 80, "recipe name": 200, "search": 200}


def check_text(field: str, value: str) -> None:
    """Raise StoreError when ``value`` is longer than ``TEXT_LIMITS[field]`` or holds a NUL
    (PostgreSQL refuses both with a database error)."""
    limit = TEXT_LIMITS[field]
    if len(value) > limit:
        raise StoreError(f"the {field} is {len(value)} characters; at most {limit} are kept")
    if "\x00" in value:
        raise StoreError(f"the {field} contains a NUL character")


def check_profile(profile: ClientProfile) -> None:
    """Raise StoreError naming the first field a person must fix."""
    check_text("name", profile.name)
    check_text("notes", profile.notes or "")
    if not profile.name.strip():
        raise StoreError("the client needs a name")
    if profile.sex not in SEXES:
        raise StoreError(f"sex must be one of {', '.join(SEXES)}")
    if profile.life_stage not in LIFE_STAGES:
        raise StoreError(f"life stage must be one of {', '.join(LIFE_STAGES)}")
    if not 1 <= profile.age <= 120:
        raise StoreError("age must be between 1 and 120 years")
    if profile.weight_kg is not None and not 2 <= profile.weight_kg <= 400:
        raise StoreError("weight must be between 2 and 400 kg")


def check_steady_k(baseline_ug: float | None) -> None:
    """Raise StoreError unless ``baseline_ug`` (µg/day) is off (None) or in (0, 2000]."""
    if baseline_ug is not None and not 0 < baseline_ug <= MAX_STEADY_K_UG:
        raise StoreError("the steady vitamin K baseline must be between 0 and "
                         f"{MAX_STEADY_K_UG:g} µg/day")


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class PinValue(_Value):
    day: int | None = Field(default=None, ge=0, le=MAX_DAYS)
    slot: Slot | None = None
    servings: float | None = Field(default=None, gt=0, le=max(PORTIONS))


VALUES = {RuleKind.TARGET: Bound, RuleKind.PIN_RECIPE: PinValue}  # a target is a goal bound


def checked_rule(rule: RuleRecord) -> RuleRecord:
    """``rule`` with its value in its kind's shape (finite, non-negative bounds, min ≤ max;
    a pin's day, slot and servings; nothing for a ban); StoreError naming what is wrong,
    also for a missing key or an unknown origin."""
    check_text("rule key", rule.key)
    if not rule.key.strip():
        raise StoreError("a rule needs the id of a recipe, food, supplement or nutrient")
    if rule.origin not in RULE_ORIGINS:
        raise StoreError(f"a rule is set by one of {', '.join(RULE_ORIGINS)}")
    try:
        value = VALUES.get(rule.kind, _Value).model_validate(rule.value)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "value"
        message = str(err["msg"]).removeprefix("Value error, ")
        raise StoreError(f"the {rule.kind.value} rule for {rule.key} has a bad {where}: "
                         f"{message}") from None
    if isinstance(value, Bound) and value.min is None and value.max is None:
        raise StoreError(f"the target for {rule.key} needs a minimum or a maximum")
    return RuleRecord(rule.kind, rule.key, value.model_dump(mode="json", exclude_unset=True),
                      rule.origin)
