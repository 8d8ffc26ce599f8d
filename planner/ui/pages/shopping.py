"""Shopping list: the plan's ingredients per food, grouped by category, with ticks and CSV."""

import streamlit as st

from planner.io import measures, plan_files
from planner.ui import widgets
from planner.ui.state import session as state

state.setup()
cat = state.catalog()
current = state.plan()

st.title("Shopping list")
if current is None:
    widgets.no_plan()
else:
    items = plan_files.shopping_list_frame(current, cat).set_index("food_id")
    kept = state.shopping_ticks(current)
    ticked: list[str] = []
    st.metric("Estimated cost", f"€{items['cost_eur'].sum():.2f}")
    for category, rows in items.groupby("category", sort=True):
        st.subheader(plan_files.category_label(str(category)))
        # The table starts from the remembered ticks: its own edits are lost on other pages.
        edited = st.data_editor(
            rows.assign(got=rows.index.isin(kept), grams=rows["grams"].map(measures.grams_text))[
                ["got", "food", "grams", "measure", "cost_eur"]],
            key=f"ticks_{category}", hide_index=True, width="stretch",
            disabled=["food", "grams", "measure", "cost_eur"],
            column_config={
                "got": st.column_config.CheckboxColumn("✓", width="small"),
                "food": "Food",
                "grams": st.column_config.TextColumn("Amount", help="Blank for supplements"),
                "measure": "Household measure",
                "cost_eur": st.column_config.NumberColumn("Cost", format="€%.2f"),
            },
        )
        ticked += list(edited.index[edited["got"].astype(bool)])
        for note in dict.fromkeys(n for n in rows["note"] if n):
            st.caption(f":material/eco: {widgets.plain(note)}")
    state.set_shopping_ticks(current, ticked)
    st.download_button("Download shopping list (CSV)", plan_files.shopping_list_csv(current, cat),
                       file_name="shopping_list.csv", mime="text/csv",
                       key="download_shopping_csv", on_click="ignore")
state.save()
