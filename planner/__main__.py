"""`python -m planner <command>`: every capability scriptable without a browser."""

from __future__ import annotations

import argparse
import sys

from planner.cli.batch import add_batch_command
from planner.cli.catalog import add_catalog_commands
from planner.cli.data_report import add_data_report_command
from planner.cli.plan import add_plan_command
from planner.cli.users import add_users_command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planner", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_plan_command(subparsers)
    add_catalog_commands(subparsers)
    add_data_report_command(subparsers)
    add_users_command(subparsers)
    add_batch_command(subparsers)
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
