"""Dietitian accounts: argon2 hashes, login, rate-limited failures, nothing secret in logs,
and the `users add` command."""

from __future__ import annotations

import argparse
import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from planner import cli_users
from planner.store import accounts
from planner.store.db import open_store
from planner.store.models import Dietitian
from planner.store.records import AuthError, RateLimited, StoreError
from tests.fixtures.store.backends import BACKENDS, store_for

PASSWORD = "correct horse 1"


@pytest.fixture(params=BACKENDS)
def sessions(request, tmp_path):
    with store_for(request.param, tmp_path) as store:
        yield store


def stored_hash(sessions, name: str) -> str:
    with sessions() as session:
        return session.scalar(select(Dietitian.password_hash).where(Dietitian.username == name))


def test_passwords_are_stored_as_argon2id_hashes_and_verify(sessions):
    account = accounts.add_user(sessions, "ann", PASSWORD)
    digest = stored_hash(sessions, "ann")
    assert digest.startswith("$argon2id$") and PASSWORD not in digest
    assert accounts.authenticate(sessions, "ann", PASSWORD) == account


@pytest.mark.parametrize(("name", "password", "message"), [
    ("a", PASSWORD, "user name"), ("ann smith", PASSWORD, "user name"),
    ("ann", "short", "at least 8"),
])
def test_bad_names_and_short_passwords_are_refused(sessions, name, password, message):
    with pytest.raises(StoreError, match=message):
        accounts.add_user(sessions, name, password)


def test_a_taken_name_is_refused(sessions):
    accounts.add_user(sessions, "ann", PASSWORD)
    with pytest.raises(StoreError, match="taken"):
        accounts.add_user(sessions, "ann", "another password")


def test_wrong_password_and_unknown_user_get_the_same_answer(sessions):
    accounts.add_user(sessions, "ann", PASSWORD)
    messages = []
    for name, password in [("ann", "wrong password"), ("nobody", PASSWORD)]:
        with pytest.raises(AuthError) as info:
            accounts.authenticate(sessions, name, password)
        messages.append(str(info.value))
    assert messages[0] == messages[1] == "wrong user name or password"


def test_failed_logins_are_rate_limited_per_user_and_expire(sessions):
    accounts.add_user(sessions, "ann", PASSWORD)
    accounts.add_user(sessions, "bob", PASSWORD)
    start = datetime.now(UTC)
    for i in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthError):
            accounts.authenticate(sessions, "ann", "guess", now=start + timedelta(seconds=i))
    with pytest.raises(RateLimited, match="too many failed logins"):
        accounts.authenticate(sessions, "ann", PASSWORD, now=start + timedelta(minutes=1))
    assert accounts.authenticate(sessions, "bob", PASSWORD).username == "bob"
    later = start + accounts.WINDOW + timedelta(seconds=10)
    assert accounts.authenticate(sessions, "ann", PASSWORD, now=later).username == "ann"
    # a success clears the failures
    with pytest.raises(AuthError):
        accounts.authenticate(sessions, "ann", "guess", now=later)
    assert accounts.authenticate(sessions, "ann", PASSWORD, now=later).username == "ann"


def test_no_password_or_hash_reaches_a_log(sessions, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    try:
        accounts.add_user(sessions, "ann", PASSWORD)
        accounts.authenticate(sessions, "ann", PASSWORD)
        with pytest.raises(AuthError):
            accounts.authenticate(sessions, "ann", "wrong password")
        with pytest.raises(StoreError):
            accounts.add_user(sessions, "ann", PASSWORD)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert "INSERT INTO dietitians" in caplog.text  # the statements were logged …
    for secret in (PASSWORD, "wrong password", stored_hash(sessions, "ann")):
        assert secret not in caplog.text  # … their parameters were not


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="planner")
    cli_users.add_users_command(top.add_subparsers(dest="command", required=True))
    return top


def test_users_add_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = parser().parse_args(["users", "add", "ann", "--password-stdin"])
    args.handler(args)
    out = capsys.readouterr()
    assert "created dietitian account 'ann'" in out.out and PASSWORD not in out.out + out.err
    store = open_store()
    assert accounts.authenticate(store, "ann", PASSWORD).username == "ann"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(SystemExit, match="users add: a password needs at least 8"):
        args.handler(args)


def test_users_add_asks_twice_without_echo(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    answers = iter([PASSWORD, "something else"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    args = parser().parse_args(["users", "add", "ann"])
    with pytest.raises(SystemExit, match="differ"):
        args.handler(args)
