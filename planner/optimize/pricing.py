"""Pricing: the cheapest day at given master duals, exact by LP-bounded enumeration.

An *option* is one choice for one slot: a recipe and portion (or, in elastic mode,
the slot left empty). For a kind of day (``DayRules``) and master duals — w[j] on
the weekly rows, y[r] on a recipe's repeat rows, μ on the kind's day count — the
pricing problem is

    min  Σ_o c'_o·x_o + Σ_u c'_u·z_u (+ elastic: Σ_i pen_i·(s⁻_i + s⁺_i))
         c'_o = c_o − Σ_j w_j·a[o, j] − y[r(o)],   c'_u = price_u − Σ_j w_j·a[u, j]
    s.t. Σ_{o∈s} x_o = 1                                  every slot s
         lo_i ≤ Σ_o a[o,i]·x_o + Σ_u a[u,i]·z_u (+ s⁻_i − s⁺_i) ≤ hi_i   every daily row i
         Σ_{o: r(o)=r} x_o ≤ cap_r                         every recipe (never twice a day)
         x_o ∈ {0, 1},  z_u ∈ {0, …, MAX_SUPPLEMENT_UNITS}

and a day prices out when its objective is below μ.

Exactness: with the LP relaxation's optimum ``L`` and reduced costs ``rc``, every
day costs at least ``L + Σ_o max(rc_o, 0)·x_o + Σ_u max(rc_u, 0)·z_u`` (LP
duality; a variable at its upper bound has rc ≤ 0 and only adds). So a day can
price out only if its summed positive reduced cost is at most ``T = μ − L``;
``enumerate_days`` lists exactly those days, slot by slot in numpy, pruning
partial days that can no longer meet a daily row. When the list would be too
large, pricing falls back to the best options per slot (a heuristic) and the
bound is the LP's.

The LP is built once per kind with highspy arrays and re-solved with new costs
each iteration: PuLP rebuilds a model on every solve, which costs more than the
whole pricing (see ``benchmarks/RESULTS.md``, "Pricing LP: PuLP or highspy").
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass

import highspy
import numpy as np

from planner.domain.goals import MAX_SUPPLEMENT_UNITS, PORTIONS
from planner.optimize import deadline as dl
from planner.optimize.problem import EMPTY, Day, DayRules, Problem

EPS = 1e-7
PAIR_BUDGET = 150_000  # partial days × options formed at one enumeration step
HEURISTIC_OPTIONS = (16, 8, 4)  # options per slot the heuristic pricing tries in turn


@dataclass(frozen=True)
class Priced:
    """Pricing's answer: days (best first) with their pricing objective, a lower bound on
    the objective of every day, and whether that bound is exact (the true minimum)."""

    days: list[Day]
    values: list[float]
    bound: float
    exact: bool


class Infeasible(Exception):
    """No day meets the daily rows (hard mode)."""


class OutOfTime(Exception):
    """The request's deadline passed during a pricing solve."""


