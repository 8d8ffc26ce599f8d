"""`python -m planner users add NAME`: create a dietitian account for the workspace.

The password comes from ``--password-stdin`` (first line of standard input, for
scripts) or is asked twice without echo. It is never printed or logged.
"""

from __future__ import annotations

import argparse
import getpass
import sys


def add_users_command(subparsers: argparse._SubParsersAction) -> None:
    """Register the `users` subcommand (`users add NAME`)."""
    users = subparsers.add_parser("users", help="manage dietitian accounts")
    actions = users.add_subparsers(dest="users_action", required=True)
    add = actions.add_parser("add", help="create a dietitian account")
    add.add_argument("name", help="user name (2-80 letters, digits or . _ @ -)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.set_defaults(handler=_add)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise SystemExit("users add: the two passwords differ")
    return first


def _add(args: argparse.Namespace) -> None:
    # Imported here: the store (SQLAlchemy, argon2) is not needed by the other commands.
    from planner.store import accounts
    from planner.store.db import open_store
    from planner.store.records import StoreError

    password = _read_password(args.password_stdin)
    try:
        account = accounts.add_user(open_store(), args.name, password)
    except StoreError as exc:
        raise SystemExit(f"users add: {exc}") from None
    print(f"created dietitian account {account.username!r}")
