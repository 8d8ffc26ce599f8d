"""The day-pattern method (Dantzig–Wolfe column generation, then price-and-branch).

A plan is solved block by block (7 days, ``problem.blocks``), each block under
its share of the request's deadline and with the blocks before it fixed:

1. **Kinds.** Days with equal ``DayRules`` share one pricing problem and one
   convexity row, so free days are interchangeable (no symmetry). From the
   second block on, the rule "a recipe at most ``max_repeats`` times in any 7
   consecutive days" links blocks (``problem.window_caps``: caps on the
   block's first 3 and first 6 days from the recipes of the days before), so
   days 1–3 and 4–6 form their own kinds. Within a kind, days are ordered with
   the densest in the weekly minimums first, so the next block's windows meet
   the plain days. A block may not repeat an earlier block's days
   (``Master``'s ``newweek`` rows).
2. **Column generation.** The master LP gives duals; each kind's pricing
   (``DayPricing``) returns the days that price out and a bound on its best day.
   The Lagrangian (Farley) bound ``z_LP + Σ_k n_k·min(0, bound_k − μ_k)`` is
   valid at every iteration and is the bound the plan's gap is measured to.
   A round asks each pricing for up to ``ROUND_COLUMNS`` days (more in kernel
   runs) and lets it stop once it has them; only a round that finds none needs
   the exact answer.
   Above ``KERNEL_ABOVE`` recipes, pricing runs on a kernel (the
   ``KERNEL_SIZE`` recipes per slot with the least LP reduced cost) until it
   converges, then over the whole library, which makes the bound global.
3. **Integer plan.** A first plan from the integer master over the first
   columns (the previous block's within ``SEED_REDUCED_COST`` of pricing out at
   its converged LP, and those priced at the average day's duals),
   so a deadline finds one; after column generation, the master with integer λ
   over every column (HiGHS, or CBC when asked); while the gap is above half the request's and
   time remains: a dive (fix a fractional λ upwards, the largest whose fix keeps
   the LP free of shortfall, re-price, repeat: its integral end is a plan too) and
   the integer master again. Before the dive, every day that a plan cheaper than
   a cutoff could hold (reduced cost at most the cutoff less the LP bound; the
   cutoff is the best plan less the request's gap) is added by exact pricing over
   the whole library (``close_in``): when those are all such days, the integer
   master over them decides every plan below the cutoff, so the lesser of the
   cutoff and its bound becomes the block's (reduced-cost fixing). Each plan found
   is improved a day at a time by swaps for other columns (``Master.best_swap``, a
   local search), and a step is skipped once the plan is within half the gap. A
   block after a week, free to repeat it, also has that week again as a plan
   (``copy_of_last_week``, penalised as a repeated week), so running out of time
   never leaves it without one.
4. **Free weeks.** When no day has locks or previous meals, each week after the
   first is the week before with one day replaced in place by the first week's
   column that makes it cheapest (``next_week``): that keeps the cross-week rule
   exactly (the windows of step 1 are only sufficient), takes milliseconds, and
   each such week is bounded by the first week's bound. A week with no such day
   is solved as above.
5. **Elastic mode.** When no day or no block meets the hard rules, the same
   method runs with penalised slack on every row and empty slots, so the
   closest plan comes back (status ``relaxed``) and its shortfalls can be
   explained from its totals.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.optimize import deadline as dl
from planner.optimize.master import Duals, Master, Window
from planner.optimize.pricing import DayPricing, Infeasible, OutOfTime, Priced
from planner.optimize.problem import (
    BLOCK_DAYS,
    EMPTY,
    Day,
    DayRules,
    Problem,
    fixed_meals,
    free_days,
    window_caps,
    window_group,
)

KERNEL_ABOVE = 400  # recipes; above this, pricing runs on a kernel
KERNEL_SIZE = 60  # recipes per slot in the kernel
FIRST_SHARE = 0.2  # of a block's time, at most, for first columns
AIM = 0.5  # of the request's gap: below it a block stops improving
MIN_IP_SECONDS = 0.1  # an integer master's phase is never shorter
EARLY_SHARE = 0.1  # … until an integer master over the first columns gives up
ELASTIC_EARLY_SHARE = 0.6  # … the same, over the seeds, for the closest plan
CG_SHARE = 0.55  # of a block's time for column generation
IP_SHARE = 0.8  # … until the first integer master ends
DIVE_SHARE = 0.92  # … until diving ends (the rest: the last integer master)
FIRST_ROUNDS = 5  # rounds of first columns per kind
FIRST_REPEAT_PRICE = 2.0  # € added per earlier use of a recipe while making first columns
FIRST_MARGIN = 0.1  # a last round of first columns values the weekly minimums this much
# more: at the average day's duals a supplement or food that just pays for itself is a tie
# the pricing may break either way, and a week of days that all break it downwards misses
# its minimum
DIVE_TRIES = 5  # columns a dive step tries to fix before it gives up
DIVE_ROUNDS = 3  # column generation rounds after each fix of a dive
SEED_REDUCED_COST = 0.0  # € a column may lie above pricing out and still seed the next block
BOUND_TOLERANCE = 0.05  # stop generating columns once the LP gap is this share of gap_rel
CLOSING_DAYS = 5000  # days per kind, at most, that ``close_in`` adds
ROUND_COLUMNS = 6  # days per kind, at most, one column generation round adds …
KERNEL_ROUND_COLUMNS = 30  # … and in kernel runs, where rounds are fewer than they need


@dataclass(frozen=True)
class BlockPlan:
    """One block's plan: day → ``Day``, its objective and a lower bound (None: unknown);
    ``columns``: the days its master held, for the weeks after (``next_week``)."""

    days: dict[int, Day]
    objective: float
    bound: float | None
    elastic: bool
    columns: tuple[Day, ...] = ()


class BlockSolver:
    """Column generation, integer master and dives for one block (module docstring)."""

    def __init__(self, problem: Problem, block: list[int], history: dict[int, Day],
                 elastic: bool, pricers: Pricers) -> None:
        self.problem, self.block, self.elastic = problem, block, elastic
        self.kinds, self.kind_days = kinds_of(problem, block, history)
        windows = cross_week_windows(problem, block, history, self.kind_days)
        self.master = Master(problem, [(rules, len(days)) for rules, days in
                                       zip(self.kinds, self.kind_days, strict=True)],
                             elastic, windows, earlier_weeks(problem, block, history),
                             lock_counts(problem, block))
        self.pricing = [pricers.get(rules, elastic) for rules in self.kinds]
        self.full = None if pricers.kernel is None else [
            pricers.get(rules, elastic, on_kernel=False) for rules in self.kinds]
        self.bound = -math.inf
        self.converged = False  # the last generate() found no new column (exact pricing)

    def seed(self, days: list[Day]) -> None:
        """Offer known days (the previous block's columns) as first columns where their
        rules allow; in elastic mode, also each kind's locks with every other slot empty,
        so the integer master always has a plan."""
        for k, rules in enumerate(self.kinds):
            locked = {(s, r, p) for s, r, p in rules.locks}
            for day in days:
                if locked <= set(day.meals) and len(day.meals) == len(self.problem.slots):
                    self.master.add(k, day)
            if self.elastic:
                fixed = {s: (s, r, p) for s, r, p in rules.locks}
                meals = tuple(fixed.get(s, (s, EMPTY, 0.0)) for s in self.problem.slots)
                self.master.add(k, Day(meals, (0,) * len(self.problem.supp_ids)))

    def first_columns(self, until: dl.Deadline) -> None:
        """Days priced at the average day's duals (``DayPricing.first_duals``; a last
        round at ``FIRST_MARGIN`` more for the weekly minimums), each round making the
        recipes already used in the block (or held back by a cross-week window) dearer, so
        that the master has whole weeks within the repeat limits from the start. Rounds go
        over every kind in turn, so that a short ``until`` still gives each kind a day."""
        used = np.zeros(len(self.problem.recipe_ids))  # across kinds: the repeat limit is
        for window in self.master.windows:            # the block's, not a kind's
            used[window.recipe] = max(used[window.recipe],
                                      self.problem.request.max_repeats - window.cap)
        first: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}
        for i in range(FIRST_ROUNDS + 1):
            for k, pricing in enumerate(self.pricing):
                rounds = FIRST_ROUNDS if len(self.kind_days[k]) > 1 else 1
                if i > rounds:
                    continue
                if until.expired():
                    return
                if k not in first:
                    first[k] = pricing.first_duals(len(self.block), self._held(k))
                if first[k] is None:
                    continue
                w, y = first[k]
                scale = 1.0 + FIRST_MARGIN * (i == rounds)
                priced = pricing.price(scale * w, y - FIRST_REPEAT_PRICE * used, None, top=2)
                for day in priced.days:
                    if self.master.add(k, day):
                        for _, r, _ in day.meals:
                            if r != EMPTY:
                                used[r] += 1

    def _held(self, kind: int) -> dict[int, float]:
        """Recipe → its share of a day of ``kind`` that the cross-week windows allow."""
        held: dict[int, float] = {}
        for w in self.master.windows:
            if kind in w.kinds:
                share = w.cap / sum(len(self.kind_days[j]) for j in w.kinds)
                held[w.recipe] = min(held.get(w.recipe, share), share)
        return held

    def generate(self, until: dl.Deadline, gap_rel: float, max_rounds: int | None = None,
                 whole: bool = False) -> None:
        """Column generation rounds until converged, the LP gap is small, or ``until`` (no
        round starts that the last one's length says would end after it); ``whole``:
        pricing over the whole library, not the kernel."""
        pricers = self.full if whole and self.full else self.pricing
        is_global = pricers is not self.pricing or self.full is None
        top = ROUND_COLUMNS if self.full is None else KERNEL_ROUND_COLUMNS
        rounds, last = 0, 0.0
        while until.left() > last and (max_rounds is None or rounds < max_rounds):
            rounds += 1
            began = time.monotonic()
            duals = self.master.solve_lp(until)
            if duals is None:
                return
            lagrangian, added, exact = duals.objective, 0, True
            for k, pricing in enumerate(pricers):
                priced = _price(pricing, duals, k, until, top, prove=False)
                if priced is None:
                    return
                exact &= priced.exact
                lagrangian += len(self.kind_days[k]) * min(0.0, priced.bound - duals.mu[k])
                for day, value in zip(priced.days, priced.values, strict=True):
                    if value < duals.mu[k] - 1e-7:
                        added += self.master.add(k, day)
            if is_global and max_rounds is None:
                self.bound = max(self.bound, lagrangian)
            if added == 0:
                self.converged = exact and is_global
                if self.converged and max_rounds is None:
                    self.bound = max(self.bound, duals.objective)
                return
            if max_rounds is None and duals.objective - self.bound <= \
                    BOUND_TOLERANCE * gap_rel * max(abs(duals.objective), 1e-9):
                return
            last = time.monotonic() - began

    def promising(self) -> list[Day]:
        """The days worth offering the next block: columns within ``SEED_REDUCED_COST`` € of
        pricing out at the last LP (or added since), each once."""
        return list(dict.fromkeys(day for (_, day), rc in self.master.reduced_costs().items()
                                  if rc is None or rc <= SEED_REDUCED_COST))

    def floor_bound(self) -> None:
        """The Lagrangian bound at zero duals: each day at least the cheapest fractional day
        of its kind (over the whole library); valid before any column exists."""
        pricers = self.full or self.pricing
        floor = 0.0
        for k, pricing in enumerate(pricers):
            zero = pricing.costs(np.zeros(len(self.problem.weekly)),
                                 np.zeros(len(self.problem.recipe_ids)))
            floor += len(self.kind_days[k]) * pricing.solve_lp(*zero)[0]
        self.bound = max(self.bound, floor)

    def global_bound(self, until: dl.Deadline, gap_rel: float) -> None:
        """Kernel runs: column generation goes on with pricing over the whole library, so
        the bound is global (the Lagrangian bound of each round, the LP's once converged)."""
        if self.full is not None:
            self.generate(until, gap_rel, whole=True)

    def close_in(self, cutoff: float, until: dl.Deadline) -> bool:
        """Add every day that a plan cheaper than ``cutoff`` could hold: at the master LP's
        duals, each day of reduced cost at most ``cutoff`` − z_LP (``DayPricing.days_below``,
        over the whole library). True when those are all such days and the duals price
        every day (column generation had converged): then any plan cheaper than ``cutoff``
        is one of the integer master's, so min(``cutoff``, its bound) (``Master.ip_bound``)
        bounds the block too (reduced-cost fixing). A cutoff below the best plan (by the
        gap the request allows) leaves fewer days to add than the best plan would."""
        duals = self.master.solve_lp(until)
        if duals is None:
            return False
        room = max(0.0, cutoff - duals.objective)
        complete = True
        for k, pricing in enumerate(self.full or self.pricing):
            try:
                found = pricing.days_below(duals.w, duals.y[k], duals.mu[k], room,
                                           CLOSING_DAYS, until.end)
            except OutOfTime:
                found = None
            if found is None:
                return False
            days, all_of_them = found
            for day in days:
                self.master.add(k, day)
            complete &= all_of_them
        return complete

    def integer(self, until: dl.Deadline, gap_rel: float, solver: str,
                planned_by: float | None = None) -> tuple[float, dict] | None:
        """The integer master (``Master.solve_ip``) over every column, at the request's gap."""
        return self.master.solve_ip(until, gap_rel, solver, planned_by)

    def dive(self, until: dl.Deadline, gap_rel: float) -> tuple[float, dict] | None:
        """Fix a fractional λ upwards and re-price, until the LP is integral (a plan:
        (objective, days per column)) or time is up (None); the columns found stay for the
        next integer master."""
        fixed: dict = {}
        plan = None
        self.generate(until, gap_rel, max_rounds=DIVE_ROUNDS)
        while not until.expired():
            if self.master.solve_lp(until) is None or self._short():
                break
            values = self.master.fractional()
            if all(abs(v - round(v)) < 1e-6 for v in values.values()):
                counts = {key: round(v) for key, v in values.items() if round(v) > 0}
                plan = (self.master.objective_of(counts), counts)
                break
            if not self._fix_next(values, fixed, until, gap_rel):
                break
        self.master.release()
        return plan

    def _fix_next(self, values: dict, fixed: dict, until: dl.Deadline, gap_rel: float,
                  ) -> bool:
        """Fix λ ≥ its rounded value (at least one more than fixed) for the first of the
        ``DIVE_TRIES`` columns of largest unfixed λ after whose fix and ``DIVE_ROUNDS`` of
        pricing (new days may make up for it) the LP needs no shortfall; False when none
        does."""
        ranked = sorted(values, key=lambda q: values[q] - fixed.get(q, 0), reverse=True)
        for key in ranked[:DIVE_TRIES]:
            count = max(fixed.get(key, 0) + 1, round(values[key]))
            if sum(fixed.values()) - fixed.get(key, 0) + count > len(self.block):
                continue
            self.master.fix_at_least(key, count)
            self.generate(until, gap_rel, max_rounds=DIVE_ROUNDS)
            if self.master.solve_lp(until) is not None and not self._short():
                fixed[key] = count
                return True
            self.master.fix_at_least(key, fixed.get(key, 0))
        return False

    def _short(self) -> bool:
        """Whether the last master LP needs an artificial day or (hard mode) a shortfall."""
        return self.master.uses_slack() and not self.elastic

    def copy_of_last_week(self, history: dict[int, Day]) -> BlockPlan | None:
        """The 7 days before, again (day d as day d − 7), with its objective, when the block
        is free to repeat them (``earlier_weeks``): a plan that meets every rule, the
        cross-week one included (any 7 consecutive days of a 7-day cycle hold one week's
        meals), so a block out of time still has one. None for the first block."""
        if not self.master.earlier:
            return None
        days = {d: history.get(d - BLOCK_DAYS) for d in self.block}
        if None in days.values():
            return None
        counts: dict = {}
        for d, day in days.items():
            kind = next(k for k, kd in enumerate(self.kind_days) if d in kd)
            counts[kind, day] = counts.get((kind, day), 0) + 1
        return BlockPlan(days, self.master.objective_of(counts), None, False)

    def improve(self, found: tuple[float, dict] | None, until: dl.Deadline,
                ) -> tuple[float, dict] | None:
        """``found`` after the best one-day swaps (``Master.best_swap``) while they lower
        its objective, by ``until`` (hard mode; a local search)."""
        while found is not None and not self.elastic and not until.expired():
            better = self.master.best_swap(found[1], until=until.end)
            if better[0] >= found[0] - 1e-9:
                break
            found = better
        return found

    def block_plan(self, found: tuple[float, dict]) -> BlockPlan:
        """The plan of an integer master's (objective, counts), at the bound so far; a plan
        of the closest-plan mode that needs no slack meets every rule, so it is not
        ``elastic``."""
        objective, counts = found
        elastic = self.elastic and not self.master.meets_rules(counts)
        return BlockPlan(self.plan_of(counts), objective, _finite(self.bound), elastic)

    def plan_of(self, counts: dict) -> dict[int, Day]:
        """Days of the block from integer column counts: within each kind, the days
        richest in the weekly minimums first (they meet the next block's windows least)."""
        out: dict[int, Day] = {}
        for k, days in enumerate(self.kind_days):
            chosen = [day for (kind, day), n in sorted(counts.items(), key=self._density)
                      if kind == k for _ in range(n)]
            out.update(zip(days, chosen, strict=False))
        return out

    def _density(self, item) -> tuple:
        """Sort key: kind, then −Σ_j amount[j] / minimum[j] over the weekly rows."""
        (kind, day), _ = item
        amounts = self.problem.day_amounts(day)
        dense = sum(amounts[key] / low for key, low in self.problem.weekly if low > 0)
        return kind, -dense, day.meals, day.units


class Pricers:
    """Every pricing problem of one request, made once and kept warm across blocks: one per
    (locks, previous meals, elastic mode, kernel or whole library). Kinds that differ only
    by the cross-week window share one (the window changes duals, not the problem)."""

    def __init__(self, problem: Problem, deadline: dl.Deadline) -> None:
        self.problem, self.deadline = problem, deadline
        self.kernel: np.ndarray | None = None  # recipes pricing runs on (None: all)
        self.made: dict[tuple, DayPricing] = {}

    def get(self, rules: DayRules, elastic: bool, on_kernel: bool = True) -> DayPricing:
        allowed = self.kernel if on_kernel else None
        key = (rules.locks, rules.previous, elastic, allowed is not None)
        if key not in self.made:
            self.made[key] = DayPricing(self.problem, rules, elastic, allowed, self.deadline)
        return self.made[key]

    def choose_kernel(self, days: int) -> None:
        """For a large library, the kernel pricing runs on: per slot the ``KERNEL_SIZE``
        recipes with the least reduced cost in the average day of ``days`` free days
        (``DayPricing.first_duals``), and every recipe that LP uses. Left unset (the whole
        library) when the average day has no solution."""
        problem = self.problem
        if len(problem.recipe_ids) <= KERNEL_ABOVE:
            return
        pricing = self.get(DayRules(), elastic=False, on_kernel=False)
        first = pricing.first_duals(days)
        if first is None:
            return
        option, pill = pricing.costs(*first)
        try:
            _, rc, _ = pricing.solve_lp(option, pill)
        except (Infeasible, OutOfTime):
            return
        keep = np.zeros(len(problem.recipe_ids), dtype=bool)
        used = pricing.rec[np.array(pricing.lp.getSolution().col_value)[:len(rc)] > 1e-9]
        keep[used[used != EMPTY]] = True
        for s_index in range(len(problem.slots)):
            cols = np.flatnonzero(pricing.slot == s_index)
            best = pricing.rec[cols[np.argsort(rc[cols])]]
            keep[[r for r in dict.fromkeys(best) if r != EMPTY][:KERNEL_SIZE]] = True
        self.kernel = keep


def kinds_of(problem: Problem, block: list[int], history: dict[int, Day],
             ) -> tuple[list[DayRules], list[list[int]]]:
    """The block's distinct ``DayRules`` and the days of each, in day order."""
    rules: dict[DayRules, list[int]] = {}
    for d in block:
        locks, previous = fixed_meals(problem, d)
        key = DayRules(locks, previous, window_group(block, d, bool(history)))
        rules.setdefault(key, []).append(d)
    return list(rules), list(rules.values())


def cross_week_windows(problem: Problem, block: list[int], history: dict[int, Day],
                       kind_days: list[list[int]]) -> tuple[Window, ...]:
    """The cross-week rule (``problem.window_caps``) as ``Window`` rows over the kinds of
    the days each cap covers."""
    if not history:
        return ()
    eaten = {d: [r for _, r, _ in day.meals if r != EMPTY] for d, day in history.items()}
    return tuple(Window(r, frozenset(k for k, days in enumerate(kind_days) if days[0] in covered),
                        cap)
                 for r, covered, cap in window_caps(problem, block, eaten))


def earlier_weeks(problem: Problem, block: list[int], history: dict[int, Day],
                  ) -> tuple[frozenset[Day], ...]:
    """The days of every earlier block as long as this one, when this block is free to
    differ from them (no locks or previous meals)."""
    if not free_days(problem, block):
        return ()
    starts = range(block[0] - len(block), 0, -len(block))
    weeks = [[history.get(d) for d in range(start, start + len(block))] for start in starts]
    return tuple(frozenset(week) for week in weeks if None not in week)


def lock_counts(problem: Problem, block: list[int]) -> dict[int, float]:
    """Recipe → its locks in ``block``: a repeat limit is raised to it, so locks fit."""
    counts: dict[int, float] = {}
    for lk in problem.request.locks:
        if lk.day in block:
            r = problem.index(lk.recipe_id)
            counts[r] = counts.get(r, 0) + 1
    return counts


def solve_block(problem: Problem, block: list[int], history: dict[int, Day],
                deadline: dl.Deadline, elastic: bool, solver: str, pricers: Pricers,
                pool: list[Day], report: Callable[[BlockPlan], None] | None = None,
                ) -> BlockPlan | None:
    """The block's best plan by ``deadline`` (None: no plan; raises ``Infeasible`` when no
    day meets the hard daily rules); ``report`` hears of each better plan as it is found."""
    gap_rel = problem.request.gap_rel
    bs = BlockSolver(problem, block, history, elastic, pricers)
    bs.seed(pool)
    copy = None if elastic else bs.copy_of_last_week(history)
    best = None
    seeds = None
    if copy is not None and report is not None:
        report(copy)

    def keep(found: tuple[float, dict] | None) -> None:
        """Keep ``found``, after one-day swaps, when it is better than the best plan so
        far, and report it."""
        nonlocal best
        better = _better(best, bs.improve(found, deadline))
        if better is not best and report is not None and (
                copy is None or better[0] < copy.objective - 1e-9):
            report(bs.block_plan(better))
        best = better

    try:
        bs.floor_bound()
        if not elastic:  # the closest plan starts from the seeds: a plan comes first
            bs.first_columns(deadline.until(time.monotonic() + FIRST_SHARE * deadline.left()))
        began = time.monotonic()
        span = deadline.end - began

        def phase(share: float) -> dl.Deadline:
            """Until ``share`` of the block's time, leaving the integer master its minimum."""
            return deadline.until(max(began + share * span,
                                      min(began + MIN_IP_SECONDS, deadline.end)))

        early = phase(ELASTIC_EARLY_SHARE if elastic else EARLY_SHARE)
        keep(bs.integer(early, gap_rel, solver, began))  # any plan, at once
        bs.generate(phase(CG_SHARE), gap_rel)
        seeds = bs.promising()
        if bs.converged and not elastic and bs.master.uses_slack():
            return copy  # the master's LP needs a shortfall: no plan but the copy
        bs.global_bound(phase(CG_SHARE + 0.1), gap_rel)
        keep(best)  # the columns since may give it better swaps
        if not _within(best, bs.bound, gap_rel * AIM):
            keep(bs.integer(phase(IP_SHARE), gap_rel * AIM, solver))
        if best is not None and not elastic and not _within(best, bs.bound, gap_rel * AIM):
            cutoff = best[0] - gap_rel * abs(best[0])  # a bound this high meets the gap
            if bs.close_in(cutoff, phase(DIVE_SHARE)):
                keep(bs.integer(deadline, gap_rel * AIM, solver))
                if bs.master.ip_bound is not None:
                    bs.bound = max(bs.bound, min(cutoff, bs.master.ip_bound))
        if not _within(best, bs.bound, gap_rel * AIM) and not deadline.expired():
            keep(bs.dive(phase(DIVE_SHARE), gap_rel))
            if not _within(best, bs.bound, gap_rel * AIM):
                keep(bs.integer(deadline, gap_rel, solver))
    except OutOfTime:
        pass  # the request's deadline came during pricing: the best plan so far stands
    pool[:] = seeds if seeds is not None else dict.fromkeys(  # seeds for the next block
        day for (_, day) in bs.master.columns.var)
    bound = _finite(bs.bound)
    if copy is not None and (best is None or copy.objective < best[0] - 1e-9):
        return BlockPlan(copy.days, copy.objective, bound, False)
    if best is None:
        return None
    plan = bs.block_plan(best)
    return dataclasses.replace(plan, columns=tuple(dict.fromkeys(
        day for (_, day) in bs.master.columns.var)))


def next_week(problem: Problem, block: list[int], history: dict[int, Day],
              first: BlockPlan) -> BlockPlan | None:
    """``block``, a week of free days after at least one week, as the week before it with
    one day replaced in place by the day of ``first.columns`` (the first week's) that makes
    it cheapest while it meets the weekly minimums and repeat caps and repeats no earlier
    week (``Master.best_swap``); None when no day does.

    A day replaced in place keeps the cross-week rule: any 7 consecutive days across the
    two weeks hold, day by day, one week's meals or the other's, so they count as one week
    does. The bound is the first week's: with every day free, any week costs at least as
    much as the best one.
    """
    before = {d: history.get(d - BLOCK_DAYS) for d in block}
    earlier = earlier_weeks(problem, block, history)
    if len(block) != BLOCK_DAYS or None in before.values() or not earlier:
        return None
    master = Master(problem, [(DayRules(), len(block))], False, (), earlier)
    for day in dict.fromkeys([*first.columns, *before.values()]):
        master.add(0, day)
    counts = dict(Counter((0, day) for day in before.values()))
    objective, swapped = master.best_swap(counts)
    out = [day for (_, day), n in counts.items() if swapped.get((0, day), 0) < n]
    into = [day for (_, day), n in swapped.items() if counts.get((0, day), 0) < n]
    if not out or not master.meets_rules(swapped) or master.weeks_again(swapped):
        return None
    at = next(d for d in block if before[d] == out[0])
    return BlockPlan({**before, at: into[0]}, objective, first.bound, False)


def _price(pricing: DayPricing, duals: Duals, kind: int, until: dl.Deadline, top: int,
           prove: bool) -> Priced | None:
    """``pricing.price`` at the duals of ``kind``, by ``until``; None when ``until`` (a
    phase of the block, not the request's deadline) ends before its LP is solved."""
    if until.expired():
        return None
    try:
        return pricing.price(duals.w, duals.y[kind], duals.mu[kind], top, until.end, prove)
    except OutOfTime:
        if pricing.deadline.expired():
            raise
        return None


def _better(a: tuple[float, dict] | None, b: tuple[float, dict] | None,
            ) -> tuple[float, dict] | None:
    """The cheaper of two plans (either may be None)."""
    if a is None or (b is not None and b[0] < a[0] - 1e-9):
        return b
    return a


def _finite(bound: float) -> float | None:
    return bound if math.isfinite(bound) else None


def _within(best: tuple[float, dict] | None, bound: float, gap_rel: float) -> bool:
    if best is None or not math.isfinite(bound):
        return False
    return relative_gap(best[0], bound) <= gap_rel


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, never negative."""
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)
