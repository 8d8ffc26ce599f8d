"""The plan optimizer: a MILP built from small named builders, solved with HiGHS (or CBC).

Notation: d day, s slot, r recipe, p portion ∈ PORTIONS, u supplement, n nutrient,
b 7-day block. x[d,s,r,p] ∈ {0,1} eats p servings of r at (d,s); z[d,u] ∈ ℤ≥0
whole supplement units; a[r,n] per-serving amount (unknown = 0), c[r] cost per
serving. intake[n,d] = Σ a[r,n]·p·x[d,s,r,p] + Σ a[u,n]·z[d,u].

Every bound is per day or per 7-day block, so each block is an independent
model; blocks without locks or previous meals are identical and solved once.

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
budget and meal slot) gives the closest plan, and ``planner.explain`` says why.
Constraint names use ``_`` only; results are read through the ``Model`` index
dicts, never by parsing names.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from dataclasses import dataclass, field

import pandas as pd
import pulp

from planner import explain, suggest
from planner import nutrients as nu
from planner.catalog import Catalog
from planner.goals import (
    MAX_SUPPLEMENT_UNITS,
    PORTIONS,
    Lock,
    PlanRequest,
    Window,
    check_against_catalog,
    eligible,
)
from planner.plan import COST, TOTAL_KEYS, Meal, Plan, SolverInfo, SupplementDose, daily_totals

BLOCK_DAYS = 7
SLACK_PENALTY = 1000.0  # € per 100 % of a bound missed
EMPTY_SLOT_PENALTY = 10_000.0
VARIETY_PENALTY = 0.1  # € per repeat of a recipe within a block
FAVOURITE_BONUS = 0.3  # € per favourite meal
CHANGE_PENALTY = 5.0  # € per meal that differs from the previous plan


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
    for (d, _, r, p), var in m.x.items():
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


def _bounded(m: Model, name: str, terms: list, sense: str, rhs: float, key, elastic: bool,
             ) -> None:
    """Σ terms ≥ rhs (sense "min") or ≤ rhs ("max"), with a penalized slack when elastic."""
    terms = list(terms)
    if elastic and rhs > 0:
        slack = m.problem.add_variable(f"slack_{name}", 0)
        terms.append((slack, 1.0 if sense == "min" else -1.0))
        m.slack[key] = (slack, rhs)
        m.objective.append((slack, SLACK_PENALTY / max(rhs, 0.01)))
    expr = pulp.lpSum_vars_coefs(terms)
    m.problem += (expr >= rhs if sense == "min" else expr <= rhs), name


def add_nutrient_floors(m: Model, ctx: Context, terms, elastic: bool) -> None:
    """Daily window: intake[n,d] ≥ min[n]; weekly: Σ_{d∈b} intake[n,d] ≥ min[n]·|b|."""
    for n, bound in ctx.request.targets.items():
        if bound.min is None or bound.min <= 0:
            continue
        if bound.window == Window.WEEK:
            week = [t for d in m.days for t in terms[n, d]]
            _bounded(m, f"min_{n}_week", week, "min", bound.min * len(m.days),
                     (n, "week", "min"), elastic)
        else:
            for d in m.days:
                _bounded(m, f"min_{n}_{d}", terms[n, d], "min", bound.min, (n, d, "min"),
                         elastic)


def add_nutrient_ceilings(m: Model, ctx: Context, terms, elastic: bool) -> None:
    """intake[n,d] ≤ max[n] every day (upper limits are daily whatever the window)."""
    for n, bound in ctx.request.targets.items():
        if bound.max is None:
            continue
        for d in m.days:
            _bounded(m, f"max_{n}_{d}", terms[n, d], "max", bound.max, (n, d, "max"), elastic)


def add_steady_k(m: Model, ctx: Context, terms, elastic: bool) -> None:
    """v·(1 − band) ≤ intake[K1+K2, d] ≤ v·(1 + band) every day (steady vitamin K)."""
    steady = ctx.request.steady_k
    if steady is None:
        return
    for d in m.days:
        low, high = steady.value_ug * (1 - steady.band), steady.value_ug * (1 + steady.band)
        _bounded(m, f"steadyk_min_{d}", terms[nu.K_TOTAL, d], "min", low,
                 (nu.K_TOTAL, d, "min"), elastic)
        _bounded(m, f"steadyk_max_{d}", terms[nu.K_TOTAL, d], "max", high,
                 (nu.K_TOTAL, d, "max"), elastic)


def add_budget(m: Model, ctx: Context, terms, elastic: bool) -> None:
    """Σ c[r]·p·x[d,·] + Σ price[u]·z[d,u] ≤ budget every day."""
    if ctx.request.budget_eur is None:
        return
    for d in m.days:
        _bounded(m, f"budget_{d}", terms[COST, d], "max", ctx.request.budget_eur,
                 (COST, d, "max"), elastic)


def add_variety_limits(m: Model, ctx: Context) -> None:
    """Σ_{s,p} x[d,s,r,p] ≤ 1 per day and Σ_{d∈b,s,p} x[d,s,r,p] ≤ N per block, per recipe;
    repeat[r] ≥ Σ_{d∈b,s,p} x[d,s,r,p] − 1 is penalized lightly (variety).

    A limit is raised to the number of locks of that recipe, so locks always fit.
    """
    per_day: dict[tuple[str, int], list] = {}
    per_block: dict[str, list] = {}
    for (d, _, r, _), var in m.x.items():
        per_day.setdefault((r, d), []).append(var)
        per_block.setdefault(r, []).append(var)
    locks = ctx.request.locks
    for (r, d), xs in per_day.items():
        if len(xs) > len(PORTIONS):
            cap = max(1, sum(lk.recipe_id == r and lk.day == d for lk in locks))
            m.problem += pulp.lpSum_vars_coefs([(v, 1.0) for v in xs]) <= cap, f"sameday_{r}_{d}"
    for r, xs in per_block.items():
        cap = max(ctx.request.max_repeats,
                  sum(lk.recipe_id == r and lk.day in m.days for lk in locks))
        if len(xs) <= len(PORTIONS):
            continue
        m.problem += pulp.lpSum_vars_coefs([(v, 1.0) for v in xs]) <= cap, f"repeats_{r}"
        rep = m.problem.add_variable(f"repeat_{r}", 0)
        excess = pulp.lpSum_vars_coefs([(v, 1.0) for v in xs] + [(rep, -1.0)])
        m.problem += excess <= 1, f"repeatpen_{r}"
        m.objective.append((rep, VARIETY_PENALTY))


def set_objective(m: Model, ctx: Context, previous: dict[tuple[int, str], Lock]) -> None:
    """min Σ c[r]·p·x + Σ price[u]·z − FAVOURITE·Σ x[fav] − CHANGE·Σ x[same as previous]
    + penalties (slack, empty slots, repeats) added by the other builders."""
    cost = ctx.recipes[COST].to_dict()
    favourites = set(ctx.request.favourite_recipes)
    for (d, s, r, p), var in m.x.items():
        coef = cost[r] * p - (FAVOURITE_BONUS if r in favourites else 0.0)
        before = previous.get((d, s))
        if before is not None and before.recipe_id == r:
            same_portion = before.servings == p or ctx.relaxed_portions  # relaxation: ≤ real
            coef -= CHANGE_PENALTY + (0.5 if same_portion else 0.0)
        m.objective.append((var, coef))
    m.objective.extend((var, cost[r]) for (_, _, r), var in m.extra.items())
    price = ctx.supplements["price_per_unit"].to_dict()
    m.objective.extend((var, price[u]) for (_, u), var in m.z.items())
    m.problem.setObjective(pulp.lpSum_vars_coefs(m.objective))


def build_model(ctx: Context, days: list[int], elastic: bool = False) -> Model:
    """The block's MILP: the table of contents of the model."""
    m = Model(pulp.LpProblem(f"plan_{days[0]}_{'elastic' if elastic else 'hard'}"), days)
    add_meal_choices(m, ctx)
    add_supplement_doses(m, ctx)
    add_one_recipe_per_slot(m, ctx, elastic)
    terms = intake_terms(m, ctx)
    add_nutrient_floors(m, ctx, terms, elastic)
    add_nutrient_ceilings(m, ctx, terms, elastic)
    add_steady_k(m, ctx, terms, elastic)
    add_budget(m, ctx, terms, elastic)
    add_variety_limits(m, ctx)
    previous = {(p.day, p.slot.value): p for p in ctx.request.previous}
    set_objective(m, ctx, previous)
    return m


