"""Shared setup of the workspace pages: the store, the login gate, the dietitian's catalog.

The store is opened (and migrated to the newest revision) once per process and
database URL. Personal-use pages never call this module; workspace pages start
with ``require_login()``, which draws the login form and stops the page until a
dietitian has logged in.
"""

from __future__ import annotations

import streamlit as st

from planner.domain.catalog import Catalog
from planner.domain.workspace import Account, AuthError, StoreError
from planner.io.recipe_import import with_recipes
from planner.services.workspace_access import (
    Store,
    Workspace,
    log_in,
    open_workspace_store,
    store_url,
    workspace,
)
from planner.ui.state import session as state

ACCOUNT = "ws_account"


@st.cache_resource(show_spinner="Opening the workspace store…")
def _open(url: str) -> Store:
    return open_workspace_store(url)


def store() -> Store:
    """The session factory of ``DATABASE_URL`` or the SQLite file in the data folder."""
    return _open(store_url())


def _login() -> None:
    try:
        account = log_in(store(), st.session_state.get("ws_username", ""),
                         st.session_state.get("ws_password", ""), st.context.ip_address or "")
    except (AuthError, StoreError) as exc:
        st.session_state["ws_login_error"] = str(exc)
        return
    st.session_state.pop("ws_login_error", None)
    st.session_state[ACCOUNT] = account


def _logout() -> None:
    for key in [k for k in st.session_state if str(k).startswith("ws_")]:
        del st.session_state[key]


def require_login() -> Workspace:
    """The logged-in dietitian's workspace; otherwise draw the login form and stop."""
    account: Account | None = st.session_state.get(ACCOUNT)
    if account is not None:
        st.sidebar.caption(f"Logged in as **{account.username}**")  # a checked name
        st.sidebar.button("Log out", key="ws_logout", on_click=_logout)
        return workspace(store(), account)
    st.subheader("Dietitian login")
    st.caption("The workspace keeps your clients. Personal planning needs no login: "
               "use the Plan page. Accounts are created with `python -m planner users add NAME`.")
    with st.form("ws_login_form"):
        st.text_input("User name", key="ws_username")
        st.text_input("Password", type="password", key="ws_password")
        st.form_submit_button("Log in", on_click=_login)
    if "ws_login_error" in st.session_state:
        st.error(st.session_state["ws_login_error"])
    st.stop()


def catalog(workspace: Workspace) -> Catalog:
    """The bundled catalog plus this dietitian's imported recipes."""
    return with_recipes(state.catalog(), workspace.recipes())
