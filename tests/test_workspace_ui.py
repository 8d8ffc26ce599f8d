"""The workspace pages through AppTest, by widget key: login (and its failures), client
creation, plan save with the real optimizer, re-plan and diff, share link and revocation,
recipe import review, a client with a damaged plan version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.domain.plan import Plan
from planner.domain.workspace import ClientProfile, RuleKind
from planner.store import accounts
from planner.store.db import open_store
from planner.store.repository import Workspace
from planner.ui.pages.workspace_client import share_link
from planner.ui.widgets import plain

UI = Path(__file__).resolve().parents[1] / "planner" / "ui" / "pages"
CLIENTS, SHARE, IMPORT = (str(UI / f) for f in ("workspace.py", "workspace_share.py",
                                                "workspace_import.py"))
TIMEOUT = 120
PASSWORD = "correct horse 1"
FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    sessions = open_store()
    accounts.add_user(sessions, "ann", PASSWORD)
    accounts.add_user(sessions, "bob", "battery staple 2")
    return sessions


def logged_in(page: str, name: str = "ann", password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(page, default_timeout=TIMEOUT).run()
    at.text_input(key="ws_username").input(name)
    at.text_input(key="ws_password").input(password)
    return at.button[0].click().run()  # the form's submit button


def texts(at: AppTest, kind: str) -> str:
    """The messages of one kind as they read on the page (markdown escapes undone)."""
    return " | ".join(re.sub(r"\\(.)", r"\1", e.value) for e in getattr(at, kind))


def test_workspace_needs_a_login_and_refuses_a_wrong_password(store):
    at = AppTest.from_file(CLIENTS, default_timeout=TIMEOUT).run()
    assert "Dietitian login" in [h.value for h in at.subheader]
    assert not at.exception
    at = logged_in(CLIENTS, "ann", "wrong password")
    assert "wrong user name or password" in texts(at, "error")
    assert not [k for k in ("ws_new_name",) if k in at.session_state]


def create_client(at: AppTest, name: str) -> AppTest:
    at.text_input(key="ws_new_name").input(name)
    at.number_input(key="ws_new_age").set_value(62)
    at.selectbox(key="ws_new_sex").set_value("male")
    return _submit(at, "ws_new_client")


def frame_with(at: AppTest, column: str):
    """The one dataframe on the page with ``column`` (AppTest dataframes carry no key)."""
    [frame] = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def _submit(at: AppTest, form: str) -> AppTest:
    buttons = [b for b in at.button if b.form_id == form]
    return buttons[0].click().run()


def test_login_create_client_plan_replan_diff_and_share(store):
    at = logged_in(CLIENTS)
    assert not at.exception and "Clients" in at.title[0].value
    at = create_client(at, "Walter")
    assert not at.exception and not at.error
    assert at.selectbox(key="ws_client").value is not None
    assert "Walter" in at.header[0].value

    at.number_input(key="ws_plan_days").set_value(2)
    at.text_input(key="ws_plan_note").input("first week")
    at = at.button(key="ws_plan_create").click().run()
    assert not at.exception, at.exception
    assert "Saved plan version 1" in texts(at, "success")
    assert at.text_input(key="ws_plan_note").value == ""

    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    [client] = ws.list_clients()
    v1 = ws.version(client.id, 1)
    first_breakfast = v1.plan_json.split('"recipe_id": "')[1].split('"')[0]

    at = at.selectbox(key="ws_rule_kind").set_value(RuleKind.BAN_RECIPE).run()
    at.selectbox(key="ws_rule_key").set_value(first_breakfast)
    at = at.button(key="ws_rule_add").click().run()
    assert "Ban recipe" in texts(at, "success")
    at = at.button(key="ws_replan").click().run()
    assert not at.exception, at.exception
    assert "Saved plan version 2" in texts(at, "success")
    assert [v.number for v in ws.versions(client.id)] == [1, 2]
    v2 = Plan.from_json(ws.version(client.id, 2).plan_json)
    assert first_breakfast not in {m.recipe_id for m in v2.meals}
    diff = frame_with(at, "before")
    changed = diff[(diff.day == 1) & (diff.slot == "breakfast")]
    assert len(changed) == 1 and changed.iloc[0]["before"].startswith(
        Plan.from_json(v1.plan_json).meals[0].name)
    deltas = frame_with(at, "Δ Vitamin K2 (menaquinones) (µg)")
    assert list(deltas.index) == [1, 2]
    history = frame_with(at, "meals changed").set_index("version")
    assert history.at[1, "meals changed"] == "" and int(history.at[2, "meals changed"]) >= 1
    assert history.at[2, "gap"] == "" or history.at[2, "gap"].endswith("%")
    assert at.selectbox(key="ws_handout_version_2").value == 2
    assert at.selectbox(key="ws_diff_to_2").value == 2

    at = at.button(key="ws_handout").click().run()
    assert not at.exception, at.exception
    assert any(b.label == "Download handout (PDF)" for b in at.get("download_button"))

    at = at.button(key="ws_share_create").click().run()
    link = at.code[0].value
    token = link.split("token=")[1]
    share = AppTest.from_file(SHARE, default_timeout=TIMEOUT)
    share.query_params["token"] = token
    share = share.run()
    assert not share.exception and "Version 2" in share.caption[0].value
    at = at.button(key="ws_share_revoke").click().run()
    again = AppTest.from_file(SHARE, default_timeout=TIMEOUT)
    again.query_params["token"] = token
    again = again.run()
    assert "not valid or has been revoked" in texts(again, "warning")


def test_another_dietitian_sees_none_of_anns_clients(store):
    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    ws.create_client(ClientProfile("Ada"))
    at = logged_in(CLIENTS, "bob", "battery staple 2")
    assert "No clients yet" in texts(at, "info")
    assert "Ada" not in str(at.dataframe)


def test_a_stale_tab_gets_a_conflict_message_not_an_overwrite(store):
    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    client = ws.create_client(ClientProfile("Ada", age=36))
    at = logged_in(CLIENTS)
    ws.update_profile(client.id, client.version, ClientProfile("Ada", age=37))  # another tab
    at.toggle(key=f"ws_steady_k_{client.id}").set_value(True)
    at = at.button(key="ws_steady_k_apply").click().run()
    assert "changed by someone else" in texts(at, "error")
    assert not ws.get_client(client.id).steady_k
    at = at.button(key="ws_steady_k_apply").click().run()  # after the reload it applies
    assert "Steady vitamin K on" in texts(at, "success")
    assert {r.key for r in ws.rules(client.id)} >= {"natto", "k2_mk7_100"}


def test_recipe_import_reviews_flags_and_saves_only_a_clean_mapping(store):
    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    at = logged_in(IMPORT)
    at.file_uploader(key="ws_recipe_file").upload(
        "broken.jsonld", (FIXTURES / "not_json.jsonld").read_bytes()).run()
    at = at.run()
    assert "not valid JSON" in texts(at, "error") and not at.exception
    at.file_uploader(key="ws_recipe_file").upload(
        "salmon.jsonld", (FIXTURES / "salmon_kale_traybake.jsonld").read_bytes())
    at = at.run()
    review = at.data_editor[0].value
    assert "unmatched" in set(review["status"]) and "1 line(s) flagged" in texts(at, "warning")
    assert "1 line(s) matched with low confidence" in texts(at, "warning")
    at = at.button(key="ws_recipe_save").click().run()
    assert "salt and black pepper" in texts(at, "error") and ws.recipes() == []
    at.file_uploader(key="ws_recipe_file").upload(
        "omelette.html", (FIXTURES / "recipe_page.html").read_bytes())
    at = at.run()
    at = at.button(key="ws_recipe_save").click().run()
    assert "Saved “Natto omelette”" in texts(at, "success"), texts(at, "error")
    assert [r.name for r in ws.recipes()] == ["Natto omelette"]


@pytest.mark.parametrize("page", ["workspace.py", "workspace_import.py", "workspace_share.py"])
def test_the_app_navigation_serves_each_workspace_page(store, page):
    app = str(UI.parents[2] / "app.py")
    at = AppTest.from_file(app, default_timeout=TIMEOUT).run()
    at = at.switch_page(f"planner/ui/pages/{page}").run()
    assert not at.exception
    expected = "This link is not valid" if page == "workspace_share.py" else "Dietitian login"
    assert expected in texts(at, "warning") + " ".join(h.value for h in at.subheader)


def test_target_override_refuses_min_above_max_then_saves_with_its_window(store):
    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    client = ws.create_client(ClientProfile("Ada"))
    at = logged_in(CLIENTS)
    at.selectbox(key="ws_target_nutrient").set_value("vit_d3_ug")
    at.number_input(key="ws_target_min").set_value(50.0)
    at.number_input(key="ws_target_max").set_value(20.0)
    at = at.button(key="ws_target_set").click().run()
    assert "below the minimum" in texts(at, "error") and ws.rules(client.id) == []
    at.number_input(key="ws_target_max").set_value(100.0)
    at.selectbox(key="ws_target_window").set_value("week")
    at = at.button(key="ws_target_set").click().run()
    assert not at.exception and "Target for vit_d3_ug set" in texts(at, "success")
    [rule] = ws.rules(client.id)
    assert rule.value == {"min": 50.0, "max": 100.0, "window": "week"}
    assert [a.actor for a in ws.audit(client.id)][-1] == "ann"


GOOD = json.dumps({"status": "optimal", "days": [{"day": 1, "meals": [
    {"slot": "breakfast", "recipe_id": "natto_rice_bowl", "name": "Natto bowl",
     "servings": 1}]}], "targets": {}, "cost_eur": 1.0})


def test_a_damaged_version_is_marked_and_the_client_can_be_archived(store):
    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    client = ws.create_client(ClientProfile("Mallory's victim"))
    ws.save_plan(client.id, "{}", GOOD)
    ws.save_plan(client.id, "{}", "{broken", based_on=1)
    ws.save_plan(client.id, "{}", GOOD.replace("natto_rice_bowl", "gone_recipe"), based_on=2)
    at: AppTest = logged_in(CLIENTS)
    assert not at.exception, at.exception
    history = frame_with(at, "meals changed").set_index("version")
    assert list(history["status"]) == ["damaged", "damaged", "optimal"]
    warnings = texts(at, "warning")
    assert "Version 2 cannot be read" in warnings and "gone_recipe" in warnings
    assert at.selectbox(key="ws_handout_version_3").options == ["1"]
    at = at.button(key="ws_archive").click().run()
    assert not at.exception, at.exception
    assert ws.get_client(client.id).archived


@pytest.mark.parametrize(("page_url", "link"), [
    ("http://localhost:8501/workspace", "http://localhost:8501/workspace_share?token=t0k"),
    ("https://example.org/planner/workspace?x=1",
     "https://example.org/planner/workspace_share?token=t0k"),
    (None, "/workspace_share?token=t0k"),
])
def test_the_share_link_is_absolute_from_the_address_the_page_was_opened_at(page_url, link):
    assert share_link("t0k", page_url) == link


def share_page(token: str) -> AppTest:
    at = AppTest.from_file(SHARE, default_timeout=TIMEOUT)
    at.query_params["token"] = token
    return at.run()


def everything_shown(at: AppTest) -> str:
    """Every text element's value and every table cell of a page, one string."""
    kinds = ("title", "caption", "text", "markdown", "info", "warning", "error", "success")
    shown = [str(e.value) for kind in kinds for e in getattr(at, kind)]
    return " | ".join(shown + [d.value.to_string() for d in at.dataframe])


