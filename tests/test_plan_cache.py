"""The session plan store: random tokens, atomic files, nothing stored is None, no path tricks."""

import pytest

from planner.io import plan_cache


@pytest.fixture(autouse=True)
def private_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))


def test_tokens_are_random_and_url_safe():
    tokens = {plan_cache.new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(plan_cache.is_token(t) for t in tokens)


def test_save_then_load_gives_the_last_document():
    token = plan_cache.new_token()
    path = plan_cache.save(token, '{"status": "optimal"}')
    assert path.exists()
    plan_cache.save(token, '{"status": "relaxed"}')
    assert plan_cache.load(token) == '{"status": "relaxed"}'
    assert not list(path.parent.glob("*.tmp")), "no temporary file left behind"


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "a" * 21, "a/" * 11, "x" * 200])
def test_a_token_of_the_wrong_shape_finds_nothing_and_saves_nothing(token):
    assert plan_cache.load(token) is None
    with pytest.raises(ValueError):
        plan_cache.save(token, "{}")


def test_an_unknown_token_finds_nothing():
    assert plan_cache.load(plan_cache.new_token()) is None
