"""Goal parameters ⇄ the page's link: the query-string codec, and the check of every value
a link carries before any widget, the solver or the session sees it.

The parameters are the request adapter's (``planner.services.plan_request.PARAMS``), plus
the K2 evidence preset that only names the K2 minimum on screen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from planner.services.plan_request import PARAMS, Kind, Param, lock_text, to_lock

GOALS: dict[str, Param] = PARAMS | {"k2_preset": Param("", Kind.TEXT, field="")}


def encode(value: Any, kind: Kind) -> str:
    """One parameter value as query-string text."""
    if kind == Kind.LOCKS:
        return ",".join(lock_text(to_lock(x)) for x in value)
    if kind == Kind.LIST:
        return ",".join(value)
    if kind == Kind.FLAG:
        return "1" if value else "0"
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def decode(text: str, kind: Kind) -> Any:
    """Query-string text back to a value; ValueError when it does not parse."""
    if kind == Kind.LOCKS:
        return [to_lock(part) for part in text.split(",") if part]
    if kind == Kind.LIST:
        return [part for part in text.split(",") if part]
    if kind == Kind.FLAG:
        if text not in {"0", "1"}:
            raise ValueError(f"expected 0 or 1, got {text!r}")
        return text == "1"
    if kind == Kind.INT:
        return int(text)
    if kind in {Kind.NUMBER, Kind.OPTIONAL_NUMBER}:
        if kind == Kind.OPTIONAL_NUMBER and text == "":
            return None
        return float(text)
    return text


def read(query: Mapping[str, str], current: Mapping[str, Any],
         ids: Mapping[str, tuple[str, ...]]) -> tuple[dict[str, Any], list[str]]:
    """The goal values a link sets, and a message for each value not used as it is, naming
    it and what is used instead. ``current`` holds the values in use; ``ids`` the allowed
    items of the id lists (foods, recipes)."""
    values, errors = {}, []
    for name, param in GOALS.items():
        if name not in query:
            continue
        text = query[name]
        param = replace(param, choices=ids.get(name, param.choices))
        try:
            value = decode(text, param.kind)
            problem = _problem(value, param)
        except ValueError as exc:
            problem = f"was not understood ({exc})"
        if problem is None:
            values[name] = value
            continue
        kept = current[name]
        if param.kind == Kind.LIST and param.choices:  # keep the items that are known
            kept = [v for v in value if v in param.choices] or kept
            values[name] = kept
        used = encode(kept, param.kind) or "no limit"
        errors.append(f"The link's value for “{name}” ({text}) {problem}; "
                      f"{used} is used instead.")
    return values, errors


def _problem(value: Any, param: Param) -> str | None:
    """Why a decoded link value cannot be used as is; None when it can."""
    if param.kind == Kind.LIST:
        unknown = [v for v in value if param.choices and v not in param.choices]
        expected = f"; expected {', '.join(param.choices)}" if len(param.choices) < 9 else ""
        return f"has unknown items ({', '.join(unknown)}{expected})" if unknown else None
    if param.choices and value not in param.choices:
        return f"is not one of {', '.join(param.choices)}"
    if param.kind in {Kind.INT, Kind.NUMBER, Kind.OPTIONAL_NUMBER} and value is not None:
        if not math.isfinite(value):
            return "is not a finite number"
        if (param.low is not None and value < param.low) or (
                param.high is not None and value > param.high):
            bounds = f"at least {param.low:g}" if param.high is None else (
                f"from {param.low:g} to {param.high:g}")
            return f"is out of range ({bounds})"
    return None


def query(values: Mapping[str, Any]) -> dict[str, str]:
    """Every goal value as query-string text."""
    return {name: encode(values[name], param.kind) for name, param in GOALS.items()}