def test_the_share_page_shows_the_display_name_and_never_the_login(store):
    login = "k7login"
    ws = Workspace(store, accounts.add_user(store, login, PASSWORD))
    client = ws.create_client(ClientProfile("Ada"))
    ws.save_plan(client.id, "{}", GOOD)
    token = ws.create_share_link(client.id)

    at = share_page(token)
    assert not at.exception and "by your dietitian" in at.caption[0].value
    assert "Natto bowl" in everything_shown(at) and login not in everything_shown(at)

    accounts.set_display_name(store, login, "Anna de Vos")
    at = share_page(token)
    assert "by Anna de Vos" in at.caption[0].value
    assert login not in everything_shown(at)

    accounts.set_display_name(store, login, "[call me](https://evil.example)")
    caption = share_page(token).caption[0].value
    assert r"\[call me\]\(https\:\/\/evil\.example\)" in caption  # plain text, not a link


def test_recipe_import_takes_edited_servings_and_slots_and_the_flag_count_follows_edits(store):
    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    at = logged_in(IMPORT)
    at.file_uploader(key="ws_recipe_file").upload(
        "salmon.jsonld", (FIXTURES / "salmon_kale_traybake.jsonld").read_bytes())
    at = at.run()
    review = at.data_editor[0].value
    flagged = [i for i, status in enumerate(review["status"]) if status != "ok"]
    assert len(flagged) == 2 and "1 line(s) flagged" in texts(at, "warning")
    at.session_state["ws_recipe_review"] = {  # untick the flagged lines, as a click would
        "edited_rows": {str(i): {"include": False} for i in flagged},
        "added_rows": [], "deleted_rows": []}
    at = at.run()
    assert "flagged" not in texts(at, "warning")
    at.number_input(key="ws_recipe_servings_0").set_value(2.0)
    at.multiselect(key="ws_recipe_slots_0").set_value(["lunch"])
    at = at.button(key="ws_recipe_save").click().run()
    assert "Saved" in texts(at, "success"), texts(at, "error")
    [saved] = ws.recipes()
    assert (saved.servings, saved.slots) == (2.0, ("lunch",))
    assert len(saved.ingredients) == len(review) - len(flagged)


