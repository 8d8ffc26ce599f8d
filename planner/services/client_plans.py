"""From a client's record to a plan request, and what changed between two plan versions.

``client_request`` applies the client's profile, target overrides, pins, bans
and steady vitamin K to the default request of ``planner.domain.goals``;
``plan_diff`` lists changed meals and the nutrient deltas per day; ``read_versions``
reads stored versions without trusting them and ``history_frame`` lists them with
their status, solver gap and how many meals changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog, Slot
from planner.domain.goals import (
    Lock,
    PlanRequest,
    steady_k_banned_foods,
    steady_k_banned_supplements,
)
from planner.domain.plan import Plan, daily_totals
from planner.domain.workspace import ClientRecord, PlanVersionRecord, RuleKind, RuleRecord
from planner.io.plan_files import plan_from_json_bytes
from planner.services.plan_request import target_param, to_request
from planner.store.repository import Workspace

DIFF_NUTRIENTS = (nu.ENERGY, nu.PROTEIN, nu.CALCIUM, nu.K2, nu.K_TOTAL, nu.D3)


def steady_k_bans(catalog: Catalog) -> list[RuleRecord]:
    """What steady vitamin K bans: natto foods and every supplement carrying K2."""
    return ([RuleRecord(RuleKind.BAN_FOOD, f) for f in sorted(steady_k_banned_foods(catalog))]
            + [RuleRecord(RuleKind.BAN_SUPPLEMENT, s)
               for s in sorted(steady_k_banned_supplements(catalog))])


def client_request(client: ClientRecord, rules: list[RuleRecord], catalog: Catalog,
                   days: int = 7, previous: Plan | None = None, **fields: Any) -> PlanRequest:
    """The client's ``PlanRequest``: default targets for the profile, then the
    client's targets (each replaces the reference bound), bans, pins (a pin with day and
    slot is a lock, without them a favourite) and steady vitamin K. ``previous`` asks for
    minimal change; ``fields`` set other request fields. Raises RequestError naming the
    goal parameter at fault."""
    p = client.profile
    by_kind: dict[RuleKind, list[RuleRecord]] = {}
    for rule in rules:
        by_kind.setdefault(rule.kind, []).append(rule)
    params: dict[str, Any] = {
        "sex": p.sex, "age": p.age, "life_stage": p.life_stage, "days": days,
        "exclude_foods": [r.key for r in by_kind.get(RuleKind.BAN_FOOD, [])],
        "exclude_recipes": [r.key for r in by_kind.get(RuleKind.BAN_RECIPE, [])],
        "steady_k": client.steady_k}
    if client.steady_k:
        params["steady_k_ug"] = client.steady_k_baseline_ug
    for r in by_kind.get(RuleKind.TARGET, []):
        params |= {target_param(r.key, "min"): r.value.get("min"),
                   target_param(r.key, "max"): r.value.get("max"),
                   target_param(r.key, "window"): r.value.get("window", "day")}
    pins = by_kind.get(RuleKind.PIN_RECIPE, [])
    params["locks"] = [Lock(day=r.value["day"], slot=r.value["slot"], recipe_id=r.key,
                            servings=r.value.get("servings", 1.0))
                       for r in pins if r.value.get("day") and r.value.get("slot")
                       and r.value["day"] <= days]
    favourites = tuple(r.key for r in pins if not (r.value.get("day") and r.value.get("slot")))
    return to_request(params, catalog, favourite_recipes=favourites, previous=previous,
                      **fields)


def stored_request(ws: Workspace, client: ClientRecord, catalog: Catalog, days: int = 7,
                   previous: Plan | None = None, **fields: Any) -> PlanRequest:
    """The client's ``PlanRequest`` from the rules stored in ``ws`` (``client_request``)."""
    return client_request(client, ws.rules(client.id), catalog, days, previous, **fields)


