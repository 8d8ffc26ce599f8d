"""Session state for every page: one setup call, one defaults table, goals ⇄ URL.

Every page starts with ``setup()`` (safe to call twice) and ends with
``save()``. Widget keys are the parameter names in ``GOALS``, so a widget, its
session-state value and its query-string parameter share one name. The plan is
private to its browser session: it is kept in the session and in a file under a
random session token (the ``session`` URL parameter), so a refresh finds it again
and no other visitor can. Every plan put on screen is first re-checked against the
goals and the data (``planner.analysis.plan_check``), and it is shown only while the goals
on screen are the ones it was made for.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import streamlit as st

from planner import DATA_DIR
from planner.analysis import alternatives, plan_check
from planner.domain import goals as goals_mod
from planner.domain import nutrients as nu
from planner.domain.catalog import ALLERGENS, Catalog, Diet, Slot, load_catalog
from planner.domain.plan import Plan
from planner.io import export, plan_cache

ALL_SLOTS = [s.value for s in Slot]
WINDOWS = ("day", "week")


@dataclass(frozen=True)
class Param:
    """A goal parameter: its default and how it is written in the URL."""

    default: Any
    kind: str  # "str" | "int" | "float" | "opt_float" | "bool" | "list"
    choices: tuple[str, ...] = ()  # allowed values (of each item, for a list); () = any
    low: float | None = None  # smallest allowed number (the widget's minimum)
    high: float | None = None  # largest allowed number (the widget's maximum)


# The one defaults table. Targets are re-filled from the reference intakes when
# the profile changes (see ``fill_targets``); these are the values before that.
GOALS: dict[str, Param] = {
    "sex": Param("female", "str", ("female", "male")),
    "age": Param(40, "int", low=1, high=120),
    "life_stage": Param("general", "str", ("general", "pregnancy", "lactation")),
    "k2_preset": Param("", "str"),
    "k2_min": Param(90.0, "opt_float", low=0),
    "k2_window": Param("week", "str", WINDOWS),
    "d3_min": Param(15.0, "opt_float", low=0),
    "d3_max": Param(100.0, "opt_float", low=0),
    "d3_window": Param("week", "str", WINDOWS),
    "calcium_min": Param(1000.0, "opt_float", low=0),
    "calcium_max": Param(2500.0, "opt_float", low=0),
    "kcal_min": Param(1800.0, "opt_float", low=0),
    "kcal_max": Param(2400.0, "opt_float", low=0),
    "protein_min": Param(50.0, "opt_float", low=0),
    "diet": Param("omnivore", "str", tuple(d.value for d in Diet)),
    "allergens": Param([], "list", ALLERGENS),
    "exclude_foods": Param([], "list"),
    "exclude_recipes": Param([], "list"),
    "days": Param(7, "int", low=1, high=goals_mod.MAX_DAYS),
    "slots": Param(ALL_SLOTS, "list", tuple(ALL_SLOTS)),
    "supplements": Param(False, "bool"),
    "steady_k": Param(False, "bool"),
    "steady_k_ug": Param(120.0, "float", low=1),
    "steady_k_band": Param(20.0, "float", low=1, high=99),
    "budget": Param(None, "opt_float", low=0),
    "max_repeats": Param(2, "int", low=1, high=14),
    "locks": Param([], "list"),  # "day:slot:recipe_id:servings"
}
PLAN = "plan"
SESSION = "session"  # URL parameter: this browser session's random token
# Goal parameters that do not change what a plan is checked against (locks are checked
# as rules of the plan; the preset only names the K2 minimum).
NOT_PLAN_GOALS = ("locks", "k2_preset")
_PLAN_GOALS = "_plan_goals"
_SAVED_KEY = "_plan_saved"
_URL_ERRORS = "_url_errors"
_PENDING_REPLAN = "_pending_replan"
_TICKS = "_shopping_ticks"  # (fingerprint of the plan, food ids ticked off its shopping list)


def encode(value: Any, kind: str) -> str:
    """One parameter value as query-string text."""
    if kind == "list":
        return ",".join(value)
    if kind == "bool":
        return "1" if value else "0"
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def decode(text: str, kind: str) -> Any:
    """Query-string text back to a value; ValueError when it does not parse."""
    if kind == "list":
        return [part for part in text.split(",") if part]
    if kind == "bool":
        if text not in {"0", "1"}:
            raise ValueError(f"expected 0 or 1, got {text!r}")
        return text == "1"
    if kind == "int":
        return int(text)
    if kind in {"float", "opt_float"}:
        if kind == "opt_float" and text == "":
            return None
        return float(text)
    return text


def goals() -> dict[str, Any]:
    """The current goal parameters from session state."""
    return {name: st.session_state[name] for name in GOALS}


def catalog_dir() -> Path:
    """The data folder the app reads (``PLANNER_CATALOG_DIR``, default the bundled ``data/``)."""
    return Path(os.environ.get("PLANNER_CATALOG_DIR", DATA_DIR))


@st.cache_resource(show_spinner="Loading the recipe library…")
def _load(path: str) -> Catalog:
    return load_catalog(path)


def catalog() -> Catalog:
    """The validated catalog, loaded once per process."""
    return _load(str(catalog_dir()))


def setup() -> None:
    """Put every goal in session state: from the URL on a session's first run, else kept.

    Re-assigning each key keeps widget values alive while the user is on
    another page (Streamlit drops the state of widgets it did not draw). The
    K2 preset is then matched to the K2 minimum, whatever set it.
    """
    first = "_initialised" not in st.session_state
    for name, param in GOALS.items():
        if name in st.session_state:
            st.session_state[name] = st.session_state[name]
        else:
            st.session_state[name] = _copy(param.default)
    if first:
        st.session_state["_initialised"] = True
        fill_targets(catalog())
        st.session_state[_URL_ERRORS] = _read_url()
        token = st.query_params.get(SESSION, "")
        st.session_state[SESSION] = token if plan_cache.is_token(token) else (
            plan_cache.new_token())
        restore_plan()
    match_k2_preset(goals_mod.k2_presets(catalog()))


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _read_url() -> list[str]:
    """Read each goal in the link; every value not used is named with what is used instead."""
    errors = []
    for name, param in GOALS.items():
        if name not in st.query_params:
            continue
        text = st.query_params[name]
        param = replace(param, choices=_choices(name, param))
        try:
            value = decode(text, param.kind)
            problem = _url_problem(value, param)
        except ValueError as exc:
            problem = f"was not understood ({exc})"
        if problem is None:
            st.session_state[name] = value
            continue
        if param.kind == "list" and param.choices:  # keep the items that are known
            st.session_state[name] = [v for v in value if v in param.choices] or _copy(
                st.session_state[name])
        used = encode(st.session_state[name], param.kind) or "no limit"
        errors.append(f"The link's value for “{name}” ({text}) {problem}; "
                      f"{used} is used instead.")
    return errors


def _choices(name: str, param: Param) -> tuple[str, ...]:
    """The allowed values of a goal: its own, or the catalog's ids for food and recipe lists."""
    ids = {"exclude_foods": catalog().foods.index, "exclude_recipes": catalog().recipes.index}
    return tuple(ids[name]) if name in ids else param.choices