# ---------------------------------------------------------------- solving


@dataclass(frozen=True)
class BlockResult:
    """A block's chosen model and solve; ``bound`` is the best proven bound of the real model."""

    model: Model
    stats: pulp.LpSolveStats
    elastic: bool
    build_seconds: float
    solve_seconds: float
    bound: float | None

    @property
    def gap(self) -> float | None:
        if self.stats.objective is None or self.bound is None:
            return None
        return _relative_gap(self.stats.objective, self.bound)


def _solver(request: PlanRequest, time_limit: float, warm_start: bool = False,
            soft_limit: float | None = None):
    """The request's solver. ``soft_limit``: stop after this many seconds once a plan is found
    (HiGHS, through its interrupt callback; CBC has none and runs to ``time_limit``)."""
    if request.solver == "cbc":
        return pulp.COIN_CMD(msg=False, timeLimit=time_limit, gapRel=request.gap_rel,
                             warmStart=warm_start)
    if soft_limit is None:
        return pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=request.gap_rel,
                          warmStart=warm_start)

    def stop_once_planned(_kind, _message, data_out, data_in, _user_data) -> None:
        if data_out.running_time >= soft_limit and math.isfinite(data_out.mip_primal_bound):
            data_in.user_interrupt = True

    return pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=request.gap_rel,
                      warmStart=warm_start, callbackTuple=(stop_once_planned, None),
                      callbacksToActivate=[pulp.HiGHS.hscb.HighsCallbackType.kCallbackMipInterrupt])


