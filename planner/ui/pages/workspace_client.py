"""One client's record: profile and flags, targets and rules with their audit trail,
plan versions (create, re-plan with minimal change, diff, handout), share link, export.

Edits carry the client version this session last saw (``seen``): if another tab or
colleague saved in between, the store refuses with a conflict message and the
page reloads the newer record instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import streamlit as st

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog, Slot
from planner.domain.goals import LifeStage, Sex
from planner.domain.plan import Plan
from planner.domain.workspace import (
    ClientProfile,
    ClientRecord,
    Conflict,
    RuleKind,
    RuleRecord,
    StoreError,
)
from planner.io.handout import handout_pdf
from planner.io.measures import load_portions
from planner.services import solve_service
from planner.services.client_plans import (
    history_frame,
    plan_diff,
    read_versions,
    save_version,
    steady_k_bans,
    stored_request,
)
from planner.services.client_records import export_client
from planner.services.workspace_access import Workspace
from planner.ui import job_progress, widgets
from planner.ui.state import workspace as workspace_state

RULE_LABELS = {RuleKind.PIN_RECIPE: "Pin recipe", RuleKind.BAN_RECIPE: "Ban recipe",
               RuleKind.BAN_FOOD: "Ban food"}
MAIN_TARGETS = (nu.K2, nu.D3, nu.CALCIUM, nu.ENERGY, nu.PROTEIN, nu.K_TOTAL, nu.SODIUM)
TARGET_IDS = (*MAIN_TARGETS, *(n for n in nu.ALL_IDS if n not in MAIN_TARGETS))
SHARE_PAGE = "workspace_share"
JOB = "ws_plan_job"
SAVE = "ws_plan_job_save"  # (client id, request, note, based-on version) of the job


def _seen_key(client_id: int) -> str:
    return f"ws_seen_{client_id}"


def _edit(client: ClientRecord, change: Callable[[int], ClientRecord], done: str) -> None:
    """Run ``change(seen_version)``; keep the new version, or report a conflict and reload."""
    key = _seen_key(client.id)
    try:
        updated = change(st.session_state.get(key, client.version))
    except Conflict as exc:
        st.session_state[key] = client.version
        st.session_state.ws_flash = ("error", str(exc))
        return
    except (StoreError, ValueError) as exc:
        st.session_state.ws_flash = ("error", str(exc))
        return
    st.session_state[key] = updated.version
    st.session_state.ws_flash = ("success", done)


def render(ws: Workspace, client_id: int) -> None:
    """Draw the client's record; every edit goes through ``ws`` (scoped to its dietitian)."""
    try:
        client = ws.get_client(client_id)
    except StoreError as exc:
        st.error(widgets.plain(exc))
        return
    st.session_state.setdefault(_seen_key(client_id), client.version)
    cat = workspace_state.catalog(ws)
    st.header(widgets.plain(client.profile.name) + (" (archived)" if client.archived else ""))
    flash = st.session_state.pop("ws_flash", None)
    if flash:
        getattr(st, flash[0])(widgets.plain(flash[1]))
    # A keyed, state-tracking tab bar stays on the tab of the last action.
    profile_tab, rules_tab, plans_tab, share_tab = st.tabs(
        ["Profile", "Targets & rules", "Plans", "Share & export"], key=f"ws_tab_{client.id}",
        on_change="rerun")
    try:
        with profile_tab:
            _profile(ws, client, cat)
        with rules_tab:
            _rules(ws, client, cat)
        with plans_tab:
            _plans(ws, client, cat)
        with share_tab:
            _share(ws, client)
    except StoreError as exc:
        st.error(widgets.plain(exc))


def _profile(ws: Workspace, client: ClientRecord, cat: Catalog) -> None:
    p = client.profile
    with st.form(f"ws_profile_{client.id}"):
        name = st.text_input("Name", p.name, key=f"ws_profile_name_{client.id}")
        left, mid, right = st.columns(3)
        sexes, stages = [s.value for s in Sex], [s.value for s in LifeStage]
        sex = left.selectbox("Sex", sexes, sexes.index(p.sex),
                             key=f"ws_profile_sex_{client.id}")
        age = mid.number_input("Age (years)", 1, 120, p.age, key=f"ws_profile_age_{client.id}")
        stage = right.selectbox("Life stage", stages, stages.index(p.life_stage),
                                key=f"ws_profile_life_stage_{client.id}")
        weight = st.number_input("Weight (kg)", 2.0, 400.0, p.weight_kg,
                                 key=f"ws_profile_weight_{client.id}")
        notes = st.text_area("Notes", p.notes, key=f"ws_profile_notes_{client.id}")
        if st.form_submit_button("Save profile"):
            new = ClientProfile(name, sex, int(age), stage, weight, notes)
            _edit(client, lambda v: ws.update_profile(client.id, v, new), "Profile saved.")
            st.rerun()
    st.subheader("Clinical flags")
    st.caption("Steady vitamin K (warfarin): every day's K1 + K2 stays within ±20 % of the "
               "baseline; natto and K2 supplements are banned for this client.")
    on = st.toggle("Steady vitamin K", client.steady_k, key=f"ws_steady_k_{client.id}")
    baseline = st.number_input("Baseline vitamin K (µg/day)", 1.0, 2000.0,
                               client.steady_k_baseline_ug or 120.0,
                               key=f"ws_steady_k_ug_{client.id}", disabled=not on)
    if st.button("Apply clinical flags", key="ws_steady_k_apply"):
        bans = steady_k_bans(cat)
        _edit(client, lambda v: ws.set_steady_k(client.id, v, baseline if on else None, bans),
              "Steady vitamin K " + (f"on at {baseline:g} µg/day." if on else "off."))
        st.rerun()
    if st.button("Unarchive client" if client.archived else "Archive client", key="ws_archive"):
        _edit(client, lambda v: ws.set_archived(client.id, v, not client.archived),
              "Client " + ("restored." if client.archived else "archived."))
        st.rerun()


