"""Nutrients: the plan's K2, D3, calcium, energy and sources in charts."""

import streamlit as st

from planner.analysis import charts
from planner.domain import nutrients as N
from planner.ui import widgets
from planner.ui.state import session as state

state.setup()
cat = state.catalog()
current = state.plan()

st.title("Nutrients")
if current is None:
    widgets.no_plan()
else:
    frames = state.derived(current, "frames", lambda: charts.plan_frames(current, cat))
    note = frames.k2_unknown_note()
    if note:
        st.warning(note, icon=":material/help:")
    st.subheader("Vitamin K2 each day, by recipe")
    st.altair_chart(charts.k2_by_recipe_chart(frames), width="stretch")
    left, right = st.columns(2)
    left.subheader("Vitamin D3 each day")
    left.altair_chart(charts.d3_chart(frames), width="stretch")
    right.subheader("Calcium each day")
    right.altair_chart(charts.calcium_chart(frames), width="stretch")
    st.subheader("Energy and macronutrients")
    left, right = st.columns(2)
    left.altair_chart(charts.energy_chart(frames), width="stretch")
    right.altair_chart(charts.macros_chart(frames), width="stretch")
    left, right = st.columns(2)
    left.subheader("K2 by form over the plan")
    left.altair_chart(charts.k2_forms_chart(frames), width="stretch")
    right.subheader("K1 next to K2")
    right.altair_chart(charts.k1_vs_k2_chart(frames), width="stretch")
    for nutrient_id in (N.K2, N.D3):
        st.subheader(f"Top {N.get(nutrient_id).label} sources of the plan")
        for column, by in zip(st.columns(2), ("recipe", "food"), strict=True):
            column.altair_chart(charts.top_sources_chart(frames, nutrient_id, by),
                                width="stretch")
state.save()
