"""`python -m planner plan`: a plan from the command line, as a readable week or JSON.

Bad arguments exit with status 2 and one line naming the argument.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from planner import DATA_DIR
from planner.domain import nutrients as nu
from planner.domain.catalog import CatalogError, Diet, Slot
from planner.domain.goals import LifeStage, Sex, Window
from planner.domain.k2_evidence import k2_text
from planner.domain.plan import Plan, PlanStatus
from planner.io.catalog_cache import load_catalog_cached
from planner.services.plan_request import RequestError, to_request

SHOWN = (nu.ENERGY, nu.PROTEIN, nu.CALCIUM, nu.K2, nu.D3)
# goal parameter (or request field) → the flag a message should name
FLAGS = {"days": "--days", "slots": "--slots", "locks": "--lock", "sex": "--sex", "age": "--age",
         "life_stage": "--life-stage", "allergens": "--exclude-allergen",
         "exclude_foods": "--exclude-food", "exclude_recipes": "--exclude-recipe",
         "budget": "--budget", "max_repeats": "--max-repeats", "steady_k_ug": "--warfarin",
         "steady_k_band": "--warfarin-band", "diet": "--diet", "k2_min": "--k2",
         "k2_window": "--window", "d3_min": "--d3", "d3_max": "--d3", "d3_window": "--window",
         "calcium_min": "--calcium", "calcium_max": "--calcium", "kcal_min": "--kcal",
         "kcal_max": "--kcal", "protein_min": "--protein", "time_limit_s": "--time-limit",
         "favourite_recipes": "--favourite", "solver": "--solver",
         "k2_daily_share": "--k2-daily-share"}


class ArgumentError(ValueError):
    """A bad command-line value; the message names the flag."""


def add_plan_command(subparsers: argparse._SubParsersAction) -> None:
    """Register the `plan` subcommand."""
    p = subparsers.add_parser("plan", help="plan meals for 1-28 days")
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--slots", default=",".join(s.value for s in Slot))
    p.add_argument("--sex", choices=[s.value for s in Sex], default=Sex.FEMALE.value)
    p.add_argument("--age", type=int, default=40)
    p.add_argument("--life-stage", choices=[s.value for s in LifeStage],
                   default=LifeStage.GENERAL.value)
    p.add_argument("--k2", type=float, help="K2 minimum, µg/day")
    p.add_argument("--d3", type=float, help="D3 minimum, µg/day")
    p.add_argument("--calcium", type=float, help="calcium minimum, mg/day")
    p.add_argument("--kcal", help="energy band MIN-MAX, kcal/day")
    p.add_argument("--protein", type=float, help="protein floor, g/day")
    p.add_argument("--window", choices=[w.value for w in Window], default="week",
                   help="averaging window of the K2 and D3 minimums")
    p.add_argument("--k2-daily-share", type=float, default=50.0,
                   help="with a weekly K2 window, each day at least this %% of the K2 minimum "
                        "(default 50; 0: any spread)")
    p.add_argument("--diet", choices=[d.value for d in Diet], default="omnivore")
    p.add_argument("--exclude-allergen", action="append", default=[])
    p.add_argument("--exclude-food", action="append", default=[])
    p.add_argument("--exclude-recipe", action="append", default=[])
    p.add_argument("--favourite", action="append", default=[])
    p.add_argument("--lock", action="append", default=[], help="DAY:SLOT:RECIPE_ID[:SERVINGS]")
    p.add_argument("--supplements", action=argparse.BooleanOptionalAction, default=False)
    p.add_argument("--warfarin", type=float, help="steady vitamin K value, µg/day")
    p.add_argument("--warfarin-band", type=float, default=20.0, help="± percent")
    p.add_argument("--max-repeats", type=int, default=2)
    p.add_argument("--budget", type=float, help="EUR per day")
    p.add_argument("--previous", type=Path, help="previous plan JSON (minimal change)")
    p.add_argument("--time-limit", type=float, default=2.0,
                   help="seconds for the whole request, loading to output (default 2)")
    p.add_argument("--solver", choices=["highs", "cbc"], default="highs")
    p.add_argument("--method", choices=["day-pattern", "compact"], default="day-pattern",
                   help="optimizer method (default day-pattern; compact: one MILP per week)")
    p.add_argument("--data", type=Path, default=DATA_DIR)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=run)


def goal_params(args: argparse.Namespace) -> dict[str, Any]:
    """The goal parameters the flags set (a target flag not given keeps the reference)."""
    params: dict[str, Any] = {
        "days": args.days, "slots": [s for s in args.slots.split(",") if s], "sex": args.sex,
        "age": args.age, "life_stage": args.life_stage, "diet": args.diet,
        "allergens": args.exclude_allergen, "exclude_foods": args.exclude_food,
        "exclude_recipes": args.exclude_recipe, "locks": args.lock,
        "supplements": args.supplements, "max_repeats": args.max_repeats,
        "budget": args.budget, "k2_daily_share": args.k2_daily_share}
    for prefix in ("k2", "d3"):
        if getattr(args, prefix) is not None:
            params |= {f"{prefix}_min": getattr(args, prefix), f"{prefix}_window": args.window}
    if args.calcium is not None:
        params["calcium_min"] = args.calcium
    if args.protein is not None:
        params["protein_min"] = args.protein
    if args.kcal is not None:
        try:
            params["kcal_min"], params["kcal_max"] = (float(x) for x in args.kcal.split("-"))
        except ValueError:
            raise ArgumentError(f"--kcal: expected MIN-MAX, got {args.kcal!r}") from None
    if args.warfarin is not None:
        params |= {"steady_k": True, "steady_k_ug": args.warfarin,
                   "steady_k_band": args.warfarin_band}
    return params


def build_request(args: argparse.Namespace, catalog):
    """The PlanRequest the flags describe; ArgumentError naming the flag otherwise."""
    previous = None
    if args.previous is not None:
        try:
            previous = Plan.from_json(args.previous.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ArgumentError(f"--previous: cannot read a plan ({first})") from None
    try:
        return to_request(goal_params(args), catalog, favourite_recipes=args.favourite,
                          previous=previous, time_limit_s=args.time_limit, solver=args.solver)
    except RequestError as exc:
        name, message = next(iter(exc.errors.items()))
        raise ArgumentError(f"{FLAGS.get(name, name or '--data')}: {message}") from None


@contextlib.contextmanager
def _quiet_stdout():
    """Keep solver banners off stdout (the JSON document is the only output)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def week_text(plan: Plan, k2_known: dict[int, float] | None = None) -> str:
    """A readable week: meals per day, key totals, shortfalls and suggestions. K2 counts
    known figures only, so it reads "≥ X µg" with ``k2_known`` (day → share of the
    ingredient mass whose K2 is known) when given."""
    gap = "n/a" if plan.solver.gap is None else f"{plan.solver.gap:.1%}"
    lines = [f"Status: {plan.status} · cost €{plan.cost_eur:.2f} · {plan.solver.name} "
             f"{plan.solver.seconds:.2f} s (gap {gap})"]
    for day in sorted({m.day for m in plan.meals}):
        lines.append(f"\nDay {day}")
        lines += [f"  {m.slot:<10} {m.name} ×{m.servings:g}{' (locked)' if m.locked else ''}"
                  for m in plan.meals if m.day == day]
        lines += [f"  supplement {s.name} ×{s.units}" for s in plan.supplements if s.day == day]
        totals = plan.totals.get(day, {})
        lines.append("  " + " · ".join(
            f"{nu.get(n).label} {k2_text(totals.get(n, 0), k2_known[day])}"
            if n == nu.K2 and k2_known and day in k2_known
            else f"{nu.get(n).label} {totals.get(n, 0):,.1f} {nu.get(n).unit}" for n in SHOWN))
    for s in plan.shortfalls:
        lines.append(f"\nShortfall {s.nutrient_label} ({s.scope}): {s.achieved:g} of "
                     f"{s.target:g}. {s.explanation}")
    lines += [s["text"] for s in plan.suggestions]  # foods in usual servings, or a supplement
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Build the request, solve, print; 2 with one line on stderr for a bad argument.
    The time limit counts from here: loading, solving and output all fit in it."""
    from planner.services import make_plan as model

    deadline = model.Deadline(args.time_limit) if args.time_limit > 0 else None
    try:
        catalog = load_catalog_cached(args.data)
        request = build_request(args, catalog)
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    with _quiet_stdout():
        plan = model.solve(request, catalog, deadline, args.method)
    if args.json:
        print(plan.to_json(), flush=True)
    else:
        from planner.analysis import charts  # Altair: not on the JSON path's start-up

        known = charts.plan_frames(plan, catalog).coverage.set_index("day")["k2_coverage"]
        print(week_text(plan, known.to_dict()), flush=True)
    model.settle()  # no solver thread left inside HiGHS when the process exits
    return 0 if plan.status != PlanStatus.FAILED else 1
