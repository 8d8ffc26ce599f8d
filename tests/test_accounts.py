"""Dietitian accounts: argon2 hashes, login, rate-limited failures, nothing secret in logs,
and the `users add` command."""

from __future__ import annotations

import argparse
import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from planner.cli import users as cli_users
from planner.domain.workspace import AuthError, RateLimited, StoreError
from planner.store import accounts
from planner.store.checks import TEXT_LIMITS
from planner.store.db import open_store
from planner.store.models import Dietitian
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


def test_failed_logins_back_off_per_name_and_address_and_a_success_clears_them(sessions):
    accounts.add_user(sessions, "ann", PASSWORD)
    accounts.add_user(sessions, "bob", PASSWORD)
    start = datetime.now(UTC)
    for _i in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthError):
            accounts.authenticate(sessions, "ann", "guess", "10.0.0.9", start)
    with pytest.raises(RateLimited, match="too many failed logins; try again in 30 s"):
        accounts.authenticate(sessions, "ann", PASSWORD, "10.0.0.9", start)
    # the stranger's address does not lock ann out from hers, nor bob from anywhere
    assert accounts.authenticate(sessions, "ann", PASSWORD, "10.0.0.1", start).username == "ann"
    assert accounts.authenticate(sessions, "bob", PASSWORD, "10.0.0.9", start).username == "bob"
    later = start + accounts.FIRST_BACKOFF + timedelta(seconds=1)
    with pytest.raises(AuthError):  # one more try after the wait, then twice as long
        accounts.authenticate(sessions, "ann", "guess", "10.0.0.9", later)
    with pytest.raises(RateLimited, match="try again in 60 s"):
        accounts.authenticate(sessions, "ann", "guess", "10.0.0.9", later)
    assert accounts.backoff(30) == accounts.MAX_BACKOFF
    much_later = later + accounts.MAX_BACKOFF
    assert accounts.authenticate(sessions, "ann", PASSWORD, "10.0.0.9", much_later).username
    with pytest.raises(AuthError):  # the success cleared the count: no wait now
        accounts.authenticate(sessions, "ann", "guess", "10.0.0.9", much_later)


def test_users_can_be_listed_unlocked_and_given_a_new_password(sessions):
    accounts.add_user(sessions, "bob", PASSWORD)
    accounts.add_user(sessions, "ann", PASSWORD)
    assert accounts.list_users(sessions) == ["ann", "bob"]
    now = datetime.now(UTC)
    for address in ("10.0.0.1", "10.0.0.2"):
        for _ in range(accounts.MAX_FAILURES):
            with pytest.raises(AuthError):
                accounts.authenticate(sessions, "ann", "guess", address, now)
    assert accounts.unlock(sessions, "ann") == 2
    accounts.set_password(sessions, "ann", "a new password")
    assert accounts.authenticate(sessions, "ann", "a new password", "10.0.0.1", now).username
    with pytest.raises(StoreError, match="no user"):
        accounts.set_password(sessions, "nobody", "a new password")


def test_a_display_name_is_kept_tidy_cleared_when_blank_and_checked(sessions):
    accounts.add_user(sessions, "ann", PASSWORD)
    assert accounts.set_display_name(sessions, "ann", " Anna\tde  Vos ") == "Anna de Vos"
    assert accounts.set_display_name(sessions, "ann", "  ") is None
    limit = TEXT_LIMITS["display name"]
    assert accounts.set_display_name(sessions, "ann", "A" * limit) == "A" * limit
    with pytest.raises(StoreError, match=f"at most {limit}"):
        accounts.set_display_name(sessions, "ann", "A" * (limit + 1))
    with pytest.raises(StoreError, match="NUL"):
        accounts.set_display_name(sessions, "ann", "Anna\x00")
    with pytest.raises(StoreError, match="no user"):
        accounts.set_display_name(sessions, "nobody", "Anna")
    with sessions() as session:
        assert session.scalar(select(Dietitian.display_name)) == "A" * limit


@pytest.mark.parametrize("name", ["x" * 81, "ann\x00", "a" * 10_000, "", "ann bob"])
def test_a_name_that_cannot_exist_is_a_wrong_login_not_a_database_error(sessions, name):
    with pytest.raises(AuthError, match="wrong user name or password"):
        accounts.authenticate(sessions, name, PASSWORD, "10.0.0.1")


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


def test_users_list_set_password_and_unlock_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store = open_store()
    accounts.add_user(store, "ann", PASSWORD)
    for words in (["users", "list"], ["users", "unlock", "ann"]):
        args = parser().parse_args(words)
        args.handler(args)
    monkeypatch.setattr("sys.stdin", io.StringIO("brand new password\n"))
    args = parser().parse_args(["users", "set-password", "ann", "--password-stdin"])
    args.handler(args)
    out = capsys.readouterr().out
    assert out.splitlines() == ["ann", "cleared failed logins of 'ann' from 0 address(es)",
                                "new password set for 'ann'"]
    assert accounts.authenticate(store, "ann", "brand new password").username == "ann"


def test_users_set_display_name_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store = open_store()
    accounts.add_user(store, "ann", PASSWORD)
    for words in (["users", "set-display-name", "ann", "Anna de Vos"],
                  ["users", "set-display-name", "ann", ""]):
        args = parser().parse_args(words)
        args.handler(args)
    assert capsys.readouterr().out.splitlines() == [
        "share pages of 'ann' now show 'Anna de Vos'",
        "share pages of 'ann' now show \"your dietitian\" (no display name)"]
    args = parser().parse_args(["users", "set-display-name", "nobody", "Anna"])
    with pytest.raises(SystemExit, match="users set-display-name: no user 'nobody'"):
        args.handler(args)
