"""Goals ⇄ query string: every parameter round-trips; bad text is refused with a reason."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.domain.catalog import Slot
from planner.domain.goals import PORTIONS, Lock
from planner.services.plan_request import Kind
from planner.ui.state.url import GOALS, decode, encode, read


@pytest.mark.parametrize("name", list(GOALS))
def test_every_default_round_trips_through_the_url(name):
    param = GOALS[name]
    assert decode(encode(param.default, param.kind), param.kind) == param.default


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [(["milk", "egg"], Kind.LIST, "milk,egg"), ([], Kind.LIST, ""), (True, Kind.FLAG, "1"),
     (None, Kind.OPTIONAL_NUMBER, ""), (12.5, Kind.OPTIONAL_NUMBER, "12.5"), (7, Kind.INT, "7"),
     ("week", Kind.TEXT, "week"),
     ([Lock(day=2, slot="dinner", recipe_id="salmon_rice", servings=1.5)], Kind.LOCKS,
      "2:dinner:salmon_rice:1.5")],
)
def test_values_are_written_compactly(value, kind, text):
    assert encode(value, kind) == text
    assert decode(text, kind) == value


@pytest.mark.parametrize(("text", "kind"), [
    ("x", Kind.INT), ("abc", Kind.NUMBER), ("yes", Kind.FLAG), ("banana", Kind.LOCKS),
    ("1:brunch:x:1", Kind.LOCKS), ("1:lunch:x:3", Kind.LOCKS)])
def test_unreadable_text_is_refused(text, kind):
    with pytest.raises(ValueError):
        decode(text, kind)


locks = st.lists(st.builds(Lock, day=st.integers(1, 28), slot=st.sampled_from(list(Slot)),
                           recipe_id=st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
                           servings=st.sampled_from(PORTIONS)), max_size=5)


@given(locks)
def test_locks_round_trip_as_values(value):
    assert decode(encode(value, Kind.LOCKS), Kind.LOCKS) == value


def test_a_link_value_out_of_range_is_named_with_what_is_used_instead():
    current = {name: p.default for name, p in GOALS.items()}
    values, errors = read({"days": "0", "max_repeats": "14", "age": "40"}, current, {})
    assert values == {"age": 40}
    assert len(errors) == 2
    assert "“days” (0) is out of range (from 1 to 28); 7 is used instead" in errors[0]
    assert "“max_repeats” (14) is out of range (from 1 to 7)" in errors[1]
