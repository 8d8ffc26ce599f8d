"""`python -m planner data-report`: K2 coverage by grade and source, and the unknown foods."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from planner import DATA_DIR
from planner.analysis.data_report import THRESHOLD, DataReport, data_report
from planner.cli.catalog import load_or_exit


def add_data_report_command(subparsers: argparse._SubParsersAction) -> None:
    """Register the `data-report` subcommand."""
    sub = subparsers.add_parser("data-report", help="K2 coverage by evidence grade and source, "
                                "and the foods whose K2 is still unknown")
    sub.add_argument("--json", action="store_true", help="print one JSON document")
    sub.add_argument("--data", type=Path, default=DATA_DIR, help="data folder")
    sub.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> None:
    report = data_report(load_or_exit(args.data))
    print(json.dumps(report.to_dict(), ensure_ascii=False) if args.json else report_text(report))


def report_text(r: DataReport) -> str:
    """The report as plain text."""
    lines = [
        f"Recipe K2 coverage (share of ingredient mass with a K2 figure), {r.recipes} recipes:",
        f"  median {r.coverage_median:.2f}, quartiles {r.coverage_q1:.2f}-{r.coverage_q3:.2f}, "
        f"{r.recipes_under_half} under 0.5",
        f"  recipes with a K2-relevant ingredient under {THRESHOLD}: "
        f"{', '.join(r.k2_relevant_under_threshold) or 'none'}",
        "\nRecipe ingredient mass by K2 grade:",
        *(f"  {g:<10} {s:6.1%}   ({r.foods_by_grade[g]} foods)"
          for g, s in r.mass_by_grade.items()),
        "\nRecipe ingredient mass by K2 source:",
        *(f"  {k:<22} {s:6.1%}" for k, s in r.mass_by_source.items()),
        f"\nFoods with unknown K2 used in recipes ({len(r.unknown_foods)}):",
        *(f"  {f.food_id:<20} {f.grams_in_recipes:7.0f} g in {f.recipes:2d} recipes  {f.notes}"
          for f in r.unknown_foods),
    ]
    return "\n".join(lines)
