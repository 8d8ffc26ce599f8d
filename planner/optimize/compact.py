"""The compact method: one MILP per 7-day block, built from small named builders.

Kept for comparison with the day-pattern method (``--method compact``) and as
the "textbook" model of the optimizer benchmark.

Notation: d day, s slot, r recipe, p portion ∈ PORTIONS, u supplement, n nutrient,
b 7-day block. x[d,s,r,p] ∈ {0,1} eats p servings of r at (d,s); z[d,u] ∈ ℤ≥0
whole supplement units; a[r,n] per-serving amount (unknown = 0), c[r] cost per
serving. intake[n,d] = Σ a[r,n]·p·x[d,s,r,p] + Σ a[u,n]·z[d,u].

Every bound is per day or per 7-day block, so each block is an independent
model, solved in turn under its share of the request's deadline.

A block is solved in up to four steps (``solve_block``): (1) the portion
relaxation, where servings range over [min, max] of PORTIONS instead of the
set (one binary per recipe and place, a third of the variables; its bound is
a valid bound of the real model); (2) the real model restricted to the
recipe step 1 chose for each place, which only picks portions (milliseconds),
or when no portions fit, to the recipes step 1 used, in any place;
(3) fix-and-optimize: each day in turn re-planned with every recipe while the
other days stay as they are, keeping each cheaper plan, until a whole round
finds none; (4) when that misses
the gap, the real model, warm-started from the best plan, for the time left.
The reported gap is to the best bound proven by step 1 or 4. When a block is
infeasible, the elastic version (penalized slack on every nutrient bound,
budget and meal slot) gives the closest plan, and ``planner.analysis.explain`` says why.
Constraint names use ``_`` only; results are read through the ``Model`` index
dicts, never by parsing names.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from dataclasses import dataclass, field

import pandas as pd
import pulp

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog
from planner.domain.goals import MAX_SUPPLEMENT_UNITS, PORTIONS, Lock, PlanRequest, Window, eligible
from planner.domain.plan import COST
from planner.optimize import deadline as dl
from planner.optimize.problem import (
    CHANGE_PENALTY,
    EMPTY_SLOT_PENALTY,
    FAVOURITE_BONUS,
    SAME_PORTION_BONUS,
    SLACK_PENALTY,
    VARIETY_PENALTY,
)


@dataclass
class Model:
    """One block's MILP and the index dicts its results are read through."""

    problem: pulp.LpProblem
    days: list[int]
    x: dict[tuple[int, str, str, float], pulp.LpVariable] = field(default_factory=dict)
    # portion relaxation only: (d, s, r) → extra servings w ∈ [0, max − min]·x
    extra: dict[tuple[int, str, str], pulp.LpVariable] = field(default_factory=dict)
    z: dict[tuple[int, str], pulp.LpVariable] = field(default_factory=dict)
    # (nutrient or "budget", scope day or block, "min"|"max") → (slack, target)
    slack: dict[tuple[str, int | str, str], tuple[pulp.LpVariable, float]] = field(
        default_factory=dict)
    empty: dict[tuple[int, str], pulp.LpVariable] = field(default_factory=dict)
    objective: list[tuple[pulp.LpVariable, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What every builder reads: the request, candidate recipes and their coefficients."""

    request: PlanRequest
    recipes: pd.DataFrame  # candidates; nutrient columns NaN → 0
    supplements: pd.DataFrame  # allowed supplements; NaN → 0
    nutrients: tuple[str, ...]  # every nutrient a bound refers to
    portions: tuple[float, ...] = PORTIONS  # (min(PORTIONS),) in the portion relaxation
    only: dict[tuple[int, str], str] | None = None  # (d, s) → the one recipe allowed there
    among: frozenset[str] | None = None  # the only recipes allowed anywhere
    deadline: dl.Deadline | None = None  # building stops (``TimeUp``) when it passes
    # cross-week rule: (recipe id, days, cap) from ``problem.window_caps``
    windows: tuple[tuple[str, frozenset[int], float], ...] = ()

    def check_time(self) -> None:
        """Raise ``TimeUp`` once the deadline has passed (called between build steps)."""
        if self.deadline is not None and self.deadline.expired():
            raise TimeUp

    def candidates(self, day: int, slot: str) -> list[tuple[str, float]]:
        """(recipe, portion) choices at (day, slot): the lock alone, else every fitting recipe."""
        for lock in self.request.locks:
            if lock.day == day and lock.slot == slot:
                return [(lock.recipe_id, lock.servings)]
        if self.only is not None:
            return [(self.only[day, slot], p) for p in self.portions]
        fits = self.recipes["slots"].map(lambda s: slot in s)
        if self.among is not None:
            fits &= self.recipes.index.isin(self.among)
        ids = self.recipes.index[fits]
        return [(r, p) for r in ids for p in self.portions]

    @property
    def relaxed_portions(self) -> bool:
        return len(self.portions) == 1 and len(PORTIONS) > 1


def context(request: PlanRequest, catalog: Catalog) -> Context:
    recipes, supplements = eligible(request, catalog)
    used = set(request.targets) | ({nu.K_TOTAL} if request.steady_k else set())
    return Context(request, recipes, supplements, tuple(n for n in nu.ALL_IDS if n in used))


# ---------------------------------------------------------------- builders


def add_meal_choices(m: Model, ctx: Context) -> None:
    """x[d,s,r,p] ∈ {0,1} for every candidate (lock: the one locked choice).

    Portion relaxation: p = min(PORTIONS) only, plus w[d,s,r] ≤ (max − min)·x[d,s,r,p]
    extra servings, so a meal's servings range over the hull of PORTIONS.
    """
    spread = max(PORTIONS) - min(PORTIONS)
    locked = {(lk.day, lk.slot.value) for lk in ctx.request.locks}
    for d in m.days:
        for s in ctx.request.slots:
            ctx.check_time()
            for r, p in ctx.candidates(d, s):
                name = f"{d}_{s.value}_{r}"
                x = m.x[d, s.value, r, p] = m.problem.add_variable(
                    f"x_{name}_{str(p).replace('.', '_')}", cat="Binary")
                if ctx.relaxed_portions and (d, s.value) not in locked:
                    w = m.extra[d, s.value, r] = m.problem.add_variable(f"w_{name}", 0, spread)
                    m.problem += pulp.lpSum_vars_coefs([(w, 1.0), (x, -spread)]) <= 0, f"w_{name}"


def add_supplement_doses(m: Model, ctx: Context) -> None:
    """z[d,u] ∈ {0, …, MAX_SUPPLEMENT_UNITS} whole units, only for allowed supplements."""
    for d in m.days:
        for u in ctx.supplements.index:
            m.z[d, u] = m.problem.add_variable(f"z_{d}_{u}", 0, MAX_SUPPLEMENT_UNITS, cat="Integer")


def add_one_recipe_per_slot(m: Model, ctx: Context, elastic: bool) -> None:
    """Σ_{r,p} x[d,s,r,p] (+ empty[d,s] when elastic) = 1 for every day and slot."""
    by_place: dict[tuple[int, str], list] = {}
    for (d, s, _, _), var in m.x.items():
        by_place.setdefault((d, s), []).append(var)
    for d in m.days:
        for s in ctx.request.slots:
            terms = [(v, 1.0) for v in by_place.get((d, s.value), [])]
            if elastic:
                e = m.problem.add_variable(f"empty_{d}_{s.value}", 0, 1)
                m.empty[d, s.value] = e
                terms.append((e, 1.0))
                m.objective.append((e, EMPTY_SLOT_PENALTY))
            m.problem += pulp.lpSum_vars_coefs(terms) == 1, f"one_{d}_{s.value}"


def intake_terms(m: Model, ctx: Context) -> dict[tuple[str, int], list]:
    """(n, d) → [(var, a[r,n]·p), (z, a[u,n])]: every day's intake, built once."""
    terms: dict[tuple[str, int], list] = {(n, d): [] for n in (*ctx.nutrients, COST)
                                          for d in m.days}
    columns = [*ctx.nutrients, COST]
    facts = ctx.recipes[columns].to_dict("index")
    for i, ((d, _, r, p), var) in enumerate(m.x.items()):
        if i % 5000 == 0:
            ctx.check_time()
        for n, a in facts[r].items():
            if a:
                terms[n, d].append((var, a * p))
    for (d, _, r), var in m.extra.items():
        for n, a in facts[r].items():
            if a:
                terms[n, d].append((var, a))
    pills = ctx.supplements.rename(columns={"price_per_unit": COST})[columns].to_dict("index")
    for (d, u), var in m.z.items():
        for n, a in pills[u].items():
            if a:
                terms[n, d].append((var, a))
    return terms


def _bounded(m: Model, ctx: Context, name: str, terms: list, sense: str, rhs: float, key,
             elastic: bool) -> None:
    """Σ terms ≥ rhs (sense "min") or ≤ rhs ("max"), with a penalized slack when elastic."""
    ctx.check_time()
    terms = list(terms)
    if elastic and rhs > 0:
        slack = m.problem.add_variable(f"slack_{name}", 0)
        terms.append((slack, 1.0 if sense == "min" else -1.0))
        m.slack[key] = (slack, rhs)
        m.objective.append((slack, SLACK_PENALTY / max(rhs, 0.01)))
    expr = pulp.lpSum_vars_coefs(terms)
    m.problem += (expr >= rhs if sense == "min" else expr <= rhs), name


def add_nutrient_floors(m: Model, ctx: Context, terms, elastic: bool) -> None:
    """Weekly window: Σ_{d∈b} intake[n,d] ≥ min[n]·|b|; every day: intake[n,d] ≥ floor[n]
    (the daily minimum, or the K2 spread of a weekly one: ``PlanRequest.daily_floor``)."""
    for n, bound in ctx.request.targets.items():
        if bound.min is None or bound.min <= 0:
            continue
        if bound.window == Window.WEEK:
            week = [t for d in m.days for t in terms[n, d]]
            _bounded(m, ctx, f"min_{n}_week", week, "min", bound.min * len(m.days),
                     (n, "week", "min"), elastic)
        floor = ctx.request.daily_floor(n)
        if floor is not None:
            for d in m.days:
                _bounded(m, ctx, f"min_{n}_{d}", terms[n, d], "min", floor, (n, d, "min"),
                         elastic)


def add_nutrient_ceilings(m: Model, ctx: Context, terms, elastic: bool) -> None:
    """intake[n,d] ≤ max[n] every day (upper limits are daily whatever the window)."""
    for n, bound in ctx.request.targets.items():
        if bound.max is None:
            continue
        for d in m.days:
            _bounded(m, ctx, f"max_{n}_{d}", terms[n, d], "max", bound.max, (n, d, "max"), elastic)


def add_steady_k(m: Model, ctx: Context, terms, elastic: bool) -> None:
    """v·(1 − band) ≤ intake[K1+K2, d] ≤ v·(1 + band) every day (steady vitamin K)."""
    steady = ctx.request.steady_k
    if steady is None:
        return
    for d in m.days:
        low, high = steady.value_ug * (1 - steady.band), steady.value_ug * (1 + steady.band)
        _bounded(m, ctx, f"steadyk_min_{d}", terms[nu.K_TOTAL, d], "min", low,
                 (nu.K_TOTAL, d, "min"), elastic)
        _bounded(m, ctx, f"steadyk_max_{d}", terms[nu.K_TOTAL, d], "max", high,
                 (nu.K_TOTAL, d, "max"), elastic)


def add_budget(m: Model, ctx: Context, terms, elastic: bool) -> None:
    """Σ c[r]·p·x[d,·] + Σ price[u]·z[d,u] ≤ budget every day."""
    if ctx.request.budget_eur is None:
        return
    for d in m.days:
        _bounded(m, ctx, f"budget_{d}", terms[COST, d], "max", ctx.request.budget_eur,
                 (COST, d, "max"), elastic)


def add_variety_limits(m: Model, ctx: Context) -> None:
    """Σ_{s,p} x[d,s,r,p] ≤ 1 per day and Σ_{d∈b,s,p} x[d,s,r,p] ≤ N per block, per recipe;
    repeat[r] ≥ Σ_{d∈b,s,p} x[d,s,r,p] − 1 is penalized lightly (variety).

    Cross-week rule: Σ_{d∈D, s, p} x[d,s,r,p] ≤ cap for each (r, D, cap) of ``ctx.windows``.
    A limit is raised to the number of locks of that recipe, so locks always fit.
    """
    per_day: dict[tuple[str, int], list] = {}
    per_block: dict[str, list] = {}
    for (d, _, r, _), var in m.x.items():
        per_day.setdefault((r, d), []).append(var)
        per_block.setdefault(r, []).append(var)
    locks = ctx.request.locks
    for i, ((r, d), xs) in enumerate(per_day.items()):
        if i % 1000 == 0:
            ctx.check_time()
        if len(xs) > len(PORTIONS):
            cap = max(1, sum(lk.recipe_id == r and lk.day == d for lk in locks))
            m.problem += pulp.lpSum_vars_coefs([(v, 1.0) for v in xs]) <= cap, f"sameday_{r}_{d}"
    for i, (r, xs) in enumerate(per_block.items()):
        if i % 1000 == 0:
            ctx.check_time()
        cap = max(ctx.request.max_repeats,
                  sum(lk.recipe_id == r and lk.day in m.days for lk in locks))
        if len(xs) <= len(PORTIONS):
            continue
        m.problem += pulp.lpSum_vars_coefs([(v, 1.0) for v in xs]) <= cap, f"repeats_{r}"
        rep = m.problem.add_variable(f"repeat_{r}", 0)
        excess = pulp.lpSum_vars_coefs([(v, 1.0) for v in xs] + [(rep, -1.0)])
        m.problem += excess <= 1, f"repeatpen_{r}"
        m.objective.append((rep, VARIETY_PENALTY))
    for i, (r, days, cap) in enumerate(ctx.windows):
        xs = [v for (d, _, rr, _), v in m.x.items() if rr == r and d in days]
        if xs:
            m.problem += pulp.lpSum_vars_coefs([(v, 1.0) for v in xs]) <= cap, f"window_{i}"


def set_objective(m: Model, ctx: Context, previous: dict[tuple[int, str], Lock]) -> None:
    """min Σ c[r]·p·x + Σ price[u]·z − FAVOURITE·Σ x[fav] − CHANGE·Σ x[same as previous]
    + penalties (slack, empty slots, repeats) added by the other builders."""
    cost = ctx.recipes[COST].to_dict()
    favourites = set(ctx.request.favourite_recipes)
    for i, ((d, s, r, p), var) in enumerate(m.x.items()):
        if i % 5000 == 0:
            ctx.check_time()
        coef = cost[r] * p - (FAVOURITE_BONUS if r in favourites else 0.0)
        before = previous.get((d, s))
        if before is not None and before.recipe_id == r:
            same_portion = before.servings == p or ctx.relaxed_portions  # relaxation: ≤ real
            coef -= CHANGE_PENALTY + (SAME_PORTION_BONUS if same_portion else 0.0)
        m.objective.append((var, coef))
    m.objective.extend((var, cost[r]) for (_, _, r), var in m.extra.items())
    price = ctx.supplements["price_per_unit"].to_dict()
    m.objective.extend((var, price[u]) for (_, u), var in m.z.items())
    m.problem.setObjective(pulp.lpSum_vars_coefs(m.objective))


def build_model(ctx: Context, days: list[int], elastic: bool = False) -> Model:
    """The block's MILP: the table of contents of the model (``TimeUp`` past the deadline)."""
    m = Model(pulp.LpProblem(f"plan_{days[0]}_{'elastic' if elastic else 'hard'}"), days)
    try:
        add_meal_choices(m, ctx)
        add_supplement_doses(m, ctx)
        add_one_recipe_per_slot(m, ctx, elastic)
        terms = intake_terms(m, ctx)
        add_nutrient_floors(m, ctx, terms, elastic)
        add_nutrient_ceilings(m, ctx, terms, elastic)
        add_steady_k(m, ctx, terms, elastic)
        add_budget(m, ctx, terms, elastic)
        ctx.check_time()
        add_variety_limits(m, ctx)
        ctx.check_time()
        previous = {(p.day, p.slot.value): p for p in ctx.request.previous}
        set_objective(m, ctx, previous)
    except TimeUp as exc:
        exc.model = m  # the caller frees it off the request's time
        raise
    return m


# ---------------------------------------------------------------- solving


class TimeUp(Exception):
    """The deadline passed while a model was being built (``model``: the part built)."""

    model: Model | None = None


@dataclass(frozen=True)
class BlockResult:
    """A block's chosen model and solve; ``bound`` is the best proven bound of the real model."""

    model: Model | None
    stats: pulp.LpSolveStats
    elastic: bool
    bound: float | None


RELAXATION_SHARE = 0.4  # of a block's time for the relaxation, once it has a plan
IMPROVE_UNTIL = 0.8  # share of the block's time after which step 3 starts no new day
MIN_FULL_SECONDS = 0.5  # step 4 runs only with at least this much time left


def run_model(ctx: Context, days: list[int], deadline: dl.Deadline, elastic: bool = False,
              start: set | None = None, planned_by: float | None = None,
              ) -> tuple[Model | None, pulp.LpSolveStats]:
    """Build and solve one model by ``deadline`` (``start``: x keys of a warm-start plan;
    ``planned_by``: HiGHS stops at this monotonic time once it has a plan)."""
    failed = pulp.LpSolveStats(solver="none", status=pulp.LpSolveStatus.Undefined)
    try:
        m = build_model(dataclasses.replace(ctx, deadline=deadline), days, elastic)
    except TimeUp as exc:
        dl.dispose(exc.model)
        return None, failed
    if deadline.expired():
        return m, failed
    for key, var in m.x.items() if start else ():
        var.setInitialValue(1.0 if key in start else 0.0)
    if ctx.request.solver == "cbc":
        solver = dl.cbc(deadline, ctx.request.gap_rel, warm_start=bool(start))
    else:
        solver = dl.highs(deadline, True, ctx.request.gap_rel, warm_start=bool(start),
                          planned_by=planned_by)
    return m, dl.run(m.problem, solver, deadline)


def chosen(m: Model) -> set[tuple[int, str, str, float]]:
    """The x keys set to 1 in ``m``'s solution."""
    return {key for key, var in m.x.items() if (var.value() or 0) > 0.5}


def _relock(ctx: Context, plan: set, free_day: int) -> Context:
    """``ctx`` with every meal of ``plan`` outside ``free_day`` locked as it is."""
    taken = {(lk.day, lk.slot.value) for lk in ctx.request.locks}
    fixed = tuple(Lock(day=d, slot=s, recipe_id=r, servings=p) for (d, s, r, p) in sorted(plan)
                  if d != free_day and (d, s) not in taken)
    request = ctx.request.model_copy(update={"locks": ctx.request.locks + fixed})
    return dataclasses.replace(ctx, request=request)


def solve_block(ctx: Context, days: list[int], deadline: dl.Deadline, fallback: bool = True,
                ) -> BlockResult:
    """The block's best plan by ``deadline``: (1) the portion relaxation (a bound, and a
    recipe per place); (2) its recipes with set portions; (3) fix-and-optimize, one day
    free at a time; (4) the full model warm-started for the time left; when the real
    model has no plan (and ``fallback``), the elastic model's."""
    span = deadline.left()

    def share(x: float) -> float:
        return deadline.end - span * (1 - x)

    m, relaxed = run_model(dataclasses.replace(ctx, portions=(min(PORTIONS),)), days,
                           deadline, planned_by=share(RELAXATION_SHARE))
    bound, best = dl.proven_bound(relaxed), None
    if relaxed.has_solution:
        places = {(d, s): r for (d, s, r, _) in chosen(m)}
        for narrowed in ({"only": places}, {"among": frozenset(places.values())}):
            m, picked = run_model(dataclasses.replace(ctx, **narrowed), days, deadline)
            if picked.has_solution:
                best = (m, picked)
                break
    stale = 0  # days in a row re-planned without a cheaper plan
    for day in itertools.cycle(days) if best and len(days) > 1 else ():
        if stale == len(days) or time.monotonic() > share(IMPROVE_UNTIL):
            break
        plan = chosen(best[0])
        m, tried = run_model(_relock(ctx, plan, day), days, deadline, start=plan)
        stale += 1
        if tried.has_solution and tried.objective < best[1].objective - 1e-6:
            best, stale = (m, tried), 0
    gap = None if best is None or bound is None else relative_gap(best[1].objective, bound)
    if relaxed.status != pulp.LpSolveStatus.Infeasible and not deadline.expired() and (
            best is None or (deadline.left() > MIN_FULL_SECONDS
                             and (gap is None or gap > ctx.request.gap_rel))):
        m, full = run_model(ctx, days, deadline, start=chosen(best[0]) if best else None)
        bound = max((v for v in (bound, dl.proven_bound(full)) if v is not None), default=None)
        if full.has_solution and (best is None or full.objective < best[1].objective):
            best = (m, full)
    if best is None and fallback and not deadline.expired():
        m, loose = run_model(ctx, days, deadline, elastic=True)
        return BlockResult(m, loose, True, dl.proven_bound(loose))
    if best is None:
        return BlockResult(m, relaxed, False, bound)
    return BlockResult(best[0], best[1], False, bound)


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, never negative."""
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)
