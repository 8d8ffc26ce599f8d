"""`python -m planner users add|list|set-password|set-display-name|unlock`: dietitian
accounts.

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
    actions.add_parser("list", help="list the user names").set_defaults(handler=_list)
    reset = actions.add_parser("set-password", help="give a dietitian a new password")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input")
    reset.set_defaults(handler=_set_password)
    shown = actions.add_parser("set-display-name",
                               help="the name clients see on share pages (\"\" clears it)")
    shown.add_argument("name")
    shown.add_argument("display_name", metavar="DISPLAY_NAME")
    shown.set_defaults(handler=_set_display_name)
    unlock = actions.add_parser("unlock", help="clear a dietitian's failed logins")
    unlock.add_argument("name")
    unlock.set_defaults(handler=_unlock)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise SystemExit("users: the two passwords differ")
    return first


def _add(args: argparse.Namespace) -> None:
    # Imported here: the store (SQLAlchemy, argon2) is not needed by the other commands.
    from planner.domain.workspace import StoreError
    from planner.store import accounts
    from planner.store.db import open_store

    password = _read_password(args.password_stdin)
    try:
        account = accounts.add_user(open_store(), args.name, password)
    except StoreError as exc:
        raise SystemExit(f"users add: {exc}") from None
    print(f"created dietitian account {account.username!r}")


def _list(_args: argparse.Namespace) -> None:
    from planner.store import accounts
    from planner.store.db import open_store

    for name in accounts.list_users(open_store()):
        print(name)


def _set_password(args: argparse.Namespace) -> None:
    from planner.domain.workspace import StoreError
    from planner.store import accounts
    from planner.store.db import open_store

    password = _read_password(args.password_stdin)
    try:
        accounts.set_password(open_store(), args.name, password)
    except StoreError as exc:
        raise SystemExit(f"users set-password: {exc}") from None
    print(f"new password set for {args.name!r}")


def _set_display_name(args: argparse.Namespace) -> None:
    from planner.domain.workspace import StoreError
    from planner.store import accounts
    from planner.store.db import open_store

    try:
        kept = accounts.set_display_name(open_store(), args.name, args.display_name)
    except StoreError as exc:
        raise SystemExit(f"users set-display-name: {exc}") from None
    shown = repr(kept) if kept else '"your dietitian" (no display name)'
    print(f"share pages of {args.name!r} now show {shown}")


def _unlock(args: argparse.Namespace) -> None:
    from planner.store import accounts
    from planner.store.db import open_store

    cleared = accounts.unlock(open_store(), args.name)
    print(f"cleared failed logins of {args.name!r} from {cleared} address(es)")
