"""Workspace: a dietitian's clients (list, search, create, archive, import) and one client's
record below the list."""

import pandas as pd
import streamlit as st

from planner.domain.goals import LifeStage, Sex
from planner.domain.workspace import ClientProfile, StoreError
from planner.services.client_records import import_client
from planner.ui.pages import workspace_batch, workspace_client
from planner.ui.state import workspace as workspace_state

SEXES = tuple(Sex)
LIFE_STAGES = tuple(LifeStage)

st.title("Clients")
ws = workspace_state.require_login()


def create_client() -> None:
    s = st.session_state
    profile = ClientProfile(name=s.ws_new_name, sex=s.ws_new_sex, age=int(s.ws_new_age),
                            life_stage=s.ws_new_life_stage, weight_kg=s.ws_new_weight,
                            notes=s.ws_new_notes)
    try:
        client = ws.create_client(profile)
    except StoreError as exc:
        s.ws_new_error = str(exc)
        return
    s.pop("ws_new_error", None)
    s.ws_new_name, s.ws_new_notes, s.ws_new_weight = "", "", None  # a second Enter adds nothing
    s.ws_client = client.id


def import_record() -> None:
    upload = st.session_state.ws_import_client
    if upload is None:
        return
    try:
        client = import_client(ws, upload.getvalue(), workspace_state.catalog(ws))
    except StoreError as exc:
        st.session_state.ws_import_error = f"{upload.name}: {exc}"
        return
    st.session_state.pop("ws_import_error", None)
    st.session_state.ws_client = client.id


with st.expander("New client", expanded=not ws.list_clients(include_archived=True)):
    with st.form("ws_new_client", clear_on_submit=False):
        st.text_input("Name", key="ws_new_name")
        left, mid, right = st.columns(3)
        left.selectbox("Sex", SEXES, key="ws_new_sex")
        mid.number_input("Age (years)", 1, 120, 40, key="ws_new_age")
        right.selectbox("Life stage", LIFE_STAGES, key="ws_new_life_stage")
        st.number_input("Weight (kg, optional)", 2.0, 400.0, value=None, key="ws_new_weight")
        st.text_area("Notes", key="ws_new_notes")
        st.form_submit_button("Create client", on_click=create_client)
    if "ws_new_error" in st.session_state:
        st.error(st.session_state.ws_new_error)
    st.file_uploader("…or import a client record (JSON exported here)", type=["json"],
                     key="ws_import_client", on_change=import_record)
    if "ws_import_error" in st.session_state:
        st.error(st.session_state.ws_import_error)

search_col, archived_col = st.columns([3, 1])
search = search_col.text_input("Search name or notes", key="ws_search")
show_archived = archived_col.checkbox("Show archived", key="ws_show_archived")
clients = ws.list_clients(search, include_archived=show_archived)
if not clients:
    st.info("No clients match." if search else "No clients yet: create one above.")
    st.stop()
workspace_batch.render(ws)
st.dataframe(pd.DataFrame([{"id": c.id, "name": c.profile.name, "sex": c.profile.sex,
                            "age": c.profile.age,
                            "steady vitamin K": "yes" if c.steady_k else "",
                            "archived": "yes" if c.archived else "",
                            "updated": c.updated_at.strftime("%Y-%m-%d %H:%M")}
                           for c in clients]), hide_index=True, key="ws_client_table")
by_id = {c.id: c for c in clients}
if st.session_state.get("ws_client") not in by_id:
    st.session_state.ws_client = clients[0].id
chosen = st.selectbox("Client", list(by_id), key="ws_client",
                      format_func=lambda i: f"{by_id[i].profile.name} (#{i}, since "
                      f"{by_id[i].created_at:%Y-%m-%d})")
workspace_client.render(ws, chosen)