RELAXATION_SHARE = 0.4  # of a block's time limit for the relaxation, once it has a plan
IMPROVE_UNTIL = 0.8  # share of the time limit after which step 3 starts no new day
MIN_FULL_SECONDS = 0.5  # step 4 runs only with at least this much time left


def _run(ctx: Context, days: list[int], time_limit: float, elastic: bool = False,
         start: set | None = None, soft_limit: float | None = None,
         ) -> tuple[Model, pulp.LpSolveStats, float]:
    """Build and solve one model (``start``: x keys of a warm-start plan; ``soft_limit``: see
    ``_solver``); → model, stats, build seconds."""
    started = time.perf_counter()
    m = build_model(ctx, days, elastic)
    built = time.perf_counter() - started
    for key, var in m.x.items() if start else ():
        var.setInitialValue(1.0 if key in start else 0.0)
    solver = _solver(ctx.request, max(time_limit, 0.1), bool(start), soft_limit)
    try:
        stats = m.problem.solve(solver)
    except pulp.PulpSolverError as exc:  # the solver process died: a failure, not a crash
        stats = pulp.LpSolveStats(solver=solver.name, status=pulp.LpSolveStatus.Undefined,
                                  logs={"error": str(exc)})
    return m, stats, built


def _proven_bound(stats: pulp.LpSolveStats) -> float | None:
    """The solver's bound, unless it cannot be one (not finite, or above its own plan:
    CBC stopped by a time limit sometimes reports either)."""
    bound = stats.best_bound
    if bound is None or not math.isfinite(bound):
        return None
    if stats.has_solution and stats.objective is not None and bound > stats.objective + 1e-6:
        return None
    return bound


def _chosen(m: Model) -> set[tuple[int, str, str, float]]:
    return {key for key, var in m.x.items() if (var.value() or 0) > 0.5}


