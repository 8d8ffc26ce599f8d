"""Goals ⇄ query string: every parameter round-trips; bad text is refused with a reason."""

import pytest

from planner.ui.state.session import GOALS, decode, encode


@pytest.mark.parametrize("name", list(GOALS))
def test_every_default_round_trips_through_the_url(name):
    param = GOALS[name]
    assert decode(encode(param.default, param.kind), param.kind) == param.default


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [(["milk", "egg"], "list", "milk,egg"), ([], "list", ""), (True, "bool", "1"),
     (None, "opt_float", ""), (12.5, "opt_float", "12.5"), (7, "int", "7"),
     ("week", "str", "week")],
)
def test_values_are_written_compactly(value, kind, text):
    assert encode(value, kind) == text
    assert decode(text, kind) == value


@pytest.mark.parametrize(("text", "kind"), [("x", "int"), ("abc", "float"), ("yes", "bool")])
def test_unreadable_text_is_refused(text, kind):
    with pytest.raises(ValueError):
        decode(text, kind)