def test_a_plan_solve_that_fails_saves_no_version_and_says_why(store, monkeypatch):
    from planner.services import solve_service
    from planner.services.local_pool import LocalPool
    from tests.solve_helpers import crash_solve

    at = create_client(logged_in(CLIENTS), "Walter")
    pool = LocalPool(workers=1, solve=crash_solve)
    monkeypatch.setattr(solve_service, "submit", pool.submit)
    try:
        at = at.button(key="ws_plan_create").click().run()
    finally:
        pool.shutdown()
    assert not at.exception, at.exception
    assert texts(at, "error") == ("No new plan: the solver process stopped unexpectedly "
                                  "(exit code -9). Your previous plan is kept.")
    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    [client] = ws.list_clients()
    assert ws.versions(client.id) == []


def test_a_client_name_with_markup_reads_as_typed(store):
    """A client's name is data (it may come from an imported record): the heading shows the
    characters typed, escaped for markdown, never a link, an image or bold text."""
    name = "**Walter** [call me](https://x.example) ![i](https://x.example/t.png)"
    at = create_client(logged_in(CLIENTS), name)
    assert not at.exception and not at.error
    assert at.header[0].value == plain(name)
    assert "**Walter**" not in at.header[0].value and "](" not in at.header[0].value


def test_a_database_failure_at_login_or_behind_a_share_link_is_a_message(store, monkeypatch):
    """The two store calls outside ``Workspace`` (logging in, reading a shared plan) turn a
    database error into a sentence, never an exception box."""
    from sqlalchemy.exc import OperationalError

    from planner.store import accounts as accounts_module
    from planner.store import repository

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("the database is down"))

    monkeypatch.setattr(accounts_module, "authenticate", down)
    at = logged_in(CLIENTS)
    assert not at.exception
    assert "could not do this just now" in texts(at, "error")

    monkeypatch.setattr(repository, "shared_plan", down)
    at = AppTest.from_file(SHARE, default_timeout=TIMEOUT)
    at.query_params["token"] = "x" * 43
    at.run()
    assert not at.exception
    assert "could not do this just now" in texts(at, "error")


