"""A solve job on a page: place in the queue or time solving, the best plan so far, a
Cancel button, the outcome.

The script waits for the job, redrawing its progress every ``REDRAW_S``; a click
anywhere (Cancel included) interrupts that wait at the next redraw, and the job,
kept in the session under its key, is picked up again by the next run. Cancel
stops the solver process; the caller keeps whatever plan it had.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from planner.analysis import plan_summary
from planner.domain.catalog import Catalog
from planner.domain.plan import Plan
from planner.services.jobs import Job, JobState, Progress, QueueFull

REDRAW_S = 0.25


def _cancel(key: str) -> None:
    job: Job | None = st.session_state.pop(key, None)
    if job is not None:
        job.cancel()
        st.session_state[f"{key}_note"] = ("info", "Solve cancelled: your previous plan is kept.")


def label(progress: Progress) -> str:
    """What the user reads about a job that has not ended."""
    if progress.state is JobState.QUEUED:
        return (f"Every solver is busy: you are number {progress.queue_position} in line. "
                "Your plan starts as soon as one is free.")
    return (f"Finding the best plan… {progress.seconds:.0f} s of at most "
            f"{progress.time_limit_s:.0f} s.")


def start(key: str, submit: Callable[[], Job]) -> None:
    """Submit a job under ``key`` (a full queue is said at once, nothing is queued)."""
    try:
        st.session_state[key] = submit()
    except QueueFull as exc:
        st.session_state[f"{key}_note"] = ("warning", f"Not started: {exc}.")


def follow(key: str, catalog: Catalog) -> Plan | None:
    """Wait for the job under ``key`` with progress, the best plan so far and Cancel; its
    plan when done, else None (no job, cancelled or failed: a note says which)."""
    note = st.session_state.pop(f"{key}_note", None)
    if note:
        getattr(st, note[0])(note[1])
    job: Job | None = st.session_state.get(key)
    if job is None:
        return None
    box = st.empty()
    with box.container():
        bar = st.progress(0.0, "Starting…")
        best = st.empty()
        st.button("Cancel", key=f"{key}_cancel", on_click=_cancel, args=(key,))
    shown = None
    while not job.wait(REDRAW_S):
        progress = job.progress()
        share = progress.seconds / progress.time_limit_s if progress.time_limit_s else 0.0
        bar.progress(min(1.0, share), label(progress))
        if progress.best is not None and progress.best != shown:
            shown = progress.best
            best.caption(plan_summary.so_far(shown, catalog, job.request.days))
    box.empty()
    st.session_state.pop(key, None)
    outcome = job.outcome()
    if outcome.plan is None:
        st.error(f"No new plan: {outcome.error}. Your previous plan is kept.")
    return outcome.plan
