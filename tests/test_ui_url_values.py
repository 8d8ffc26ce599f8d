"""Bad values in the link: each one named in a warning with what is used instead, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("quick_solver")  # the page, not the plan

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def opened_with(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


DEFAULT = object()  # what the page holds when the link has no value


@pytest.mark.parametrize(("name", "text", "used"), [
    ("days", "0", DEFAULT), ("days", "1000", DEFAULT), ("age", "0", DEFAULT),
    ("calcium_min", "-5", DEFAULT), ("k2_min", "nan", DEFAULT), ("k2_min", "inf", DEFAULT),
    ("slots", "breakfast,elevenses", ["breakfast"]), ("exclude_foods", "no_such_food", []),
    ("max_repeats", "99", DEFAULT),
])
def test_a_bad_link_value_is_named_and_the_page_still_plans(name, text, used):
    if used is DEFAULT:
        used = opened_with().session_state[name]
    at = opened_with(**{name: text})
    assert not at.exception, [e.value for e in at.exception]
    warned = [w.value for w in at.warning if f"“{name}” ({text})" in w.value]
    assert len(warned) == 1, [w.value for w in at.warning]
    assert "is used instead" in warned[0]
    assert at.session_state[name] == used
    at.button(key="create_plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["plan"].meals


def test_good_link_values_are_used_without_a_warning():
    at = opened_with(days="28", age="70", calcium_min="0", k2_min="")
    assert not at.warning, [w.value for w in at.warning]
    assert (at.session_state["days"], at.session_state["age"]) == (28, 70)
    assert at.session_state["k2_min"] is None
