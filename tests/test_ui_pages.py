"""Every page through AppTest, driven by widget key: plan, lock, swap, ban, load, downloads."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from planner.ui.widgets import plain

pytestmark = pytest.mark.usefixtures("quick_solver")  # the page, not the plan

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = [f"planner/ui/pages/{name}.py" for name in (
    "plan", "nutrients", "shopping", "recipes", "sources", "workspace", "workspace_import",
    "workspace_share")]  # all eight pages of app.py
TIMEOUT = 120


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def planned() -> AppTest:
    at = new_app()
    at.button(key="create_plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def meals(at: AppTest) -> dict[str, str]:
    """``day:slot`` → recipe id of the plan on screen."""
    return {f"{m.day}:{m.slot}": m.recipe_id for m in at.session_state["plan"].meals}


def pick(at: AppTest, place: str) -> None:
    """Pick the meal at ``day:slot`` in the meal tools."""
    picker = at.selectbox(key="meal_pick")
    picker.set_value(next(o for o in meals_ids(at) if o.startswith(place + ":"))).run()


def meals_ids(at: AppTest) -> list[str]:
    return [f"{m.day}:{m.slot}:{m.recipe_id}" for m in at.session_state["plan"].meals]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("with_plan", [False, True], ids=["no_plan", "with_plan"])
def test_every_page_runs_without_error(page, with_plan):
    at = planned() if with_plan else new_app()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"


def test_create_plan_draws_the_week_and_the_day_status():
    at = planned()
    assert [h.value for h in at.header] == ["Week plan"]
    assert len(at.dataframe) >= 1, "per-day status"
    assert len(meals(at)) == 7 * 4


def test_swap_locks_the_choice_and_replan_keeps_it():
    at = planned()
    pick(at, "1:dinner")
    choice = at.selectbox(key="swap_choice")
    choice.select_index(len(choice.options) - 1).run()  # the lowest-ranked alternative
    swap_to = at.selectbox(key="swap_choice").value
    at.button(key="swap").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert meals(at)["1:dinner"] == swap_to
    assert [(x.day, x.slot, x.recipe_id) for x in at.session_state["locks"]] == [
        (1, "dinner", swap_to)]
    at.number_input(key="k2_min").set_value(120.0).run()
    at.button(key="replan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert meals(at)["1:dinner"] == swap_to


def test_lock_keeps_a_meal_through_replan():
    at = planned()
    pick(at, "2:lunch")
    before = meals(at)["2:lunch"]
    at.button(key="lock").click().run()
    assert [(x.day, x.slot, x.recipe_id) for x in at.session_state["locks"]] == [
        (2, "lunch", before)]
    at.button(key="replan").click().run()
    assert meals(at)["2:lunch"] == before


def test_ban_removes_the_recipe_everywhere():
    at = planned()
    pick(at, "1:breakfast")
    banned = meals(at)["1:breakfast"]
    at.button(key="ban").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert banned in at.session_state["exclude_recipes"]
    assert banned not in meals(at).values()
    now = next(m for m in at.session_state["plan"].meals if (m.day, m.slot) == (1, "breakfast"))
    picker = at.selectbox(key="meal_pick")
    assert picker.value == f"1:breakfast:{now.recipe_id}", "the picker follows its place"
    assert now.name in picker.options[picker.index]
    assert plain(now.name) in at.button(key="ban").label


def test_every_download_is_offered():
    at = planned()
    keys = {d.key for d in at.download_button}
    assert {"download_plan_csv", "download_plan_json", "download_plan_pdf"} <= keys
    at.switch_page("planner/ui/pages/shopping.py").run()
    assert at.download_button(key="download_shopping_csv")


def test_a_plan_loads_back_from_json_and_a_bad_file_keeps_it():
    at = planned()
    saved = at.session_state["plan"].to_json().encode()
    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    fresh.file_uploader(key="upload_plan").set_value(("plan.json", saved, "application/json"))
    fresh.run()
    assert not fresh.exception
    loaded = fresh.session_state["plan"]
    assert meals(fresh) == meals(at), "the same meals"
    assert loaded.status == at.session_state["plan"].status != "optimal", "re-checked, not trusted"
    fresh.file_uploader(key="upload_plan").set_value(("bad.json", b"{not json", "text/plain"))
    fresh.run()
    assert any("could not be loaded" in e for e in errors(fresh))
    assert fresh.session_state["plan"] == loaded


def test_a_plan_with_an_unknown_recipe_is_refused_beside_the_uploader():
    at = planned()
    shown = at.session_state["plan"].to_json()
    doc = json.loads(shown)
    doc["days"][0]["meals"][0]["recipe_id"] = "no_such_recipe"
    at.file_uploader(key="upload_plan").set_value(
        ("plan.json", json.dumps(doc).encode(), "application/json"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    refused = [e for e in errors(at) if "no_such_recipe" in e]
    assert refused and "could not be loaded" in refused[0], errors(at)
    assert at.session_state["plan"].to_json() == shown
    page = [node for node in at.main if not hasattr(node, "children")]
    uploader = next(i for i, n in enumerate(page) if getattr(n, "key", None) == "upload_plan")
    below = page[uploader + 1]
    assert below.type == "error" and "no_such_recipe" in below.value, "right below the uploader"


def test_min_above_max_is_reported_beside_the_input_and_blocks_solving():
    at = new_app()
    at.number_input(key="d3_min").set_value(200.0).run()
    assert any("D3" in e or "max" in e for e in errors(at)), errors(at)
    at.button(key="create_plan").click().run()
    assert not at.exception
    assert "plan" not in at.session_state


def test_no_slot_is_reported():
    at = new_app()
    at.multiselect(key="slots").set_value([]).run()
    assert any("slot" in e.lower() for e in errors(at)), errors(at)


def test_an_unreachable_goal_gets_the_closest_plan_and_its_explanation():
    at = new_app()
    at.selectbox(key="diet").set_value("vegan").run()
    at.number_input(key="d3_min").set_value(50.0).run()
    at.button(key="create_plan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    plan = at.session_state["plan"]
    assert plan.status == "relaxed"
    text = " ".join(m.value for m in at.markdown)
    assert plain(plan.shortfalls[0].explanation) in text, "shown as plain text"


def test_goals_come_back_from_the_url():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["days"] = "3"
    at.query_params["diet"] = "vegetarian"
    at.query_params["age"] = "abc"
    at.query_params["sex"] = "robot"
    at.query_params["allergens"] = "milk,gravel"
    at.run()
    assert not at.exception
    assert at.session_state["days"] == 3
    assert at.session_state["diet"] == "vegetarian"
    assert (at.session_state["sex"], at.session_state["allergens"]) == ("female", ["milk"])
    warned = " ".join(w.value for w in at.warning)
    assert all(f"“{name}”" in warned for name in ("age", "sex", "allergens")), warned


def test_a_refresh_restores_the_plan():
    at = planned()
    shown = meals(at)
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in at.query_params.items():
        again.query_params[key] = value
    again.run()
    assert meals(again) == shown


def test_a_male_pregnancy_is_reported_beside_the_profile():
    at = new_app()
    at.selectbox(key="sex").set_value("male").run()
    at.selectbox(key="life_stage").set_value("pregnancy").run()
    assert not at.exception
    assert any("female" in e for e in errors(at)), errors(at)


def test_changing_the_profile_refills_targets_from_the_reference_intakes():
    at = new_app()
    at.number_input(key="calcium_min").set_value(5.0).run()
    at.number_input(key="age").set_value(75).run()
    assert at.session_state["calcium_min"] == 1200.0  # IOM RDA for women over 50


def test_an_unreadable_cached_plan_is_ignored(tmp_path):
    at = planned()
    for cached in (tmp_path / "cache").glob("*.json"):
        cached.write_text("{broken", encoding="utf-8")
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in at.query_params.items():
        again.query_params[key] = value
    again.run()
    assert not again.exception
    assert "plan" not in again.session_state


def test_a_broken_lock_in_the_link_is_named_and_left_out():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["locks"] = "garbage"
    at.run()
    assert any("garbage" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.session_state["locks"] == [] and not errors(at)
    at.button(key="create_plan").click().run()
    assert not at.exception and at.session_state["plan"].meals


def test_k2_reads_as_a_lower_bound_with_coverage_on_the_recipe_and_plan_pages():
    at = planned()
    status = at.dataframe[0].value.to_string()
    assert "≥" in status and "nan" not in status.lower()
    at.switch_page("planner/ui/pages/recipes.py").run()
    captions = " ".join(c.value for c in at.caption)
    assert "K2 per serving ≥" in captions and "% of the mass" in captions
    assert "measured" in captions and "nan" not in captions.lower()
    assert "None" not in captions


def test_recipe_search_matches_ingredient_names():
    at = new_app().switch_page("planner/ui/pages/recipes.py").run()
    at.text_input(key="recipe_search").set_value("sauerkraut").run()
    assert not at.exception, [e.value for e in at.exception]
    found = set(at.dataframe[0].value["name"])
    assert {"Tempeh Reuben sandwich", "Reuben sandwich with Emmental and ham"} <= found
    recipes = pd.read_csv(ROOT / "data" / "recipes.csv").set_index("recipe_id")
    ings = pd.read_csv(ROOT / "data" / "recipe_ingredients.csv")
    named = recipes[["name", "cuisine", "tags"]].fillna("").agg(" ".join, axis=1)
    with_it = set(ings.loc[ings["food_id"] == "sauerkraut", "recipe_id"])
    with_it |= set(named.index[named.str.contains("sauerkraut", case=False)])
    assert found == set(recipes.loc[sorted(with_it), "name"])
