"""Sources & method: where every figure comes from and how the optimizer decides."""

import streamlit as st

from planner.ui import widgets
from planner.ui.state import session as state

state.setup()
cat = state.catalog()

st.title("Sources & method")
widgets.disclaimer()

st.header("Where the figures come from")
st.markdown(
    "Food nutrients are per 100 g, mostly from USDA FoodData Central (SR Legacy); vitamin K2 "
    "(menaquinones MK-4 … MK-10) and vitamin D3 come from the published analyses cited below. "
    "A blank in the data means *unknown*, never zero: each recipe carries the share of its "
    "ingredient weight whose K2 is known (its K2 coverage), split by the evidence grade of "
    "each food's figure: *measured* (an analysis of the food), *derived* (computed from cited "
    "figures, e.g. cooked to raw weight), *borrowed* (a similar food or a secondary "
    "compilation). K2 totals are shown as \"≥ X µg\": they count known figures only. "
    "Source precedence for D3 and K2: NEVO 2021 where it has the food, then USDA SR28, then "
    "the literature (primary before secondary), then a named similar food."
)
st.dataframe(
    cat.sources.reset_index(), hide_index=True, width="stretch",
    column_config={
        "key": "Key", "citation": st.column_config.TextColumn("Citation", width="large"),
        "url_or_doi": st.column_config.LinkColumn("Link or DOI"), "used_for": "Used for",
    },
)

st.header("Reference intakes used")
st.markdown(
    "Default targets come from these dietary reference intakes for the profile you enter (RDA or "
    "AI as the floor, UL as the daily ceiling)."
)
st.dataframe(cat.dri, hide_index=True, width="stretch")

st.header("Vitamin K2 presets")
st.markdown(
    "K2 has no official intake. These presets are **evidence, not recommendations**: intakes "
    "observed in studies and doses used in trials, each with its source."
)
presets = cat.k2_presets.reset_index().join(cat.sources["citation"], on="source")
st.dataframe(presets, hide_index=True, width="stretch")

st.header("How the optimizer decides")
st.markdown(
    """
For every day and meal slot the planner picks one recipe and a portion (1, 1.5 or 2 servings),
and — only if you allow them — whole supplement units. It solves a mixed-integer program
(PuLP with the HiGHS solver):

* **Hard rules**: your diet, allergens, disliked foods and recipes, the slots you eat, locked
  meals, and variety (a recipe at most *N* times a week, never twice on one day).
* **Targets**: each nutrient's minimum and maximum, either **every day** or as a **weekly
  average** (K2 and D3 are fat-soluble and stored, so a weekly average is sound; upper limits
  always hold every day). Steady-vitamin-K mode keeps each day's K1 + K2 within a band of
  your usual intake and leaves out natto and K2 supplements. K2 floors count **only known K2
  figures**: a food whose K2 is unknown adds nothing toward a K2 minimum (conservative).
* **Objective**: the lowest cost, with small penalties that favour variety; on *Re-plan*, every
  meal that changes costs extra too, so a small edit does not reshuffle the week.
* **Always an answer**: when the targets cannot all be met, the planner relaxes them with
  penalised slack, returns the closest plan and tells you, per target, how far it falls short,
  the most this library can reach under your settings, and what would unblock it.
"""
)
state.save()
