"""Optimizer speed and plan quality: day-pattern, compact and the textbook model in one run.

Run: ``.venv/bin/python -m benchmarks.optimizer_bench [--limits 1 2 5 15 60] [--write]``.
Libraries: the bundled one (7 and 28 days) and synthetic ones of 1,000 and 5,000
recipes (``benchmarks/synthetic.py``, 7 days), all with the default goals of a
40-year-old woman, HiGHS. For every library, time limit and method it records the
objective (€: cost plus variety penalty), the proven gap and the wall time of the
whole request against its limit (catalog already loaded: process start excluded).
Methods: ``day-pattern`` and ``compact`` through ``optimize.solve`` (the deadline
covers building, solving and fallback), and the *textbook* model: the compact MILP
of each block solved once by HiGHS, nothing else. Also: ``python -m planner plan
--json`` process start → JSON, and the pricing LP built with PuLP against highspy.

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

import numpy as np
import pulp

from benchmarks.results import machine, write_section
from benchmarks.synthetic import write_synthetic_data
from planner import DATA_DIR
from planner.domain.catalog import Catalog, load_catalog
from planner.domain.goals import Profile, default_request
from planner.optimize import Deadline, compact, dispose, solve
from planner.optimize.day_pattern import relative_gap
from planner.optimize.deadline import THREADS, proven_bound
from planner.optimize.pricing import DayPricing
from planner.optimize.problem import DayRules, blocks, build_problem

HEADING = "## Optimizer"
METHODS = ("day-pattern", "compact", "textbook")


def request(catalog: Catalog, days: int, limit: float):
    return default_request(catalog, Profile(sex="female", age=40), days=days,
                           time_limit_s=limit)


def textbook(catalog: Catalog, days: int, limit: float) -> tuple[float | None, float | None]:
    """(objective, gap) of the compact MILP of each block, solved once by HiGHS."""
    req = request(catalog, days, limit)
    deadline = Deadline(limit)
    ctx = compact.context(req, catalog)
    objective, bound = 0.0, 0.0
    parts = blocks(req)
    for i, block in enumerate(parts):
        share = deadline.until(time.monotonic() + deadline.left() / (len(parts) - i))
        model, stats = compact.run_model(ctx, block, share)
        dispose(model)  # freeing a big model is not the solver's time
        if not stats.has_solution:
            return None, None
        objective += stats.objective
        proven = proven_bound(stats)
        bound = None if proven is None or bound is None else bound + proven
    return objective, None if bound is None else relative_gap(objective, bound)


def one_run(method: str, catalog: Catalog, days: int, limit: float) -> dict:
    started = time.monotonic()
    if method == "textbook":
        objective, gap = textbook(catalog, days, limit)
        status = "—" if objective is None else "plan"
    else:
        s = solve(request(catalog, days, limit), catalog, Deadline(limit, started), method)
        objective, gap, status = s.objective, s.gap, s.status
    return {"wall": time.monotonic() - started, "objective": objective, "gap": gap,
            "status": status}


def cli_wall(folder: Path, days: int, repeats: int) -> tuple[list[float], dict]:
    """Wall seconds of ``python -m planner plan --json`` (after one warm-up run)."""
    def once() -> tuple[float, dict]:
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "planner", "plan", "--json", "--data",
                              str(folder), "--days", str(days)],
                             capture_output=True, text=True, check=False)
        return time.perf_counter() - started, json.loads(out.stdout)
    once()
    runs = [once() for _ in range(repeats)]
    return [w for w, _ in runs], runs[-1][1]


def pricing_build(catalog: Catalog, rounds: int = 10) -> tuple[float, float, int]:
    """Median seconds per pricing round: PuLP (build the day LP and solve) against
    highspy (change costs, re-solve the kept LP); and the LP's column count."""
    problem = build_problem(request(catalog, 7, 2.0), catalog)
    pricing = DayPricing(problem, DayRules(), elastic=False)
    rng = np.random.default_rng(0)
    kept, rebuilt = [], []
    for _ in range(rounds):
        y = -rng.random(len(problem.recipe_ids))
        option, pill = pricing.costs(np.zeros(len(problem.weekly)), y)
        started = time.perf_counter()
        pricing.solve_lp(option, pill)
        kept.append(time.perf_counter() - started)
        started = time.perf_counter()
        lp = pulp.LpProblem("day")
        x = [lp.add_variable(f"x_{o}", 0, 1) for o in range(len(option))]
        lp.setObjective(pulp.lpSum_vars_coefs(zip(x, option, strict=True)))
        for s in range(len(problem.slots)):
            lp += pulp.lpSum_vars_coefs([(x[o], 1.0) for o in np.flatnonzero(
                pricing.slot == s)]) == 1, f"slot_{s}"
        for i, row in enumerate(problem.daily):
            expr = pulp.lpSum_vars_coefs([(x[o], a) for o, a in
                                          enumerate(pricing.amount[:, row.key]) if a])
            if np.isfinite(row.lo):
                lp += expr >= row.lo, f"lo_{i}"
            if np.isfinite(row.hi):
                lp += expr <= row.hi, f"hi_{i}"
        lp.solve(pulp.HiGHS(msg=False, mip=False, threads=THREADS))
        rebuilt.append(time.perf_counter() - started)
    return statistics.median(rebuilt), statistics.median(kept), pricing.n_cols


