"""A plan: meals per day and slot with portions, supplements, totals, shortfalls, cost.

``daily_totals`` is the one place plan nutrients are computed; the UI, charts,
shopping list and store all read it. ``Plan.to_json`` writes the document of
the optimizer issue and ``Plan.from_json`` reads it back identically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog
from planner.domain.goals import Bound


class PlanStatus(StrEnum):
    """How a plan meets its goals: proven within the gap, valid, with shortfalls, none."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    RELAXED = "relaxed"
    FAILED = "failed"


STATUSES = tuple(PlanStatus)
# Per-day totals written into the JSON document (plus cost_eur).
TOTAL_KEYS = (nu.ENERGY, nu.PROTEIN, nu.CALCIUM, nu.K2, nu.K_TOTAL, nu.D3, nu.SODIUM)
COST = "cost_eur"


@dataclass(frozen=True)
class Meal:
    day: int
    slot: str
    recipe_id: str
    name: str
    servings: float
    locked: bool = False


@dataclass(frozen=True)
class SupplementDose:
    """``units`` whole units of a supplement on ``day``; ``nutrients`` is the dose's amounts."""

    day: int
    supplement_id: str
    name: str
    units: int
    nutrients: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Fix:
    """A one-click change of the request: ``PlanRequest`` field → new value (each caller
    maps fields to its own inputs)."""

    label: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class Shortfall:
    """A bound the plan misses: ``scope`` is ``day N``, ``week`` or ``week N``."""

    nutrient: str
    scope: str
    target: float
    achieved: float
    explanation: str
    fix: Fix | None = None

    @property
    def nutrient_label(self) -> str:
        try:
            return nu.get(self.nutrient).label
        except KeyError:
            return self.nutrient


@dataclass(frozen=True)
class SolverInfo:
    """Which solver ran, its wall time and model build time (s), relative gap (None: unknown)."""

    name: str = "none"
    seconds: float = 0.0
    gap: float | None = None
    status_text: str = ""
    build_seconds: float = 0.0