def _url_problem(value: Any, param: Param) -> str | None:
    """Why a decoded link value cannot be used as is; None when it can."""
    if param.kind == "list":
        unknown = [v for v in value if param.choices and v not in param.choices]
        expected = f"; expected {', '.join(param.choices)}" if len(param.choices) < 9 else ""
        return f"has unknown items ({', '.join(unknown)}{expected})" if unknown else None
    if param.choices and value not in param.choices:
        return f"is not one of {', '.join(param.choices)}"
    if param.kind in {"int", "float", "opt_float"} and value is not None:
        if not math.isfinite(value):
            return "is not a finite number"
        if (param.low is not None and value < param.low) or (
                param.high is not None and value > param.high):
            bounds = f"at least {param.low:g}" if param.high is None else (
                f"from {param.low:g} to {param.high:g}")
            return f"is out of range ({bounds})"
    return None


def url_errors() -> list[str]:
    """Problems found reading the goals from the link this session was opened with."""
    return st.session_state.get(_URL_ERRORS, [])


def plan() -> Plan | None:
    """The plan on screen: the last plan, when it was made for the goals on screen."""
    return None if changed_goals() else last_plan()


def last_plan() -> Plan | None:
    """The last plan made, uploaded or restored in this session, whatever the goals now."""
    return st.session_state.get(PLAN)


