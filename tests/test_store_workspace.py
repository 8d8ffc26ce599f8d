"""The workspace store on SQLite and PostgreSQL: migrations, every operation,
isolation between dietitians, conflicts, interrupted saves, export round trip."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, text

from planner.domain.workspace import (
    ClientProfile,
    Conflict,
    NotFound,
    RuleKind,
    RuleRecord,
    StoreError,
)
from planner.services.client_records import export_client, import_client
from planner.store import accounts
from planner.store.db import open_store
from planner.store.models import AuditEntry, Client, PlanVersion
from planner.store.repository import Workspace, shared_plan

GOALS = json.dumps({"days": 7, "k2_ug": {"min": 90}})
PLAN = json.dumps({"status": "optimal", "days": [{"day": 1, "meals": [
    {"slot": "breakfast", "recipe_id": "natto_rice_bowl", "name": "Natto bowl", "servings": 1}]}],
    "targets": {}, "cost_eur": 1.0})
PLAN_2 = PLAN.replace("natto_rice_bowl", "natto_kimchi_bowl")


def test_migrations_build_every_table_from_empty_and_rerun_safely(sessions):
    engine = sessions.kw["bind"]
    tables = set(inspect(engine).get_table_names())
    assert {"dietitians", "login_throttle", "clients", "client_rules", "audit_log",
            "plan_versions", "share_links", "imported_recipes", "alembic_version"} <= tables
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0003"
    from planner.store.db import upgrade
    upgrade(engine)  # the app upgrades on every start


def test_the_display_name_migration_keeps_accounts_and_leaves_the_name_unset(sessions):
    from alembic import command

    from planner.store.db import WRITE, alembic_config, upgrade

    engine = sessions.kw["bind"]
    accounts.add_user(sessions, "ann", "correct horse 1")
    config = alembic_config()
    with engine.execution_options(**{WRITE: True}).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert "display_name" not in {c["name"] for c in inspect(engine).get_columns("dietitians")}
    upgrade(engine)
    assert "display_name" in {c["name"] for c in inspect(engine).get_columns("dietitians")}
    with engine.connect() as conn:
        assert conn.execute(text("select username, display_name from dietitians")).all() == [
            ("ann", None)]
    assert accounts.authenticate(sessions, "ann", "correct horse 1").username == "ann"


def test_the_models_and_the_migrations_agree(sessions):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from planner.store.models import Base

    with sessions.kw["bind"].connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_clients_create_list_search_archive(ann):
    a = ann.create_client(ClientProfile("Ada Lovelace", "female", 36, notes="osteopenia"))
    b = ann.create_client(ClientProfile("Charles Babbage", "male", 79, weight_kg=70.5))
    assert [c.profile.name for c in ann.list_clients()] == ["Ada Lovelace", "Charles Babbage"]
    assert [c.id for c in ann.list_clients("OSTEO")] == [a.id]
    assert [c.id for c in ann.list_clients("babb")] == [b.id]
    archived = ann.set_archived(a.id, a.version, True)
    assert archived.archived and archived.version == a.version + 1
    assert [c.id for c in ann.list_clients()] == [b.id]
    assert {c.id for c in ann.list_clients(include_archived=True)} == {a.id, b.id}
    assert ann.get_client(b.id).profile.weight_kg == 70.5


@pytest.mark.parametrize(("profile", "message"), [
    (ClientProfile(" "), "needs a name"),
    (ClientProfile("X", sex="other"), "sex must be"),
    (ClientProfile("X", age=0), "age must be"),
    (ClientProfile("X", life_stage="retired"), "life stage"),
    (ClientProfile("X", weight_kg=1), "weight must be"),
])
def test_bad_profiles_are_refused_with_the_field_named(ann, profile, message):
    with pytest.raises(StoreError, match=message):
        ann.create_client(profile)
    assert ann.list_clients(include_archived=True) == []


def test_profile_update_and_audit_trail_say_who_what_when(ann):
    c = ann.create_client(ClientProfile("Ada", age=36))
    updated = ann.update_profile(c.id, c.version, ClientProfile("Ada", age=37, notes="x"))
    assert updated.profile.age == 37 and updated.version == c.version + 1
    trail = ann.audit(c.id)
    assert [(a.actor, a.action) for a in trail] == [("ann", "create client"),
                                                     ("ann", "update profile")]
    assert trail[1].detail == {"age": 37, "notes": "x"}
    assert trail[1].at >= trail[0].at and trail[1].at.tzinfo is not None


def test_steady_vitamin_k_bans_natto_and_k2_supplements_and_lifts_them(ann):
    c = ann.create_client(ClientProfile("Walter", "male", 70))
    bans = [RuleRecord(RuleKind.BAN_FOOD, "natto"),
            RuleRecord(RuleKind.BAN_SUPPLEMENT, "k2_mk7_100")]
    on = ann.set_steady_k(c.id, c.version, 120.0, bans)
    assert on.steady_k and on.steady_k_baseline_ug == 120.0
    assert {(r.kind, r.key, r.origin) for r in ann.rules(c.id)} == {
        (RuleKind.BAN_FOOD, "natto", "steady_k"),
        (RuleKind.BAN_SUPPLEMENT, "k2_mk7_100", "steady_k")}
    with pytest.raises(StoreError, match="baseline"):
        ann.set_steady_k(c.id, on.version, -5.0, bans)
    off = ann.set_steady_k(c.id, on.version, None)
    assert not off.steady_k and ann.rules(c.id) == []


def test_rules_target_overrides_pins_and_bans(ann):
    c = ann.create_client(ClientProfile("Ada"))
    v = ann.set_rule(c.id, c.version, RuleRecord(RuleKind.TARGET, "k2_ug", {"min": 180,
                                                                           "max": None}))
    v = ann.set_rule(c.id, v.version, RuleRecord(RuleKind.PIN_RECIPE, "natto_rice_bowl",
                                                 {"day": 1, "slot": "breakfast"}))
    v = ann.set_rule(c.id, v.version, RuleRecord(RuleKind.BAN_RECIPE, "liver_pate"))
    v = ann.set_rule(c.id, v.version, RuleRecord(RuleKind.BAN_FOOD, "pork_liver"))
    v = ann.set_rule(c.id, v.version, RuleRecord(RuleKind.TARGET, "k2_ug", {"min": 90}))
    assert {(r.kind, r.key): r.value for r in ann.rules(c.id)} == {
        (RuleKind.TARGET, "k2_ug"): {"min": 90},
        (RuleKind.PIN_RECIPE, "natto_rice_bowl"): {"day": 1, "slot": "breakfast"},
        (RuleKind.BAN_RECIPE, "liver_pate"): {}, (RuleKind.BAN_FOOD, "pork_liver"): {}}
    v = ann.remove_rule(c.id, v.version, RuleKind.BAN_RECIPE, "liver_pate")
    assert (RuleKind.BAN_RECIPE, "liver_pate") not in {(r.kind, r.key) for r in ann.rules(c.id)}
    with pytest.raises(NotFound):
        ann.remove_rule(c.id, v.version, RuleKind.BAN_RECIPE, "liver_pate")
    for bad, message in [({"min": 5, "max": 1}, "below the minimum"), ({}, "minimum or"),
                         ({"min": -1}, "cannot be negative")]:
        with pytest.raises(StoreError, match=message):
            ann.set_rule(c.id, v.version, RuleRecord(RuleKind.TARGET, "d3_ug", bad))
    actions = [a.action for a in ann.audit(c.id)]
    assert actions.count("set target") == 2 and "remove ban_recipe" in actions


def test_plan_versions_are_immutable_numbered_and_attributed(ann):
    c = ann.create_client(ClientProfile("Ada"))
    v1 = ann.save_plan(c.id, GOALS, PLAN, note="first week")
    v2 = ann.save_plan(c.id, GOALS, PLAN_2, note="swap", based_on=1)
    assert (v1.number, v2.number) == (1, 2) and ann.latest_number(c.id) == 2
    assert [(v.number, v.author, v.note) for v in ann.versions(c.id)] == [
        (1, "ann", "first week"), (2, "ann", "swap")]
    assert ann.version(c.id, 1).plan_json == PLAN
    with pytest.raises(NotFound, match="version 3"):
        ann.version(c.id, 3)


def test_share_link_shows_the_current_plan_until_revoked(sessions, ann):
    c = ann.create_client(ClientProfile("Ada"))
    token = ann.create_share_link(c.id)
    assert len(token) >= 40 and shared_plan(sessions, token) is None  # no plan yet
    ann.save_plan(c.id, GOALS, PLAN)
    ann.save_plan(c.id, GOALS, PLAN_2, based_on=1)
    shared = shared_plan(sessions, token)
    assert shared.number == 2 and shared.plan_json == PLAN_2 and shared.display_name is None
    accounts.set_display_name(sessions, "ann", "  Anna   de Vos ")
    assert shared_plan(sessions, token).display_name == "Anna de Vos"
    assert shared_plan(sessions, token + "x") is None
    assert ann.create_share_link(c.id) != token and ann.live_share_links(c.id) == 2
    assert ann.revoke_share_links(c.id) == 2
    assert shared_plan(sessions, token) is None and ann.live_share_links(c.id) == 0


def test_a_dietitian_cannot_read_or_write_another_dietitians_client(sessions, ann, bob):
    c = ann.create_client(ClientProfile("Ada"))
    ann.save_plan(c.id, GOALS, PLAN)
    rule = RuleRecord(RuleKind.BAN_FOOD, "natto")
    attempts = {
        "get_client": lambda: bob.get_client(c.id),
        "update_profile": lambda: bob.update_profile(c.id, c.version, ClientProfile("Eve")),
        "set_archived": lambda: bob.set_archived(c.id, c.version, True),
        "set_steady_k": lambda: bob.set_steady_k(c.id, c.version, 100.0, [rule]),
        "rules": lambda: bob.rules(c.id),
        "set_rule": lambda: bob.set_rule(c.id, c.version, rule),
        "remove_rule": lambda: bob.remove_rule(c.id, c.version, rule.kind, rule.key),
        "audit": lambda: bob.audit(c.id),
        "save_plan": lambda: bob.save_plan(c.id, GOALS, PLAN_2, based_on=1),
        "versions": lambda: bob.versions(c.id),
        "latest_number": lambda: bob.latest_number(c.id),
        "version": lambda: bob.version(c.id, 1),
        "create_share_link": lambda: bob.create_share_link(c.id),
        "revoke_share_links": lambda: bob.revoke_share_links(c.id),
        "live_share_links": lambda: bob.live_share_links(c.id),
        "export_client": lambda: export_client(bob, c.id),
    }
    for name, attempt in attempts.items():
        with pytest.raises(NotFound):
            attempt()
        assert name  # every function was tried
    assert bob.list_clients(include_archived=True) == []
    assert bob.list_clients("Ada") == []
    after = ann.get_client(c.id)
    assert after == c and [v.plan_json for v in ann.versions(c.id)] == [PLAN]
    assert [a.actor for a in ann.audit(c.id)] == ["ann", "ann"]


def test_concurrent_edits_of_one_client_conflict_instead_of_overwriting(ann, sessions):
    c = ann.create_client(ClientProfile("Ada", age=36))
    other_tab = Workspace(sessions, ann.account)
    ann.update_profile(c.id, c.version, ClientProfile("Ada", age=37))
    with pytest.raises(Conflict, match="changed by someone else"):
        other_tab.update_profile(c.id, c.version, ClientProfile("Ada", age=99))
    with pytest.raises(Conflict):
        other_tab.set_rule(c.id, c.version, RuleRecord(RuleKind.BAN_FOOD, "natto"))
    assert ann.get_client(c.id).profile.age == 37 and ann.rules(c.id) == []
    ann.save_plan(c.id, GOALS, PLAN)
    ann.save_plan(c.id, GOALS, PLAN_2, based_on=1)
    with pytest.raises(Conflict, match="version 2 was saved after version 1"):
        other_tab.save_plan(c.id, GOALS, PLAN, based_on=1)
    assert [v.number for v in ann.versions(c.id)] == [1, 2]


def test_an_interrupted_save_keeps_the_last_good_version(ann, sessions, monkeypatch):
    c = ann.create_client(ClientProfile("Ada", age=36))
    ann.save_plan(c.id, GOALS, PLAN)

    def crash(*_args):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Workspace, "_audit", crash)  # after the new rows, before commit
    with pytest.raises(RuntimeError):
        ann.save_plan(c.id, GOALS, PLAN_2, based_on=1)
    with pytest.raises(RuntimeError):
        ann.update_profile(c.id, c.version, ClientProfile("Mallory", age=99))
    monkeypatch.undo()
    assert [(v.number, v.plan_json) for v in ann.versions(c.id)] == [(1, PLAN)]
    assert ann.get_client(c.id) == c
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PlanVersion)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2
    assert ann.save_plan(c.id, GOALS, PLAN_2, based_on=1).number == 2


def content(document: str) -> dict:
    """A client record without its history: who saved what when is never imported."""
    doc = json.loads(document)
    for key in ("audit", "created_at", "updated_at"):
        doc.pop(key)
    for version in doc["versions"]:
        version.pop("author"), version.pop("created_at")
    return doc


def test_export_then_import_keeps_profile_rules_and_plans(ann, bob):
    c = ann.create_client(ClientProfile("Ada Ł. 日本", "female", 36, "pregnancy", 61.5, "K2 ✓"))
    v = ann.set_steady_k(c.id, c.version, 110.0, [RuleRecord(RuleKind.BAN_FOOD, "natto")])
    ann.set_rule(c.id, v.version, RuleRecord(RuleKind.TARGET, "vit_d3_ug", {"min": 15.0}))
    ann.save_plan(c.id, GOALS, PLAN, note="one")
    ann.save_plan(c.id, GOALS, PLAN_2, note="two", based_on=1)
    document = export_client(ann, c.id)
    copy = import_client(bob, document)
    assert content(export_client(bob, copy.id)) == content(document)
    assert copy.profile == ann.get_client(c.id).profile and copy.steady_k
    assert [v.plan_json for v in bob.versions(copy.id)] == [PLAN, PLAN_2]


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not JSON"),
    ('{"format": "something else"}', "not a client record"),
    ('{"format": "k2d3-client-record", "format_version": 9}', "format 9"),
])
def test_malformed_client_files_write_nothing(bob, text, message):
    with pytest.raises(StoreError, match=message):
        import_client(bob, text)
    assert bob.list_clients(include_archived=True) == []


def test_a_damaged_record_names_the_damage_and_writes_nothing(ann, bob):
    c = ann.create_client(ClientProfile("Ada"))
    ann.save_plan(c.id, GOALS, PLAN)
    doc = json.loads(export_client(ann, c.id))
    doc["versions"][0]["number"] = 5
    with pytest.raises(StoreError, match="numbered"):
        import_client(bob, json.dumps(doc))
    doc["versions"][0].pop("plan")
    with pytest.raises(StoreError, match=r"versions\.0\.plan"):
        import_client(bob, json.dumps(doc))
    assert bob.list_clients(include_archived=True) == []


PROFILES = st.builds(
    ClientProfile,
    name=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                 min_size=1, max_size=40).filter(str.strip),
    sex=st.sampled_from(["female", "male"]), age=st.integers(1, 120),
    life_stage=st.sampled_from(["general", "pregnancy", "lactation"]),
    weight_kg=st.none() | st.floats(2, 400, allow_nan=False).map(lambda w: round(w, 3)),
    notes=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=80),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile=PROFILES, note=st.text(st.characters(codec="utf-8", exclude_characters="\x00"),
                                       max_size=200))
def test_round_trip_holds_for_any_profile_and_version_note(tmp_path_factory, profile, note):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('rt') / 's.sqlite3'}")
    ann = Workspace(store, accounts.add_user(store, "ann", "correct horse 1"))
    c = ann.create_client(profile)
    ann.save_plan(c.id, GOALS, PLAN, note)
    document = export_client(ann, c.id)
    copy = import_client(ann, document)
    assert content(export_client(ann, copy.id)) == content(document)
    assert ann.get_client(copy.id).profile == profile
    with store() as session:
        assert session.scalar(select(func.count()).select_from(Client)) == 2
    store.kw["bind"].dispose()


@pytest.mark.parametrize(("field", "value"), [("name", "x" * 201), ("name", "Ann\x00"),
                                              ("notes", "n" * 5001)])
def test_overlong_or_nul_text_is_refused_before_the_database(ann, field, value):
    profile = ClientProfile(name="Ann", sex="female", age=50, life_stage="general")
    with pytest.raises(StoreError, match="characters|NUL"):
        ann.create_client(replace(profile, **{field: value}))
    assert ann.list_clients(include_archived=True) == []


def test_a_database_error_reaches_the_caller_as_a_message(ann):
    client = ann.create_client(ClientProfile(name="Ann", sex="female", age=50,
                                             life_stage="general"))
    with ann.sessions() as session:
        session.execute(text("DROP TABLE share_links"))
        session.commit()
    with pytest.raises(StoreError, match="could not do this just now"):
        ann.create_share_link(client.id)