def _relock(ctx: Context, plan: set, free_day: int) -> Context:
    """``ctx`` with every meal of ``plan`` outside ``free_day`` locked as it is."""
    taken = {(lk.day, lk.slot.value) for lk in ctx.request.locks}
    fixed = tuple(Lock(day=d, slot=s, recipe_id=r, servings=p) for (d, s, r, p) in sorted(plan)
                  if d != free_day and (d, s) not in taken)
    request = ctx.request.model_copy(update={"locks": ctx.request.locks + fixed})
    return dataclasses.replace(ctx, request=request)


def solve_block(ctx: Context, days: list[int], time_limit: float, fallback: bool = True,
                ) -> BlockResult:
    """The block's best plan within about ``time_limit`` s, in the steps of the module
    docstring; when the real model has no plan (and ``fallback``), the elastic model's."""
    started = time.perf_counter()

    def left() -> float:
        return time_limit - (time.perf_counter() - started)

    built = 0.0

    def run(context: Context, limit: float, **options) -> tuple[Model, pulp.LpSolveStats]:
        nonlocal built
        m, stats, seconds = _run(context, days, limit, **options)
        built += seconds
        return m, stats

    # 1. the portion relaxation: a bound, and the recipes for each place
    m, relaxed = run(dataclasses.replace(ctx, portions=(min(PORTIONS),)), time_limit,
                     soft_limit=time_limit * RELAXATION_SHARE)
    bound, best = _proven_bound(relaxed), None
    # 2. its recipes with set portions: in their places, else anywhere
    if relaxed.has_solution:
        places = {(d, s): r for (d, s, r, _) in _chosen(m)}
        for narrowed in ({"only": places}, {"among": frozenset(places.values())}):
            m, picked = run(dataclasses.replace(ctx, **narrowed), left())
            if picked.has_solution:
                best = (m, picked)
                break
    # 3. one day at a time free, the other days as they are, round after round while the
    #    plan gets cheaper and time remains: keep each better plan
    stale = 0  # days in a row re-planned without a cheaper plan
    for day in itertools.cycle(days) if best and len(days) > 1 else ():
        if stale == len(days) or left() < time_limit * (1 - IMPROVE_UNTIL):
            break
        plan = _chosen(best[0])
        m, tried = run(_relock(ctx, plan, day), left(), start=plan)
        stale += 1
        if tried.has_solution and tried.objective < best[1].objective - 1e-6:
            best, stale = (m, tried), 0
    # 4. the full model, warm-started, for the time left
    gap = None if best is None or bound is None else _relative_gap(best[1].objective, bound)
    if relaxed.status != pulp.LpSolveStatus.Infeasible and left() > 0 and (best is None or (
            left() > MIN_FULL_SECONDS and (gap is None or gap > ctx.request.gap_rel))):
        m, full = run(ctx, left(), start=_chosen(best[0]) if best else None)
        bound = max((v for v in (bound, _proven_bound(full)) if v is not None), default=None)
        better = full.has_solution and (best is None or full.objective < best[1].objective)
        if better or (best is None and not fallback):
            best = (m, full)
    elastic = best is None and fallback
    if elastic:
        m, loose = run(ctx, max(left(), time_limit / 2), elastic=True)
        best, bound = (m, loose), _proven_bound(loose)
    if best is None:  # the relaxation proved the block infeasible and there is no fallback
        best = (m, relaxed)
    seconds = time.perf_counter() - started - built
    return BlockResult(best[0], best[1], elastic, built, seconds, bound)


def _relative_gap(objective: float, bound: float) -> float:
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _blocks(request: PlanRequest) -> list[list[int]]:
    days = list(range(1, request.days + 1))
    return [days[i:i + BLOCK_DAYS] for i in range(0, len(days), BLOCK_DAYS)]


def _free(request: PlanRequest, days: list[int]) -> bool:
    """True when no lock or previous meal falls in ``days`` (the block is a copy of any other)."""
    fixed = {p.day for p in (*request.locks, *request.previous)}
    return not fixed & set(days)


