"""Engine and sessions: SQLite (WAL) in the data folder, or ``DATABASE_URL``.

``open_store()`` migrates the database to the newest Alembic revision (safe to
call on every start) and returns a session factory.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from planner.domain.workspace import StoreError

ROOT = Path(__file__).resolve().parents[2]
DB_FILE = "planner.sqlite3"
SQLITE_BUSY_MS = 30_000
WRITE = "planner_write"  # execution option: this transaction will write


def data_dir() -> Path:
    """``$PLANNER_DATA_DIR`` (default ``./var``): where the SQLite file lives."""
    return Path(os.environ.get("PLANNER_DATA_DIR", "var"))


def database_url() -> str:
    """``$DATABASE_URL`` (``postgresql://`` means psycopg 3), else the SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalize_url(url)
    return f"sqlite:///{(data_dir() / DB_FILE).resolve()}"


def normalize_url(url: str) -> str:
    """Pick the psycopg 3 driver for plain ``postgres(ql)://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default ``database_url()``).

    SQLite: the folder is created, WAL journal, foreign keys on. A transaction
    opened by ``writing()`` starts with ``BEGIN IMMEDIATE``, so concurrent writers
    queue on the busy timeout instead of failing to upgrade a read lock; every
    other transaction is a plain ``BEGIN`` (WAL readers never wait for writers). Bound
    parameters (password hashes) never reach logs or error messages.
    """
    url = url or database_url()
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                             hide_parameters=True)
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000},
                           hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def database_errors_as_messages(cls: type) -> type:
    """Class decorator: a database error in any public method is logged and raised as a
    StoreError a person can read (never a traceback with SQL in the browser)."""
    for name, method in list(vars(cls).items()):
        if callable(method) and not name.startswith("_"):
            setattr(cls, name, error_as_message(method))
    return cls


def error_as_message(method):
    """Function decorator: a database error is logged and raised as a StoreError."""
    @functools.wraps(method)
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except SQLAlchemyError as exc:
            logging.getLogger(__name__).exception("store error in %s", method.__name__)
            raise StoreError("the workspace store could not do this just now; try again, and "
                             f"tell your administrator if it persists ({type(exc).__name__})"
                             ) from None
    return call


Store = sessionmaker[Session]  # an open store: makes sessions on its database


@contextmanager
def writing(sessions: Store) -> Iterator[Session]:
    """A write transaction (committed on leaving, rolled back on an error)."""
    with sessions.begin() as session:
        session.connection(execution_options={WRITE: True})
        yield session


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def upgrade(engine: Engine) -> None:
    """Migrate the database behind ``engine`` to the newest revision."""
    config = alembic_config()
    with engine.execution_options(**{WRITE: True}).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_store(url: str | None = None) -> Store:
    """Migrate, then return a session factory for the store at ``url``."""
    engine = make_engine(url)
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)
