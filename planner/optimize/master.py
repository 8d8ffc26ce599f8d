"""The master problem of one block: how many days of each kind follow each day pattern.

k kind of day (days with equal ``DayRules``, n_k of them), q a day pattern (a
``Day``: a column), a[q, j] its amount of weekly key j, U[q, r] its meals of
recipe r, cost_q its objective (elastic: plus its daily shortfall penalties).

    min  Σ_{k,q} cost_q·λ_kq + VARIETY·Σ_r t_r + Σ_j pen_j·σ_j + ART·Σ_k α_k + NEW·Σ_e ν_e
    s.t. Σ_q λ_kq + α_k = n_k                             every kind k         days_k
         Σ_{k,q} a[q,j]·λ_kq + σ_j ≥ min_j·|block|        every weekly row j   week_j
         Σ_{k,q} U[q,r]·λ_kq ≤ cap_r                       every recipe r       repeats_r
         Σ_{k,q} U[q,r]·λ_kq − t_r ≤ 1                     every recipe r       repeatpen_r
         Σ_{k∈W,q} U[q,r]·λ_kq (− ω_W) ≤ cap_{r,W}         cross-week window    window_W
         Σ_{k,q∈week e} λ_kq − ν_e ≤ |block| − 1          no earlier week e again  newweek_e
         λ ∈ ℤ≥0 (the LP relaxation drops it);  t, σ, α, ν ≥ 0

α_k is an artificial empty day and σ_j a weekly shortfall: both keep every
restricted master feasible; in hard mode they are priced so high that a plan
using them is no plan. In elastic mode a cross-week window may be exceeded too
(ω_W ≥ 0, ``WINDOW_PENALTY`` € a meal), so a later week too short of recipes
still gets meals rather than empty slots. Recipe rows are added with the first column that needs
them (a recipe in no column has dual 0). Duals are read per row object, never by
parsing names; names use ``_`` only.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pulp

from planner.optimize import deadline as dl
from planner.optimize.problem import (
    EMPTY,
    SLACK_PENALTY,
    VARIETY_PENALTY,
    Day,
    DayRules,
    Problem,
)

HARD_PENALTY = 1e6  # € per unit of weekly shortfall (hard mode)
ARTIFICIAL_DAY = 1e5  # € per artificial empty day
WINDOW_PENALTY = 100.0  # € per meal over a cross-week window (elastic mode)
NEW_WEEK_PENALTY = 50.0  # € when a block repeats the days of an earlier one


@dataclass(frozen=True)
class Window:
    """A cross-week window: at most ``cap`` meals of ``recipe`` on the days of ``kinds``."""

    recipe: int
    kinds: frozenset[int]
    cap: float


@dataclass
class Columns:
    """The master's columns: (kind, day) → its λ and its cost; day → its amounts and
    recipe uses."""

    var: dict[tuple[int, Day], pulp.LpVariable] = field(default_factory=dict)
    cost: dict[tuple[int, Day], float] = field(default_factory=dict)
    amounts: dict[Day, np.ndarray] = field(default_factory=dict)  # the day's intake per key
    uses: dict[Day, dict[int, int]] = field(default_factory=dict)  # recipe → its meals


class Master:
    """The block's master (module docstring) grown column by column."""

    def __init__(self, problem: Problem, kinds: list[tuple[DayRules, int]], elastic: bool,
                 windows: tuple[Window, ...] = (), earlier: tuple[frozenset[Day], ...] = (),
                 caps: dict[int, float] | None = None) -> None:
        self.problem, self.kinds, self.elastic = problem, kinds, elastic
        self.windows, self.earlier = windows, earlier
        self.caps = caps or {}
        self.ip_bound: float | None = None  # of the last integer master (``solve_ip``)
        self.length = sum(n for _, n in kinds)
        self.lp = pulp.LpProblem("master")
        self.columns = Columns()
        objective = []
        self.days_rows, self.artificial = [], []
        for k, (_, n) in enumerate(kinds):
            alpha = self.lp.add_variable(f"artificial_{k}", 0)
            self.artificial.append(alpha)
            objective.append((alpha, ARTIFICIAL_DAY))
            self.days_rows.append(self.lp.addConstraint(
                pulp.lpSum_vars_coefs([(alpha, 1.0)]) == n, f"days_{k}"))
        self.week_rows, self.shortfall = [], []
        for j, (_, low) in enumerate(problem.weekly):
            rhs = low * self.length
            sigma = self.lp.add_variable(f"shortfall_{j}", 0)
            self.shortfall.append(sigma)
            pen = week_penalty(rhs, elastic)
            objective.append((sigma, pen))
            self.week_rows.append(self.lp.addConstraint(
                pulp.lpSum_vars_coefs([(sigma, 1.0)]) >= rhs, f"week_{j}"))
        self.new_week = []
        for e in range(len(earlier)):
            nu_var = self.lp.add_variable(f"newweek_slack_{e}", 0)
            objective.append((nu_var, NEW_WEEK_PENALTY))
            self.new_week.append(self.lp.addConstraint(
                pulp.lpSum_vars_coefs([(nu_var, -1.0)]) <= self.length - 1, f"newweek_{e}"))
        self.repeat_rows: dict[int, tuple[pulp.LpConstraint, pulp.LpConstraint]] = {}
        self.window_rows: dict[int, pulp.LpConstraint] = {}
        self.lp.setObjective(pulp.lpSum_vars_coefs(objective))

    # ------------------------------------------------------------ columns

    def add(self, kind: int, day: Day) -> bool:
        """Add ``day`` as a column of ``kind``; False when it is there already."""
        if (kind, day) in self.columns.var:
            return False
        pb = self.problem
        amounts = pb.day_amounts(day)
        cost = self.cost_of(kind, day)
        uses: dict[int, int] = {}
        for _, r, _ in day.meals:
            if r != EMPTY:
                uses[r] = uses.get(r, 0) + 1
        coefs = {self.days_rows[kind]: 1.0}
        for j, (key, _) in enumerate(pb.weekly):
            coefs[self.week_rows[j]] = float(amounts[key])
        for r, count in uses.items():
            if r in self.repeat_rows:
                cap_row, pen_row = self.repeat_rows[r]
                coefs[cap_row] = coefs[pen_row] = float(count)
        for w, window in enumerate(self.windows):
            if kind in window.kinds and window.recipe in uses and w in self.window_rows:
                coefs[self.window_rows[w]] = float(uses[window.recipe])
        for e, week in enumerate(self.earlier):
            if day in week:
                coefs[self.new_week[e]] = 1.0
        name = f"day_{kind}_{len(self.columns.var)}"
        var = self.lp.add_column(name, 0, None, cat="Integer", obj=cost, coefficients=coefs)
        self.columns.var[kind, day] = var
        self.columns.cost[kind, day] = cost
        self.columns.amounts[day], self.columns.uses[day] = amounts, uses
        for r, count in uses.items():
            if r not in self.repeat_rows:
                self._add_recipe_rows(r, var, count)
        for w, window in enumerate(self.windows):
            if kind in window.kinds and window.recipe in uses and w not in self.window_rows:
                terms = [(var, float(uses[window.recipe]))]
                if self.elastic:
                    terms.append((self.lp.add_column(f"over_{w}", 0, None, obj=WINDOW_PENALTY),
                                  -1.0))
                self.window_rows[w] = self.lp.addConstraint(
                    pulp.lpSum_vars_coefs(terms) <= window.cap, f"window_{w}")
        return True

    def cost_of(self, kind: int, day: Day) -> float:
        """A column's objective: its day's cost plus (elastic) its daily penalties."""
        if (kind, day) in self.columns.cost:
            return self.columns.cost[kind, day]
        pb = self.problem
        return pb.day_cost(self.kinds[kind][0], day) + day_penalty(pb, pb.day_amounts(day))

    def _add_recipe_rows(self, r: int, var: pulp.LpVariable, count: int) -> None:
        cap = max(self.problem.request.max_repeats, self.caps.get(r, 0))
        t = self.lp.add_column(f"repeat_{r}", 0, None, obj=VARIETY_PENALTY)
        cap_row = self.lp.addConstraint(pulp.lpSum_vars_coefs([(var, float(count))]) <= cap,
                                        f"repeats_{r}")
        pen_row = self.lp.addConstraint(
            pulp.lpSum_vars_coefs([(var, float(count)), (t, -1.0)]) <= 1, f"repeatpen_{r}")
        self.repeat_rows[r] = (cap_row, pen_row)

    # ------------------------------------------------------------ solving

    def solve_lp(self, deadline: dl.Deadline) -> Duals | None:
        """The LP relaxation and its duals; None when it was not solved to optimality."""
        stats = dl.run(self.lp, dl.highs(deadline, mip=False), deadline)
        if stats.status != pulp.LpSolveStatus.Optimal:
            return None
        n_rec = len(self.problem.recipe_ids)
        y_common = np.zeros(n_rec)
        for r, (cap_row, pen_row) in self.repeat_rows.items():
            y_common[r] = (cap_row.pi or 0.0) + (pen_row.pi or 0.0)
        y = [y_common.copy() for _ in self.kinds]
        for w, row in self.window_rows.items():
            window = self.windows[w]
            for k in window.kinds:
                y[k][window.recipe] += row.pi or 0.0
        return Duals(objective=float(stats.objective), mu=[row.pi or 0.0 for row in self.days_rows],
                     w=np.array([row.pi or 0.0 for row in self.week_rows]), y=y)

    def reduced_costs(self) -> dict[tuple[int, Day], float | None]:
        """Each column's reduced cost at the last LP solve (None: added since)."""
        return {key: var.dj for key, var in self.columns.var.items()}

    def uses_slack(self) -> bool:
        """Whether the last solve used an artificial day or a weekly shortfall."""
        return any((v.value() or 0.0) > 1e-6 for v in (*self.artificial, *self.shortfall))

    def fractional(self) -> dict[tuple[int, Day], float]:
        """λ of the last LP solve, nonzero entries only."""
        return {key: var.value() for key, var in self.columns.var.items()
                if (var.value() or 0.0) > 1e-9}

    def solve_ip(self, deadline: dl.Deadline, gap_rel: float, solver: str,
                 planned_by: float | None = None,
                 ) -> tuple[float, dict[tuple[int, Day], int]] | None:
        """The integer master over the columns so far: (objective, days per column), or
        None when it has no plan (hard mode: none without artificial days or shortfall).
        HiGHS stops at the monotonic time ``planned_by`` once it has a plan. The solver's
        bound over these columns is left in ``ip_bound`` (None: unknown)."""
        maker = dl.cbc(deadline, gap_rel) if solver == "cbc" else dl.highs(
            deadline, True, gap_rel, planned_by=planned_by)
        stats = dl.run(self.lp, maker, deadline)
        self.ip_bound = dl.proven_bound(stats)
        if not stats.has_solution:
            return None
        if any((a.value() or 0.0) > 1e-6 for a in self.artificial):
            return None
        if not self.elastic and any((s.value() or 0.0) > 1e-6 for s in self.shortfall):
            return None
        counts = {key: round(var.value() or 0.0) for key, var in self.columns.var.items()}
        counts = {key: n for key, n in counts.items() if n > 0}
        return self.objective_of(counts), counts

    def objective_of(self, counts: dict[tuple[int, Day], int]) -> float:
        """The master objective of integer ``counts`` ((kind, day) → days; columns or not)."""
        pb = self.problem
        total = sum(self.cost_of(*key) * n for key, n in counts.items())
        uses: dict[int, int] = {}
        weekly = np.zeros(len(pb.keys))
        for (_, day), n in counts.items():
            weekly += pb.day_amounts(day) * n
            for _, r, _ in day.meals:
                if r != EMPTY:
                    uses[r] = uses.get(r, 0) + n
        total += VARIETY_PENALTY * sum(max(0, u - 1) for u in uses.values())
        for key, low in pb.weekly:
            rhs = low * self.length
            total += week_penalty(rhs, self.elastic) * max(0.0, rhs - weekly[key])
        total += NEW_WEEK_PENALTY * self.weeks_again(counts)
        for window in self.windows if self.elastic else ():
            met = sum(n * sum(r == window.recipe for _, r, _ in d.meals)
                      for (k, d), n in counts.items() if k in window.kinds)
            total += WINDOW_PENALTY * max(0.0, met - window.cap)
        return float(total)

    def weeks_again(self, counts: dict[tuple[int, Day], int]) -> int:
        """How many earlier weeks integer ``counts`` repeat (all its days among theirs)."""
        return sum(sum(n for (_, d), n in counts.items() if d in week) >= self.length
                   for week in self.earlier)

    def meets_rules(self, counts: dict[tuple[int, Day], int]) -> bool:
        """Whether integer ``counts`` need no slack (an elastic plan that is a plan): no
        empty slot, no daily row missed, no weekly shortfall, no recipe over its cap or a
        window's."""
        pb = self.problem
        weekly = np.zeros(len(pb.keys))
        used: Counter[int] = Counter()
        for (_, day), n in counts.items():
            amounts = pb.day_amounts(day)
            if any(r == EMPTY for _, r, _ in day.meals) or day_penalty(pb, amounts) > 0:
                return False
            weekly += amounts * n
            for _, r, _ in day.meals:
                used[r] += n
        if any(weekly[key] < low * self.length - 1e-9 for key, low in pb.weekly):
            return False
        cap = pb.request.max_repeats
        if any(n > max(cap, self.caps.get(r, 0)) for r, n in used.items()):
            return False
        return all(sum(n * sum(r == window.recipe for _, r, _ in d.meals)
                       for (k, d), n in counts.items() if k in window.kinds) <= window.cap
                   for window in self.windows)

    def best_swap(self, counts: dict[tuple[int, Day], int], until: float = math.inf,
                  ) -> tuple[float, dict[tuple[int, Day], int]]:
        """The cheapest of ``counts`` (a plan of columns) and each plan that replaces one of
        its days by another column of the same kind and meets the master's rows without
        slack (weekly minimums, recipe caps, windows; an earlier week again costs its
        penalty), as (objective, counts). Swaps are tried until the monotonic time ``until``."""
        pb, amounts, uses = self.problem, self.columns.amounts, self.columns.uses
        weekly = sum(amounts[day] * n for (_, day), n in counts.items())
        used: Counter[int] = Counter()
        for (_, day), n in counts.items():
            for r, c in uses[day].items():
                used[r] += c * n
        windows: dict[int, list[int]] = {}
        for w, window in enumerate(self.windows):
            windows.setdefault(window.recipe, []).append(w)
        in_window = [sum(n * uses[day].get(w.recipe, 0) for (k, day), n in counts.items()
                         if k in w.kinds) for w in self.windows]
        in_week = [sum(n for (_, day), n in counts.items() if day in week)
                   for week in self.earlier]
        cost = sum(self.cost_of(*key) * n for key, n in counts.items())
        floors = [(key, low * self.length - 1e-9) for key, low in pb.weekly]
        cap = pb.request.max_repeats

        def swapped(out: tuple[int, Day], into: tuple[int, Day]) -> float | None:
            """The objective once one day ``out`` becomes ``into`` (None: a rule broken)."""
            change: Counter[int] = Counter(uses[into[1]])
            change.subtract(uses[out[1]])
            total = weekly - amounts[out[1]] + amounts[into[1]]
            if any(total[key] < low for key, low in floors):
                return None
            more = [(r, c) for r, c in change.items() if c > 0]
            if any(used[r] + c > max(cap, self.caps.get(r, 0)) for r, c in more):
                return None
            if any(in_window[w] + c > self.windows[w].cap + 1e-9 for r, c in more
                   for w in windows.get(r, ()) if out[0] in self.windows[w].kinds):
                return None
            again = sum(in_week[e] + (into[1] in week) - (out[1] in week) >= self.length
                        for e, week in enumerate(self.earlier))
            variety = sum(max(0, used[r] + change[r] - 1) for r in set(used) | set(change))
            return (cost + self.cost_of(*into) - self.cost_of(*out)
                    + VARIETY_PENALTY * variety + NEW_WEEK_PENALTY * again)

        best = (self.objective_of(counts), counts)
        for out in counts:
            if time.monotonic() > until:
                break
            for into in self.columns.var:
                if into[0] != out[0] or into == out:
                    continue
                value = swapped(out, into)
                if value is not None and value < best[0] - 1e-9:
                    plan = dict(counts)
                    plan[out] -= 1
                    plan[into] = plan.get(into, 0) + 1
                    best = (value, {key: n for key, n in plan.items() if n > 0})
        return best

    def fix_at_least(self, key: tuple[int, Day], count: int) -> None:
        """λ[key] ≥ ``count`` (diving); ``release`` undoes every such fix."""
        self.columns.var[key].lowBound = count

    def release(self) -> None:
        for var in self.columns.var.values():
            var.lowBound = 0


@dataclass(frozen=True)
class Duals:
    """The master LP's optimum and duals: μ per kind, w per weekly row, y per kind and
    recipe (repeat and window rows). Pricing leaves out the duals of the ``newweek`` rows
    (≤ 0): it then sees earlier weeks' days as cheaper than they are, so its bound stays a
    bound."""

    objective: float
    mu: list[float]
    w: np.ndarray
    y: list[np.ndarray]


def week_penalty(rhs: float, elastic: bool) -> float:
    """€ per unit of weekly shortfall: priced as a relaxed bound when elastic, else
    prohibitive."""
    return SLACK_PENALTY / max(rhs, 0.01) if elastic else HARD_PENALTY / max(rhs, 0.01)


def day_penalty(problem: Problem, amounts: np.ndarray) -> float:
    """Elastic € of a day's daily-row shortfalls and excesses (0 for a day meeting all)."""
    total = 0.0
    for row in problem.daily:
        value = amounts[row.key]
        if value < row.lo:
            total += (row.lo - value) * row.penalty("lo")
        if value > row.hi:
            total += (value - row.hi) * row.penalty("hi")
    return total
