"""A client-record import is untrusted input, on SQLite and PostgreSQL: forged history is
never taken as the store's own, every rule and steady vitamin K pass the Clients page's
checks, broken plans, wrong types and deep nesting are refused with a message, and a
refused file writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain.catalog import load_catalog
from planner.domain.workspace import ClientProfile, RuleKind, RuleRecord, StoreError
from planner.services.client_records import export_client, import_client
from planner.store import accounts
from planner.store.db import open_store
from planner.store.repository import QUOTED, Workspace

GOALS = json.dumps({"days": 7})
PLAN = json.dumps({"status": "optimal", "days": [{"day": 1, "meals": [
    {"slot": "breakfast", "recipe_id": "natto_rice_bowl", "name": "Natto bowl",
     "servings": 1}]}], "targets": {}, "cost_eur": 1.0})


@pytest.fixture
def record(ann) -> dict:
    """A valid exported record: a steady-K client with a target and one plan version."""
    c = ann.create_client(ClientProfile("Ada", "female", 61))
    v = ann.set_steady_k(c.id, c.version, 110.0, [RuleRecord(RuleKind.BAN_FOOD, "natto")])
    ann.set_rule(c.id, v.version, RuleRecord(RuleKind.TARGET, "k2_ug", {"min": 90.0}))
    ann.save_plan(c.id, GOALS, PLAN, note="first")
    return json.loads(export_client(ann, c.id))


def refused(bob: Workspace, doc, message: str) -> None:
    text = doc if isinstance(doc, str | bytes) else json.dumps(doc)
    with pytest.raises(StoreError, match=message):
        import_client(bob, text)
    assert bob.list_clients(include_archived=True) == []


def test_forged_history_is_quoted_never_taken_as_the_stores_own(bob, record):
    record["audit"] = [{"actor": "chief.medical.officer", "at": "2001-01-01T00:00:00Z",
                        "action": "approve plan", "detail": {"signed": True}}]
    record["versions"][0] |= {"author": "chief.medical.officer",
                              "created_at": "2001-01-01T00:00:00Z"}
    record["created_at"] = "2001-01-01T00:00:00Z"
    before = datetime.now(UTC) - timedelta(seconds=5)
    client = import_client(bob, json.dumps(record))
    audit = bob.audit(client.id)
    assert {a.actor for a in audit} == {"bob"} and all(a.at >= before for a in audit)
    assert audit[-1].action == "import client"
    quoted = [a.detail["unverified"] for a in audit if a.action == QUOTED]
    assert quoted == ['2001-01-01 00:00 chief.medical.officer: approve plan {"signed": true}',
                      "version 1 saved 2001-01-01 00:00 by chief.medical.officer"]
    [version] = bob.versions(client.id)
    assert (version.author, version.note) == ("bob", "first") and version.created_at >= before
    assert client.created_at >= before


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["rules"].append({"kind": "target", "key": "d3_ug", "value": {"min": -5},
                                  "origin": "dietitian"}), "cannot be negative"),
    (lambda d: d["rules"].append({"kind": "target", "key": "d3_ug",
                                  "value": {"min": 50, "max": 5}, "origin": "dietitian"}),
     "below the minimum"),
    (lambda d: d["rules"].append({"kind": "pin_recipe", "key": "natto_rice_bowl",
                                  "value": {"day": 999}, "origin": "dietitian"}), "bad day"),
    (lambda d: d["rules"].append({"kind": "ban_food", "key": " ", "value": {},
                                  "origin": "dietitian"}), "needs the id"),
    (lambda d: d["rules"].append({"kind": "ban_food", "key": "x", "value": {},
                                  "origin": "root"}), "set by one of"),
    (lambda d: d.update(steady_k_baseline_ug=-5.0), "baseline must be between"),
    (lambda d: d.update(steady_k=False), "flag and baseline disagree"),
    (lambda d: d["profile"].update(age=500), "age must be between"),
])
def test_rules_and_steady_vitamin_k_pass_the_same_checks_as_the_clients_page(
        bob, record, change, message):
    change(record)
    refused(bob, record, message)


@pytest.mark.parametrize(("plan", "message"), [
    ("{broken", "plan version 1 is damaged: .*not valid JSON"),
    ('{"status": "optimal"}', "plan version 1 is damaged"),
    (PLAN.replace('"day": 1', '"day": 99'), "plan version 1 is damaged"),
    ("[" * 100_000 + "]" * 100_000, "plan version 1 is (damaged|nested too deeply)"),
])
def test_a_broken_plan_version_refuses_the_file(bob, record, plan, message):
    record["versions"][0]["plan"] = plan
    refused(bob, record, message)


def test_a_plan_naming_recipes_the_importer_lacks_is_refused_with_their_ids(bob, record):
    record["versions"][0]["plan"] = PLAN.replace("natto_rice_bowl", "no_such_recipe")
    with pytest.raises(StoreError, match="no_such_recipe"):
        import_client(bob, json.dumps(record), load_catalog())
    assert bob.list_clients(include_archived=True) == []


DEEP = {"a": None}
for _ in range(200):
    DEEP = {"a": DEEP}


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(profile=["Ada"]), "profile"),
    (lambda d: d["profile"].update(age="old"), r"profile\.age"),
    (lambda d: d["profile"].update(extra=1), r"profile\.extra"),
    (lambda d: d.update(rules={"kind": "target"}), "rules"),
    (lambda d: d["rules"][0].update(value=DEEP), r"rules\.0\.value"),
    (lambda d: d["audit"][0].update(detail=DEEP), r"audit\.0\.detail"),
    (lambda d: d["audit"][0].update(actor=None), r"audit\.0\.actor"),
    (lambda d: d["versions"][0].update(number="one"), r"versions\.0\.number"),
    (lambda d: d["profile"].update(name="x" * 10_000), r"profile\.name"),
    (lambda d: d.update(audit=[d["audit"][0]] * 5001), "audit"),
    (lambda d: d.update(steady_k_baseline_ug="Infinity"), "steady_k_baseline_ug"),
])
def test_wrong_types_sizes_and_nesting_are_refused_with_where(bob, record, change, message):
    change(record)
    refused(bob, record, f"damaged at {message}")


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000, "nested too deeply|not JSON"),
    ('{"format": "k2d3-client-record", "format_version": 1, "profile": "\\ud800"}',
     "not valid Unicode"),
    (b"\xff\xfe{", "not JSON"),
    ("x" * (5 * 1024 * 1024 + 1), "larger than 5 MiB"),
])
def test_files_that_are_not_records_are_refused(bob, text, message):
    refused(bob, text, message)


def test_an_imported_record_exports_and_imports_again(bob, record):
    first = import_client(bob, json.dumps(record))
    again = import_client(bob, export_client(bob, first.id))
    quoted = [a.detail["unverified"] for a in bob.audit(again.id) if a.action == QUOTED]
    assert any("import client" in line for line in quoted)
    assert [r.value for r in bob.rules(again.id)] == [r.value for r in bob.rules(first.id)]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=20)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(["profile", "rules", "audit", "versions", 0, "value",
                                      "detail", "plan", "name", "min", "age", "steady_k"]),
                     min_size=1, max_size=4),
       value=JSON_VALUES)
def test_any_hostile_record_is_a_message_or_a_valid_client(tmp_path_factory, path, value):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fz') / 's.sqlite3'}")
    ann = Workspace(store, accounts.add_user(store, "ann", "correct horse 1"))
    c = ann.create_client(ClientProfile("Ada"))
    ann.save_plan(c.id, GOALS, PLAN)
    doc = json.loads(export_client(ann, c.id))
    node = doc
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, dict) and isinstance(path[-1], str):
        node[path[-1]] = value
    try:
        copy = import_client(ann, json.dumps(doc))
    except StoreError:
        assert len(ann.list_clients(include_archived=True)) == 1
    else:
        assert ann.get_client(copy.id).profile.name.strip()
        assert export_client(ann, copy.id)
    store.kw["bind"].dispose()