def solve(request: PlanRequest, catalog: Catalog) -> Plan:
    """The cheapest plan meeting every bound; else the closest plan with its shortfalls.

    With previous meals (minimal change), first try keeping every previous meal
    the request still allows, fixed like a lock; only when that cannot meet the
    bounds does the full model re-plan, penalizing each changed meal.
    """
    check_against_catalog(request, catalog)
    locked = {(lk.day, lk.slot.value) for lk in request.locks}
    if request.previous:
        kept = _solve(_keep_previous(request, catalog), catalog, locked, fallback=False)
        if kept.status in ("optimal", "feasible"):
            return kept
    return _solve(request, catalog, locked)


def _keep_previous(request: PlanRequest, catalog: Catalog) -> PlanRequest:
    """``request`` with every still-allowed previous meal added as a lock."""
    allowed = eligible(request, catalog)[0].index
    taken = {(lk.day, lk.slot) for lk in request.locks}
    keep = tuple(p for p in request.previous
                 if p.recipe_id in allowed and p.slot in request.slots
                 and p.day <= request.days and (p.day, p.slot) not in taken)
    return request.model_copy(update={"locks": request.locks + keep, "previous": ()})


def _solve(request: PlanRequest, catalog: Catalog, locked: set[tuple[int, str]],
           fallback: bool = True) -> Plan:
    ctx = context(request, catalog)
    names = catalog.recipes["name"]
    meals, doses = [], []
    results: list[BlockResult] = []
    solved_free: dict[int, tuple[BlockResult, int]] = {}  # block length → (result, first day)
    for days in _blocks(request):
        reuse = solved_free.get(len(days)) if _free(request, days) else None
        if reuse is None:
            result = solve_block(ctx, days, request.time_limit_s, fallback)
            results.append(result)
            if _free(request, days):
                solved_free[len(days)] = (result, days[0])
            shift = 0
        else:
            result, first = reuse
            shift = days[0] - first
        if not result.stats.has_solution:
            continue
        for (d, s, r, p), var in result.model.x.items():
            if var.value() is not None and var.value() > 0.5:
                meals.append(Meal(d + shift, s, r, str(names[r]), p, (d, s) in locked))
        for (d, u), var in result.model.z.items():
            units = round(var.value() or 0)
            if units:
                row = ctx.supplements.loc[u]
                doses.append(SupplementDose(d + shift, u, str(row["name"]), units,
                                            {n: float(row[n]) * units for n in TOTAL_KEYS
                                             if row[n]}))
    meals.sort(key=lambda m: (m.day, request.slots.index(m.slot)))
    plan = Plan(status=_status(results, request.gap_rel), meals=meals, supplements=doses,
                targets=dict(request.targets), cost_eur=0.0, solver=_solver_info(results))
    totals = daily_totals(plan, catalog)
    shortfalls = [] if plan.status != "relaxed" else (
        explain.empty_slots(request, {(m.day, m.slot) for m in meals})
        + explain.shortfalls(request, catalog, totals))
    return Plan(
        status=plan.status, meals=meals, supplements=doses, targets=plan.targets,
        cost_eur=round(float(totals[COST].sum()), 2),
        totals={int(d): {k: round(float(row[k]), 3) for k in (*TOTAL_KEYS, COST)}
                for d, row in totals.iterrows()},
        shortfalls=shortfalls,
        suggestions=suggest.suggestions(shortfalls, catalog, request),
        solver=plan.solver,
    )


def _status(results: list[BlockResult], gap_rel: float) -> str:
    """failed (no plan), relaxed (elastic), optimal (within ``gap_rel`` of the proven bound)
    or feasible (a plan meeting every bound, gap larger or unknown)."""
    if any(not r.stats.has_solution for r in results):
        return "failed"
    if any(r.elastic for r in results):
        return "relaxed"
    if all(r.gap is not None and r.gap <= gap_rel + 1e-9 for r in results):
        return "optimal"
    return "feasible"


def _solver_info(results: list[BlockResult]) -> SolverInfo:
    known = [r.gap for r in results if r.gap is not None]
    return SolverInfo(
        name=results[0].stats.solver if results else "none",
        seconds=round(sum(r.solve_seconds for r in results), 3),
        gap=round(max(known), 5) if known else None,
        status_text=", ".join(sorted({r.stats.status.name for r in results})),
        build_seconds=round(sum(r.build_seconds for r in results), 3),
    )