def changed_goals() -> list[str]:
    """Goal parameters that differ from those the last plan was made for."""
    made_for = st.session_state.get(_PLAN_GOALS) or {}
    return [name for name, value in _plan_goals().items() if made_for.get(name) != value]


def _plan_goals() -> dict[str, Any]:
    return {name: _copy(st.session_state[name]) for name in GOALS if name not in NOT_PLAN_GOALS}


def set_plan(new: Plan) -> None:
    """Put ``new`` on screen, re-checked against the current goals and the data.

    Raises ValueError when the goals on screen are not valid (there is nothing to
    check the plan against).
    """
    cat = catalog()
    request, errors = build_request(cat)
    if request is None:
        raise ValueError("the goals have a problem: " + "; ".join(errors.values()))
    st.session_state[PLAN] = plan_check.recheck(new, request, cat)
    st.session_state[_PLAN_GOALS] = _plan_goals()


def restore_plan() -> None:
    """Bring back this session's saved plan, read like an upload and re-checked.

    Kept only when it still reads; shown only when made for the goals in the URL.
    """
    text = plan_cache.load(st.session_state[SESSION])
    if text is None:
        return
    try:
        saved = json.loads(text)
        restored = export.plan_from_json_bytes(saved["plan"].encode("utf-8"), catalog())
        made_for = {name: saved["goals"][name] for name in _plan_goals()}
        set_plan(restored)
    except (ValueError, KeyError, TypeError, AttributeError):
        return  # an unreadable or outdated file is as good as none
    st.session_state[_PLAN_GOALS] = made_for
    st.session_state[_SAVED_KEY] = _fingerprint(st.session_state[PLAN])


def save() -> None:
    """Write the goals and the session token to the URL, and the plan (when it changed)
    with the goals it was made for to this session's file."""
    wanted = {name: encode(st.session_state[name], p.kind) for name, p in GOALS.items()}
    wanted[SESSION] = st.session_state[SESSION]
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    current = last_plan()
    if current is None:
        return
    fingerprint = _fingerprint(current)
    if st.session_state.get(_SAVED_KEY) != fingerprint:
        document = {"goals": st.session_state[_PLAN_GOALS], "plan": current.to_json()}
        plan_cache.save(st.session_state[SESSION], json.dumps(document, ensure_ascii=False))
        st.session_state[_SAVED_KEY] = fingerprint


def locks() -> list[str]:
    """The locked meals as ``day:slot:recipe_id:servings`` strings."""
    return st.session_state["locks"]


def meal_id(meal) -> str:
    """A meal's place in the plan, ``day:slot``."""
    return f"{meal.day}:{meal.slot}"


def is_locked(meal) -> bool:
    """True when this day and slot is locked."""
    return any(lock.startswith(meal_id(meal) + ":") for lock in locks())


def lock(day: int, slot: str, recipe_id: str, servings: float) -> None:
    """Lock ``recipe_id`` (at ``servings``) into a day and slot, replacing any lock there."""
    place = f"{day}:{slot}:"
    kept = [x for x in locks() if not x.startswith(place)]
    st.session_state["locks"] = [*kept, f"{place}{recipe_id}:{servings:g}"]


def toggle_lock(meal) -> None:
    """Lock the meal as it is, or unlock it."""
    if is_locked(meal):
        st.session_state["locks"] = [x for x in locks() if not x.startswith(meal_id(meal) + ":")]
    else:
        lock(meal.day, meal.slot, meal.recipe_id, meal.servings)


def ban(recipe_id: str) -> None:
    """Exclude a recipe from every plan (and drop its locks)."""
    if recipe_id not in st.session_state["exclude_recipes"]:
        st.session_state["exclude_recipes"] = [*st.session_state["exclude_recipes"], recipe_id]
    st.session_state["locks"] = [x for x in locks() if x.split(":")[2] != recipe_id]
    st.session_state[_PENDING_REPLAN] = True


def take_pending_replan() -> bool:
    """True once after an action (ban, a one-click fix) that asked for a re-plan."""
    return bool(st.session_state.pop(_PENDING_REPLAN, False))