def _rules(ws: Workspace, client: ClientRecord, cat: Catalog) -> None:
    st.subheader("Target overrides")
    nutrient = st.selectbox("Nutrient", TARGET_IDS, key="ws_target_nutrient",
                            format_func=lambda n: f"{nu.get(n).label} ({nu.get(n).unit})")
    low_col, high_col, window_col = st.columns(3)
    low = low_col.number_input("Minimum", min_value=0.0, value=None, key="ws_target_min")
    high = high_col.number_input("Maximum (per day)", min_value=0.0, value=None,
                                 key="ws_target_max")
    window = window_col.selectbox("Minimum averaged over", ("day", "week"),
                                  key="ws_target_window")
    if st.button("Set target", key="ws_target_set"):
        rule = RuleRecord(RuleKind.TARGET, nutrient, {"min": low, "max": high, "window": window})
        _edit(client, lambda v: ws.set_rule(client.id, v, rule), f"Target for {nutrient} set.")
        st.rerun()

    st.subheader("Pinned and banned")
    kind = st.selectbox("Rule", list(RULE_LABELS), key="ws_rule_kind",
                        format_func=RULE_LABELS.get)
    table = cat.foods if kind is RuleKind.BAN_FOOD else cat.recipes
    key = st.selectbox("Food" if kind is RuleKind.BAN_FOOD else "Recipe", list(table.index),
                       key="ws_rule_key", format_func=lambda i: str(table.at[i, "name"]))
    value: dict = {}
    if kind is RuleKind.PIN_RECIPE:
        day_col, slot_col = st.columns(2)
        day = day_col.number_input("Day (0 = any day, as a favourite)", 0, 28, 0,
                                   key="ws_rule_day")
        slot = slot_col.selectbox("Slot", [s.value for s in Slot], key="ws_rule_slot")
        value = {"day": int(day), "slot": slot} if day else {}
    if st.button("Add rule", key="ws_rule_add"):
        rule = RuleRecord(kind, key, value)
        _edit(client, lambda v: ws.set_rule(client.id, v, rule), f"{RULE_LABELS[kind]}: {key}.")
        st.rerun()

    rules = ws.rules(client.id)
    if rules:
        st.dataframe(pd.DataFrame([{"rule": r.kind.value, "id": r.key, "value": str(r.value),
                                    "set by": r.origin} for r in rules]), hide_index=True)
        labels = {f"{r.kind.value}:{r.key}": r for r in rules}
        pick = st.selectbox("Remove a rule", list(labels), key="ws_rule_remove_pick")
        if st.button("Remove rule", key="ws_rule_remove"):
            r = labels[pick]
            _edit(client, lambda v: ws.remove_rule(client.id, v, r.kind, r.key),
                  f"Rule {pick} removed.")
            st.rerun()
    st.subheader("Audit trail")
    st.dataframe(pd.DataFrame([{"when": a.at.strftime("%Y-%m-%d %H:%M:%S"), "who": a.actor,
                                "what": a.action, "detail": str(a.detail)}
                               for a in reversed(ws.audit(client.id))]),
                 hide_index=True, key="ws_audit")


def _solve_and_save(ws: Workspace, client: ClientRecord, cat: Catalog, previous: Plan | None,
                    based_on: int | None, note: str) -> None:
    """Start solving the client's plan as a job; ``_save_finished`` saves it as a version."""
    try:
        request = stored_request(ws, client, cat, int(st.session_state.get("ws_plan_days", 7)),
                                 previous)
    except ValueError as exc:
        st.error(f"The client's goals cannot be planned: {exc}")
        return
    st.session_state[SAVE] = (client.id, request, note, based_on)
    job_progress.start(JOB, lambda: solve_service.submit(request, cat))


def _save_finished(ws: Workspace, cat: Catalog) -> None:
    """Follow the running plan job (progress, best plan so far, Cancel) and save its plan
    as a new version of the client it was started for."""
    plan = job_progress.follow(JOB, cat)
    if plan is None:
        return
    client_id, request, note, based_on = st.session_state.pop(SAVE)
    try:
        version = save_version(ws, client_id, request, plan, note, based_on)
    except StoreError as exc:
        st.error(widgets.plain(exc))
        return
    st.session_state.ws_flash = ("success", f"Saved plan version {version.number} "
                                            f"({plan.status}, {plan.solver.seconds:.1f} s).")
    st.session_state.ws_clear_note = True
    st.rerun()


