"""Plan (home): goals in, a week of meals out; lock, swap, ban and re-plan; take it home."""

import streamlit as st

from planner.analysis import alternatives, charts, plan_summary
from planner.domain.catalog import Catalog
from planner.domain.goals import PlanRequest, k2_presets
from planner.domain.plan import Plan, supplement_note
from planner.services import solve_service
from planner.ui import job_progress, widgets
from planner.ui.state import goals as goal_state
from planner.ui.state import locks
from planner.ui.state import session as state

JOB = "plan_job"
PICK = "meal_pick"  # the meal the tools below act on
READY = "_plan_ready"  # the "new plan ready" line, shown once after the page is redrawn
VIEWS = ("Day cards", "One table (wide screens)")


def solve(cat: Catalog, request: PlanRequest) -> None:
    """Solve as a job with progress and Cancel; a new plan goes on screen, a cancelled or
    failed one keeps the previous plan."""
    job_progress.start(JOB, lambda: solve_service.submit(request, cat))


def show_new_plan(new: Plan) -> None:
    """Put a new plan on screen and redraw the page around it (the goals fold away,
    Re-plan is enabled), saying once that it is ready."""
    state.set_plan(new)
    st.session_state[READY] = (f"New plan ready in {new.solver.seconds:.1f} s "
                               f"({new.solver.name}).")
    st.rerun()


def meal_tools(cat: Catalog, plan: Plan) -> None:
    """Pick one meal, then lock/unlock it, swap it for a ranked alternative, or ban its recipe.

    A choice is ``day:slot:recipe_id``, so when a ban, swap or re-plan puts another meal in
    the picked place the choice moves to it and the picker never shows the meal it replaced.
    """
    meals = {f"{locks.meal_id(m)}:{m.recipe_id}": m for m in plan.meals}
    was = st.session_state.get(PICK)
    if was is not None and was not in meals:
        place = was.rsplit(":", 1)[0]
        st.session_state[PICK] = next((i for i in meals if i.rsplit(":", 1)[0] == place), None)
    picked = st.selectbox("Meal", list(meals), key=PICK,
                          format_func=lambda i: f"Day {meals[i].day} · {meals[i].slot} — "
                                                f"{meals[i].name} ×{meals[i].servings:g}")
    if picked is None:
        return
    meal = meals[picked]
    lock_col, ban_col = st.columns(2)
    lock_col.button("Unlock" if locks.is_locked(meal) else "Lock this meal", key="lock",
                    on_click=locks.toggle_lock, args=(meal,), width="stretch")
    ban_col.button(f"Ban “{widgets.plain(meal.name)}” and re-plan", key="ban", on_click=locks.ban,
                   args=(meal.recipe_id,), width="stretch")
    options = state.derived(plan, f"alternatives {meal.day}:{meal.slot}", lambda: (
        alternatives.best_alternatives(plan, cat, meal.day, meal.slot,
                                       goal_state.eligible_recipes(cat))))
    if not options:
        st.caption("No other recipe fits this slot under the current goals.")
        return
    by_id = {o.recipe_id: o for o in options}
    st.selectbox("Swap for (best first: the day stays closest to target)", list(by_id),
                 key="swap_choice", format_func=lambda r: by_id[r].label)
    st.button("Swap", key="swap", on_click=_swap, args=(cat, plan, meal))


def _swap(cat: Catalog, plan: Plan, meal) -> None:
    choice = st.session_state["swap_choice"]
    state.set_plan(alternatives.swap(plan, cat, meal.day, meal.slot, choice))
    locks.lock(meal.day, meal.slot, choice, meal.servings)


state.setup()
cat = state.catalog()
solve_service.warm()  # the first click finds a solver process ready

st.title("K2·D3 Meal Planner")
current = state.plan()
last = state.last_plan()
request, errors = goal_state.build_request(cat)
st.caption("Set your goals, press **Create plan**, get a week of real meals.")
for problem in state.url_errors():
    st.warning(problem, icon=":material/link_off:")
goals_label = "Your goals" if current is None else f"Your goals: {goal_state.goals_summary()}"
with st.expander(goals_label, expanded=current is None):  # no user text in the summary
    widgets.goals_form(cat, k2_presets(cat), errors)

if locks.locks():
    st.button(f"Unlock all {len(locks.locks())} locked meal(s)", key="clear_locks",
              on_click=locks.clear_locks)
go, again = st.columns(2)
create = go.button("Create plan", key="create_plan", type="primary", width="stretch")
replan = again.button("Re-plan (keep locks, change little)", key="replan", width="stretch",
                      disabled=last is None)
replan = replan or goal_state.take_pending_replan()
if (create or replan) and request is None:
    st.error("Fix the goals marked above first.", icon=":material/error:")
elif create or replan:
    solve(cat, goal_state.build_request(cat, previous=last)[0] if replan else request)
if (new := job_progress.follow(JOB, cat)) is not None:
    show_new_plan(new)
if ready := st.session_state.pop(READY, None):
    st.status(ready, state="complete")

if current is None and last is not None:
    st.info("The goals changed since your last plan (" + ", ".join(state.changed_goals())
            + "): press **Re-plan** to keep what still fits, or **Create plan** to start over.",
            icon=":material/update:")
elif current is None:
    st.info("No plan yet: adjust the goals if you like, then press **Create plan**.")
elif not current.meals:
    st.error(f"The solver found no plan ({current.solver.status_text or current.status}). "
             "Try fewer days or looser goals.", icon=":material/error:")
else:
    days = list(range(1, goal_state.goals()["days"] + 1))
    st.header(plan_summary.heading(len(days)))
    widgets.headline(current, state.derived(current, "headlines",
                                            lambda: plan_summary.headlines(current, cat)))
    for note in dict.fromkeys(supplement_note(cat, s.supplement_id) for s in current.supplements):
        if note and goal_state.goals()["diet"] == "vegan":
            st.warning(note, icon=":material/eco:")
    lines = state.derived(current, "day lines", lambda: plan_summary.day_lines(current, cat))
    if st.radio("Show the plan as", VIEWS, horizontal=True, key="plan_view") == VIEWS[0]:
        widgets.day_cards(lines, days)
    else:
        widgets.week_grid(lines, days)
    st.markdown("**K2, D3, calcium and energy each day, as a share of target**")
    frames = state.derived(current, "frames", lambda: charts.plan_frames(current, cat))
    st.altair_chart(state.derived(current, "share chart",
                                  lambda: charts.target_share_chart(frames)),
                    width="stretch", key="at_a_glance")
    widgets.day_status(state.derived(current, "day status", lambda: alternatives.day_status(
        current, cat, request.steady_k if request else None)))
    if current.shortfalls:
        st.warning("Not every target can be met with these settings; this is the closest plan.",
                   icon=":material/warning:")
        widgets.shortfalls(plan_summary.group_shortfalls(current.shortfalls))
        widgets.suggestions(current.suggestions)
    widgets.how_found(current)
    st.subheader("Change a meal")
    meal_tools(cat, current)
widgets.take_home(cat, current)
state.save()