def _fmt(value, spec: str, suffix: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{suffix}"


def report(sizes: list[int], limits: list[float], repeats: int) -> str:
    base = load_catalog()
    scratch = Path(tempfile.mkdtemp(prefix="optimizer-bench-"))
    libraries = [("bundled", base, DATA_DIR, 7), ("bundled", base, DATA_DIR, 28)]
    for size in sizes:
        folder = write_synthetic_data(base, DATA_DIR, scratch / f"syn{size}", size, seed=1)
        libraries.append((f"synthetic {size:,}", load_catalog(folder), folder, 7))
    rows, ratios, results = [], [], {}
    for name, catalog, _, days in libraries:
        for limit in limits:
            got = {m: one_run(m, catalog, days, limit) for m in METHODS}
            results[name, days, limit] = got
            for method, r in got.items():
                over = r["wall"] - limit
                rows.append(f"| {name} | {days} | {limit:g} s | {method} | {r['status']} | "
                            f"{_fmt(r['objective'], '.2f')} | {_fmt(r['gap'], '.1%')} | "
                            f"{r['wall']:.2f} s | {over:+.2f} s |")
            dp, tb = got["day-pattern"]["objective"], got["textbook"]["objective"]
            ratios.append(f"| {name} | {days} | {limit:g} s | "
                          f"{_fmt(dp / tb if dp and tb else None, '.3f')} |")
    walls, doc = cli_wall(DATA_DIR, 7, repeats)
    cli = (f"| bundled | 7 | {statistics.median(walls):.2f} s | {min(walls):.2f} s | "
           f"{max(walls):.2f} s | {repeats} | {doc['status']} | "
           f"{_fmt(doc['solver']['gap'], '.1%')} |")
    build = []
    for name, catalog, _, days in libraries:
        if days == 7:
            rebuilt, kept, cols = pricing_build(catalog)
            build.append(f"| {name} | {cols:,} | {rebuilt * 1000:.1f} ms | {kept * 1000:.1f} ms "
                         f"| {rebuilt / kept:.0f}× |")
    command = ("`.venv/bin/python -m benchmarks.optimizer_bench --limits "
               f"{' '.join(f'{x:g}' for x in limits)} --write`")
    return "\n".join([
        HEADING, "", f"Command: {command}  ", f"Machine: {machine()}", "",
        "One run per cell (the machine's two cores were shared with other work). "
        "Objective = € cost plus variety penalty; gap = to the proven bound of that run; "
        "*over* = wall time of the whole request minus its limit.", "",
        "| library | days | limit | method | status | objective | gap | wall | over |",
        "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |", *rows, "",
        "### Day-pattern ÷ textbook objective (same run)", "",
        "| library | days | limit | ratio |", "| --- | ---: | ---: | ---: |", *ratios, "",
        "### Process start → JSON (`python -m planner plan --json`, default 2 s limit)", "",
        "| library | days | median | min | max | n | status | gap |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |", cli, "",
        "### Pricing LP: PuLP or highspy", "",
        "Median seconds per pricing round: the day LP built with PuLP and solved, against "
        "the LP kept in highspy with its costs changed and re-solved (what pricing does).", "",
        "| library | LP columns | PuLP build + solve | highspy re-solve | ratio |",
        "| --- | ---: | ---: | ---: | ---: |", *build, "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="CLI runs")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--limits", type=float, nargs="*", default=[1, 2, 5, 15, 60])
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    section = report(args.sizes, args.limits, args.repeats)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
