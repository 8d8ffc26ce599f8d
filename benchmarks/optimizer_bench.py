"""Optimizer speed and plan quality, HiGHS against CBC in one run.

Run: ``.venv/bin/python -m benchmarks.optimizer_bench [--repeats 3] [--write]``.
Libraries: the bundled one (7 and 28 days) and synthetic ones of 1,000 and 5,000
recipes (``benchmarks/synthetic.py``), all with the default goals of a 40-year-old
woman. Per library and solver it measures

- process start → JSON: wall time of ``python -m planner plan --json`` (default
  2 s per 7-day block), after one warm-up run that fills the catalog cache;
- model build: the full MILP of one 7-day block (PuLP objects, no solve);
- first plan: the smallest time limit (0.25, 0.5, 1, 2, 5 s) at which a solve
  returns a plan meeting every bound;
- quality at 1, 5 and 15 s: the objective (cost plus the variety penalty) and
  its gap to the best proven bound, for the three-step block solve the planner
  uses (``model.solve_block``) and for the full MILP alone, for comparison.

Prints a Markdown section; ``--write`` replaces ``## Optimizer`` in
``benchmarks/RESULTS.md``. A measurement, never a test assertion.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results import machine, write_section
from benchmarks.synthetic import write_synthetic_data
from planner import DATA_DIR, model
from planner.catalog import Catalog, load_catalog
from planner.goals import Profile, default_request

HEADING = "## Optimizer"
SOLVERS = ("highs", "cbc")
LADDER = (0.25, 0.5, 1.0, 2.0, 5.0)
WEEK = list(range(1, 8))


def cli_run(data_dir: Path, days: int, solver: str) -> tuple[float, dict]:
    """Wall seconds of one ``python -m planner plan --json`` and its document."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "planner", "plan", "--json", "--data", str(data_dir),
         "--days", str(days), "--solver", solver],
        capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):  # 1: the document says "failed"
        raise RuntimeError(f"planner plan exited {out.returncode}: {out.stderr[-500:]}")
    return time.perf_counter() - started, json.loads(out.stdout)


def context(catalog: Catalog, solver: str, time_limit: float = 2.0) -> model.Context:
    request = default_request(catalog, Profile(sex="female", age=40), solver=solver,
                              time_limit_s=time_limit)
    return model.context(request, catalog)


def three_step(ctx: model.Context, budget: float) -> tuple[float, float | None, float | None]:
    """(wall s, objective, gap) of the planner's block solve within ``budget``."""
    started = time.perf_counter()
    result = model.solve_block(ctx, WEEK, budget, fallback=False)
    wall = time.perf_counter() - started
    return wall, result.stats.objective if result.stats.has_solution else None, result.gap


def full_milp(ctx: model.Context, budget: float) -> tuple[float, float | None, float | None]:
    """(wall s, objective, gap) of the full MILP alone within ``budget``."""
    started = time.perf_counter()
    _, stats, _ = model._run(ctx, WEEK, budget)
    wall = time.perf_counter() - started
    if not stats.has_solution:
        return wall, None, None
    bound = model._proven_bound(stats)
    gap = None if bound is None else model._relative_gap(stats.objective, bound)
    return wall, stats.objective, gap


APPROACHES = {"three-step": three_step, "full MILP": full_milp}


def _median(values: list) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{suffix}"


def measure(libraries: dict[str, tuple[Catalog, Path, tuple[int, ...]]], budgets: list[float],
            repeats: int, big_repeats: int) -> list[str]:
    cli, builds, firsts, quality = [], [], [], []
    for name, (catalog, folder, day_counts) in libraries.items():
        n = repeats if len(catalog.recipes) <= 1000 else big_repeats
        for solver in SOLVERS:
            for days in day_counts:
                cli_run(folder, days, solver)  # warm-up: fills the catalog cache
                runs = [cli_run(folder, days, solver) for _ in range(n)]
                walls = [w for w, _ in runs]
                doc = runs[-1][1]
                cli.append(f"| {name} | {days} | {solver} | {statistics.median(walls):.2f} s | "
                           f"{min(walls):.2f} s | {max(walls):.2f} s | {n} | {doc['status']} | "
                           f"{_fmt(doc['solver']['gap'], '.1%')} | "
                           f"{_fmt(doc['cost_eur'] if doc['days'] else None, '.2f', ' €')} |")
            ctx = context(catalog, solver)
            if solver == SOLVERS[0]:
                times = []
                for _ in range(n):
                    started = time.perf_counter()
                    m = model.build_model(ctx, WEEK)
                    times.append(time.perf_counter() - started)
                builds.append(f"| {name} | {len(ctx.recipes)} | {len(m.x):,} | "
                              f"{len(m.problem.constraints()):,} | "
                              f"{statistics.median(times):.2f} s |")
            for approach, run in APPROACHES.items():
                first = next((t for t in LADDER if run(ctx, t)[1] is not None), None)
                firsts.append(f"| {name} | {solver} | {approach} | "
                              f"{_fmt(first, 'g', ' s') if first else '> 5 s'} |")
                for budget in budgets:
                    runs = [run(ctx, budget) for _ in range(n)]
                    quality.append(
                        f"| {name} | {solver} | {approach} | {budget:g} s | "
                        f"{_median([w for w, _, _ in runs]):.2f} s | "
                        f"{_fmt(_median([o for _, o, _ in runs]), '.2f')} | "
                        f"{_fmt(_median([g for _, _, g in runs]), '.1%')} | "
                        f"{sum(o is not None for _, o, _ in runs)}/{n} |")
    return [
        "### Process start → JSON (`python -m planner plan --json`, 2 s per 7-day block)", "",
        "| library | days | solver | median | min | max | n | status | gap | cost |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |", *cli, "",
        "### Model build (full MILP of one 7-day block, no solve)", "",
        "| library | eligible recipes | binaries | rows | median |",
        "| --- | ---: | ---: | ---: | ---: |", *builds, "",
        "### First plan meeting every bound (smallest time limit of "
        f"{', '.join(f'{t:g}' for t in LADDER)} s that returns one)", "",
        "| library | solver | approach | time limit |", "| --- | --- | --- | ---: |", *firsts, "",
        "### Quality at fixed time limits (one 7-day block)", "",
        "Objective = cost in € plus the variety penalty; gap to the best bound the solver "
        "proved. Medians over the runs; *plans* = runs that returned a plan.", "",
        "| library | solver | approach | limit | wall | objective | gap | plans |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |", *quality, "",
    ]


def report(sizes: list[int], budgets: list[float], repeats: int, big_repeats: int) -> str:
    base = load_catalog()
    libraries = {"bundled": (base, DATA_DIR, (7, 28))}
    scratch = Path(tempfile.mkdtemp(prefix="optimizer-bench-"))
    for size in sizes:
        folder = write_synthetic_data(base, DATA_DIR, scratch / f"syn{size}", size, seed=1)
        libraries[f"synthetic {size:,}"] = (load_catalog(folder), folder, (7,))
    command = ("`.venv/bin/python -m benchmarks.optimizer_bench "
               f"--repeats {repeats} --big-repeats {big_repeats} --write`")
    lines = measure(libraries, budgets, repeats, big_repeats)
    return "\n".join([HEADING, "", f"Command: {command}  ", f"Machine: {machine()}", "",
                      *lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--big-repeats", type=int, default=1,
                        help="repeats for libraries above 1,000 recipes")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--budgets", type=float, nargs="*", default=[1.0, 5.0, 15.0])
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    section = report(args.sizes, args.budgets, args.repeats, args.big_repeats)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
