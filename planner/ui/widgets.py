"""Widgets shared by several pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd
import streamlit as st

from planner.analysis import plan_summary
from planner.domain import nutrients
from planner.domain.catalog import ALLERGENS, Catalog, Diet
from planner.domain.goals import MAX_DAYS, MAX_REPEATS, LifeStage, Sex
from planner.domain.plan import Plan, PlanStatus, SolverInfo
from planner.io import handout, plan_files
from planner.ui.state import goals as goal_state
from planner.ui.state import session as state
from planner.ui.state.url import GOALS

NOT_MEDICAL_ADVICE = (
    "This planner is an aid for planning meals, **not medical advice**. Vitamin K intake must "
    "stay steady for people on warfarin or other vitamin K antagonists: talk to your clinician "
    "before changing it."
)


# Every ASCII punctuation character can be backslash-escaped in CommonMark; escaping them all
# turns links, images, emphasis, HTML, autolinks and LaTeX in user text into plain characters.
_MARKUP = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>()#+-.!|~:$&=\"'/?%@^;,"})


def plain(text: object) -> str:
    """``text`` escaped so that Streamlit markdown (labels, headers, messages) shows it as is."""
    return " ".join(str(text).split()).translate(_MARKUP)


def nutrient_table(values: Mapping[str, float], ids: tuple[str, ...]) -> pd.DataFrame:
    """Rows of label, amount and unit for the registry ids in ``ids``; unknown shown blank."""
    rows = [
        {"nutrient": nutrients.get(i).label, "amount": values.get(i), "unit": nutrients.get(i).unit}
        for i in ids
    ]
    return pd.DataFrame(rows)


def coverage_note(k2_coverage: float, what: str = "this recipe") -> None:
    """A visible note when K2 is unknown for part of the ingredient mass, never a silent zero."""
    if k2_coverage < 0.999:
        st.caption(
            f":material/warning: K2 is known for {k2_coverage:.0%} of {what}'s ingredient "
            "weight; the rest is unknown, so the true K2 may be higher than shown."
        )


def disclaimer() -> None:
    """The not-medical-advice statement."""
    st.info(NOT_MEDICAL_ADVICE, icon=":material/medical_information:")


def _error_below(errors: Mapping[str, str], keys: str | tuple[str, ...], where=st) -> None:
    """The problems with the goal parameters ``keys``, right below their inputs."""
    for key in (keys,) if isinstance(keys, str) else keys:
        if key in errors:
            where.error(errors[key], icon=":material/error:")


def _target_inputs(where, label: str, unit: str, keys: tuple[str, ...],
                   errors: Mapping[str, str]) -> None:
    """Min (and max, window) number inputs of one nutrient; blank = no bound."""
    where.markdown(f"**{label}** ({unit})")
    for key in keys:
        if key.endswith("_window"):
            where.segmented_control("Averaged over", ["day", "week"], key=key,
                                    help="Fat-soluble vitamins are stored: a weekly average "
                                         "is sound. Upper limits always hold every day.")
        else:
            kind = "at least" if key.endswith("_min") else "at most"
            where.number_input(f"{label} {kind}", min_value=0.0, value=None, step=1.0, key=key,
                               placeholder="no limit")
        _error_below(errors, key, where)


def goals_form(cat: Catalog, presets: list, errors: Mapping[str, str]) -> None:
    """Every goal input; a problem with an input is shown right below it.

    Changing the profile re-fills the targets from the reference intakes;
    choosing a K2 preset sets the K2 minimum to its daily amount.
    """
    _error_below(errors, tuple(k for k in errors if k not in GOALS))  # no input owns these
    who, k2, d3, ca = st.columns(4)
    who.markdown("**Who**")
    who.selectbox("Sex", [s.value for s in Sex], key="sex", on_change=goal_state.fill_targets,
                  args=(cat,))
    who.number_input("Age (years)", min_value=1, max_value=120, step=1, key="age",
                     on_change=goal_state.fill_targets, args=(cat,))
    who.selectbox("Life stage", [s.value for s in LifeStage], key="life_stage",
                  on_change=goal_state.fill_targets, args=(cat,))
    _error_below(errors, ("sex", "age", "life_stage"), who)

    by_id = {p.preset_id: p for p in presets}
    k2.selectbox(
        "K2 evidence preset", ["", *by_id], key="k2_preset",
        format_func=lambda i: f"{by_id[i].label} ({by_id[i].k2_ug_per_day:g} µg/day)" if i
        else "custom",
        on_change=goal_state.apply_k2_preset, args=(presets,),
        help="Evidence, not a recommendation. "
        + " ".join(f"**{p.label}**: {p.citation}." for p in presets),
    )
    _target_inputs(k2, nutrients.get(nutrients.K2).label, "µg", ("k2_min", "k2_window"), errors)
    if st.session_state["k2_window"] == "week":
        k2.number_input("Each day at least (% of the K2 minimum)", min_value=0.0,
                        max_value=100.0, step=10.0, key="k2_daily_share",
                        help="Spreads K2 over the week instead of one natto day and six "
                             "low days; 0 lets it vary freely.")
        _error_below(errors, "k2_daily_share", k2)
    _target_inputs(d3, "Vitamin D3", "µg", ("d3_min", "d3_max", "d3_window"), errors)
    _target_inputs(ca, "Calcium", "mg", ("calcium_min", "calcium_max"), errors)

    energy, diet, when, extra = st.columns(4)
    _target_inputs(energy, "Energy", "kcal", ("kcal_min", "kcal_max"), errors)
    _target_inputs(energy, "Protein", "g", ("protein_min",), errors)

    diet.markdown("**Diet**")
    diet.selectbox("Diet", [d.value for d in Diet], key="diet")
    diet.multiselect("Allergens to avoid", ALLERGENS, key="allergens")
    foods = cat.foods["name"]
    diet.multiselect("Disliked foods", list(foods.index), key="exclude_foods",
                     format_func=lambda f: foods.get(f, f))
    recipes = cat.recipes["name"]
    diet.multiselect("Disliked recipes", list(recipes.index), key="exclude_recipes",
                     format_func=lambda r: recipes.get(r, r))
    _error_below(errors, ("allergens", "exclude_foods", "exclude_recipes"), diet)

    when.markdown("**When**")
    when.slider("Days", 1, MAX_DAYS, key="days")
    when.multiselect("Meal slots", goal_state.ALL_SLOTS, key="slots")
    _error_below(errors, ("days", "slots", "locks"), when)
    when.number_input("A recipe at most … times a week", min_value=1, max_value=MAX_REPEATS,
                      step=1, key="max_repeats")
    _error_below(errors, "max_repeats", when)
    when.number_input("Budget per day (€)", min_value=0.0, value=None, step=1.0, key="budget",
                      placeholder="no limit")
    _error_below(errors, "budget", when)

    extra.markdown("**Extras**")
    extra.toggle("Allow supplements", key="supplements")
    extra.toggle("Steady vitamin K (warfarin)", key="steady_k",
                 help="Keeps every day's K1 + K2 within a band around your usual intake; "
                      "natto and K2 supplements are left out. Agree the value with your "
                      "clinician.")
    if st.session_state["steady_k"]:
        extra.number_input("Usual vitamin K (µg/day)", min_value=1.0, step=5.0,
                           key="steady_k_ug")
        extra.number_input("Band (± %)", min_value=1.0, max_value=99.0, step=5.0,
                           key="steady_k_band")
    _error_below(errors, ("steady_k", "steady_k_ug", "steady_k_band"), extra)


def headline(plan: Plan, figures: list[plan_summary.Headline]) -> None:
    """K2, D3 and calcium per day against target, and the cost, as the plan's first row."""
    mark = {True: "✓ ", False: "✗ ", None: ""}
    cols = st.columns(len(figures) + 1)
    for col, h in zip(cols, figures, strict=False):
        col.metric(f"{h.label}, per day", f"{mark[h.met]}{h.amount_text}",
                   help=f"Average per day over the plan; {h.target_text}."
                   + ("" if h.known_text is None else
                      f" {h.known_text}: known figures only are counted."))
        col.caption(h.target_text + ("" if h.known_text is None else f"; {h.known_text}"))
    cols[-1].metric("Cost", f"€{plan.cost_eur:.2f}", help="Estimated, for the whole plan.")
    cols[-1].caption(f"{len({m.day for m in plan.meals})} day(s)")