def test_a_created_client_empties_the_form_and_twins_can_be_told_apart(store):
    """After a create the New-client form is empty (a second Enter adds nothing), and two
    clients of the same name differ in the picker by their number and start date."""
    at = create_client(logged_in(CLIENTS), "Walter")
    assert at.text_input(key="ws_new_name").value == ""
    at = create_client(at, "Walter")
    labels = at.selectbox(key="ws_client").options
    assert len(labels) == 2 and len(set(labels)) == 2
    assert all(label.startswith("Walter (#") and "since" in label for label in labels)


def test_the_shared_plan_reads_its_slots_in_the_order_of_a_day(store):
    ws = Workspace(store, accounts.authenticate(store, "ann", PASSWORD))
    client = ws.create_client(ClientProfile("Ada"))
    meals = [{"slot": s, "recipe_id": "natto_rice_bowl", "name": f"{s} meal", "servings": 1}
             for s in ("snack", "dinner", "lunch", "breakfast")]
    ws.save_plan(client.id, "{}", json.dumps({"status": "optimal", "days": [
        {"day": 1, "meals": meals}], "targets": {}, "cost_eur": 1.0}))
    at = share_page(ws.create_share_link(client.id))
    assert not at.exception
    [grid] = [d.value for d in at.dataframe]
    assert list(grid.columns) == ["breakfast", "lunch", "dinner", "snack"]
