"""The Plan page after Create plan: results first, supplements shown everywhere, one line per
cause, the warfarin band and a month in week tabs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.analysis import charts, plan_summary
from planner.domain.plan import NOT_VEGAN_D3
from planner.io import handout, plan_files
from planner.services.plan_request import param_for_field
from planner.ui.state import session as state
from planner.ui.widgets import plain
from tests.fixtures.charts_export.pdf_text import pdf_text

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def planned(**goals) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in goals.items():
        at.query_params[key] = value
    at.run()
    at.button(key="create_plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def vegan_d3(tmp_path_factory):
    """Vegan, D3 20 µg every day, supplements allowed, 3 days."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PLANNER_DATA_DIR", str(tmp_path_factory.mktemp("var")))
        yield planned(diet="vegan", d3_min="20", d3_window="day", supplements="1", days="3")


def test_results_come_first_with_headline_figures_and_replan_enabled(vegan_d3):
    at = vegan_d3
    assert not at.expander[0].proto.expanded, "the goals fold away once there is a plan"
    assert at.expander[0].label.startswith("Your goals: female, 40")
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Vitamin K2 (menaquinones), per day", "Vitamin D3, per day",
                          "Calcium, per day", "Cost"]
    assert not at.button(key="replan").disabled
    known = charts.plan_frames(at.session_state["plan"], state.catalog()).k2_coverage
    k2, captions = at.metric[0].value, " ".join(c.value for c in at.caption)
    if known < plan_summary.KNOWN:  # known K2 only is counted: a lower bound
        assert k2.lstrip("✓✗ ").startswith("≥ ") and \
            f"K2 known for {known:.0%} of the plan's ingredient mass" in captions
    else:
        assert "≥" not in k2 and "K2 known for" not in captions


def test_supplements_show_in_the_cards_shopping_list_and_pdf(vegan_d3):
    at = vegan_d3
    plan = at.session_state["plan"]
    assert plan.supplements, "vegan D3 20 µg a day needs a capsule"
    name = plan.supplements[0].name
    assert f"Supplement: {plain(name)}" in text(at)
    assert NOT_VEGAN_D3 in [w.value for w in at.warning]
    cat = state.catalog()
    assert name in pdf_text(handout.handout_pdf(plan, cat))
    at.switch_page("planner/ui/pages/shopping.py").run()
    assert not at.exception
    shown = " ".join(df.value.to_string() for df in at.dataframe)
    assert name in shown
    assert {h.value for h in at.subheader} <= set(plan_files.CATEGORY_LABELS.values())
    assert not re.search(r"(?<![\d.])0 g|\bcups?\b|\boz\b|\bnan\b|\bNone\b", shown), shown
    assert any(plain(NOT_VEGAN_D3) in c.value for c in at.caption)


def test_one_explanation_and_one_fix_per_cause():
    at = planned(diet="vegan", d3_min="20", d3_window="day", days="3")
    plan = at.session_state["plan"]
    assert len({s.explanation for s in plan.shortfalls}) < len(plan.shortfalls)
    lines = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert len(lines) == len(set(lines)) == len({(s.nutrient, s.explanation)
                                                 for s in plan.shortfalls})
    fixes = [b for b in at.button if b.key and b.key.startswith("fix_")]
    assert len(fixes) <= len(lines)
    (suggestion,) = plan.suggestions
    assert suggestion["supplement"] and not suggestion["foods"]
    assert f"- :material/lightbulb: {plain(suggestion['text'])}" in [m.value for m in at.markdown]


def test_warfarin_mode_shows_each_days_k1_plus_k2_against_its_band():
    at = planned(steady_k="1", steady_k_ug="120", steady_k_band="20", days="3")
    status = at.dataframe[0].value
    column = status["Vitamin K total (K1 + K2)"]
    days = [c for i, c in column.items() if i.startswith("Day ")]
    assert len(days) == 3 and all(c.startswith(("✓", "✗")) for c in days), days


def test_the_plan_as_one_table_has_every_meal_and_supplement_in_its_slot_and_day():
    at = planned(diet="vegan", d3_min="20", d3_window="day", supplements="1", days="3")
    plan = at.session_state["plan"]
    at.radio(key="plan_view").set_value("One table (wide screens)").run()
    assert not at.exception
    [grid] = [d.value for d in at.dataframe if "Day 1" in d.value.columns]
    assert list(grid.columns) == ["Day 1", "Day 2", "Day 3"]
    assert set(grid.index) == {"Breakfast", "Lunch", "Dinner", "Snack", "Supplements"}
    for m in plan.meals:
        assert f"{m.name} ×{m.servings:g}" in grid.at[m.slot.capitalize(), f"Day {m.day}"]
    for s in plan.supplements:
        assert s.name in grid.at["Supplements", f"Day {s.day}"]


def test_a_month_reads_as_a_month_in_week_tabs():
    at = planned(days="28")
    assert at.header[0].value.startswith("Month plan (28 days")
    assert [t.label for t in at.tabs] == [f"Week {i}" for i in range(1, 5)]


def test_a_one_click_fix_changes_the_goal_and_replans():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.selectbox(key="diet").set_value("vegan").run()
    at.number_input(key="d3_min").set_value(50.0).run()
    at.button(key="create_plan").click().run()
    fix = at.session_state["plan"].shortfalls[0].fix
    assert fix is not None
    at.button(key="fix_0").click().run()
    assert not at.exception, [e.value for e in at.exception]
    for field, value in fix.changes.items():  # the fix names request fields
        name = param_for_field(field)
        assert name is not None and at.session_state[name] == value, (field, value)
    assert at.session_state["plan"].status != "relaxed"
