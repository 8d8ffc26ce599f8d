"""The goals on screen: session values of the goal parameters, the request they make, and
the changes a form control or a one-click fix applies to them.

Widget keys are the parameter names of ``planner.ui.state.url.GOALS``, so a widget, its
session value and its link parameter share one name.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from planner.domain import goals as domain_goals
from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog, Slot
from planner.domain.goals import PlanRequest
from planner.domain.plan import Fix, Plan
from planner.services import plan_request
from planner.services.plan_request import TARGETS, RequestError
from planner.ui.state.url import GOALS

ALL_SLOTS = [s.value for s in Slot]
# Goal parameters that do not change what a plan is checked against (locks are checked
# as rules of the plan; the preset only names the K2 minimum).
NOT_PLAN_GOALS = ("locks", "k2_preset")
_PENDING_REPLAN = "_pending_replan"


def goals() -> dict[str, Any]:
    """The current goal parameters from session state."""
    return {name: st.session_state[name] for name in GOALS}


def plan_goals() -> dict[str, Any]:
    """The goal parameters a plan is made for and checked against (copies)."""
    return {name: _copy(st.session_state[name]) for name in GOALS if name not in NOT_PLAN_GOALS}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def build_request(cat: Catalog, previous: Plan | None = None,
                  ) -> tuple[PlanRequest | None, dict[str, str]]:
    """The plan request for the current goals, and the problems (parameter → message);
    ``(None, problems)`` when any goal is invalid."""
    params = {name: value for name, value in goals().items() if name in plan_request.PARAMS}
    try:
        return plan_request.to_request(params, cat, previous=previous), {}
    except RequestError as exc:
        return None, exc.errors


def eligible_recipes(cat: Catalog) -> list[str]:
    """Recipes the current diet, allergens and exclusions allow."""
    g = st.session_state
    return list(domain_goals.eligible_recipe_ids(
        cat, g["diet"], g["allergens"], g["exclude_foods"], g["exclude_recipes"]))


def fill_targets(cat: Catalog) -> None:
    """Re-fill every target input from the reference intakes for the current profile."""
    g = goals()
    if g["age"] is None:
        return
    try:
        profile = domain_goals.Profile(sex=g["sex"], age=g["age"], life_stage=g["life_stage"])
    except ValueError:
        return  # the profile's own message is shown beside it
    targets = domain_goals.default_targets(cat, profile)
    for prefix, nutrient in TARGETS.items():
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


def apply_fix(fix: Fix) -> None:
    """Apply a shortfall's one-click fix (request field → new value) to the goal inputs
    that set those fields, and ask for a re-plan."""
    for field, value in fix.changes.items():
        name = plan_request.param_for_field(field)
        if name is not None:
            st.session_state[name] = list(value) if isinstance(value, (list, tuple)) else value
    request_replan()


def request_replan() -> None:
    """Ask the Plan page for a re-plan on its next run (after a ban or a one-click fix)."""
    st.session_state[_PENDING_REPLAN] = True


def take_pending_replan() -> bool:
    """True once after an action that asked for a re-plan."""
    return bool(st.session_state.pop(_PENDING_REPLAN, False))


def goals_summary() -> str:
    """The goals on one line: who, diet, days, and the K2, D3 and calcium targets."""
    g = goals()
    parts = [f"{g['sex']}, {g['age']}", g["diet"], f"{g['days']} day(s)"]
    for prefix, label in (("k2", "K2"), ("d3", "D3"), ("calcium", "calcium")):
        low, high = g.get(f"{prefix}_min"), g.get(f"{prefix}_max")
        unit = nu.get(TARGETS[prefix]).unit
        if low is not None:
            per = "/day (week)" if g.get(f"{prefix}_window") == "week" else "/day"
            upto = f"–{high:g}" if high is not None else "+"
            parts.append(f"{label} {low:g}{upto} {unit}{per}")
    if g["supplements"]:
        parts.append("supplements allowed")
    if g["steady_k"]:
        parts.append(f"steady vitamin K {g['steady_k_ug']:g} µg ± {g['steady_k_band']:g} %")
    return " · ".join(parts)
