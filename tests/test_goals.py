"""Goals: defaults from the reference intakes, K2 presets with citations, and every bad input
refused with a message that names its field."""

import pytest
from pydantic import ValidationError

from planner.domain import nutrients as nu
from planner.domain.catalog import load_catalog
from planner.domain.goals import Bound, Lock, PlanRequest, Profile, default_request, k2_presets
from tests.planning_helpers import TINY

DATA = load_catalog()
ME = Profile(sex="female", age=40)


def test_defaults_come_from_the_dri_table():
    targets = default_request(DATA, ME).targets
    assert targets[nu.CALCIUM] == Bound(min=1000, max=2500, window="day")
    assert targets[nu.D3] == Bound(min=15, max=100, window="week")
    assert targets[nu.K_TOTAL].min == 90
    older = default_request(DATA, Profile(sex="male", age=75)).targets
    assert older[nu.D3].min == 20 and older[nu.CALCIUM] == Bound(min=1200, max=2000)
    assert default_request(DATA, Profile(sex="male", age=40)).targets[nu.K_TOTAL].min == 120


@pytest.mark.parametrize(("age", "upper_limit"), [(1, 63), (3, 63), (4, 75), (8, 75), (9, 100)])
def test_a_child_gets_the_vitamin_d_upper_limit_of_their_age(age, upper_limit):
    targets = default_request(DATA, Profile(sex="male", age=age)).targets
    assert targets[nu.D3] == Bound(min=15, max=upper_limit, window="week")


def test_k2_default_is_an_evidence_preset_with_its_citation():
    presets = k2_presets(DATA)
    assert {p.preset_id for p in presets} >= {"knapen2013_trial"}
    assert all(p.citation and p.citation != "" for p in presets)
    observed = max(p.k2_ug_per_day for p in presets if p.kind == "observational")
    assert default_request(DATA, ME).targets[nu.K2] == Bound(min=observed, window="week")


def test_overrides_replace_a_target_and_keep_the_others():
    req = default_request(DATA, ME, targets={nu.K2: Bound(min=180)}, days=3)
    assert req.targets[nu.K2].min == 180 and req.targets[nu.CALCIUM].min == 1000
    assert req.days == 3


@pytest.mark.parametrize(("fields", "message"), [
    ({"days": 0}, "days"),
    ({"days": 29}, "days"),
    ({"slots": ()}, "slots: choose at least one meal slot"),
    ({"exclude_allergens": ("gluten", "moon")}, "exclude_allergens: unknown allergen moon"),
    ({"targets": {"vitamin_x": {"min": 1}}}, "targets: unknown nutrient id vitamin_x"),
    ({"locks": (Lock(day=9, slot="lunch", recipe_id="a"),)}, "locks: day 9 lunch is after"),
    ({"slots": ("dinner",), "locks": (Lock(day=1, slot="lunch", recipe_id="a"),)},
     "locks: day 1 lunch is not one of the planned slots"),
    ({"budget_eur": -1}, "budget_eur"),
    ({"max_repeats": 0}, "max_repeats"),
])
def test_a_bad_request_names_its_field(fields, message):
    with pytest.raises(ValidationError) as info:
        PlanRequest(profile=ME, **fields)
    assert message in str(info.value)


@pytest.mark.parametrize(("bound", "message"), [
    ({"min": 200, "max": 100}, "max: the maximum (100) is below the minimum (200)"),
    ({"min": -1}, "min: a target cannot be negative"),
])
def test_a_bad_bound_names_min_or_max(bound, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Bound(**bound)


def test_a_lock_on_an_unknown_recipe_is_refused_against_the_catalog():
    with pytest.raises(ValueError, match="locks: unknown recipe id nope"):
        default_request(load_catalog(TINY), ME,
                        locks=[Lock(day=1, slot="dinner", recipe_id="nope")])
    with pytest.raises(ValueError, match="locks: natto_rice is not a dinner recipe"):
        default_request(load_catalog(TINY), ME,
                        locks=[Lock(day=1, slot="dinner", recipe_id="natto_rice")])


def test_servings_must_be_a_portion_size():
    with pytest.raises(ValidationError, match="servings: must be one of 1, 1.5, 2"):
        Lock(day=1, slot="dinner", recipe_id="a", servings=3)


def test_life_stage_needs_a_female_profile():
    with pytest.raises(ValidationError, match="life_stage"):
        Profile(sex="male", age=30, life_stage="pregnancy")
