"""From a client's record to a plan request, and the diff between two plan versions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from planner.domain import nutrients as nu
from planner.domain.catalog import load_catalog
from planner.domain.goals import Window
from planner.domain.plan import Meal, Plan
from planner.domain.workspace import ClientProfile, ClientRecord, RuleKind, RuleRecord
from planner.services.client_plans import client_request, plan_diff, steady_k_bans

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def client(steady_k: float | None = None, **profile) -> ClientRecord:
    return ClientRecord(1, ClientProfile("Ada", **profile), False, steady_k is not None,
                        steady_k, 1, NOW, NOW)


def test_steady_k_bans_natto_and_every_k2_supplement(catalog):
    bans = steady_k_bans(catalog)
    foods = {b.key for b in bans if b.kind is RuleKind.BAN_FOOD}
    pills = {b.key for b in bans if b.kind is RuleKind.BAN_SUPPLEMENT}
    assert "natto" in foods and all("natto" in f for f in foods)
    assert pills == set(catalog.supplements.index[catalog.supplements[nu.K2].fillna(0) > 0])
    assert "k2_mk7_180" in pills


def dinner(catalog) -> str:
    return next(r for r, slots in catalog.recipes["slots"].items() if "dinner" in slots)


def test_the_request_carries_every_rule_of_the_client(catalog):
    recipe = dinner(catalog)
    rules = [RuleRecord(RuleKind.TARGET, nu.CALCIUM, {"min": 1200.0, "max": None}),
             RuleRecord(RuleKind.TARGET, nu.K2, {"min": 180.0, "window": "week"}),
             RuleRecord(RuleKind.BAN_FOOD, "pork_liver"),
             RuleRecord(RuleKind.BAN_RECIPE, catalog.recipes.index[-1]),
             RuleRecord(RuleKind.PIN_RECIPE, recipe, {"day": 2, "slot": "dinner"}),
             RuleRecord(RuleKind.PIN_RECIPE, catalog.recipes.index[-2])]
    request = client_request(client(120.0, sex="male", age=70), rules, catalog, days=3)
    assert request.profile.sex == "male" and request.days == 3
    assert request.targets[nu.CALCIUM].min == 1200.0
    assert (request.targets[nu.K2].min, request.targets[nu.K2].window) == (180.0, Window.WEEK)
    assert nu.D3 in request.targets  # defaults stay where not overridden
    assert request.exclude_foods == ("pork_liver",)
    assert request.exclude_recipes == (catalog.recipes.index[-1],)
    assert [(lk.day, lk.slot.value, lk.recipe_id) for lk in request.locks] == [
        (2, "dinner", recipe)]
    assert request.favourite_recipes == (catalog.recipes.index[-2],)
    assert request.steady_k.value_ug == 120.0


def test_a_pin_past_the_planned_days_is_left_out_and_bad_targets_name_the_field(catalog):
    recipe = dinner(catalog)
    pin = RuleRecord(RuleKind.PIN_RECIPE, recipe, {"day": 5, "slot": "dinner"})
    assert client_request(client(), [pin], catalog, days=3).locks == ()
    with pytest.raises(ValueError, match="life_stage"):
        client_request(client(sex="male", life_stage="pregnancy"), [], catalog)


def plan(meals: list[tuple[int, str, str, float]], catalog) -> Plan:
    return Plan(status="optimal", cost_eur=0.0, supplements=[], targets={},
                meals=[Meal(d, s, r, str(catalog.recipes.at[r, "name"]), p)
                       for d, s, r, p in meals])


def test_the_diff_lists_changed_meals_and_hand_computed_deltas(catalog):
    a, b, c = catalog.recipes.index[:3]
    before = plan([(1, "breakfast", a, 1.0), (1, "dinner", b, 1.0), (2, "dinner", b, 1.0)],
                  catalog)
    after = plan([(1, "breakfast", a, 1.0), (1, "dinner", c, 1.5), (2, "dinner", b, 2.0)],
                 catalog)
    diff = plan_diff(before, after, catalog)
    assert diff.meals[["day", "slot"]].values.tolist() == [[1, "dinner"], [2, "dinner"]]
    assert diff.meals.iloc[0]["after"].endswith("× 1.5")
    k2 = catalog.recipes[nu.K2].fillna(0)
    deltas = diff.deltas.set_index(["day", "nutrient"])["delta"]
    assert deltas[(1, nu.K2)] == pytest.approx(1.5 * k2[c] - k2[b])
    assert deltas[(2, nu.K2)] == pytest.approx(k2[b])
    assert plan_diff(before, before, catalog).meals.empty
