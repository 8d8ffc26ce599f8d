"""The app: a navigation table over the pages in planner/ui/ and nothing else."""

import streamlit as st

st.set_page_config(page_title="K2·D3 Meal Planner", page_icon="🥦", layout="wide")

PAGES = [
    st.Page("planner/ui/plan_page.py", title="Plan", icon=":material/calendar_month:",
            default=True),
    st.Page("planner/ui/nutrients_page.py", title="Nutrients", icon=":material/bar_chart:"),
    st.Page("planner/ui/shopping_page.py", title="Shopping list",
            icon=":material/shopping_cart:"),
    st.Page("planner/ui/recipes_page.py", title="Recipes", icon=":material/menu_book:"),
    st.Page("planner/ui/sources_page.py", title="Sources & method", icon=":material/info:"),
    st.Page("planner/ui/workspace.py", title="Clients (dietitians)", icon=":material/group:"),
    st.Page("planner/ui/workspace_import.py", title="Import recipes",
            icon=":material/upload_file:"),
    st.Page("planner/ui/workspace_share.py", title="Shared plan", icon=":material/share:"),
]

st.navigation(PAGES).run()
