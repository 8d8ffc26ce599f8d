"""The one adapter from flat goal parameters to a ``PlanRequest``, and the one error mapper.

A link's query, the command line's flags and a stored client's rules are all flat
``name → value`` parameters named as in ``PARAMS``. ``to_request`` turns them into a
``PlanRequest``: what is not given keeps its default (targets from the reference
intakes for the profile). Every problem comes back as one ``RequestError`` whose
``errors`` map a parameter name to a message, so each caller shows it where that
parameter is entered (a widget, a flag, a rule). Adding a goal is a field in
``planner.domain.goals``, a row in ``PARAMS`` and a widget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from planner.domain import nutrients as nu
from planner.domain.catalog import ALLERGENS, Catalog, Diet, Slot
from planner.domain.goals import (
    MAX_DAYS,
    MAX_REPEATS,
    Bound,
    LifeStage,
    Lock,
    PlanRequest,
    Profile,
    Sex,
    SteadyK,
    Window,
    default_request,
    default_targets,
)


class Kind(StrEnum):
    """How a parameter's value is written: in a link, on the command line, in a form."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    OPTIONAL_NUMBER = "optional number"  # None = no limit
    FLAG = "flag"
    LIST = "list"
    LOCKS = "locks"  # Lock values; "day:slot:recipe_id:servings" as text


@dataclass(frozen=True)
class Param:
    """A goal parameter: its default, kind, allowed values and range, and the dotted
    ``PlanRequest`` field it fills (``targets.<nutrient>.<part>`` for a target)."""

    default: Any
    kind: Kind
    field: str
    choices: tuple[str, ...] = ()  # allowed values (of each item, for a list); () = any
    low: float | None = None
    high: float | None = None


# parameter prefix → nutrient, for the target parameters ``<prefix>_min``/``_max``/``_window``
# of the goals form; any other nutrient's prefix is its id (``sodium_mg_max``)
TARGETS = {"k2": nu.K2, "d3": nu.D3, "calcium": nu.CALCIUM, "kcal": nu.ENERGY,
           "protein": nu.PROTEIN}
_PREFIX = {nutrient: prefix for prefix, nutrient in TARGETS.items()}
TARGET_PARTS = ("min", "max", "window")
WINDOWS = tuple(w.value for w in Window)


def target_param(nutrient: str, part: str) -> str:
    """The parameter of one part (min, max, window) of a nutrient's target."""
    return f"{_PREFIX.get(nutrient, nutrient)}_{part}"


def _target(prefix: str, part: str, default: Any) -> Param:
    field = f"targets.{TARGETS[prefix]}.{part}"
    if part == "window":
        return Param(default, Kind.TEXT, field, WINDOWS)
    return Param(default, Kind.OPTIONAL_NUMBER, field, low=0)


# Target defaults are the adult-woman reference values; a caller with a profile re-fills
# them from ``reference_targets``.
PARAMS: dict[str, Param] = {
    "sex": Param(Sex.FEMALE.value, Kind.TEXT, "profile.sex", tuple(s.value for s in Sex)),
    "age": Param(40, Kind.INT, "profile.age", low=1, high=120),
    "life_stage": Param(LifeStage.GENERAL.value, Kind.TEXT, "profile.life_stage",
                        tuple(s.value for s in LifeStage)),
    "k2_min": _target("k2", "min", 90.0),
    "k2_window": _target("k2", "window", "week"),
    "d3_min": _target("d3", "min", 15.0),
    "d3_max": _target("d3", "max", 100.0),
    "d3_window": _target("d3", "window", "week"),
    "calcium_min": _target("calcium", "min", 1000.0),
    "calcium_max": _target("calcium", "max", 2500.0),
    "kcal_min": _target("kcal", "min", 1800.0),
    "kcal_max": _target("kcal", "max", 2400.0),
    "protein_min": _target("protein", "min", 50.0),
    "diet": Param(Diet.OMNIVORE.value, Kind.TEXT, "diet", tuple(d.value for d in Diet)),
    "allergens": Param([], Kind.LIST, "exclude_allergens", ALLERGENS),
    "exclude_foods": Param([], Kind.LIST, "exclude_foods"),
    "exclude_recipes": Param([], Kind.LIST, "exclude_recipes"),
    "days": Param(7, Kind.INT, "days", low=1, high=MAX_DAYS),
    "slots": Param([s.value for s in Slot], Kind.LIST, "slots", tuple(s.value for s in Slot)),
    "supplements": Param(False, Kind.FLAG, "supplements"),
    "steady_k": Param(False, Kind.FLAG, "steady_k"),
    "steady_k_ug": Param(120.0, Kind.NUMBER, "steady_k.value_ug", low=1),
    "steady_k_band": Param(20.0, Kind.NUMBER, "steady_k.band", low=1, high=99),  # ± percent
    "budget": Param(None, Kind.OPTIONAL_NUMBER, "budget_eur", low=0),
    "max_repeats": Param(2, Kind.INT, "max_repeats", low=1, high=MAX_REPEATS),
    "k2_daily_share": Param(50.0, Kind.NUMBER, "k2_daily_share", low=0, high=100),
    "locks": Param([], Kind.LOCKS, "locks"),
}
_BY_FIELD = {param.field: name for name, param in PARAMS.items()}
_BUILT = ("steady_k", "locks")  # parameters turned into request values by ``to_request``


