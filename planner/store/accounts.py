"""Dietitian accounts: argon2id password hashes, rate-limited failed logins.

Failures are rows in the database (``login_failures``), so the limit holds
across app replicas and restarts. No password or hash is ever logged or
returned; errors never say whether the user exists.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from planner.store.models import Dietitian, LoginAttempt
from planner.store.records import Account, AuthError, RateLimited, StoreError

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 8
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")
_hasher = PasswordHasher()
# Verifying against this keeps an unknown user as slow as a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def add_user(sessions: sessionmaker[Session], username: str, password: str) -> Account:
    """Create a dietitian account. Raises StoreError on a bad name, short password or taken name."""
    if not USERNAME.match(username):
        raise StoreError("a user name is 2-80 letters, digits or . _ @ -")
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"a password needs at least {MIN_PASSWORD} characters")
    row = Dietitian(username=username, password_hash=_hasher.hash(password),
                    created_at=datetime.now(UTC))
    try:
        with sessions.begin() as session:
            session.add(row)
            session.flush()
            return Account(row.id, row.username)
    except IntegrityError:
        raise StoreError(f"the user name {username!r} is taken") from None


def authenticate(sessions: sessionmaker[Session], username: str, password: str,
                 now: datetime | None = None) -> Account:
    """The account for a correct name and password.

    Raises RateLimited after ``MAX_FAILURES`` failures within ``WINDOW`` (checked
    before the password, so guessing stops), AuthError on a wrong name or password.
    """
    now = now or datetime.now(UTC)
    with sessions.begin() as session:
        failures = session.scalar(
            select(func.count()).select_from(LoginAttempt)
            .where(LoginAttempt.username == username, LoginAttempt.at > now - WINDOW))
        if failures >= MAX_FAILURES:
            raise RateLimited(f"too many failed logins; try again in {WINDOW.seconds // 60} min")
        user = session.scalar(select(Dietitian).where(Dietitian.username == username))
        if _verify(user.password_hash if user else _DUMMY_HASH, password) and user:
            session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            return Account(user.id, user.username)
        session.add(LoginAttempt(username=username, at=now))
    raise AuthError("wrong user name or password")


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
