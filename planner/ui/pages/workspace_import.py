"""Recipe import: upload JSON-LD or the CSV template, review the ingredient mapping in a
data editor, then save the recipe for this dietitian's plans. Nothing is saved before."""

import pandas as pd
import streamlit as st

from planner.io.export import load_portions
from planner.io.recipe_import import (
    CSV_TEMPLATE,
    RecipeImportError,
    read_recipes,
    review_frame,
)
from planner.services.recipe_imports import save_recipe
from planner.store.records import StoreError
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
st.write(f"**{draft.name}** — {draft.servings:g} servings, slots "
         f"{', '.join(s.value for s in draft.slots)}")
flagged = int((review["status"] != "ok").sum())
if flagged:
    st.warning(f"{flagged} line(s) flagged: choose a food and grams, or untick them.")
edited = st.data_editor(
    review, hide_index=True, key="ws_recipe_review",
    disabled=["line", "ingredient", "quantity", "unit", "food_name", "match_score",
              "grams_from", "status"],
    column_config={
        "include": st.column_config.CheckboxColumn("Use"),
        "food_id": st.column_config.SelectboxColumn("Food", options=list(cat.foods.index)),
        "grams": st.column_config.NumberColumn("Grams", min_value=0.0, format="%.1f"),
    })
if st.button("Save recipe", key="ws_recipe_save", type="primary"):
    try:
        recipe, facts = save_recipe(ws, draft, edited, cat)
    except (RecipeImportError, StoreError) as exc:
        st.error(str(exc))
        st.stop()
    st.success(f"Saved “{recipe.name}”: {facts['energy_kcal']:.0f} kcal, K2 "
               f"{facts['k2_ug']:.1f} µg, D3 {facts['vit_d3_ug']:.1f} µg per serving; K2 known "
               f"for {facts['k2_coverage']:.0%} of the ingredient mass. It is now available to "
               "your clients' plans.")
