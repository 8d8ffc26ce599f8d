"""The app: a navigation table over the pages in planner/ui/pages/ and nothing else.

``url_path`` keeps each page's address stable whatever its file is called.
"""

import streamlit as st

st.set_page_config(page_title="K2·D3 Meal Planner", page_icon="🥦", layout="wide")

PAGES = [
    st.Page("planner/ui/pages/plan.py", title="Plan", icon=":material/calendar_month:",
            url_path="plan_page", default=True),
    st.Page("planner/ui/pages/nutrients.py", title="Nutrients", icon=":material/bar_chart:",
            url_path="nutrients_page"),
    st.Page("planner/ui/pages/shopping.py", title="Shopping list",
            icon=":material/shopping_cart:", url_path="shopping_page"),
    st.Page("planner/ui/pages/recipes.py", title="Recipes", icon=":material/menu_book:",
            url_path="recipes_page"),
    st.Page("planner/ui/pages/sources.py", title="Sources & method", icon=":material/info:",
            url_path="sources_page"),
    st.Page("planner/ui/pages/workspace.py", title="Clients (dietitians)",
            icon=":material/group:", url_path="workspace"),
    st.Page("planner/ui/pages/workspace_import.py", title="Import recipes",
            icon=":material/upload_file:", url_path="workspace_import"),
    st.Page("planner/ui/pages/workspace_share.py", title="Shared plan", icon=":material/share:",
            url_path="workspace_share"),
]

st.navigation(PAGES).run()
