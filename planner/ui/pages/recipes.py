"""Recipes: search and filter the library; one recipe's ingredients, nutrients and method."""

import pandas as pd
import streamlit as st

from planner.domain import nutrients as N
from planner.domain.catalog import ALLERGENS, Diet, Slot
from planner.domain.goals import eligible_recipe_ids
from planner.domain.k2_evidence import KNOWN_GRADES, k2_text
from planner.io import plan_files
from planner.ui import widgets
from planner.ui.state import session as state

state.setup()
cat = state.catalog()
recipes = cat.recipes

st.title("Recipes")
left, mid, right = st.columns(3)
query = left.text_input("Search", key="recipe_search",
                        placeholder="name, cuisine, tag or ingredient")
diet = left.selectbox("Fits diet", [d.value for d in Diet], index=len(Diet) - 1,
                      key="recipe_diet")
slots = mid.multiselect("Slot", [s.value for s in Slot], key="recipe_slots")
free_of = mid.multiselect("Free of", ALLERGENS, key="recipe_free_of")
min_k2 = right.number_input(f"K2 per serving at least ({N.get(N.K2).unit})", min_value=0.0,
                            value=0.0, step=5.0, key="recipe_min_k2")
min_d3 = right.number_input(f"D3 per serving at least ({N.get(N.D3).unit})", min_value=0.0,
                            value=0.0, step=1.0, key="recipe_min_d3")
max_prep = right.slider("Prep time at most (min)", 5, 180, 180, step=5, key="recipe_max_prep")

keep = (
    cat.recipe_search_text().str.contains(query.strip(), case=False, regex=False)
    & recipes.index.isin(eligible_recipe_ids(cat, diet, free_of))
    & recipes["slots"].map(lambda s: not slots or any(x in s for x in slots))
    & (recipes[N.K2].fillna(0) >= min_k2)
    & (recipes[N.D3].fillna(0) >= min_d3)
    & (recipes["prep_minutes"].fillna(0) <= max_prep)
)
found = recipes[keep]
st.caption(f"{len(found)} of {len(recipes)} recipes")

columns = {
    "name": st.column_config.TextColumn("Recipe"),
    "diet": st.column_config.TextColumn("Diet"),
    "prep_minutes": st.column_config.NumberColumn("Prep (min)", format="%d"),
    N.ENERGY: st.column_config.NumberColumn(N.get(N.ENERGY).axis_title, format="%.0f"),
    N.K2: st.column_config.NumberColumn(f"{N.get(N.K2).label} ≥ ({N.get(N.K2).unit})",
                                        format="≥ %.1f"),
    N.D3: st.column_config.NumberColumn(N.get(N.D3).axis_title, format="%.1f"),
    N.CALCIUM: st.column_config.NumberColumn(N.get(N.CALCIUM).axis_title, format="%.0f"),
    "k2_coverage": st.column_config.ProgressColumn("K2 known", min_value=0.0, max_value=1.0,
                                                   format="percent"),
    "cost_eur": st.column_config.NumberColumn("Cost (€/serving)", format="%.2f"),
}
table = found[list(columns)].assign(diet=found["diet"].astype(str))
st.dataframe(table, column_config=columns, hide_index=True, width="stretch")

if found.empty:
    st.info("No recipe matches these filters.")
else:
    recipe_id = st.selectbox("Show recipe", list(found.index), key="recipe_id",
                             format_func=lambda r: recipes.at[r, "name"])
    recipe = recipes.loc[recipe_id]
    st.header(recipe["name"])
    facts = st.columns(4)
    facts[0].metric("Diet", str(recipe["diet"]))
    facts[1].metric("Serves", f"{recipe['servings']:g}")
    facts[2].metric("Prep", f"{recipe['prep_minutes']:g} min" if pd.notna(
        recipe["prep_minutes"]) else "–")
    facts[3].metric("Cost per serving", f"€{recipe['cost_eur']:.2f}")
    st.caption("Slots: " + ", ".join(recipe["slots"]) + " · Allergens: "
               + (", ".join(sorted(recipe["allergens"])) or "none"))
    st.caption(f"K2 per serving {k2_text(recipe[N.K2], recipe['k2_coverage'])}; by evidence: "
               + ", ".join(f"{g} {recipe[f'k2_{g}']:.0%}" for g in KNOWN_GRADES))
    widgets.coverage_note(recipe["k2_coverage"])
    ing, nut = st.columns(2)
    with ing:
        st.subheader("Ingredients (whole recipe)")
        rows = cat.recipe_ingredients(recipe_id)
        rows = rows.assign(note=rows["note"].fillna(""),
                           category=rows["category"].map(plan_files.category_label))
        st.dataframe(rows[["name", "grams", "note", "category"]], hide_index=True,
                     column_config={"name": "Food",
                                    "grams": st.column_config.NumberColumn("g", format="%.0f"),
                                    "note": "Note", "category": "Category"})
    with nut:
        st.subheader("Per serving")
        ids = (N.ENERGY, N.PROTEIN, "fat_g", "carbs_g", "fiber_g", N.SODIUM, N.CALCIUM, N.K1,
               "mk4_ug", "mk7_ug", "mk8_ug", "mk9_ug", N.K2, N.D3)
        st.dataframe(widgets.nutrient_table(recipe, ids), hide_index=True,
                     column_config={"amount": st.column_config.NumberColumn(format="%.1f")})
    st.subheader("Method")
    st.markdown(recipe["method"] if pd.notna(recipe["method"]) else "_No method recorded._")

state.save()