@dataclass(frozen=True)
class Plan:
    status: str
    meals: list[Meal]
    supplements: list[SupplementDose]
    targets: dict[str, Bound]
    cost_eur: float
    totals: dict[int, dict[str, float]] = field(default_factory=dict)
    shortfalls: list[Shortfall] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    solver: SolverInfo = field(default_factory=SolverInfo)

    def to_json(self) -> str:
        """The plan as the optimizer issue's JSON document (one object)."""
        days = sorted({m.day for m in self.meals} | {s.day for s in self.supplements}
                      | set(self.totals))
        doc = {
            "status": self.status,
            "solver": {"name": self.solver.name, "seconds": self.solver.seconds,
                       "gap": self.solver.gap, "status_text": self.solver.status_text,
                       "build_seconds": self.solver.build_seconds},
            "targets": {n: {"min": b.min, "max": b.max, "window": str(b.window)}
                        for n, b in self.targets.items()},
            "days": [{
                "day": d,
                "meals": [{"slot": m.slot, "recipe_id": m.recipe_id, "name": m.name,
                           "servings": m.servings, "locked": m.locked}
                          for m in self.meals if m.day == d],
                "supplements": [{"supplement_id": s.supplement_id, "name": s.name,
                                 "units": s.units, "nutrients": s.nutrients}
                                for s in self.supplements if s.day == d],
                "totals": self.totals.get(d, {}),
            } for d in days],
            "shortfalls": [{"nutrient": s.nutrient, "scope": s.scope, "target": s.target,
                            "achieved": s.achieved, "explanation": s.explanation,
                            "fix": None if s.fix is None else
                            {"label": s.fix.label, "changes": s.fix.changes}}
                           for s in self.shortfalls],
            "suggestions": self.suggestions,
            "cost_eur": self.cost_eur,
        }
        return json.dumps(doc, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Read ``to_json`` output back; ValueError/KeyError/TypeError when it is not a plan."""
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("status") not in STATUSES:
            raise ValueError("no plan status (expected one of " + ", ".join(STATUSES) + ")")
        days = doc["days"]
        solver = doc.get("solver") or {}
        return cls(
            status=doc["status"],
            meals=[Meal(day=int(d["day"]), slot=m["slot"], recipe_id=m["recipe_id"],
                        name=m["name"], servings=float(m["servings"]),
                        locked=bool(m.get("locked", False)))
                   for d in days for m in d["meals"]],
            supplements=[SupplementDose(day=int(d["day"]), supplement_id=s["supplement_id"],
                                        name=s.get("name", s["supplement_id"]),
                                        units=int(s["units"]), nutrients=s.get("nutrients", {}))
                         for d in days for s in d.get("supplements", [])],
            targets={n: Bound(**b) for n, b in doc["targets"].items()},
            cost_eur=float(doc["cost_eur"]),
            totals={int(d["day"]): d["totals"] for d in days if d.get("totals")},
            shortfalls=[Shortfall(nutrient=s["nutrient"], scope=s["scope"], target=s["target"],
                                  achieved=s["achieved"], explanation=s["explanation"],
                                  fix=Fix(**s["fix"]) if s.get("fix") else None)
                        for s in doc.get("shortfalls", [])],
            suggestions=list(doc.get("suggestions", [])),
            solver=SolverInfo(name=solver.get("name", "none"),
                              seconds=float(solver.get("seconds", 0.0)),
                              gap=solver.get("gap"), status_text=solver.get("status_text", ""),
                              build_seconds=float(solver.get("build_seconds", 0.0))),
        )


def daily_totals(plan: Plan, catalog: Catalog) -> pd.DataFrame:
    """Day × (every registry nutrient id, ``cost_eur``): the plan's intake per day.

    total[d, n] = Σ_meals amount[r, n] · servings + Σ_supplements amount[u, n] · units,
    an unknown amount counting 0; cost from recipe cost per serving and price per unit.
    """
    ids = list(nu.ALL_IDS)
    parts = []
    if plan.meals:
        meals = pd.DataFrame([(m.day, m.recipe_id, m.servings) for m in plan.meals],
                             columns=["day", "item", "qty"])
        facts = catalog.recipes.loc[meals["item"], [*ids, COST]].fillna(0.0).to_numpy()
        parts.append(pd.DataFrame(facts * meals[["qty"]].to_numpy(), columns=[*ids, COST])
                     .assign(day=meals["day"].to_numpy()))
    if plan.supplements:
        doses = pd.DataFrame([(s.day, s.supplement_id, s.units) for s in plan.supplements],
                             columns=["day", "item", "qty"])
        table = catalog.supplements.rename(columns={"price_per_unit": COST})
        facts = table.loc[doses["item"], [*ids, COST]].fillna(0.0).to_numpy()
        parts.append(pd.DataFrame(facts * doses[["qty"]].to_numpy(), columns=[*ids, COST])
                     .assign(day=doses["day"].to_numpy()))
    if not parts:
        return pd.DataFrame(columns=[*ids, COST], dtype=float).rename_axis("day")
    return pd.concat(parts).groupby("day")[[*ids, COST]].sum().sort_index()


def shopping_list(plan: Plan, catalog: Catalog) -> pd.DataFrame:
    """``food_id, name, category, grams, cost_eur`` summed over the plan's meals.

    grams = Σ_meals grams in recipe · servings / recipe servings; cost = grams/1000 · price/kg.
    """
    meals = pd.DataFrame([(m.recipe_id, m.servings) for m in plan.meals],
                         columns=["recipe_id", "servings"])
    rows = meals.merge(catalog.ingredients[["recipe_id", "food_id", "grams"]], on="recipe_id")
    rows["grams"] = rows["grams"] * rows["servings"] / rows["recipe_id"].map(
        catalog.recipes["servings"])
    grams = rows.groupby("food_id")["grams"].sum()
    foods = catalog.foods.loc[grams.index]
    return pd.DataFrame({
        "food_id": grams.index,
        "name": foods["name"].to_numpy(),
        "category": foods["category"].to_numpy(),
        "grams": grams.to_numpy(),
        "cost_eur": (grams / 1000 * foods["price_per_kg"]).to_numpy(),
    }).sort_values(["category", "name"], ignore_index=True)


NOT_VEGAN_D3 = ("D3 is usually made from lanolin (sheep's wool), so possibly not vegan; "
                "a lichen-based D3 is.")
VEGAN_D3 = "Lichen-based D3: vegan."


def supplement_note(catalog: Catalog, supplement_id: str) -> str:
    """Where a supplement's D3 comes from, when that matters for a vegan ("" otherwise).

    Cholecalciferol is lanolin-derived unless the source or notes say lichen.
    """
    row = catalog.supplements.loc[supplement_id]
    if not row.get(nu.D3, 0.0) > 0:
        return ""
    said = f"{row.get('source', '')} {row.get('notes', '')}".lower()
    return VEGAN_D3 if "lichen" in said else NOT_VEGAN_D3


def supplement_list(plan: Plan, catalog: Catalog) -> pd.DataFrame:
    """``supplement_id, name, unit, units, days, cost_eur, note``: each supplement of the plan.

    units = Σ_days units; cost = units · price per unit; note from ``supplement_note``.
    """
    columns = ["supplement_id", "name", "unit", "units", "days", "cost_eur", "note"]
    if not plan.supplements:
        return pd.DataFrame(columns=columns)
    doses = pd.DataFrame([(s.supplement_id, s.name, s.units, s.day) for s in plan.supplements],
                         columns=["supplement_id", "name", "units", "day"])
    per = doses.groupby(["supplement_id", "name"], as_index=False).agg(
        units=("units", "sum"), days=("day", "nunique"))
    table = catalog.supplements.loc[per["supplement_id"]]
    return per.assign(
        unit=table["unit"].to_numpy(),
        cost_eur=per["units"].to_numpy() * table["price_per_unit"].fillna(0.0).to_numpy(),
        note=[supplement_note(catalog, s) for s in per["supplement_id"]],
    )[columns]


def supplement_labels(plan: Plan) -> dict[int, str]:
    """Day → that day's supplements as text ("Vitamin D3 capsule ×2; …"); days without none."""
    out: dict[int, list[str]] = {}
    for dose in plan.supplements:
        out.setdefault(dose.day, []).append(f"{dose.name} ×{dose.units}")
    return {day: "; ".join(labels) for day, labels in out.items()}
