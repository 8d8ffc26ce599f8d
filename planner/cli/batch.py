"""`python -m planner batch replan --owner NAME [--week DATE]`: re-plan every client.

Each active client of the dietitian NAME gets a new plan version with minimal
change from their newest one, solved as jobs on the solve service's pool (local
solver processes, or the Dask cluster at ``PLANNER_DASK_SCHEDULER``). Prints one
progress line per client, then the failures with their reasons. Exit 0 when every
client was saved, 1 when some failed, 2 for a bad argument.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from planner import DATA_DIR


def add_batch_command(subparsers: argparse._SubParsersAction) -> None:
    """Register the `batch` subcommand (`batch replan`)."""
    batch = subparsers.add_parser("batch", help="work on many clients at once")
    actions = batch.add_subparsers(dest="batch_action", required=True)
    replan = actions.add_parser("replan", help="a new plan version for every client")
    replan.add_argument("--owner", required=True, help="the dietitian's user name")
    replan.add_argument("--week", type=_week, default=None,
                        help="first day of the week planned, YYYY-MM-DD (default: next Monday)")
    replan.add_argument("--client", type=int, action="append", dest="clients",
                        help="only this client id (repeatable; default: every active client)")
    replan.set_defaults(handler=_replan)


def _week(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-12-07, got {text!r}"
                                         ) from None


def _replan(args: argparse.Namespace) -> int:
    # Imported here: the store and the pool are not needed by the other commands.
    from planner.domain.workspace import StoreError
    from planner.io.catalog_cache import load_catalog_cached
    from planner.io.recipe_import import with_recipes
    from planner.services import solve_service
    from planner.services.batch import next_monday, replan_clients, week_note
    from planner.store.accounts import find_account
    from planner.store.db import open_store
    from planner.store.repository import Workspace

    try:
        sessions = open_store()
        ws = Workspace(sessions, find_account(sessions, args.owner))
        pool = solve_service.make_pool()
    except (StoreError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    week = args.week or next_monday(date.today())
    catalog = with_recipes(load_catalog_cached(DATA_DIR), ws.recipes())

    def progress(outcome, done: int, total: int) -> None:
        what = (f"saved version {outcome.version} ({outcome.status})" if outcome.saved
                else "FAILED")
        print(f"[{done}/{total}] {outcome.name}: {what}", flush=True)

    try:
        results = replan_clients(ws, catalog, pool, week_note(week),
                                 args.clients, progress)
    finally:
        pool.shutdown()
    failed = [r for r in results if not r.saved]
    print(f"{len(results) - len(failed)} of {len(results)} clients re-planned "
          f"for the week of {week}.")
    for r in failed:
        print(f"  {r.name} (client {r.client_id}): {r.reason}")
    return 1 if failed else 0
