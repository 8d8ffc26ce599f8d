"""The plan cache: same goals find the same plan, in any key order; nothing cached is None."""

import pytest

from planner import plan_cache


@pytest.fixture(autouse=True)
def private_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def test_same_goals_in_any_order_share_a_key():
    assert plan_cache.goals_key({"days": 7, "diet": "vegan"}) == plan_cache.goals_key(
        {"diet": "vegan", "days": 7})


def test_different_goals_have_different_keys():
    assert plan_cache.goals_key({"days": 7}) != plan_cache.goals_key({"days": 8})


def test_a_saved_plan_comes_back_and_a_new_save_replaces_it(tmp_path):
    key = plan_cache.goals_key({"days": 7})
    path = plan_cache.save(key, '{"status": "optimal"}')
    assert path.parent == tmp_path / "cache"
    plan_cache.save(key, '{"status": "relaxed"}')
    assert plan_cache.load(key) == '{"status": "relaxed"}'
    assert list(path.parent.glob("*.tmp")) == []


def test_nothing_cached_is_none():
    assert plan_cache.load(plan_cache.goals_key({"days": 1})) is None
