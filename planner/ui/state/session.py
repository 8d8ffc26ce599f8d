"""This browser session: one setup call per page, the catalog, and the plan on screen.

Every page starts with ``setup()`` (safe to call twice) and ends with ``save()``. The
plan is private to its browser session: it is kept in the session and in a file under a
random session token (the ``session`` URL parameter), so a refresh finds it again and no
other visitor can. Every plan put on screen is first re-checked against the goals and the
data (``planner.analysis.plan_check``), and it is shown only while the goals on screen
are the ones it was made for.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import streamlit as st

from planner import DATA_DIR
from planner.analysis import plan_check
from planner.domain.catalog import Catalog, load_catalog
from planner.domain.goals import k2_presets
from planner.domain.plan import Plan
from planner.io import plan_cache, plan_files
from planner.ui.state import goals, url

PLAN = "plan"
SESSION = "session"  # URL parameter: this browser session's random token
_PLAN_GOALS = "_plan_goals"
_SAVED_KEY = "_plan_saved"
_URL_ERRORS = "_url_errors"
_TICKS = "_shopping_ticks"  # (fingerprint of the plan, food ids ticked off its shopping list)
_DERIVED = "_plan_derived"  # (the plan on screen, {what: figures derived from it})


def catalog_dir() -> Path:
    """The data folder the app reads (``PLANNER_CATALOG_DIR``, default the bundled ``data/``)."""
    return Path(os.environ.get("PLANNER_CATALOG_DIR", DATA_DIR))


@st.cache_resource(show_spinner="Loading the recipe library…")
def _load(path: str) -> Catalog:
    return load_catalog(path)


def catalog() -> Catalog:
    """The validated catalog, loaded once per process."""
    return _load(str(catalog_dir()))


def setup() -> None:
    """Put every goal in session state: from the URL on a session's first run, else kept.

    Re-assigning each key keeps widget values alive while the user is on
    another page (Streamlit drops the state of widgets it did not draw). The
    K2 preset is then matched to the K2 minimum, whatever set it.
    """
    first = "_initialised" not in st.session_state
    for name, param in url.GOALS.items():
        if name in st.session_state:
            st.session_state[name] = st.session_state[name]
        else:
            st.session_state[name] = list(param.default) if isinstance(
                param.default, list) else param.default
    if first:
        st.session_state["_initialised"] = True
        goals.fill_targets(catalog())
        ids = {"exclude_foods": tuple(catalog().foods.index),
               "exclude_recipes": tuple(catalog().recipes.index)}
        values, errors = url.read(st.query_params.to_dict(), goals.goals(), ids)
        st.session_state.update(values)
        st.session_state[_URL_ERRORS] = errors
        token = st.query_params.get(SESSION, "")
        st.session_state[SESSION] = token if plan_cache.is_token(token) else (
            plan_cache.new_token())
        restore_plan()
    goals.match_k2_preset(k2_presets(catalog()))


def url_errors() -> list[str]:
    """Problems found reading the goals from the link this session was opened with."""
    return st.session_state.get(_URL_ERRORS, [])


def plan() -> Plan | None:
    """The plan on screen: the last plan, when it was made for the goals on screen."""
    return None if changed_goals() else last_plan()


def last_plan() -> Plan | None:
    """The last plan made, uploaded or restored in this session, whatever the goals now."""
    return st.session_state.get(PLAN)


def changed_goals() -> list[str]:
    """Goal parameters that differ from those the last plan was made for."""
    made_for = st.session_state.get(_PLAN_GOALS) or {}
    return [name for name, value in goals.plan_goals().items() if made_for.get(name) != value]


def set_plan(new: Plan) -> None:
    """Put ``new`` on screen, re-checked against the current goals and the data.

    Raises ValueError when the goals on screen are not valid (there is nothing to
    check the plan against).
    """
    cat = catalog()
    request, errors = goals.build_request(cat)
    if request is None:
        raise ValueError("the goals have a problem: " + "; ".join(errors.values()))
    st.session_state[PLAN] = plan_check.recheck(new, request, cat)
    st.session_state[_PLAN_GOALS] = goals.plan_goals()


def restore_plan() -> None:
    """Bring back this session's saved plan, read like an upload and re-checked.

    Kept only when it still reads; shown only when made for the goals in the URL.
    """
    text = plan_cache.load(st.session_state[SESSION])
    if text is None:
        return
    try:
        saved = json.loads(text)
        restored = plan_files.plan_from_json_bytes(saved["plan"].encode("utf-8"), catalog())
        made_for = {name: saved["goals"][name] for name in goals.plan_goals()}
        set_plan(restored)
    except (ValueError, KeyError, TypeError, AttributeError):
        return  # an unreadable or outdated file is as good as none
    st.session_state[_PLAN_GOALS] = made_for
    ticks = saved.get("ticks")
    if isinstance(ticks, list):  # food ids only: unknown or non-text items are dropped
        foods = catalog().foods.index
        set_shopping_ticks(st.session_state[PLAN],
                           [f for f in ticks if isinstance(f, str) and f in foods])
    st.session_state[_SAVED_KEY] = _saved_state()


def save() -> None:
    """Write the goals and the session token to the URL, and the plan (when it or its
    shopping ticks changed) with the goals it was made for and its ticks to this
    session's file."""
    wanted = url.query(goals.goals()) | {SESSION: st.session_state[SESSION]}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    current = last_plan()
    if current is None:
        return
    state = _saved_state()
    if st.session_state.get(_SAVED_KEY) != state:
        document = {"goals": st.session_state[_PLAN_GOALS], "plan": current.to_json(),
                    "ticks": sorted(shopping_ticks(current))}
        plan_cache.save(st.session_state[SESSION], json.dumps(document, ensure_ascii=False))
        st.session_state[_SAVED_KEY] = state


def _fingerprint(current: Plan) -> str:
    """The plan's content hash, computed once per plan on screen (every rerun asks)."""
    return derived(current, "fingerprint", lambda: hashlib.sha256(
        current.to_json().encode("utf-8")).hexdigest())


def _saved_state() -> tuple[str, tuple[str, ...]]:
    """What the session file holds: the plan's fingerprint and its ticks."""
    current = last_plan()
    return _fingerprint(current), tuple(sorted(shopping_ticks(current)))


def shopping_ticks(current: Plan) -> set[str]:
    """Food ids ticked off on the shopping list of ``current``; none yet for any other plan.

    Kept under a key no widget owns, so the ticks outlive a visit to another
    page (Streamlit drops the state of the tick tables it did not draw).
    """
    kept = st.session_state.get(_TICKS)
    if kept is None or kept[0] != _fingerprint(current):
        return set()
    return set(kept[1])


def set_shopping_ticks(current: Plan, ticked: Iterable[str]) -> None:
    """Remember the food ids ticked off on the shopping list of ``current``."""
    st.session_state[_TICKS] = (_fingerprint(current), sorted(set(ticked)))


def derived[T](plan: Plan, what: str, make: Callable[[], T]) -> T:
    """``make()``, computed once per plan on screen and ``what``: figures that depend on the
    plan (and goals it was made for) only are not recomputed on every rerun."""
    memo = st.session_state.get(_DERIVED)
    if memo is None or memo[0] is not plan:
        memo = (plan, {})
        st.session_state[_DERIVED] = memo
    if what not in memo[1]:
        memo[1][what] = make()
    return memo[1][what]