def eligible_recipes(cat: Catalog) -> list[str]:
    """Recipes the current diet, allergens and exclusions allow."""
    g = st.session_state
    return alternatives.eligible(cat, g["diet"], g["allergens"], g["exclude_foods"],
                                 g["exclude_recipes"])


# (min key, max key, what the message calls them) checked before any request is built
_PAIRS = (("d3_min", "d3_max", "D3"), ("calcium_min", "calcium_max", "calcium"),
          ("kcal_min", "kcal_max", "energy"))


def _form_errors(g: dict[str, Any]) -> dict[str, str]:
    errors = {}
    for low, high, what in _PAIRS:
        if g[low] is not None and g[high] is not None and g[low] > g[high]:
            errors[high] = f"The {what} maximum ({g[high]:g}) is below its minimum ({g[low]:g})."
    if not g["slots"]:
        errors["slots"] = "Choose at least one meal slot."
    if g["age"] is None:
        errors["profile"] = "Enter an age."
    return errors


# PlanRequest field (first part of a validation error's location) → the input it concerns
_FIELD_KEYS = {"profile": "profile", "life_stage": "profile", "days": "slots", "slots": "slots",
               "locks": "slots", "exclude_allergens": "exclusions",
               "exclude_recipes": "exclusions", "exclude_foods": "exclusions",
               "budget_eur": "budget", "max_repeats": "max_repeats", "steady_k": "steady_k"}


def build_request(cat: Catalog, previous: Plan | None = None):
    """The plan request for the current goals, and the input problems (input key → message).

    Returns ``(None, errors)`` when any input is invalid; validators in
    ``planner.domain.goals`` name the field, and the message goes beside that input.
    """
    g = goals()
    errors = _form_errors(g)
    if errors:
        return None, errors
    try:
        request = goals_mod.default_request(
            cat, goals_mod.Profile(sex=g["sex"], age=g["age"], life_stage=g["life_stage"]),
            days=g["days"], slots=g["slots"], targets=_targets(g), diet=g["diet"],
            exclude_allergens=g["allergens"], exclude_foods=g["exclude_foods"],
            exclude_recipes=g["exclude_recipes"], supplements=g["supplements"],
            steady_k=goals_mod.SteadyK(value_ug=g["steady_k_ug"], band=g["steady_k_band"] / 100)
            if g["steady_k"] else None,
            budget_eur=g["budget"], max_repeats=g["max_repeats"], locks=_locks(),
            previous=previous,
        )
    except ValueError as exc:
        return None, _validation_errors(exc)
    return request, {}


# goal parameter prefix → nutrient id, for the bound inputs ``<prefix>_min``/``_max``/``_window``
TARGET_INPUTS = {"k2": nu.K2, "d3": nu.D3, "calcium": nu.CALCIUM, "kcal": nu.ENERGY,
                 "protein": nu.PROTEIN}


def _targets(g: dict[str, Any]) -> dict[str, Any]:
    """A bound per target input; both blank = no bound (it replaces the reference default)."""
    return {nutrient: goals_mod.Bound(min=g.get(f"{prefix}_min"), max=g.get(f"{prefix}_max"),
                                      window=g.get(f"{prefix}_window", "day"))
            for prefix, nutrient in TARGET_INPUTS.items()}


def _locks() -> list[Any]:
    out = []
    for text in locks():
        try:
            day, slot, recipe_id, servings = text.split(":")
            out.append(goals_mod.Lock(day=int(day), slot=slot, recipe_id=recipe_id,
                                      servings=float(servings)))
        except ValueError:
            raise ValueError(f"locks: {text!r} is not a day:slot:recipe:servings lock") from None
    return out


def _validation_errors(exc: ValueError) -> dict[str, str]:
    """Input key → message, from a pydantic ValidationError or a plain ValueError.

    ``planner.domain.goals`` starts every message with the field at fault (``max: …``).
    """
    details = exc.errors() if hasattr(exc, "errors") else [{"loc": (), "msg": str(exc)}]
    found: dict[str, str] = {}
    for err in details:
        msg = str(err.get("msg", exc)).removeprefix("Value error, ")
        field = msg.partition(": ")[0] if ": " in msg else ""
        loc = [str(part) for part in err.get("loc", ())]
        found.setdefault(_input_for(loc, field), msg)
    return found


