"""The K2 evidence preset selector names the preset the K2 minimum equals; custom otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner import DATA_DIR
from planner.domain.catalog import load_catalog
from planner.domain.goals import k2_presets

pytestmark = pytest.mark.usefixtures("quick_solver")  # the page, not the plan

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PRESETS = {p.preset_id: p.k2_ug_per_day for p in k2_presets(load_catalog(DATA_DIR))}


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def shown_preset(at: AppTest) -> str:
    return at.selectbox(key="k2_preset").value


def test_the_default_target_shows_its_preset():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    k2_min = at.number_input(key="k2_min").value
    assert shown_preset(at) != "", f"the default {k2_min} µg is a preset's amount"
    assert PRESETS[shown_preset(at)] == k2_min


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_a_target_from_the_link_shows_its_preset(preset_id):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["k2_min"] = f"{PRESETS[preset_id]:g}"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert shown_preset(at) == preset_id
    assert at.query_params["k2_preset"] == preset_id


def test_a_stale_preset_in_the_link_gives_way_to_the_target():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["k2_preset"] = next(iter(PRESETS))
    at.query_params["k2_min"] = "77.7"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert shown_preset(at) == ""


def test_typing_a_target_follows_it_and_choosing_a_preset_sets_it():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.number_input(key="k2_min").set_value(77.7).run()
    assert shown_preset(at) == ""
    preset_id, amount = max(PRESETS.items(), key=lambda item: item[1])
    at.number_input(key="k2_min").set_value(amount).run()
    assert shown_preset(at) == preset_id
    other = min(PRESETS, key=PRESETS.get)
    at.selectbox(key="k2_preset").set_value(other).run()
    assert (shown_preset(at), at.number_input(key="k2_min").value) == (other, PRESETS[other])
    at.number_input(key="k2_min").set_value(PRESETS[other] + 1).run()
    assert shown_preset(at) == ""