class DayPricing:
    """The pricing problem of one kind of day (module docstring), its LP kept warm."""

    def __init__(self, problem: Problem, rules: DayRules, elastic: bool,
                 allowed: np.ndarray | None = None, deadline: dl.Deadline | None = None,
                 ) -> None:
        self.problem, self.rules, self.elastic = problem, rules, elastic
        self.deadline = deadline or dl.Deadline(math.inf)  # no HiGHS run goes past it
        slot, rec, por, locked = [], [], [], []
        for s_index, s in enumerate(problem.slots):
            lock = [(r, p) for ls, r, p in rules.locks if ls == s]
            if lock:
                r_s, p_s = np.array([r for r, _ in lock]), np.array([p for _, p in lock])
            else:
                fits = problem.fits[s] if allowed is None else problem.fits[s] & allowed
                r_s = np.repeat(np.flatnonzero(fits), len(PORTIONS))
                p_s = np.tile(np.array(PORTIONS), len(r_s) // len(PORTIONS))
                if elastic:
                    r_s, p_s = np.append(r_s, EMPTY), np.append(p_s, 0.0)
            slot.append(np.full(len(r_s), s_index))
            rec.append(r_s)
            por.append(p_s)
            locked.append(np.full(len(r_s), bool(lock)))
        self.slot = np.concatenate(slot).astype(int)
        self.rec = np.concatenate(rec).astype(int)
        self.por = np.concatenate(por).astype(float)
        self.locked = np.concatenate(locked)
        real = self.rec != EMPTY
        self.amount = np.zeros((len(self.rec), len(problem.keys)))
        self.amount[real] = problem.amounts[self.rec[real]] * self.por[real, None]
        self.base = problem.meal_costs(rules, self.slot, self.rec, self.por)
        self.daily_keys = [row.key for row in problem.daily]
        self.weekly_keys = [k for k, _ in problem.weekly]
        self.combos = problem.unit_choices()
        self.lp = self._build_lp()
        self.mip: highspy.Highs | None = None  # made on first use

    # ------------------------------------------------------------ the LP

    def _build_lp(self) -> highspy.Highs:
        pb, n_opt, n_sup = self.problem, len(self.rec), len(self.problem.supp_ids)
        inf = highspy.kHighsInf
        rows_lo, rows_hi, entries = [], [], []  # entries: (rows, cols, values) arrays

        def add_row(cols, values, lo, hi):
            cols, values = np.asarray(cols), np.asarray(values, dtype=float)
            keep = values != 0
            entries.append((np.full(int(keep.sum()), len(rows_lo)), cols[keep], values[keep]))
            rows_lo.append(lo)
            rows_hi.append(hi)

        for s_index in range(len(pb.slots)):
            cols = np.flatnonzero(self.slot == s_index)
            add_row(cols, np.ones(len(cols)), 1.0, 1.0)
        every = np.arange(n_opt + n_sup)
        self.first_daily_row = len(rows_lo)
        for row in pb.daily:
            values = np.concatenate([self.amount[:, row.key], pb.supp_amounts[:, row.key]])
            add_row(every, values, max(row.lo, -inf), min(row.hi, inf))
        self.first_weekly_row = len(rows_lo)
        for key, _ in pb.weekly:  # free here; the average day bounds them (``first_duals``)
            values = np.concatenate([self.amount[:, key], pb.supp_amounts[:, key]])
            add_row(every, values, -inf, inf)
        real = np.flatnonzero(self.rec != EMPTY)
        self.recipes = np.unique(self.rec[real])
        self.first_recipe_row = len(rows_lo)
        locks = Counter(r for _, r, _ in self.rules.locks)
        self.recipe_caps = np.array([max(1, locks[r]) for r in self.recipes], dtype=float)
        position = np.searchsorted(self.recipes, self.rec[real])
        entries.append((self.first_recipe_row + position, real, np.ones(len(real))))
        rows_lo += [-inf] * len(self.recipes)
        rows_hi += list(self.recipe_caps)
        n_cols = n_opt + n_sup
        lower = np.zeros(n_cols)
        upper = np.concatenate([np.ones(n_opt), np.full(n_sup, float(MAX_SUPPLEMENT_UNITS))])
        cost = np.zeros(n_cols)
        if self.elastic:  # s⁻_i (+1) and s⁺_i (−1) on every daily row
            for i, row in enumerate(pb.daily):
                for sign, side, rhs in ((1.0, "lo", row.lo), (-1.0, "hi", row.hi)):
                    if math.isfinite(rhs):
                        entries.append((np.array([self.first_daily_row + i]),
                                        np.array([n_cols]), np.array([sign])))
                        cost = np.append(cost, row.penalty(side))
                        lower, upper = np.append(lower, 0.0), np.append(upper, inf)
                        n_cols += 1
        self.n_cols = n_cols
        self.slack_cost = cost[n_opt + n_sup:]
        ri, ci, vi = (np.concatenate(part) for part in zip(*entries, strict=True))
        order = np.lexsort((ri, ci))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_cols, len(rows_lo)
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
        lp.row_lower_ = np.array(rows_lo, dtype=float)
        lp.row_upper_ = np.array(rows_hi, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(ci[order], np.arange(n_cols + 1)).astype(np.int32)
        lp.a_matrix_.index_ = ri[order].astype(np.int32)
        lp.a_matrix_.value_ = vi[order].astype(float)
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, len(rows_lo)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.passModel(lp)
        self.index = np.arange(n_cols, dtype=np.int32)
        return h

    def first_duals(self, days: int, held: dict[int, float] | None = None,
                    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Duals of the *average day* of a block of ``days`` free days: this LP with each
        weekly minimum as a daily one and each recipe at most ``max_repeats / days`` times
        a day (``held``: recipe → a smaller share, e.g. from a cross-week window). →
        (w per weekly row, y per recipe), first prices for column generation; None when
        that LP has no solution."""
        pb, h = self.problem, self.lp
        n_week, n_rec = len(pb.weekly), len(self.recipes)
        weekly = np.arange(self.first_weekly_row, self.first_weekly_row + n_week, dtype=np.int32)
        recipe = np.arange(self.first_recipe_row, self.first_recipe_row + n_rec, dtype=np.int32)
        inf = highspy.kHighsInf
        h.changeRowsBounds(n_week, weekly, np.array([low for _, low in pb.weekly], float),
                           np.full(n_week, inf))
        share = np.full(n_rec, min(1.0, pb.request.max_repeats / days))
        for r, cap in (held or {}).items():
            at = np.searchsorted(self.recipes, r)
            if at < n_rec and self.recipes[at] == r:
                share[at] = min(share[at], cap)
        h.changeRowsBounds(n_rec, recipe, np.full(n_rec, -inf),
                           np.minimum(self.recipe_caps, share))
        option, pill = self.costs(np.zeros(n_week), np.zeros(len(pb.recipe_ids)))
        try:
            self.solve_lp(option, pill)
            duals = np.array(h.getSolution().row_dual)
        except (Infeasible, OutOfTime):
            duals = None
        h.changeRowsBounds(n_week, weekly, np.full(n_week, -inf), np.full(n_week, inf))
        h.changeRowsBounds(n_rec, recipe, np.full(n_rec, -inf), self.recipe_caps)
        if duals is None:
            return None
        y = np.zeros(len(pb.recipe_ids))
        y[self.recipes] = duals[recipe]
        return duals[weekly], y

    def costs(self, w: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(c'_o, c'_u) at weekly duals ``w`` and recipe duals ``y`` (module docstring)."""
        pb = self.problem
        option = self.base.copy()
        pill = pb.supp_amounts[:, pb.cost_key].copy()
        for wj, key in zip(w, self.weekly_keys, strict=True):
            option -= wj * self.amount[:, key]
            pill -= wj * pb.supp_amounts[:, key]
        real = self.rec != EMPTY
        option[real] -= y[self.rec[real]]
        return option, pill

    def solve_lp(self, option: np.ndarray, pill: np.ndarray,
                 ) -> tuple[float, np.ndarray, np.ndarray]:
        """The LP at these costs: (optimum, option reduced costs, supplement reduced costs).
        Raises ``Infeasible`` when no fractional day meets the daily rows, ``OutOfTime``
        when the request's deadline stops it."""
        cost = np.concatenate([option, pill, self.slack_cost])
        self.lp.changeColsCost(self.n_cols, self.index, cost)
        self._run(self.lp, self.deadline.end)
        status = self.lp.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise Infeasible(str(status))
        if status != highspy.HighsModelStatus.kOptimal:
            raise OutOfTime(str(status))
        rc = np.array(self.lp.getSolution().col_dual)
        n_opt = len(self.rec)
        return (float(self.lp.getInfo().objective_function_value), rc[:n_opt],
                rc[n_opt:n_opt + len(pill)])

    def _run(self, h: highspy.Highs, until: float) -> None:
        """Run ``h`` until the monotonic time ``until`` or the request's deadline."""
        end = min(until, self.deadline.end)
        if time.monotonic() >= end:
            raise OutOfTime("deadline passed")
        h.setOptionValue("time_limit", max(end - time.monotonic(), 0.001))
        h.run()

    # ------------------------------------------------------------ pricing

    def price(self, w: np.ndarray, y: np.ndarray, mu: float | None, top: int = 6,
              until: float | None = None) -> Priced:
        """Days priced at duals (``w``, ``y``) below ``mu`` (None: the best days whatever
        their value), best first, with a valid lower bound on every day's objective. When
        enumeration is too large and the best options per slot price nothing out, the
        pricing MILP decides (HiGHS, until the monotonic time ``until``)."""
        option, pill = self.costs(w, y)
        bound, rc_opt, rc_pill = self.solve_lp(option, pill)
        if mu is not None:
            room = mu - bound
            if room < -EPS:
                return Priced([], [], bound, True)
            found = self.enumerate_days(option, pill, np.maximum(rc_opt, 0.0),
                                        self.combos @ np.maximum(rc_pill, 0.0), room, top)
            if found is not None:
                days, values = found
                return Priced(days, values, max(bound, min(values[0] if values else mu, mu)),
                              True)
        found = None
        for size in HEURISTIC_OPTIONS:  # fewer options per slot until the list fits
            found = self.enumerate_days(option, pill, *self._best_options(rc_opt, pill, size),
                                        0.0, top)
            if found is not None:
                break
        days, values = found if found is not None else ([], [])
        if mu is not None and until is not None and not (values and values[0] < mu - EPS):
            return self.solve_mip(option, pill, bound, until)
        return Priced(days, values, bound, False)

    def _best_options(self, rc_opt: np.ndarray, pill: np.ndarray, size: int,
                      ) -> tuple[np.ndarray, np.ndarray]:
        """"Reduced costs" for ``enumerate_days`` keeping only the ``size`` options per slot
        with the least LP reduced cost and the ``size`` cheapest supplement combinations
        (0: kept, inf: left out)."""
        keep = np.zeros(len(self.rec), dtype=bool)
        for s_index in range(len(self.problem.slots)):
            cols = np.flatnonzero(self.slot == s_index)
            keep[cols[np.argsort(rc_opt[cols])[:size]]] = True
        combos = np.full(len(self.combos), math.inf)
        combos[np.argsort(self.combos @ pill)[:size]] = 0.0
        return np.where(keep, 0.0, math.inf), combos

    def solve_mip(self, option: np.ndarray, pill: np.ndarray, lp_bound: float, until: float,
                  ) -> Priced:
        """The pricing problem as a MILP (the LP with integer x and z), by ``until``."""
        if self.mip is None:
            self.mip = highspy.Highs()
            self.mip.setOptionValue("output_flag", False)
            self.mip.setOptionValue("threads", 1)
            self.mip.passModel(self.lp.getLp())
            n = len(self.rec) + len(self.problem.supp_ids)
            self.mip.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                                           np.full(n, highspy.HighsVarType.kInteger))
        h = self.mip
        h.changeColsCost(self.n_cols, self.index, np.concatenate([option, pill,
                                                                  self.slack_cost]))
        try:
            self._run(h, until)
        except OutOfTime:
            return Priced([], [], lp_bound, False)
        info = h.getInfo()
        bound = max(lp_bound, info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) \
            else lp_bound
        if info.primal_solution_status != 2:
            return Priced([], [], bound, False)
        x = np.array(h.getSolution().col_value)
        n_opt = len(self.rec)
        picked = np.flatnonzero(x[:n_opt] > 0.5)
        meals = tuple((self.problem.slots[self.slot[o]], int(self.rec[o]), float(self.por[o]))
                      for o in sorted(picked, key=lambda o: self.slot[o]))
        units = tuple(round(v) for v in x[n_opt:n_opt + len(pill)])
        value = float(info.objective_function_value)
        exact = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return Priced([Day(meals, units)], [value], value if exact else bound, exact)

    def enumerate_days(self, option: np.ndarray, pill: np.ndarray, rcp_opt: np.ndarray,
                       rcp_combo: np.ndarray, room: float, top: int,
                       ) -> tuple[list[Day], list[float]] | None:
        """Every day whose summed ``rcp`` (options, supplement combinations) is at most
        ``room`` and that meets the daily rows (hard mode), built slot by slot; → the
        ``top`` best by objective, or None when a step would form more than ``PAIR_BUDGET``
        partial days."""
        pb = self.problem
        rows = pb.daily
        groups = []  # (rcp, value, daily amounts, recipe, locked, choice ids)
        for s_index in range(len(pb.slots)):
            cols = np.flatnonzero((self.slot == s_index) & (rcp_opt <= room + EPS))
            groups.append((rcp_opt[cols], option[cols], self.amount[cols][:, self.daily_keys],
                           self.rec[cols], self.locked[cols], cols))
        combos = self.combos
        c_rcp, c_val = rcp_combo, combos @ pill
        cols = np.flatnonzero(c_rcp <= room + EPS)
        groups.append((c_rcp[cols], c_val[cols],
                       combos[cols] @ pb.supp_amounts[:, self.daily_keys],
                       np.full(len(cols), EMPTY), np.zeros(len(cols), bool), cols))
        if any(len(g[0]) == 0 for g in groups):
            return [], []
        order = sorted(range(len(groups)), key=lambda g: len(groups[g][0]))
        lo = np.array([r.lo for r in rows])
        hi = np.array([r.hi for r in rows])
        prune = not self.elastic
        low_rest = [np.sum([groups[g][2].min(axis=0) for g in order[i + 1:]], axis=0)
                    if i + 1 < len(order) else np.zeros(len(rows)) for i in range(len(order))]
        high_rest = [np.sum([groups[g][2].max(axis=0) for g in order[i + 1:]], axis=0)
                     if i + 1 < len(order) else np.zeros(len(rows)) for i in range(len(order))]
        rc, val = np.zeros(1), np.zeros(1)
        amt = np.zeros((1, len(rows)))
        recs = np.zeros((1, 0), dtype=int)
        picks = np.zeros((1, 0), dtype=int)
        locks: list[bool] = []
        for step, g in enumerate(order):
            g_rcp, g_val, g_amt, g_rec, g_lock, _ = groups[g]
            a, b = _pairs_within(rc, g_rcp, room)
            if a is None:
                return None
            ok = np.ones(len(a), dtype=bool)
            for j in range(recs.shape[1]):
                same = (recs[a, j] == g_rec[b]) & (g_rec[b] != EMPTY)
                if locks[j]:
                    same &= ~g_lock[b]
                ok &= ~same
            total = amt[a] + g_amt[b]
            if prune and len(rows):
                ok &= np.all(total + low_rest[step] <= hi + 1e-6, axis=1)
                ok &= np.all(total + high_rest[step] >= lo - 1e-6, axis=1)
            a, b = a[ok], b[ok]
            rc, val, amt = rc[a] + g_rcp[b], val[a] + g_val[b], total[ok]
            recs = np.column_stack([recs[a], g_rec[b]])
            picks = np.column_stack([picks[a], b])
            locks.append(bool(g_lock.all()) if len(g_lock) else False)
            if len(rc) == 0:
                return [], []
        if self.elastic and len(rows):
            under = np.maximum(lo - amt, 0.0)
            over = np.maximum(amt - hi, 0.0)
            pen_lo = np.array([r.penalty("lo") if math.isfinite(r.lo) else 0.0 for r in rows])
            pen_hi = np.array([r.penalty("hi") if math.isfinite(r.hi) else 0.0 for r in rows])
            val = val + np.nan_to_num(under) @ pen_lo + np.nan_to_num(over) @ pen_hi
        best = np.argsort(val, kind="stable")[:top]
        back = np.argsort(order)  # column of each group in ``picks``
        days = []
        for i in best:
            chosen = [groups[g][5][picks[i, back[g]]] for g in range(len(groups))]
            meals = tuple((pb.slots[s], int(self.rec[chosen[s]]), float(self.por[chosen[s]]))
                          for s in range(len(pb.slots)))
            units = tuple(int(u) for u in combos[chosen[-1]])
            days.append(Day(meals, units))
        return days, [float(val[i]) for i in best]


def _pairs_within(rc: np.ndarray, g_rcp: np.ndarray, room: float,
                  ) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """Index pairs (partial day a, option b) with ``rc[a] + g_rcp[b] ≤ room``, formed from
    the options sorted by ``g_rcp`` so only those pairs are built; (None, None) when there
    are more than ``PAIR_BUDGET``."""
    order = np.argsort(g_rcp, kind="stable")
    counts = np.searchsorted(g_rcp[order], room - rc + EPS, side="right")
    total = int(counts.sum())
    if total > PAIR_BUDGET:
        return None, None
    a = np.repeat(np.arange(len(rc)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return a, order[offsets]
