"""Dietitian accounts: argon2id password hashes, throttled failed logins.

Failed logins are counted per (user name, client address) in ``login_throttle``,
so the limit holds across app replicas and restarts and a stranger elsewhere
cannot lock a dietitian out. After ``MAX_FAILURES`` failures each further try
waits a backoff that doubles up to ``MAX_BACKOFF``. An attempt is counted in a
short write transaction *before* the password is checked (a row lock on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so parallel guesses cannot slip past
the limit, and argon2 (about 0.1 s, 64 MiB) runs outside any transaction. No
password or hash is ever logged or returned; errors never say whether the user
exists.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from planner.domain.workspace import Account, AuthError, RateLimited, StoreError
from planner.store.checks import check_text
from planner.store.db import writing
from planner.store.models import Dietitian, LoginThrottle

MAX_FAILURES = 5
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")
_hasher = PasswordHasher()
# Verifying against this keeps an unknown user as slow as a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def check_password(password: str) -> None:
    """Raise StoreError when ``password`` is too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise StoreError(f"a password has at most {MAX_PASSWORD} characters")


def add_user(sessions: sessionmaker[Session], username: str, password: str) -> Account:
    """Create a dietitian account. Raises StoreError on a bad name, short password or taken name."""
    if not USERNAME.match(username):
        raise StoreError("a user name is 2-80 letters, digits or . _ @ -")
    check_password(password)
    row = Dietitian(username=username, password_hash=_hasher.hash(password),
                    created_at=datetime.now(UTC))
    try:
        with writing(sessions) as session:
            session.add(row)
            session.flush()
            return Account(row.id, row.username)
    except IntegrityError:
        raise StoreError(f"the user name {username!r} is taken") from None


def list_users(sessions: sessionmaker[Session]) -> list[str]:
    """Every dietitian's user name, sorted."""
    with sessions() as session:
        return list(session.scalars(select(Dietitian.username).order_by(Dietitian.username)))


def set_password(sessions: sessionmaker[Session], username: str, password: str) -> None:
    """Replace a dietitian's password. Raises StoreError for an unknown user or a bad password."""
    check_password(password)
    new_hash = _hasher.hash(password)
    with writing(sessions) as session:
        done = session.execute(update(Dietitian).where(Dietitian.username == username)
                               .values(password_hash=new_hash))
        if done.rowcount != 1:
            raise StoreError(f"no user {username!r}")


def set_display_name(sessions: sessionmaker[Session], username: str,
                     display_name: str) -> str | None:
    """Set the name share pages show for ``username`` (blank clears it: the page then says
    "your dietitian"); returns the name kept. StoreError for an unknown user, or a name
    that is too long or holds a NUL."""
    check_text("display name", display_name)
    kept = " ".join(display_name.split()) or None
    with writing(sessions) as session:
        done = session.execute(update(Dietitian).where(Dietitian.username == username)
                               .values(display_name=kept))
        if done.rowcount != 1:
            raise StoreError(f"no user {username!r}")
    return kept


def unlock(sessions: sessionmaker[Session], username: str) -> int:
    """Clear the failed logins of ``username`` from every address; returns how many were kept."""
    with writing(sessions) as session:
        keys = select(LoginThrottle.key).where(LoginThrottle.key.like(_prefix(username) + "%"))
        return session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys))).rowcount


def authenticate(sessions: sessionmaker[Session], username: str, password: str,
                 address: str = "", now: datetime | None = None) -> Account:
    """The account for a correct name and password, tried from ``address``.

    Raises RateLimited while this name and address wait out their backoff
    (checked before the password, so guessing stops), AuthError on a wrong name
    or password (a name that cannot exist is never looked up).
    """
    now = now or datetime.now(UTC)
    key = throttle_key(username, address)
    user = _reserve_attempt(sessions, key, username, now) if USERNAME.match(username) else None
    if not _verify(user[1] if user else _DUMMY_HASH, password[:MAX_PASSWORD]) or not user:
        raise AuthError("wrong user name or password")
    with writing(sessions) as session:
        session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
        if _hasher.check_needs_rehash(user[1]):
            session.execute(update(Dietitian).where(Dietitian.id == user[0])
                            .values(password_hash=_hasher.hash(password)))
    return Account(user[0], username)


def throttle_key(username: str, address: str) -> str:
    """The ``login_throttle`` key: 16 hex digits of the name's digest, then 48 of the pair's."""
    pair = hashlib.sha256(f"{username}\n{address}".encode()).hexdigest()
    return _prefix(username) + pair[:48]


def _prefix(username: str) -> str:
    return hashlib.sha256(username.encode()).hexdigest()[:16]


def backoff(failures: int) -> timedelta:
    """The wait after ``failures`` failed logins: none below MAX_FAILURES, then doubling."""
    if failures < MAX_FAILURES:
        return timedelta(0)
    return min(FIRST_BACKOFF * 2 ** (failures - MAX_FAILURES), MAX_BACKOFF)


def _reserve_attempt(sessions: sessionmaker[Session], key: str, username: str,
                     now: datetime) -> tuple[int, str] | None:
    """Count one attempt for ``key`` or raise RateLimited; the user's (id, hash) or None."""
    with writing(sessions) as session:
        row = _throttle_row(session, key)
        until = row.locked_until
        if until is not None:
            until = until.astimezone(UTC) if until.tzinfo else until.replace(tzinfo=UTC)
            if until > now:
                seconds = max(1, round((until - now).total_seconds()))
                raise RateLimited(f"too many failed logins; try again in {seconds} s")
        row.failures += 1
        wait = backoff(row.failures)
        row.locked_until = now + wait if wait else None
        found = session.execute(select(Dietitian.id, Dietitian.password_hash)
                                .where(Dietitian.username == username)).first()
    return (found[0], str(found[1])) if found else None


def _throttle_row(session: Session, key: str) -> LoginThrottle:
    """The throttle row of ``key``, created when missing, locked for this transaction."""
    query = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    row = session.scalar(query)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(LoginThrottle(key=key, failures=0, locked_until=None))
    except IntegrityError:  # a parallel first attempt inserted it: wait for its lock
        pass
    return session.scalar(query)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_account(sessions: sessionmaker[Session], username: str) -> Account:
    """The account named ``username``, for trusted server-side tools (no password):
    the batch command acting for a dietitian. StoreError when there is none."""
    with sessions() as session:
        user = session.scalar(select(Dietitian).where(Dietitian.username == username))
    if user is None:
        raise StoreError(f"no dietitian account named {username!r}")
    return Account(user.id, user.username)
