"""Re-plan every client at once: one button, a progress bar, the failures with reasons."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from planner.services import solve_service
from planner.services.batch import Replanned, next_monday, replan_clients, week_note
from planner.services.workspace_access import Workspace
from planner.ui.state import workspace as workspace_state


def render(ws: Workspace) -> None:
    """The batch re-plan section of the client list."""
    with st.expander("Re-plan every client"):
        st.caption("Each active client gets a new plan version that changes as little as "
                   "possible from their newest one. Stay on this page until it is done.")
        week = st.date_input("Week of", next_monday(date.today()), key="ws_batch_week")
        if st.button("Re-plan every client", key="ws_batch_replan"):
            bar = st.progress(0.0, "Starting…")

            def progress(outcome: Replanned, done: int, total: int) -> None:
                bar.progress(done / total, f"{done} of {total} clients done ({outcome.name})")

            st.session_state.ws_batch_results = replan_clients(
                ws, workspace_state.catalog(ws), solve_service.pool(), week_note(week),
                on_result=progress)
        results: list[Replanned] | None = st.session_state.get("ws_batch_results")
        if results is None:
            return
        failed = [r for r in results if not r.saved]
        st.success(f"{len(results) - len(failed)} of {len(results)} clients re-planned.")
        if failed:
            st.dataframe(pd.DataFrame([{"client": r.name, "reason": r.reason} for r in failed]),
                         hide_index=True, key="ws_batch_failures")
