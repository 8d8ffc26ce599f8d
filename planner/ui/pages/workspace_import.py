"""Recipe import: upload JSON-LD or the CSV template, review the ingredient mapping in a
data editor, then save the recipe for this dietitian's plans. Nothing is saved before."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from planner.domain.catalog import Slot
from planner.domain.workspace import StoreError
from planner.io.measures import load_portions
from planner.io.recipe_import import (
    CSV_TEMPLATE,
    RecipeImportError,
    included,
    lines_to_fix,
    read_recipes,
    review_frame,
)
from planner.services.recipe_imports import save_recipe
from planner.ui import widgets
from planner.ui.state import session as state
from planner.ui.state import workspace as workspace_state

st.title("Import recipes")
ws = workspace_state.require_login()
cat = state.catalog()
st.caption("Schema.org Recipe JSON-LD (what Mealie, Tandoor and most recipe sites export), a "
           "recipe page saved as HTML, or the CSV template. Each ingredient line is matched to "
           "a food; check the matches and grams, fix or untick what is flagged, then save.")
st.download_button("CSV template", CSV_TEMPLATE, "recipe_template.csv", "text/csv",
                   key="ws_recipe_template")
upload = st.file_uploader("Recipe file", type=["json", "jsonld", "html", "htm", "csv"],
                          key="ws_recipe_file")
if upload is None:
    mine = ws.recipes()
    if mine:
        st.subheader("Your imported recipes")
        st.dataframe(pd.DataFrame([{"id": r.recipe_id, "name": r.name, "slots": ", ".join(r.slots),
                                    "servings": r.servings} for r in mine]), hide_index=True)
    st.stop()
try:
    drafts = read_recipes(upload.name, upload.getvalue())
except RecipeImportError as exc:
    st.error(f"{upload.name}: {exc}")
    st.stop()
names = [d.name for d in drafts]
index = st.selectbox("Recipe", range(len(drafts)), format_func=names.__getitem__,
                     key="ws_recipe_pick")
draft = drafts[index]
cache_key = (upload.file_id, index)
if st.session_state.get("ws_review_for") != cache_key:
    st.session_state.ws_review_for = cache_key
    with st.spinner("Reading the ingredient lines…"):
        st.session_state.ws_review = review_frame(draft, cat.foods, load_portions())
review = st.session_state.ws_review
st.markdown(f"**{widgets.plain(draft.name)}**")
servings_col, slots_col = st.columns([1, 3])
servings = servings_col.number_input("Servings", 0.5, 100.0, float(draft.servings), 0.5,
                                     key=f"ws_recipe_servings_{index}")
slots = slots_col.multiselect("Meal slots", [s.value for s in Slot],
                              [s.value for s in draft.slots], key=f"ws_recipe_slots_{index}")
flags = st.empty()  # filled below the editor's edits: it counts what is still to fix
edited = st.data_editor(
    review, hide_index=True, key="ws_recipe_review",
    disabled=["line", "ingredient", "quantity", "unit", "food_name", "match_score",
              "grams_from", "status"],
    column_config={
        "include": st.column_config.CheckboxColumn("Use"),
        "food_id": st.column_config.SelectboxColumn("Food", options=list(cat.foods.index)),
        "grams": st.column_config.NumberColumn("Grams", min_value=0.0, format="%.1f"),
    })
to_fix = len(lines_to_fix(edited, cat.foods.index))
to_check = int((included(edited)["status"] == "check").sum())
if to_fix or to_check:
    flags.warning(" ".join(filter(None, [
        f"{to_fix} line(s) flagged: choose a food and grams, or untick them." if to_fix else "",
        f"{to_check} line(s) matched with low confidence: check the food and grams."
        if to_check else ""])))
if st.button("Save recipe", key="ws_recipe_save", type="primary"):
    chosen = replace(draft, servings=float(servings), slots=tuple(Slot(s) for s in slots))
    try:
        recipe, facts = save_recipe(ws, chosen, edited, cat)
    except (RecipeImportError, StoreError) as exc:
        st.error(widgets.plain(exc))
        st.stop()
    st.success(f"Saved “{widgets.plain(recipe.name)}”: {facts['energy_kcal']:.0f} kcal, K2 "
               f"{facts['k2_ug']:.1f} µg, D3 {facts['vit_d3_ug']:.1f} µg per serving; K2 known "
               f"for {facts['k2_coverage']:.0%} of the ingredient mass. It is now available to "
               "your clients' plans.")
