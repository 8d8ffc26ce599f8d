"""The dietitian workspace's values: accounts, clients, their rules and plan versions (frozen
dataclasses the store hands out and takes), and the errors its operations raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from planner.domain.catalog import LifeStage, Sex


class StoreError(Exception):
    """A workspace operation that cannot be done; the message is for people."""


class NotFound(StoreError):
    """No such record for this dietitian (another dietitian's record looks the same)."""


class Conflict(StoreError):
    """Someone saved this record since it was read: reload and apply the change again."""


class AuthError(StoreError):
    """Unknown user or wrong password (never says which)."""


class RateLimited(AuthError):
    """Too many failed logins for this user: wait before trying again."""


class RuleKind(StrEnum):
    TARGET = "target"  # key: nutrient id, value: {"min": x|None, "max": y|None}
    PIN_RECIPE = "pin_recipe"  # key: recipe id, value: {"day": d|None, "slot": s|None}
    BAN_RECIPE = "ban_recipe"
    BAN_FOOD = "ban_food"
    BAN_SUPPLEMENT = "ban_supplement"


@dataclass(frozen=True)
class Account:
    id: int
    username: str


@dataclass(frozen=True)
class ClientProfile:
    """What a dietitian types about a client; ``weight_kg`` may be unknown."""

    name: str
    sex: str = Sex.FEMALE.value
    age: int = 40
    life_stage: str = LifeStage.GENERAL.value
    weight_kg: float | None = None
    notes: str = ""


@dataclass(frozen=True)
class ClientRecord:
    id: int
    profile: ClientProfile
    archived: bool
    steady_k: bool
    steady_k_baseline_ug: float | None
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RuleRecord:
    kind: RuleKind
    key: str
    value: dict[str, Any] = field(default_factory=dict)
    origin: str = "dietitian"


@dataclass(frozen=True)
class AuditRecord:
    actor: str
    at: datetime
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class PlanVersionRecord:
    """One immutable saved plan; ``goals_json`` and ``plan_json`` are JSON text."""

    number: int
    goals_json: str
    plan_json: str
    checksum: str
    author: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class SharedPlan:
    """What a share link shows a client: the newest plan version and the dietitian's
    display name (None when unset). The dietitian's login is deliberately not in it."""

    number: int
    plan_json: str
    note: str
    created_at: datetime
    display_name: str | None


@dataclass(frozen=True)
class ImportedVersion:
    """A plan version read from an exported client record (checked before it is kept)."""

    number: int
    goals_json: str
    plan_json: str
    note: str