def _input_for(loc: list[str], field: str) -> str:
    prefixes = {v: k for k, v in TARGET_INPUTS.items()}
    if len(loc) > 1 and loc[0] == "targets" and loc[1] in prefixes:
        key = f"{prefixes[loc[1]]}_{'max' if field == 'max' else 'min'}"
        return key if key in GOALS else f"{prefixes[loc[1]]}_min"
    return _FIELD_KEYS.get(loc[0] if loc else field, "profile")


def fill_targets(cat: Catalog) -> None:
    """Re-fill every target input from the reference intakes for the current profile."""
    g = goals()
    if g["age"] is None:
        return
    try:
        profile = goals_mod.Profile(sex=g["sex"], age=g["age"], life_stage=g["life_stage"])
    except ValueError:
        return  # the profile's own message is shown beside it
    targets = goals_mod.default_targets(cat, profile)
    for prefix, nutrient in TARGET_INPUTS.items():
        bound = targets.get(nutrient)
        for part in ("min", "max"):
            key = f"{prefix}_{part}"
            if key in GOALS:
                st.session_state[key] = getattr(bound, part) if bound else None
        if f"{prefix}_window" in GOALS and bound is not None:
            st.session_state[f"{prefix}_window"] = str(bound.window)


def match_k2_preset(presets: list) -> None:
    """Show the preset whose daily amount is the K2 minimum; "" (custom) when none is.

    The K2 minimum is what a plan uses; the preset only names it, so it follows
    the minimum however that was set (default, link, typed in, profile change).
    """
    k2_min = st.session_state["k2_min"]
    matching = [p.preset_id for p in presets if k2_min is not None
                and math.isclose(p.k2_ug_per_day, k2_min, rel_tol=1e-9, abs_tol=1e-6)]
    shown = st.session_state["k2_preset"]
    st.session_state["k2_preset"] = shown if shown in matching else next(iter(matching), "")


def apply_k2_preset(presets: list) -> None:
    """Set the K2 minimum to the chosen evidence preset's daily amount."""
    chosen = {p.preset_id: p for p in presets}.get(st.session_state["k2_preset"])
    if chosen is not None:
        st.session_state["k2_min"] = float(chosen.k2_ug_per_day)


def apply_fix(fix) -> None:
    """Apply a shortfall's one-click fix (goal parameter → new value) and ask for a re-plan."""
    for name, value in fix.changes.items():
        if name in GOALS:
            st.session_state[name] = value
    st.session_state[_PENDING_REPLAN] = True


def _fingerprint(current: Plan) -> str:
    return hashlib.sha256(current.to_json().encode("utf-8")).hexdigest()


def shopping_ticks(current: Plan) -> set[str]:
    """Food ids ticked off on the shopping list of ``current``; none yet for any other plan.

    Kept under a key no widget owns, so the ticks outlive a visit to another
    page (Streamlit drops the state of the tick tables it did not draw).
    """
    kept = st.session_state.get(_TICKS)
    if kept is None or kept[0] != _fingerprint(current):
        return set()
    return set(kept[1])


def set_shopping_ticks(current: Plan, ticked: Iterable[str]) -> None:
    """Remember the food ids ticked off on the shopping list of ``current``."""
    st.session_state[_TICKS] = (_fingerprint(current), sorted(set(ticked)))


def clear_locks() -> None:
    """Unlock every meal."""
    st.session_state["locks"] = []


def goals_summary() -> str:
    """The goals on one line: who, diet, days, and the K2, D3 and calcium targets."""
    g = goals()
    parts = [f"{g['sex']}, {g['age']}", g["diet"], f"{g['days']} day(s)"]
    for prefix, label in (("k2", "K2"), ("d3", "D3"), ("calcium", "calcium")):
        low, high = g.get(f"{prefix}_min"), g.get(f"{prefix}_max")
        unit = nu.get(TARGET_INPUTS[prefix]).unit
        if low is not None:
            per = "/day (week)" if g.get(f"{prefix}_window") == "week" else "/day"
            upto = f"–{high:g}" if high is not None else "+"
            parts.append(f"{label} {low:g}{upto} {unit}{per}")
    if g["supplements"]:
        parts.append("supplements allowed")
    if g["steady_k"]:
        parts.append(f"steady vitamin K {g['steady_k_ug']:g} µg ± {g['steady_k_band']:g} %")
    return " · ".join(parts)