def how_found(plan: Plan) -> None:
    """Status, solver, time and gap, folded away below the plan."""
    meaning = {PlanStatus.OPTIMAL: "meets every target, within the solver's gap of the lowest "
                                   "cost",
               PlanStatus.FEASIBLE: "meets every target (best found in the time limit)",
               PlanStatus.RELAXED: "the closest plan; some targets are missed"}
    with st.expander(f"How this was found ({plan.solver.seconds:.1f} s)"):
        st.markdown(f"Status: **{plan.status}**, {meaning.get(plan.status, '')}. "
                    f"Solver: {plain(plan.solver.name)} ({plain(plan.solver.status_text)}), "
                    f"{plan.solver.seconds:.2f} s"
                    + ("" if plan.solver.gap is None else
                       f", gap to its proven bound {plan.solver.gap:.1%}") + ".")


CARDS_PER_ROW = 4


def _week_places(days: list[int]) -> list[tuple[object, list[int]]]:
    """(where to draw, its days) per week: week tabs for more than a week, else the page."""
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    places = st.tabs([f"Week {i + 1}" for i in range(len(weeks))]) if len(weeks) > 1 else [st]
    return list(zip(places, weeks, strict=True))


def day_cards(lines: pd.DataFrame, days: list[int]) -> None:
    """One bordered card per day: each meal with servings and its K2/D3, supplements last.

    Cards sit four to a row and stack on a narrow screen; more than a week is in week tabs.
    """
    for place, week in _week_places(days):
        for start in range(0, len(week), CARDS_PER_ROW):
            cols = place.columns(CARDS_PER_ROW)
            for col, day in zip(cols, week[start:start + CARDS_PER_ROW], strict=False):
                card = col.container(border=True)
                card.markdown(f"**Day {day}**")
                for row in lines[lines["day"] == day].itertuples(index=False):
                    card.markdown(_card_line(row))


