"""Shared plan: the read-only view behind a share link (``?token=…``); no login."""

import pandas as pd
import streamlit as st

from planner.domain.catalog import Slot
from planner.domain.plan import Plan
from planner.domain.workspace import StoreError
from planner.services.workspace_access import shared_plan
from planner.ui import widgets
from planner.ui.state import workspace as workspace_state

st.title("Your meal plan")
token = st.query_params.get("token", "")
try:
    version = shared_plan(workspace_state.store(), token) if token else None
except StoreError as exc:
    st.error(widgets.plain(exc))
    st.stop()
if version is None:
    st.warning("This link is not valid or has been revoked. Ask your dietitian for a new one.")
    st.stop()
try:
    plan = Plan.from_json(version.plan_json)
except (ValueError, KeyError, TypeError, AttributeError):
    st.warning("This plan cannot be shown. Ask your dietitian for a new link.")
    st.stop()
# The dietitian's login name is never shown (it is half of their credentials), only the
# display name they chose, as plain text.
by = widgets.plain(version.display_name) if version.display_name else "your dietitian"
st.caption(f"Version {version.number}, saved {version.created_at:%Y-%m-%d} by {by}")
if version.note:
    st.text(version.note)
grid = pd.DataFrame([{"day": m.day, "slot": m.slot, "meal": f"{m.name} × {m.servings:g}"}
                     for m in plan.meals])
if grid.empty:
    st.info("This plan has no meals.")
else:
    table = grid.pivot(index="day", columns="slot", values="meal")
    st.dataframe(table[[s.value for s in Slot if s.value in table.columns]], key="share_grid")
if plan.supplements:
    st.text("Supplements: " + ", ".join(f"day {s.day}: {s.name} × {s.units}"
                                        for s in plan.supplements))
st.caption("Read-only. Not medical advice: talk to your dietitian before changing your plan.")