class RequestError(ValueError):
    """Goal parameters that make no valid request: ``errors`` maps a parameter name (a
    request field for ``fields`` given as they are; "" when none fits) to a message a
    person can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def to_request(params: Mapping[str, Any], catalog: Catalog, **fields: Any) -> PlanRequest:
    """The ``PlanRequest`` for ``params`` (missing ones keep their defaults; a target part
    not given keeps the reference value); ``fields`` set other request fields as they are
    (``previous``, ``favourite_recipes``, ``time_limit_s``…). Raises RequestError."""
    def get(name: str) -> Any:
        return params.get(name, PARAMS[name].default)

    try:
        profile = Profile(sex=get("sex"), age=get("age"), life_stage=get("life_stage"))
        steady_k = (SteadyK(value_ug=get("steady_k_ug"), band=get("steady_k_band") / 100)
                    if get("steady_k") else None)
        plain = {param.field: get(name) for name, param in PARAMS.items()
                 if param.field in PlanRequest.model_fields and name not in _BUILT}
        reference = default_targets(catalog, profile)
        return default_request(
            catalog, profile, reference, targets=_targets(params, reference), steady_k=steady_k,
            locks=[to_lock(x) for x in get("locks")], **plain, **fields)
    except RequestError:
        raise
    except ValidationError as exc:
        raise RequestError(field_errors(exc, _context(exc))) from None
    except (ValueError, TypeError) as exc:
        raise RequestError(field_errors(exc)) from None


def _context(exc: ValidationError) -> str:
    """The request field a model's errors are about, when the model is a part of it."""
    return {"Profile": "profile", "SteadyK": "steady_k"}.get(exc.title, "")


def _targets(params: Mapping[str, Any], reference: dict[str, Bound]) -> dict[str, Bound]:
    """A bound per nutrient with a target parameter given: the given parts over the
    reference bound (both limits blank = no bound)."""
    targets = {}
    for nutrient in nu.ALL_IDS:
        given = {part: params[target_param(nutrient, part)] for part in TARGET_PARTS
                 if target_param(nutrient, part) in params}
        if not given:
            continue
        base = reference.get(nutrient, Bound())
        try:
            targets[nutrient] = Bound.model_validate(base.model_dump() | given)
        except ValidationError as exc:
            raise RequestError(field_errors(exc, f"targets.{nutrient}")) from None
    return targets


def to_lock(value: Lock | str) -> Lock:
    """A lock from a ``Lock`` or ``day:slot:recipe_id[:servings]`` text; ValueError naming
    the ``locks`` field otherwise."""
    if isinstance(value, Lock):
        return value
    parts = str(value).split(":")
    if len(parts) not in (3, 4) or not parts[0].isdigit():
        raise ValueError(f"locks: expected day:slot:recipe_id[:servings], got {value!r}")
    try:
        return Lock(day=int(parts[0]), slot=parts[1], recipe_id=parts[2],
                    servings=float(parts[3]) if len(parts) == 4 else 1.0)
    except ValidationError as exc:
        raise ValueError(f"locks: {value}: {_message(exc.errors()[0])}") from None
    except ValueError:
        raise ValueError(f"locks: {value!r} has a servings figure that is not a number") from None


def lock_text(lock: Lock) -> str:
    """A lock as ``day:slot:recipe_id:servings`` text (the link's and the flag's form)."""
    return f"{lock.day}:{lock.slot}:{lock.recipe_id}:{lock.servings:g}"


def field_errors(exc: Exception, context: str = "") -> dict[str, str]:
    """The one error mapper: parameter name → message, from pydantic's ValidationError or
    a ValueError whose message starts with the field at fault (``max: …``)."""
    details = (exc.errors() if isinstance(exc, ValidationError)
               else [{"loc": (), "msg": str(exc)}])
    found: dict[str, str] = {}
    for err in details:
        message = _message(err)
        named, _, _ = message.partition(": ")
        loc = context.split(".") if context else []
        loc += [str(part) for part in err.get("loc", ())]
        if named.isidentifier() and (not loc or loc[-1] != named):
            loc.append(named)
        found.setdefault(_param_for(loc), message)
    return found


def _message(err: Mapping[str, Any]) -> str:
    return str(err.get("msg", "")).removeprefix("Value error, ")


def _param_for(loc: list[str]) -> str:
    """The parameter for a request location: the longest dotted prefix that has one;
    a target part without a parameter of its own goes to that target's minimum."""
    for end in range(len(loc), 0, -1):
        name = _BY_FIELD.get(".".join(loc[:end]))
        if name is not None:
            return name
    if len(loc) > 1 and loc[0] == "targets":
        part = loc[2] if len(loc) > 2 and loc[2] in TARGET_PARTS else "min"
        return target_param(loc[1], part)
    return loc[0] if loc else ""  # a request field no parameter sets (``fields``)


def param_for_field(field: str) -> str | None:
    """The parameter that sets a ``PlanRequest`` field (a one-click fix names fields)."""
    return _BY_FIELD.get(field)