def week_grid(lines: pd.DataFrame, days: list[int]) -> None:
    """The plan as one compact table for a wide screen: slots down, days across (meal and
    servings in each cell, supplements in their own row); more than a week in week tabs."""
    for place, week in _week_places(days):
        part = lines[lines["day"].isin(week)]
        cells = part.assign(
            row=part["slot"].map(lambda s: "Supplements" if s == plan_summary.SUPPLEMENT
                                 else str(s).capitalize()),
            column=part["day"].map(lambda d: f"Day {d}"),
            cell=part["name"] + " " + part["amount"])
        grid = cells.groupby(["row", "column"], sort=False)["cell"].agg("; ".join).unstack()
        grid = grid.reindex(columns=[f"Day {d}" for d in week]).fillna("")
        place.dataframe(grid.rename_axis(index=None, columns=None), width="stretch")


def _card_line(row) -> str:
    slot = "Supplement" if row.slot == plan_summary.SUPPLEMENT else str(row.slot).capitalize()
    partly = {nutrients.K2: "≥ " if row.k2_known < plan_summary.KNOWN else ""}
    amounts = [f"{partly.get(n, '')}{getattr(row, n):,.0f} {nutrients.get(n).unit} {short}"
               for n, short in ((nutrients.K2, "K2"), (nutrients.D3, "D3"))
               if getattr(row, n) >= 0.5]
    return (f"{slot}: {plain(row.name)} {row.amount}"
            + (f"  \n:gray[{' · '.join(amounts)}]" if amounts else ""))


def shortfalls(groups: list[plan_summary.ShortfallGroup]) -> None:
    """One line per nutrient and cause (its days listed once), with one fix button each."""
    for i, g in enumerate(groups):
        st.markdown(f"- **{plain(g.nutrient_label)}** ({plain(', '.join(g.scopes))}): "
                    + plain(g.explanation))
        if g.fix is not None:
            st.button(g.fix.label, key=f"fix_{i}", on_click=goal_state.apply_fix, args=(g.fix,))


