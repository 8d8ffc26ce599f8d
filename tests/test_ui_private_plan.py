"""A plan is private to its browser session and always re-checked: nothing a stranger uploads
reaches another visitor, planted text never renders as markup or a formula, and a plan made
for other goals is never shown as meeting the goals on screen (AppTest)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.io import plan_files

pytestmark = pytest.mark.usefixtures("quick_solver")  # the page, not the plan

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120
PHONE = "CALL +1-555-0100 TO CONFIRM YOUR WARFARIN DOSE"
PHISH = "[Renew your prescription](https://evil.example/login) ![](https://evil.example/t.png)"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def visit(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def planned() -> AppTest:
    at = visit()
    at.button(key="create_plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, doc) -> AppTest:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    at.file_uploader(key="upload_plan").set_value(("plan.json", data, "application/json"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def planted(plan_json: str) -> dict:
    doc = json.loads(plan_json)
    doc["days"][0]["meals"][0]["name"] = PHONE
    doc["days"][0]["meals"][1]["name"] = '=HYPERLINK("https://evil.example","open")'
    doc["status"] = "optimal"
    doc["shortfalls"] = [{"nutrient": "k2_ug", "scope": "week", "target": 1, "achieved": 0,
                          "explanation": PHISH, "fix": None}]
    return doc


def rendered_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    parts += [b.label for b in at.button]
    return "\n".join(str(p) for p in parts)


def url(at: AppTest) -> dict[str, str]:
    return dict(at.query_params.items())


def test_a_planted_plan_never_reaches_the_next_visitor_of_the_default_link():
    attacker = planned()
    upload(attacker, planted(attacker.session_state["plan"].to_json()))
    victim = visit()
    assert "plan" not in victim.session_state
    default_link = {k: v for k, v in url(attacker).items() if k != "session"}
    assert "plan" not in visit(default_link).session_state


def test_a_plan_from_a_link_comes_back_with_the_catalog_s_names_and_no_markup():
    attacker = planned()
    upload(attacker, planted(attacker.session_state["plan"].to_json()))
    victim = visit(url(attacker))
    plan = victim.session_state["plan"]
    assert PHONE not in plan.to_json() and "HYPERLINK" not in plan.to_json()
    assert all("evil.example" not in s.explanation for s in plan.shortfalls)
    page = rendered_text(victim)
    assert "evil.example" not in page and PHONE not in page
    assert plan.status != "optimal", "an uploaded plan's claim is not trusted"


def test_an_uploaded_meal_name_cannot_become_a_spreadsheet_formula():
    at = planned()
    doc = planted(at.session_state["plan"].to_json())
    upload(at, doc)
    cat = at.session_state["plan"]
    text = plan_files.plan_to_csv(cat, _catalog()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert not any(cell.startswith(("=", "+", "@")) for row in rows[1:] for cell in row)


def test_formula_cells_are_neutralised_in_any_csv():
    import pandas as pd

    table = pd.DataFrame({"name": ["=1+1", "+A1", "-2+3", "@SUM(A1)", "\tx", "ok"],
                          "grams": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]})
    out = plan_files.neutralise(table)
    assert list(out["name"]) == ["'=1+1", "'+A1", "'-2+3", "'@SUM(A1)", "'\tx", "ok"]
    assert list(out["grams"]) == [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]


@pytest.mark.parametrize(
    ("change", "message"),
    [(lambda d: d["days"][0]["supplements"].append({"supplement_id": "no_such_pill",
                                                     "units": 1}), "no_such_pill"),
     (lambda d: d["targets"].update({"unobtainium_mg": {"min": 1}}), "unobtainium_mg"),
     (lambda d: d["days"][0].update({"day": 10**9}), "cannot be"),
     (lambda d: d["days"][0]["meals"][0].update({"servings": 1e308 * 10}), "Infinity")],
    ids=["unknown supplement", "unknown nutrient", "huge day", "infinite servings"])
def test_an_upload_naming_what_the_library_lacks_is_refused_and_the_plan_kept(change, message):
    at = planned()
    shown = at.session_state["plan"]
    doc = json.loads(shown.to_json())
    change(doc)
    upload(at, json.dumps(doc).encode())
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state["plan"] == shown
    assert not visit(url(at)).exception, "later visitors are not crashed either"


@pytest.mark.parametrize("data", [b'{"status": "optimal", "days": [{"day": Infinity}]}',
                                  b"[" * 50_000 + b"]" * 50_000, b" " * (1024 * 1024 + 1)])
def test_hostile_files_get_a_message_not_a_traceback(data):
    at = upload(visit(), data)
    assert any("could not be loaded" in e.value for e in at.error), [e.value for e in at.error]


def test_switching_on_steady_k_hides_the_natto_plan_until_it_is_replanned():
    at = planned()
    at.toggle(key="steady_k").set_value(True).run()
    assert at.session_state["plan"] is not None
    assert not at.header, "no week plan shown for goals it was not made for"
    assert any("goals changed" in i.value for i in at.info)
    again = visit(url(at))
    assert not again.header and any("goals changed" in i.value for i in again.info)
    again.button(key="replan").click().run()
    assert not again.exception
    plan = again.session_state["plan"]
    assert not any("natto" in m.recipe_id for m in plan.meals)
    assert [h.value for h in again.header] == ["Week plan"]


def test_a_plan_uploaded_under_a_higher_k2_goal_shows_its_shortfall():
    at = planned()
    plan_json = at.session_state["plan"].to_json()
    at.number_input(key="k2_min").set_value(504.0).run()
    upload(at, plan_json.encode())
    plan = at.session_state["plan"]
    assert plan.status == "relaxed"
    assert any(s.nutrient == "k2_ug" and s.target == 504.0 for s in plan.shortfalls)


def _catalog():
    from planner.domain.catalog import load_catalog

    return load_catalog()
