"""Shopping list ticks through AppTest: kept across pages and reruns, empty for a new plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("quick_solver")  # the page, not the plan

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SHOPPING = "planner/ui/pages/shopping.py"
PLAN = "planner/ui/pages/plan.py"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def shopping_with_plan() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.button(key="create_plan").click().run()
    at.switch_page(SHOPPING).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_ticks(at: AppTest) -> dict[str, set[str]]:
    """Tick table key → foods the table is drawn with ticked (its input, before any edit)."""
    return {t.key: set(t.value.loc[t.value["got"], "food"]) for t in at.data_editor}


def tick_first_row(at: AppTest, key: str) -> str:
    """Tick the first food of one table, as a click in the browser would; its name."""
    at.session_state[key] = {"edited_rows": {"0": {"got": True}}, "added_rows": [],
                             "deleted_rows": []}
    return at.data_editor(key=key).value["food"].iloc[0]


def test_ticks_survive_leaving_the_shopping_page_and_coming_back():
    at = shopping_with_plan()
    first, last = at.data_editor[0].key, at.data_editor[-1].key
    assert first != last, "the default plan's list has more than one category"
    ticked = {first: tick_first_row(at, first), last: tick_first_row(at, last)}
    at.run()
    at.switch_page(PLAN).run()
    at.switch_page(SHOPPING).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = shown_ticks(at)
    assert shown[first] == {ticked[first]} and shown[last] == {ticked[last]}
    assert all(not foods for key, foods in shown.items() if key not in ticked)
    at.run()  # a plain rerun keeps them as well
    assert shown_ticks(at) == shown


def test_unticking_is_remembered_too():
    at = shopping_with_plan()
    key = at.data_editor[0].key
    food = tick_first_row(at, key)
    at.run()
    at.switch_page(PLAN).run()
    at.switch_page(SHOPPING).run()
    assert food in shown_ticks(at)[key]
    at.session_state[key] = {"edited_rows": {"0": {"got": False}}, "added_rows": [],
                             "deleted_rows": []}
    at.run()
    at.switch_page(PLAN).run()
    at.switch_page(SHOPPING).run()
    assert not shown_ticks(at)[key]


def test_a_new_plan_starts_with_no_ticks():
    at = shopping_with_plan()
    key = at.data_editor[0].key
    tick_first_row(at, key)
    at.run()
    at.switch_page(PLAN).run()
    at.button(key="create_plan").click().run()
    at.switch_page(SHOPPING).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any(shown_ticks(at).values())


def test_ticks_come_back_with_the_plan_after_a_reload():
    at = shopping_with_plan()
    key = at.data_editor[0].key
    food = tick_first_row(at, key)
    at.run()
    again = AppTest.from_file(APP, default_timeout=120)  # a browser refresh: same link
    for name, value in at.query_params.items():
        again.query_params[name] = value
    again.run()
    again.switch_page(SHOPPING).run()
    assert not again.exception, [e.value for e in again.exception]
    assert shown_ticks(again)[key] == {food}