def _plans(ws: Workspace, client: ClientRecord, cat: Catalog) -> None:
    saved = read_versions(ws.versions(client.id), cat)
    latest = saved[-1].version if saved else None
    readable = {s.version.number: s.plan for s in saved if s.plan}
    if st.session_state.pop("ws_clear_note", False):
        st.session_state.ws_plan_note = ""
    days_col, note_col = st.columns([1, 3])
    days_col.number_input("Days", 1, 28, 7, key="ws_plan_days")
    note = note_col.text_input("Note for this version", key="ws_plan_note")
    new_col, replan_col = st.columns(2)
    if new_col.button("Create plan and save a version", key="ws_plan_create"):
        _solve_and_save(ws, client, cat, None, latest.number if latest else None, note)
    if latest and latest.number in readable and replan_col.button(
            f"Re-plan from version {latest.number} with minimal change", key="ws_replan"):
        _solve_and_save(ws, client, cat, readable[latest.number], latest.number,
                        note or f"re-plan of version {latest.number}")
    _save_finished(ws, cat)
    if not saved:
        st.info("No saved plan yet.")
        return
    st.subheader("History")
    st.dataframe(history_frame(saved), hide_index=True, key="ws_history")
    for s in saved:
        if s.plan is None:
            st.warning(f"Version {s.version.number} cannot be read ({widgets.plain(s.problem)}). "
                       "It is kept "
                       "but not compared, re-planned or printed: save a new version, or "
                       "archive the client on the Profile tab.")
    numbers = sorted(readable)
    if not numbers:
        return
    # Keys carry the newest version, so a new save resets the pickers to it.
    if len(numbers) > 1:
        st.subheader("What changed")
        a_col, b_col = st.columns(2)
        before = a_col.selectbox("From version", numbers, len(numbers) - 2,
                                 key=f"ws_diff_from_{latest.number}")
        after = b_col.selectbox("To version", numbers, len(numbers) - 1,
                                key=f"ws_diff_to_{latest.number}")
        _diff(readable[before], readable[after], cat)
    st.subheader("Handout")
    pick = st.selectbox("Version", numbers[::-1], key=f"ws_handout_version_{latest.number}")
    if st.button("Prepare PDF handout", key="ws_handout"):
        st.session_state.ws_handout_pdf = (client.id, pick,
                                           handout_pdf(readable[pick], cat, load_portions()))
    ready = st.session_state.get("ws_handout_pdf")
    if ready and ready[:2] == (client.id, pick):
        st.download_button("Download handout (PDF)", ready[2], f"plan_v{pick}.pdf",
                           "application/pdf", key="ws_handout_download")


def _diff(before: Plan, after: Plan, cat: Catalog) -> None:
    diff = plan_diff(before, after, cat)
    if diff.meals.empty:
        st.caption("Same meals in both versions.")
    else:
        st.dataframe(diff.meals, hide_index=True, key="ws_diff_meals")
    deltas = diff.deltas.pivot(index="day", columns="nutrient", values="delta")
    deltas.columns = [f"Δ {nu.get(c).label} ({nu.get(c).unit})" for c in deltas.columns]
    st.dataframe(deltas.round(1), key="ws_diff_deltas")


def share_link(token: str, page_url: str | None) -> str:
    """The share page's address with ``token``: absolute, from ``page_url`` (the address
    this page was opened at, so a proxy's base path is kept); relative without it."""
    here = urlsplit(page_url or "")
    path = f"{here.path.rsplit('/', 1)[0]}/{SHARE_PAGE}"
    query = urlencode({"token": token})
    if not (here.scheme and here.netloc):
        return f"/{SHARE_PAGE}?{query}"
    return urlunsplit((here.scheme, here.netloc, path, query, ""))


def _share(ws: Workspace, client: ClientRecord) -> None:
    st.caption("A read-only link shows the client's newest plan without an account. "
               "Anyone with the link can see it until you revoke it.")
    if st.button("Create share link", key="ws_share_create"):
        st.session_state.ws_share_token = (client.id, ws.create_share_link(client.id))
    made = st.session_state.get("ws_share_token")
    if made and made[0] == client.id:
        st.code(share_link(made[1], st.context.url), language=None)
        st.caption("Copy it now: the token is stored only as a hash and is not shown again.")
    live = ws.live_share_links(client.id)
    st.write(f"Live share links: {live}")
    if live and st.button("Revoke all share links", key="ws_share_revoke"):
        ws.revoke_share_links(client.id)
        st.session_state.pop("ws_share_token", None)
        st.rerun()
    st.download_button("Export the whole record (JSON)", export_client(ws, client.id),
                       f"client_{client.id}.json", "application/json", key="ws_export")
