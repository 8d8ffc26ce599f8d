"""Locked meals in the session: ``Lock`` values under the ``locks`` goal parameter."""

from __future__ import annotations

import streamlit as st

from planner.domain.catalog import Slot
from planner.domain.goals import Lock
from planner.ui.state import goals


def locks() -> list[Lock]:
    """The locked meals."""
    return list(st.session_state["locks"])


def meal_id(meal) -> str:
    """A meal's place in the plan, ``day:slot``."""
    return f"{meal.day}:{meal.slot}"


def is_locked(meal) -> bool:
    """True when this day and slot is locked."""
    return any((x.day, x.slot) == (meal.day, meal.slot) for x in locks())


def lock(day: int, slot: Slot | str, recipe_id: str, servings: float) -> None:
    """Lock ``recipe_id`` (at ``servings``) into a day and slot, replacing any lock there."""
    kept = [x for x in locks() if (x.day, x.slot) != (day, slot)]
    st.session_state["locks"] = [*kept, Lock(day=day, slot=slot, recipe_id=recipe_id,
                                             servings=servings)]


def toggle_lock(meal) -> None:
    """Lock the meal as it is, or unlock it."""
    if is_locked(meal):
        st.session_state["locks"] = [x for x in locks() if (x.day, x.slot) != (meal.day, meal.slot)]
    else:
        lock(meal.day, meal.slot, meal.recipe_id, meal.servings)


def ban(recipe_id: str) -> None:
    """Exclude a recipe from every plan (and drop its locks), and ask for a re-plan."""
    if recipe_id not in st.session_state["exclude_recipes"]:
        st.session_state["exclude_recipes"] = [*st.session_state["exclude_recipes"], recipe_id]
    st.session_state["locks"] = [x for x in locks() if x.recipe_id != recipe_id]
    goals.request_replan()


def clear_locks() -> None:
    """Unlock every meal."""
    st.session_state["locks"] = []
