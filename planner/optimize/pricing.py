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
duality; a variable at its upper bound has rc ≤ 0 and only adds). Pricing first
enumerates the days over the best options per slot (a heuristic, cheap); a day
cheaper than both μ and the best of those can then only use options whose
positive reduced cost fits ``cut − L``. ``enumerate_days`` finds the cheapest
such day by meeting in the middle: each half of the slots is enumerated as
partial days in numpy (pruning those that can no longer meet a daily row), and
the halves are joined cheapest first, by objective or by reduced cost, and only
between blocks of one daily row (the one the fewest pairs meet) whose amounts can
meet every row together, so a pair is checked only while it could beat the best
day found. When the join is stopped (size or time) the cheapest
pair not checked still bounds every day; only when the halves themselves are too
large does pricing fall back to the pricing MILP.

The LP is built once per kind with highspy arrays and re-solved with new costs
each iteration: PuLP rebuilds a model on every solve, which costs more than the
whole pricing (see ``benchmarks/RESULTS.md``, "Pricing LP: PuLP or highspy").
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field

import highspy
import numpy as np

from planner.domain.goals import MAX_SUPPLEMENT_UNITS, PORTIONS
from planner.optimize import deadline as dl
from planner.optimize.problem import EMPTY, Day, DayRules, Problem, Row