def save_version(ws: Workspace, client_id: int, request: PlanRequest, plan: Plan, note: str,
                 based_on: int | None) -> PlanVersionRecord:
    """Save ``plan``, made for ``request``, as the client's next version (audited by the
    workspace); Conflict when a version newer than ``based_on`` was saved meanwhile."""
    return ws.save_plan(client_id, request.model_dump_json(), plan.to_json(), note,
                        based_on=based_on)


@dataclass(frozen=True)
class PlanDiff:
    """``meals``: day, slot, before, after (name × servings; "" when absent), for the
    meals that differ. ``deltas``: day × nutrient with before, after, delta."""

    meals: pd.DataFrame
    deltas: pd.DataFrame


def plan_diff(before: Plan, after: Plan, catalog: Catalog) -> PlanDiff:
    """What changed from ``before`` to ``after``: meals and daily nutrient deltas."""
    old, new = _meal_map(before), _meal_map(after)
    rows = [{"day": d, "slot": s, "before": old.get((d, s), ""), "after": new.get((d, s), "")}
            for d, s in sorted(set(old) | set(new), key=_slot_order)
            if old.get((d, s)) != new.get((d, s))]
    meals = pd.DataFrame(rows, columns=["day", "slot", "before", "after"])
    cols = list(DIFF_NUTRIENTS)
    a = daily_totals(before, catalog)[cols]
    b = daily_totals(after, catalog)[cols]
    index = a.index.union(b.index)
    a, b = a.reindex(index, fill_value=0.0), b.reindex(index, fill_value=0.0)
    deltas = pd.concat({"before": a.stack(), "after": b.stack()}, axis=1)
    deltas.index.names = ["day", "nutrient"]
    deltas["delta"] = deltas["after"] - deltas["before"]
    return PlanDiff(meals=meals, deltas=deltas.reset_index())


def changed_meals(before: Plan, after: Plan) -> int:
    """How many (day, slot) meals differ between two plans (added, removed or replaced)."""
    old, new = _meal_map(before), _meal_map(after)
    return sum(old.get(k) != new.get(k) for k in set(old) | set(new))


def _meal_map(plan: Plan) -> dict[tuple[int, str], str]:
    return {(m.day, m.slot): f"{m.name} × {m.servings:g}" for m in plan.meals}


@dataclass(frozen=True)
class SavedPlan:
    """A stored version read for display; ``plan`` is None when it cannot be read
    (``problem`` says why), so one damaged version never hides the others."""

    version: PlanVersionRecord
    plan: Plan | None
    problem: str = ""


def read_versions(versions: list[PlanVersionRecord], catalog: Catalog) -> list[SavedPlan]:
    """Each version's plan, checked like an uploaded plan against ``catalog``."""
    read = []
    for v in versions:
        try:
            read.append(SavedPlan(v, plan_from_json_bytes(v.plan_json.encode(), catalog)))
        except ValueError as exc:
            read.append(SavedPlan(v, None, str(exc)))
    return read


def history_frame(saved: list[SavedPlan]) -> pd.DataFrame:
    """Newest first: version, saved, by, note, status (``damaged`` when unreadable), the
    solver's relative gap and the meals changed since the previous readable version."""
    rows, previous = [], None
    for s in saved:
        v, plan = s.version, s.plan
        gap = plan.solver.gap if plan else None
        rows.append({"version": v.number, "saved": v.created_at.strftime("%Y-%m-%d %H:%M"),
                     "by": v.author, "note": v.note,
                     "status": plan.status if plan else "damaged",
                     "gap": "" if gap is None else f"{gap:.0%}",
                     "meals changed": "" if plan is None or previous is None
                     else str(changed_meals(previous, plan))})
        previous = plan or previous
    return pd.DataFrame(rows[::-1], columns=["version", "saved", "by", "note", "status",
                                             "gap", "meals changed"])


def _slot_order(key: tuple[int, str]) -> tuple[int, int]:
    day, slot = key
    order = [s.value for s in Slot]
    return day, order.index(slot) if slot in order else len(order)
