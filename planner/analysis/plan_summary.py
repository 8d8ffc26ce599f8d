"""What the Plan page shows first: headline figures against target, each day's meals with
their K2 and D3, and the shortfalls grouped by cause.

Amounts come from ``planner.domain.plan.daily_totals`` and the catalog's per-serving facts;
a weekly minimum is judged on the 7-day average, a daily one on every day.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from planner.analysis import charts
from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog
from planner.domain.goals import WEEK_DAYS
from planner.domain.plan import Fix, Plan, PlanStatus, Shortfall, daily_totals

HEADLINE = (nu.K2, nu.D3, nu.CALCIUM)
CARD_NUTRIENTS = (nu.K2, nu.D3)
SUPPLEMENT = "supplement"
RELATIVE_TOLERANCE = 1e-4  # a solver meets a bound to about 1e-6; a shown figure to its digits
KNOWN = 0.995  # a share of known mass from which a total is shown without "≥"


def meets_min(value: float, minimum: float) -> bool:
    """True when ``value`` reaches ``minimum`` within the solver's and the display's tolerance."""
    return value >= minimum * (1 - RELATIVE_TOLERANCE) - 1e-6


def heading(days: int) -> str:
    """"Week plan", "Month plan (28 days, 4 weeks)" or "10-day plan (2 weeks)"."""
    if days <= WEEK_DAYS:
        return "Week plan"
    weeks = -(-days // WEEK_DAYS)
    return (f"Month plan ({days} days, {weeks} weeks)" if days >= 28
            else f"{days}-day plan ({weeks} weeks)")


@dataclass(frozen=True)
class Headline:
    """A nutrient's average per day over the plan against its target.

    ``met`` is None without a minimum; for a weekly window it is judged on each
    7-day block's average, for a daily one on every day.
    """

    nutrient: str
    label: str
    unit: str
    per_day: float
    minimum: float | None
    window: str
    met: bool | None
    known: float = 1.0  # share (0–1) of the plan's ingredient mass whose amount is known

    @property
    def amount_text(self) -> str:
        """"75 µg", or "≥ 75 µg" when part of the plan's mass has no figure (K2: known
        figures only are counted, so the total is a lower bound)."""
        return f"{'≥ ' if self.known < KNOWN else ''}{self.per_day:,.0f} {self.unit}"

    @property
    def known_text(self) -> str | None:
        """"K2 known for 96% of the plan's ingredient mass", or None when all is known."""
        if self.known >= KNOWN:
            return None
        return f"K2 known for {self.known:.0%} of the plan's ingredient mass"

    @property
    def target_text(self) -> str:
        """"target 90 µg/day, weekly average" or "no target"."""
        if self.minimum is None:
            return "no target"
        per = "weekly average" if self.window == "week" else "every day"
        amount = f"{self.minimum:,.0f}" if self.minimum >= 100 else f"{self.minimum:.3g}"
        return f"target {amount} {self.unit}/day, {per}"


def headlines(plan: Plan, catalog: Catalog) -> list[Headline]:
    """K2, D3 and calcium: the plan's average per day against each minimum."""
    totals = daily_totals(plan, catalog)
    k2_known = charts.k2_known_share(plan, catalog)
    out = []
    for n in HEADLINE:
        values = totals[n].fillna(0.0) if n in totals.columns else pd.Series(dtype=float)
        bound = plan.targets.get(n)
        minimum = None if bound is None else bound.min
        window = "day" if bound is None else str(bound.window)
        met = None
        if minimum is not None and not values.empty:
            groups = ([values.iloc[i:i + WEEK_DAYS].mean()
                       for i in range(0, len(values), WEEK_DAYS)]
                      if window == "week" else list(values))
            met = all(meets_min(float(v), minimum) for v in groups)
        out.append(Headline(n, nu.get(n).label, nu.get(n).unit,
                            float(values.mean()) if not values.empty else 0.0,
                            minimum, window, met, k2_known if n == nu.K2 else 1.0))
    return out


def so_far(plan: Plan, catalog: Catalog, days: int) -> str:
    """One line on the best plan found so far while a solve runs: how far it reaches
    (a long plan's first weeks come first), its cost, K2, D3 and calcium per day against
    target, and how close it is proven to the best possible."""
    reach = max((m.day for m in plan.meals), default=0)
    scope = "Closest plan so far" if plan.status == PlanStatus.RELAXED else "Best plan so far"
    if reach < days:
        scope += f" (days 1–{reach} of {days} planned)"
    mark = {True: " ✓", False: " ✗", None: ""}
    figures = [f"{h.label} {h.amount_text}/day{mark[h.met]}" for h in headlines(plan, catalog)]
    proof = ("" if plan.solver.gap is None
             else f", proven within {plan.solver.gap:.1%} of the best possible")
    return f"{scope}: €{plan.cost_eur:.2f} · " + " · ".join(figures) + proof + "."


def day_lines(plan: Plan, catalog: Catalog) -> pd.DataFrame:
    """``day, slot, name, amount, k2_ug, vit_d3_ug, k2_known``: each meal (servings) and
    supplement (units) of the plan with what it gives of K2 and D3, and the share of its
    mass whose K2 is known (supplements: 1); supplements after the meals."""
    columns = list(CARD_NUTRIENTS)
    recipes, pills = catalog.recipes[columns].fillna(0.0), catalog.supplements[columns].fillna(0.0)
    known = catalog.recipes["k2_coverage"]
    rows = [(m.day, m.slot, m.name, f"×{m.servings:g}", *(recipes.loc[m.recipe_id] * m.servings),
             float(known.loc[m.recipe_id])) for m in plan.meals]
    rows += [(s.day, SUPPLEMENT, s.name, f"×{s.units}", *(pills.loc[s.supplement_id] * s.units),
              1.0) for s in plan.supplements]
    return pd.DataFrame(rows, columns=["day", "slot", "name", "amount", *CARD_NUTRIENTS,
                                       "k2_known"])


@dataclass(frozen=True)
class ShortfallGroup:
    """Shortfalls with one cause: the same nutrient and explanation, in several scopes."""

    nutrient_label: str
    scopes: list[str]
    explanation: str
    fix: Fix | None


def group_shortfalls(shortfalls: list[Shortfall]) -> list[ShortfallGroup]:
    """One group per nutrient and explanation, in first-seen order, scopes listed once."""
    groups: dict[tuple[str, str], list[Shortfall]] = {}
    for s in shortfalls:
        groups.setdefault((s.nutrient, s.explanation), []).append(s)
    return [ShortfallGroup(items[0].nutrient_label, list(dict.fromkeys(i.scope for i in items)),
                           explanation, next((i.fix for i in items if i.fix), None))
            for (_, explanation), items in groups.items()]