EPS = 1e-7
HALF_BUDGET = 2_000_000  # partial days × choices formed at one step of a half
JOIN_BUDGET = 60_000_000  # pairs of partial days one enumeration may check
JOIN_CHUNK = 200_000  # pairs of partial days checked at once
MIP_SHARE = 0.15  # of the time left to ``until``, at most, for one pricing MILP
SAMPLE = 2000  # partial days per half that choose the row blocks are cut by
BLOCKS = 12  # ranges of one daily row each half of an enumeration is cut into
HEURISTIC_OPTIONS = 16  # options per slot (and supplement combinations) the heuristic keeps


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
        h.setOptionValue("threads", dl.THREADS)
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

    def solve_lp(self, option: np.ndarray, pill: np.ndarray, until: float | None = None,
                 ) -> tuple[float, np.ndarray, np.ndarray]:
        """The LP at these costs: (optimum, option reduced costs, supplement reduced costs).
        Raises ``Infeasible`` when no fractional day meets the daily rows, ``OutOfTime``
        when the monotonic time ``until`` or the request's deadline stops it."""
        cost = np.concatenate([option, pill, self.slack_cost])
        self.lp.changeColsCost(self.n_cols, self.index, cost)
        self._run(self.lp, self.deadline.end if until is None else until)
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
              until: float | None = None, prove: bool = True) -> Priced:
        """Days priced at duals (``w``, ``y``) below ``mu`` (None: the best days whatever
        their value), best first, with a valid lower bound on every day's objective, by the
        monotonic time ``until`` (``OutOfTime`` when its LP is not solved by then). When
        exact enumeration is too large or too slow and the best options per slot price
        nothing out, the pricing MILP decides (HiGHS, for ``MIP_SHARE`` of the time left).
        ``prove=False`` (column generation wants days, not the bound): the enumeration stops
        once it has ``top`` days, and the bound is then the cheapest pair left unchecked."""
        option, pill = self.costs(w, y)
        bound, rc_opt, rc_pill = self.solve_lp(option, pill, until)
        if mu is not None and mu < bound - EPS:
            return Priced([], [], bound, True)
        found = self.enumerate_days(option, pill, *self._best_options(rc_opt, pill),
                                    0.0, math.inf, top)
        days, values = (found.days, found.values) if found is not None else ([], [])
        if mu is None:
            return Priced(days, values, bound, False)
        cut = min([mu, *values[:1]])  # only a day cheaper than the best so far matters
        exact = self._exact_days(option, pill, rc_opt, rc_pill, bound, cut, top, until,
                                 enough=math.inf if prove else top)
        if exact is not None:
            days, values = days + exact.days, values + exact.values
            both = sorted({d: v for d, v in zip(days, values, strict=True) if v < mu - EPS}
                          .items(), key=lambda dv: dv[1])[:top]
            days, values = [d for d, _ in both], [v for _, v in both]
            if exact.exact or values:
                return Priced(days, values, max(bound, exact.bound), exact.exact)
        if until is not None and not (values and values[0] < mu - EPS):
            return self.solve_mip(option, pill, bound,
                                  time.monotonic() + MIP_SHARE * max(0.0, until - time.monotonic()))
        return Priced(days, values, bound, False)

    def days_below(self, w: np.ndarray, y: np.ndarray, mu: float, room: float, top: int,
                   until: float) -> tuple[list[Day], bool] | None:
        """Every day of reduced cost (objective at duals ``w``, ``y`` less ``mu``) at most
        ``room``, up to ``top`` of them, by the monotonic time ``until`` (exact
        enumeration; hard mode); and whether they are all such days and none has a
        negative reduced cost (then no other day could cost less than ``mu + room``). None
        when the enumeration is not made by then."""
        option, pill = self.costs(w, y)
        bound, rc_opt, rc_pill = self.solve_lp(option, pill, until)
        found = self._exact_days(option, pill, rc_opt, rc_pill, bound, mu + room + EPS, top,
                                 until)
        if found is None:
            return None
        complete = found.exact and len(found.days) < top and \
            all(v >= mu - EPS for v in found.values)
        return found.days, complete

    def _exact_days(self, option: np.ndarray, pill: np.ndarray, rc_opt: np.ndarray,
                    rc_pill: np.ndarray, lp_bound: float, cut: float, top: int,
                    until: float | None, enough: float = math.inf) -> Priced | None:
        """``enumerate_days`` made exact by the LP at these costs: its optimum and its
        reduced costs (options and supplement combinations) prune the choices."""
        return self.enumerate_days(option, pill, np.maximum(rc_opt, 0.0),
                                   self.combos @ np.maximum(rc_pill, 0.0), lp_bound, cut, top,
                                   until, enough)

    def _best_options(self, rc_opt: np.ndarray, pill: np.ndarray,
                      ) -> tuple[np.ndarray, np.ndarray]:
        """"Reduced costs" for ``enumerate_days`` keeping only the ``HEURISTIC_OPTIONS``
        options per slot with the least LP reduced cost and as many of the cheapest
        supplement combinations (0: kept, inf: left out)."""
        size = HEURISTIC_OPTIONS
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
            self.mip.setOptionValue("threads", dl.THREADS)
            self.mip.setOptionValue("presolve", "off")  # its probing outlasts time limits
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
                       rcp_combo: np.ndarray, floor: float, cut: float, top: int,
                       until: float | None = None, enough: float = math.inf,
                       ) -> Priced | None:
        """The cheapest day of objective below ``cut`` that meets the daily rows (hard mode),
        first of up to ``top`` such days; every option (supplement combination) of finite
        ``rcp`` is a choice. Exact when ``rcp`` are the LP's positive reduced costs and
        ``floor`` its optimum: a day then costs at least ``floor + Σ rcp``, so the choices
        of ``rcp`` above ``cut − floor`` are left out. Meet in the middle: each half of the
        groups (slots, and the supplement combinations) is enumerated as partial days, then
        the halves are joined cheapest first (``_join_order``), by pairs of blocks that can
        meet the daily rows together (``_blocks``), each pair checked only while it could
        beat the best day found. → the days found, cheapest first, and a lower bound
        on every day's objective capped at ``cut``: exact unless the join stopped early (past
        ``JOIN_BUDGET`` pairs, with ``enough`` days, or at the monotonic time ``until`` or
        the deadline), when it is the cheapest pair left unchecked; None when a half would
        exceed ``HALF_BUDGET`` partial days or the halves are not made by then."""
        pb = self.problem
        room = cut - floor
        groups = []
        for s_index in range(len(pb.slots)):
            cols = np.flatnonzero((self.slot == s_index) & (rcp_opt <= room + EPS)
                                  & np.isfinite(rcp_opt))
            groups.append(_Group(rcp_opt[cols], option[cols],
                                 self.amount[cols][:, self.daily_keys], self.rec[cols],
                                 bool(self.locked[cols].all()) and len(cols) > 0, cols))
        cols = np.flatnonzero((rcp_combo <= room + EPS) & np.isfinite(rcp_combo))
        groups.append(_Group(rcp_combo[cols], (self.combos @ pill)[cols],
                             self.combos[cols] @ pb.supp_amounts[:, self.daily_keys],
                             np.full(len(cols), EMPTY), False, cols))
        if any(len(g.rcp) == 0 for g in groups):
            return Priced([], [], cut, True)
        lo = np.array([r.lo for r in pb.daily])
        hi = np.array([r.hi for r in pb.daily])
        end = min(math.inf if until is None else until, self.deadline.end)
        halves = _split(groups)
        made = [self._half(groups, part, other, room, cut, lo, hi, end)
                for part, other in (halves, halves[::-1])]
        if made[0] is None or made[1] is None or time.monotonic() > end:
            return None
        a, b = made
        if not len(a.value) or not len(b.value):
            return Priced([], [], cut, True)
        a, b, a_key, b_key, reach, blocks = _blocks(*self._join_order(a, b, floor, cut, lo, hi),
                                                    lo, hi, not self.elastic)
        found = _Found(top, cut)
        lower = None  # the cheapest pair left unchecked, when the join stops early
        for n, (bound, rows_a, rows_b) in enumerate(blocks):
            if bound >= found.limit:
                break
            least = np.minimum.accumulate(a_key[rows_a][::-1])[::-1]  # from i on
            i = rows_a.start
            while i < rows_a.stop and reach[i] < found.limit:
                if time.monotonic() > end or found.checked > JOIN_BUDGET or \
                        len(found.value) >= enough:
                    lower = min([reach[i], *(bound for bound, _, _ in blocks[n + 1:n + 2])])
                    break
                m = max(1, int(np.searchsorted(b_key[rows_b], found.limit - least[i - rows_a.start]
                                               + EPS, side="right")))
                rows = slice(i, min(rows_a.stop, i + max(1, JOIN_CHUNK // m)))
                cols = slice(rows_b.start, rows_b.start + m)
                value = a.value[rows, None] + b.value[None, cols]
                ok = a.rc[rows, None] + b.rc[None, cols] <= found.limit - floor + EPS
                for j, row in enumerate(pb.daily):
                    total = a.amount[rows, j, None] + b.amount[None, cols, j]
                    if self.elastic:
                        value = value + _shortfall(total, row)
                    else:
                        ok &= (total >= row.lo - 1e-6) & (total <= row.hi + 1e-6)
                for x, gx in enumerate(a.groups):
                    for y, gy in enumerate(b.groups):
                        if not (groups[gx].locked and groups[gy].locked):
                            ok &= (a.recipes[rows, x, None] != b.recipes[None, cols, y]) | \
                                (b.recipes[None, cols, y] == EMPTY)
                ok &= value < cut
                ia, ib = np.nonzero(ok)
                found.add(value[ia, ib], ia + rows.start, ib + cols.start)
                found.checked += value.size
                i = rows.stop
            if lower is not None:
                break
        done = lower is None
        lower = found.limit if done else min(found.limit, float(lower))
        best_v, best_a, best_b = found.value, found.a, found.b
        days = []
        for ia, ib in zip(best_a, best_b, strict=True):
            chosen = {**dict(zip(a.groups, a.picks[ia], strict=True)),
                      **dict(zip(b.groups, b.picks[ib], strict=True))}
            meals = tuple((pb.slots[g], int(self.rec[groups[g].ids[chosen[g]]]),
                           float(self.por[groups[g].ids[chosen[g]]]))
                          for g in range(len(pb.slots)))
            combo = groups[-1].ids[chosen[len(groups) - 1]]
            days.append(Day(meals, tuple(int(u) for u in self.combos[combo])))
        return Priced(days, [float(v) for v in best_v], lower, done)

    def _join_order(self, a: _Half, b: _Half, floor: float, cut: float, lo: np.ndarray,
                    hi: np.ndarray) -> tuple[_Half, _Half, np.ndarray, np.ndarray, np.ndarray]:
        """The order in which ``enumerate_days`` joins the halves, by whichever of two keys
        leaves fewer pairs below ``cut``: objective (a pair costs at least ``a_key +
        b_key``) or LP reduced cost (at least ``floor + a_key + b_key``, so the many pairs
        that are cheap only because they miss a daily row are never formed). → the halves,
        ``a`` sorted by ``reach`` (a lower bound on any day it completes) and ``b`` by its
        key, their keys, and ``reach``."""
        by_value = np.searchsorted(np.sort(b.value), cut - a.value).sum()
        by_rc = np.searchsorted(np.sort(b.rc), cut - floor - a.rc + EPS, side="right").sum()
        if by_value > by_rc:
            b = b.take(np.argsort(b.rc, kind="stable"))
            reach = floor + a.rc + b.rc[0]
        else:
            reach = self._reach(a, b, lo, hi)
        order = np.argsort(reach, kind="stable")
        a = a.take(order)
        if by_value <= by_rc:
            return a, b, a.value, b.value, reach[order]
        return a, b, floor + a.rc, b.rc, reach[order]

    def _reach(self, a: _Half, b: _Half, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Per partial day of ``a``, a lower bound on the objective of any day it completes
        with ``b``: its objective plus the cheapest of ``b`` whose amount of one daily row
        fits beside it (the best such row; hard mode), else the cheapest of ``b``."""
        reach = a.value + b.value[0]
        for j in range(len(lo) if not self.elastic else 0):
            order = np.argsort(b.amount[:, j], kind="stable")
            amounts = b.amount[order, j]
            first = np.searchsorted(amounts, lo[j] - a.amount[:, j] - 1e-6, side="left")
            stop = np.searchsorted(amounts, hi[j] - a.amount[:, j] + 1e-6, side="right")
            reach = np.maximum(reach, a.value + _range_min(b.value[order], first, stop))
        return reach

    def _half(self, groups: list[_Group], part: list[int], other: list[int], room: float,
              cut: float, lo: np.ndarray, hi: np.ndarray, end: float) -> _Half | None:
        """Every partial day over the groups ``part`` within ``room`` and ``cut`` that the
        groups left (``other`` included) can still complete within the daily rows (hard
        mode), sorted by objective; None past ``HALF_BUDGET`` or the monotonic time ``end``."""
        rc, value = np.zeros(1), np.zeros(1)
        amount = np.zeros((1, len(lo)))
        recipes = np.zeros((1, 0), dtype=int)
        picks = np.zeros((1, 0), dtype=int)
        for step, g in enumerate(part):
            group, rest = groups[g], [groups[h] for h in part[step + 1:] + other]
            if len(rc) * len(group.rcp) > HALF_BUDGET or time.monotonic() > end:
                return None
            a = np.repeat(np.arange(len(rc)), len(group.rcp))
            b = np.tile(np.arange(len(group.rcp)), len(rc))
            ok = rc[a] + group.rcp[b] <= room + EPS
            ok &= value[a] + group.value[b] + sum(h.value.min() for h in rest) < cut
            for x, gx in enumerate(part[:step]):
                if not (groups[gx].locked and group.locked):
                    ok &= (recipes[a, x] != group.recipe[b]) | (group.recipe[b] == EMPTY)
            a, b = a[ok], b[ok]
            total = amount[a] + group.amount[b]
            if not self.elastic and len(lo):
                low = sum((h.amount.min(axis=0) for h in rest), np.zeros(len(lo)))
                high = sum((h.amount.max(axis=0) for h in rest), np.zeros(len(lo)))
                ok = np.all((total + low <= hi + 1e-6) & (total + high >= lo - 1e-6), axis=1)
                a, b, total = a[ok], b[ok], total[ok]
            rc, value, amount = rc[a] + group.rcp[b], value[a] + group.value[b], total
            recipes = np.column_stack([recipes[a], group.recipe[b]])
            picks = np.column_stack([picks[a], b])
        order = np.argsort(value, kind="stable")
        return _Half(list(part), rc[order], value[order], amount[order], recipes[order],
                     picks[order])


@dataclass(frozen=True)
class _Group:
    """The choices of one slot (or the supplement combinations) left in an enumeration:
    their summed reduced cost, objective, daily-row amounts, recipe (``EMPTY`` for none),
    whether the slot is locked, and their option (or combination) ids."""

    rcp: np.ndarray
    value: np.ndarray
    amount: np.ndarray
    recipe: np.ndarray
    locked: bool
    ids: np.ndarray


@dataclass(frozen=True)
class _Half:
    """Partial days over ``groups``, cheapest first: per partial day its summed reduced
    cost, objective, daily-row amounts, recipe per group and pick per group."""

    groups: list[int]
    rc: np.ndarray
    value: np.ndarray
    amount: np.ndarray
    recipes: np.ndarray
    picks: np.ndarray

    def take(self, order: np.ndarray) -> _Half:
        return _Half(self.groups, self.rc[order], self.value[order], self.amount[order],
                     self.recipes[order], self.picks[order])


def _shortfall(total: np.ndarray, row: Row) -> np.ndarray:
    """Elastic € of daily amounts ``total`` below the row's minimum or above its maximum."""
    under = row.penalty("lo") * np.maximum(row.lo - total, 0.0) if math.isfinite(row.lo) else 0.0
    over = row.penalty("hi") * np.maximum(total - row.hi, 0.0) if math.isfinite(row.hi) else 0.0
    return under + over


@dataclass
class _Found:
    """The ``top`` cheapest days a join has found (objective, index in each half), the
    objective a day must now beat (``limit``), and the pairs checked."""

    top: int
    limit: float
    value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    a: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    b: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    checked: int = 0

    def add(self, value: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        if len(value) > self.top:  # only the ``top`` cheapest can be kept
            few = np.argpartition(value, self.top)[:self.top]
            value, a, b = value[few], a[few], b[few]
        value = np.concatenate([self.value, value])
        keep = np.argsort(value, kind="stable")[:self.top]
        self.value = value[keep]
        self.a = np.concatenate([self.a, a])[keep]
        self.b = np.concatenate([self.b, b])[keep]
        if len(self.value):
            self.limit = min(self.limit, float(self.value[0]))


def _blocks(a: _Half, b: _Half, a_key: np.ndarray, b_key: np.ndarray, reach: np.ndarray,
            lo: np.ndarray, hi: np.ndarray, hard: bool) -> tuple[_Half, _Half, np.ndarray,
                                                                np.ndarray, np.ndarray, list]:
    """Both halves cut into up to ``BLOCKS`` ranges of one daily row (hard mode: the row
    that the fewest pairs meet, ``_tightest_row``), each range one slice and in the order
    it had (``a`` by ``reach``, ``b`` by key). → the halves, keys and ``reach`` so
    reordered, and the pairs of ranges whose amounts can meet every daily row together, as
    (lower bound on their days, rows of a, rows of b), cheapest first: the pairs that are
    cheap only because they miss a row mostly lie in the ranges left out."""
    row = _tightest_row(a, b, lo, hi) if hard and len(a.value) * len(b.value) > JOIN_CHUNK \
        else None
    ranges = []
    for half, key in ((a, reach), (b, b_key)):
        ids = np.zeros(len(key), dtype=int)
        if row is not None:
            edges = np.quantile(half.amount[:, row], np.linspace(0, 1, BLOCKS + 1)[1:-1])
            ids = np.searchsorted(np.unique(edges), half.amount[:, row], side="right")
        order = np.argsort(ids, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(ids[order]) != 0])
        ranges.append((order, starts, np.r_[starts[1:], len(order)]))
    (order_a, start_a, stop_a), (order_b, start_b, stop_b) = ranges
    a, a_key, reach = a.take(order_a), a_key[order_a], reach[order_a]
    b, b_key = b.take(order_b), b_key[order_b]
    meets = np.all((np.maximum.reduceat(a.amount, start_a)[:, None]
                    + np.maximum.reduceat(b.amount, start_b)[None] >= lo - 1e-6)
                   & (np.minimum.reduceat(a.amount, start_a)[:, None]
                      + np.minimum.reduceat(b.amount, start_b)[None] <= hi + 1e-6), axis=2) \
        if hard else np.ones((len(start_a), len(start_b)), dtype=bool)
    bound = np.maximum(np.minimum.reduceat(reach, start_a)[:, None],
                       np.minimum.reduceat(a_key, start_a)[:, None]
                       + np.minimum.reduceat(b_key, start_b)[None])
    blocks = sorted(((float(bound[p, q]), slice(start_a[p], stop_a[p]),
                      slice(start_b[q], stop_b[q]))
                     for p, q in zip(*np.nonzero(meets), strict=True)), key=lambda t: t[0])
    return a, b, a_key, b_key, reach, blocks


def _tightest_row(a: _Half, b: _Half, lo: np.ndarray, hi: np.ndarray) -> int | None:
    """The daily row that the fewest pairs of partial days meet together (None: no row),
    judged on up to ``SAMPLE`` partial days of each half."""
    best, fewest = None, math.inf
    some_a = a.amount[::max(1, len(a.amount) // SAMPLE)]
    some_b = b.amount[::max(1, len(b.amount) // SAMPLE)]
    for j in range(len(lo)):
        amounts = np.sort(some_b[:, j])
        meet = (np.searchsorted(amounts, hi[j] - some_a[:, j] + 1e-6, side="right")
                - np.searchsorted(amounts, lo[j] - some_a[:, j] - 1e-6, side="left")).sum()
        if meet < fewest:
            best, fewest = j, meet
    return best


def _range_min(values: np.ndarray, first: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """min(values[first[i]:stop[i]]) for every i (inf where empty), by a sparse table."""
    table = [values]
    while 2 ** len(table) <= len(values):
        half = 2 ** (len(table) - 1)
        table.append(np.minimum(table[-1][:-half], table[-1][half:]))
    out = np.full(len(first), math.inf)
    length = stop - first
    level = np.zeros(len(first), dtype=int)
    level[length > 0] = np.floor(np.log2(length[length > 0])).astype(int)
    for k in np.unique(level[length > 0]):
        at = np.flatnonzero((level == k) & (length > 0))
        out[at] = np.minimum(table[k][first[at]], table[k][stop[at] - 2 ** k])
    return out


def _split(groups: list[_Group]) -> tuple[list[int], list[int]]:
    """The groups in two halves of about equal product of sizes, largest groups first."""
    halves: tuple[list[int], list[int]] = ([], [])
    sizes = [1, 1]
    for g in sorted(range(len(groups)), key=lambda g: -len(groups[g].rcp)):
        side = 0 if sizes[0] <= sizes[1] else 1
        halves[side].append(g)
        sizes[side] *= len(groups[g].rcp)
    return halves