def suggestions(found: list[dict]) -> None:
    """Each close-the-gap suggestion as one line (usual servings, energy, or a supplement)."""
    for s in found:
        st.markdown(f"- :material/lightbulb: {plain(s['text'])}")


def day_status(status: pd.DataFrame) -> None:
    """K2, D3, calcium and energy (and K1 + K2 on warfarin) per day against target: ✓ met,
    ✗ missed, plain = not judged that day; under a weekly minimum a day shows its week so far."""
    mark = {True: "✓ ", False: "✗ "}
    cells = status.assign(
        cell=[f"{mark.get(met, '')}{'≥ ' if n == nutrients.K2 else ''}{value:,.0f} "
              f"{nutrients.get(n).unit}"
              + (f" (week so far {so_far:,.0f} of {target:,.0f})" if so_far == so_far else "")
              for n, value, met, so_far, target in zip(
                  status["nutrient"], status["value"], status["met"], status["week_so_far"],
                  status["week_target"], strict=True)],
        row=status["day"].map(lambda d: f"Day {d}" if isinstance(d, int) else str(d)),
        column=status["nutrient"].map(lambda n: nutrients.get(n).label),
    )
    grid = cells.pivot(index="row", columns="column", values="cell").rename_axis(
        index=None, columns=None)
    grid = grid.loc[list(dict.fromkeys(cells["row"])), list(dict.fromkeys(cells["column"]))]
    st.markdown("**Each day against its targets** (a weekly target is judged on the week "
                "average; upper limits and daily targets every day)")
    st.dataframe(grid.style.map(_mark_colour), width="stretch")


def _mark_colour(cell: str) -> str:
    if cell.startswith("✓"):
        return "color: #2e7d32"
    return "color: #c62828; font-weight: bold" if cell.startswith("✗") else ""


def no_plan() -> None:
    """What a plan-based page shows before there is a plan (or after the goals changed)."""
    if state.last_plan() is not None:
        st.info("The goals changed since your last plan: re-plan on the Plan page.",
                icon=":material/update:")
    else:
        st.info("There is no plan yet: create one on the Plan page.", icon=":material/info:")
    st.page_link("planner/ui/pages/plan.py", label="Go to the Plan page",
                 icon=":material/calendar_month:")


def take_home(cat: Catalog, plan: Plan | None) -> None:
    """Downloads (CSV, JSON, PDF) of the plan, and loading a JSON plan back.

    A file that does not load gets a message below the uploader; the plan on
    screen stays as it was.
    """
    st.subheader("Take it home")
    if plan is not None:
        c = st.columns(3)
        c[0].download_button("Plan (CSV)", lambda: plan_files.plan_to_csv(plan, cat), "plan.csv",
                             "text/csv", key="download_plan_csv", on_click="ignore",
                             width="stretch")
        c[1].download_button("Plan (JSON)", plan_files.plan_to_json(plan), "plan.json",
                             "application/json", key="download_plan_json", on_click="ignore",
                             width="stretch")
        c[2].download_button("Printable handout (PDF)", _handout(plan, cat), "plan.pdf",
                             "application/pdf", key="download_plan_pdf", on_click="ignore",
                             width="stretch")
    upload = st.file_uploader("Load a plan (JSON)", type=["json"], key="upload_plan")
    if upload is not None and st.session_state.get("_loaded_upload") != upload.file_id:
        try:
            loaded = plan_files.plan_from_json_bytes(upload.getvalue(), cat)
            state.set_plan(replace(loaded, status=PlanStatus.FEASIBLE,
                                   solver=SolverInfo(status_text="loaded from a file")))
        except ValueError as exc:
            st.error(f"This file could not be loaded: {exc}. Your current plan is unchanged.",
                     icon=":material/error:")
        else:
            st.session_state["_loaded_upload"] = upload.file_id
            st.rerun()


def _handout(plan: Plan, cat: Catalog):
    """The PDF is only rendered when it is downloaded (a callable ``data``, as for the CSV)."""
    return lambda: handout.handout_pdf(plan, cat)
