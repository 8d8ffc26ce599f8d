"""Reaching the dietitian workspace: open the store, log a dietitian in, read a shared plan.

Pages get a ``Workspace`` here (the dietitian's scoped, audited repository) and never
open the database themselves.
"""

from __future__ import annotations

from planner.domain.workspace import Account, SharedPlan
from planner.store import accounts, repository
from planner.store.db import Store, database_url, error_as_message, open_store
from planner.store.repository import Workspace

__all__ = ["Store", "Workspace", "log_in", "open_workspace_store", "shared_plan",
           "store_url", "workspace"]


def store_url() -> str:
    """The configured database: ``DATABASE_URL``, else the SQLite file in the data folder."""
    return database_url()


def open_workspace_store(url: str) -> Store:
    """The store at ``url``, migrated to the newest revision."""
    return open_store(url)


@error_as_message
def log_in(store: Store, username: str, password: str, address: str) -> Account:
    """The dietitian's account; AuthError (throttled per name and address) otherwise, and
    StoreError when the database fails."""
    return accounts.authenticate(store, username, password, address)


def workspace(store: Store, account: Account) -> Workspace:
    """The logged-in dietitian's workspace: every read and write scoped to their clients."""
    return Workspace(store, account)


@error_as_message
def shared_plan(store: Store, token: str) -> SharedPlan | None:
    """The newest plan behind a live share token (``repository.shared_plan``); StoreError
    when the database fails."""
    return repository.shared_plan(store, token)
