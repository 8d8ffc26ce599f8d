"""`python -m planner plan`: a plan from the command line, as a readable week or JSON.

Bad arguments exit with status 2 and one line naming the argument.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from planner import DATA_DIR
from planner.domain import nutrients as nu
from planner.domain.catalog import CatalogError, Diet, Slot
from planner.domain.goals import Bound, Lock, Profile, SteadyK, Window, default_request
from planner.domain.plan import Plan
from planner.io.catalog_cache import load_catalog_cached

SHOWN = (nu.ENERGY, nu.PROTEIN, nu.CALCIUM, nu.K2, nu.D3)
# PlanRequest field → the flag a message should name
FLAGS = {"days": "--days", "slots": "--slots", "locks": "--lock", "profile": "--sex/--age",
         "exclude_allergens": "--exclude-allergen", "exclude_foods": "--exclude-food",
         "exclude_recipes": "--exclude-recipe", "budget_eur": "--budget",
         "max_repeats": "--max-repeats", "steady_k": "--warfarin", "time_limit_s": "--time-limit",
         "diet": "--diet"}
TARGET_FLAGS = {nu.K2: "--k2", nu.D3: "--d3", nu.CALCIUM: "--calcium", nu.ENERGY: "--kcal",
                nu.PROTEIN: "--protein"}


class ArgumentError(ValueError):
    """A bad command-line value; the message names the flag."""


def add_plan_command(subparsers: argparse._SubParsersAction) -> None:
    """Register the `plan` subcommand."""
    p = subparsers.add_parser("plan", help="plan meals for 1-28 days")
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--slots", default=",".join(s.value for s in Slot))
    p.add_argument("--sex", choices=["female", "male"], default="female")
    p.add_argument("--age", type=int, default=40)
    p.add_argument("--life-stage", choices=["general", "pregnancy", "lactation"],
                   default="general")
    p.add_argument("--k2", type=float, help="K2 minimum, µg/day")
    p.add_argument("--d3", type=float, help="D3 minimum, µg/day")
    p.add_argument("--calcium", type=float, help="calcium minimum, mg/day")
    p.add_argument("--kcal", help="energy band MIN-MAX, kcal/day")
    p.add_argument("--protein", type=float, help="protein floor, g/day")
    p.add_argument("--window", choices=[w.value for w in Window], default="week",
                   help="averaging window of the K2 and D3 minimums")
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


def _kcal(text: str | None) -> Bound | None:
    if text is None:
        return None
    try:
        low, high = (float(x) for x in text.split("-"))
    except ValueError:
        raise ArgumentError(f"--kcal: expected MIN-MAX, got {text!r}") from None
    return _bound("--kcal", low, high, Window.DAY)


def _bound(flag: str, low: float | None, high: float | None, window: Window) -> Bound:
    try:
        return Bound(min=low, max=high, window=window)
    except ValidationError as exc:
        raise ArgumentError(f"{flag}: {_message(exc)}") from None


def _locks(texts: list[str]) -> list[Lock]:
    out = []
    for text in texts:
        parts = text.split(":")
        if len(parts) not in (3, 4) or not parts[0].isdigit():
            raise ArgumentError(f"--lock: expected DAY:SLOT:RECIPE_ID[:SERVINGS], got {text!r}")
        try:
            out.append(Lock(day=int(parts[0]), slot=parts[1], recipe_id=parts[2],
                            servings=float(parts[3]) if len(parts) == 4 else 1.0))
        except (ValidationError, ValueError) as exc:
            raise ArgumentError(f"--lock {text}: {_message(exc)}") from None
    return out


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return str(err["msg"]).removeprefix("Value error, ")
    return str(exc).splitlines()[0]


def build_request(args: argparse.Namespace, catalog):
    """The PlanRequest the flags describe; ArgumentError naming the flag otherwise."""
    targets = {}
    for flag, nutrient in (("--k2", nu.K2), ("--d3", nu.D3)):
        value = getattr(args, flag[2:])
        if value is not None:
            upper = 100.0 if nutrient == nu.D3 else None
            targets[nutrient] = _bound(flag, value, upper if (upper or 0) >= value else None,
                                       Window(args.window))
    if args.calcium is not None:
        targets[nu.CALCIUM] = _bound("--calcium", args.calcium, None, Window.DAY)
    if args.protein is not None:
        targets[nu.PROTEIN] = _bound("--protein", args.protein, None, Window.DAY)
    if (kcal := _kcal(args.kcal)) is not None:
        targets[nu.ENERGY] = kcal
    previous = None
    if args.previous is not None:
        try:
            previous = Plan.from_json(args.previous.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArgumentError(f"--previous: cannot read a plan ({_message(exc)})") from None
    steady = None
    if args.warfarin is not None:
        try:
            steady = SteadyK(value_ug=args.warfarin, band=args.warfarin_band / 100)
        except ValidationError as exc:
            raise ArgumentError(f"--warfarin: {_message(exc)}") from None
    try:
        profile = Profile(sex=args.sex, age=args.age, life_stage=args.life_stage)
        return default_request(
            catalog, profile, days=args.days, slots=[s for s in args.slots.split(",") if s],
            targets=targets, diet=args.diet, exclude_allergens=args.exclude_allergen,
            exclude_foods=args.exclude_food, exclude_recipes=args.exclude_recipe,
            favourite_recipes=args.favourite, locks=_locks(args.lock),
            supplements=args.supplements, steady_k=steady, max_repeats=args.max_repeats,
            budget_eur=args.budget, previous=previous, time_limit_s=args.time_limit,
            solver=args.solver)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        field = str(loc[0]) if loc else ""
        flag = TARGET_FLAGS.get(str(loc[1])) if field == "targets" and len(loc) > 1 else None
        raise ArgumentError(f"{flag or FLAGS.get(field, field)}: {_message(exc)}") from None
    except ValueError as exc:
        field = str(exc).split(":")[0]
        raise ArgumentError(f"{FLAGS.get(field, field)}: {_message(exc)}") from None


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


def week_text(plan: Plan) -> str:
    """A readable week: meals per day, key totals, shortfalls and suggestions."""
    gap = "n/a" if plan.solver.gap is None else f"{plan.solver.gap:.1%}"
    lines = [f"Status: {plan.status} · cost €{plan.cost_eur:.2f} · {plan.solver.name} "
             f"{plan.solver.seconds:.2f} s (gap {gap})"]
    for day in sorted({m.day for m in plan.meals}):
        lines.append(f"\nDay {day}")
        lines += [f"  {m.slot:<10} {m.name} ×{m.servings:g}{' (locked)' if m.locked else ''}"
                  for m in plan.meals if m.day == day]
        lines += [f"  supplement {s.name} ×{s.units}" for s in plan.supplements if s.day == day]
        totals = plan.totals.get(day, {})
        lines.append("  " + " · ".join(f"{nu.get(n).label} {totals.get(n, 0):,.1f} "
                                       f"{nu.get(n).unit}" for n in SHOWN))
    for s in plan.shortfalls:
        lines.append(f"\nShortfall {s.nutrient_label} ({s.scope}): {s.achieved:g} of "
                     f"{s.target:g}. {s.explanation}")
    for s in plan.suggestions:
        foods = ", ".join(f"{f['name']} {f['grams']:g} g" for f in s["foods"])
        lines.append(f"To close the {nu.get(s['nutrient']).label} gap: {foods}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Build the request, solve, print; 2 with one line on stderr for a bad argument.
    The time limit counts from here: loading, solving and output all fit in it."""
    from planner.optimize import Deadline, settle
    from planner.services import make_plan as model

    deadline = Deadline(args.time_limit) if args.time_limit > 0 else None
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
    print(plan.to_json() if args.json else week_text(plan), flush=True)
    settle()  # no solver thread left inside HiGHS when the process exits
    return 0 if plan.status != "failed" else 1
