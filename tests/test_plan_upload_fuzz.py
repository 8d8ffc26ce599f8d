"""Plan uploads under fuzzing: any document, random or a valid plan bent out of shape, is
either read into a plan that re-checks against the data, or refused with a ValueError
(the page's "could not be loaded" message); never another exception."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.analysis import plan_check
from planner.domain.catalog import load_catalog
from planner.domain.goals import Profile, default_request
from planner.io import plan_files
from tests.solve_helpers import quick_solve

CAT = load_catalog()
REQUEST = default_request(CAT, Profile(sex="female", age=40), days=2)
VALID = json.loads(plan_files.plan_to_json(quick_solve(REQUEST, CAT)))

scalars = (st.none() | st.booleans() | st.integers() | st.text(max_size=20)
           | st.floats(allow_nan=True, allow_infinity=True))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)


def _paths(doc, at=()):
    """Every (path, value) inside a JSON document."""
    yield at, doc
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) \
        else ()
    for key, value in items:
        yield from _paths(value, (*at, key))


PATHS = [p for p, _ in _paths(VALID) if p]


@st.composite
def bent_plans(draw):
    """The valid plan with one to three of its values replaced by anything."""
    doc = json.loads(json.dumps(VALID))
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3)):
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    return doc


def _read(data: bytes) -> None:
    try:
        plan = plan_files.plan_from_json_bytes(data, CAT)
    except ValueError as exc:
        assert str(exc)
        return
    plan_check.recheck(plan, REQUEST, CAT)  # what the page does with a plan it read


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=bent_plans())
def test_a_valid_plan_bent_out_of_shape_is_read_or_refused_with_a_message(doc):
    _read(json.dumps(doc, allow_nan=True).encode())


@settings(max_examples=150, deadline=None)
@given(data=values.map(lambda v: json.dumps(v, allow_nan=True).encode())
       | st.binary(max_size=300))
def test_any_document_or_bytes_are_read_or_refused_with_a_message(data):
    _read(data)
