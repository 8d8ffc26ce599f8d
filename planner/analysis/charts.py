"""Charts of a plan: tidy frames built from (plan, catalog), and Altair charts drawn from them.

``plan_frames(plan, catalog)`` builds every frame once; each chart function is
pure, from those frames to an Altair chart. Amounts are in registry units
(``planner.domain.nutrients``); every axis title and tooltip carries its unit from
there. Day totals come from ``planner.domain.plan.daily_totals``; meal, food and form
breakdowns add up to them.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from planner.domain import nutrients as nu
from planner.domain.catalog import Catalog
from planner.domain.plan import Plan, daily_totals

UPPER_LIMIT = "upper limit"
TARGET = "target"
SUPPLEMENT_SLOT = "supplement"
TOP_N = 5
MACROS = (nu.PROTEIN, "fat_g", "carbs_g")
K2_FORMS = nu.MENAQUINONES
RULE_COLORS = {TARGET: "#2e7d32", UPPER_LIMIT: "#c62828"}
FROM_MEALS = "meals"
SUPPLEMENT_COLORS = ("#1565c0", "#00897b", "#5e35b1", "#ef6c00")
LABEL_LIMIT = 140  # px of a legend or axis label before it is cut with an ellipsis
# Legends go under the plot in one column, so a chart keeps its plot on a 390 px phone;
# the chart takes its container's width and grows in height with its legend.
LEGEND = {"orient": "bottom", "columns": 1, "labelLimit": LABEL_LIMIT}
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
PLOT_HEIGHT = 220  # px of the plot itself, legends below it


@dataclass(frozen=True)
class PlanFrames:
    """Tidy (long) frames of one plan; amounts in registry units.

    meals: ``day, slot, recipe_id, recipe, servings, locked, nutrient, amount`` — one
      row per meal (supplements with slot ``supplement``) and nutrient; NaN = unknown.
    daily: ``day, nutrient, amount`` — the plan's day totals.
    limits: ``nutrient, kind`` (target | upper limit), ``window`` (day | week), ``value``.
    forms: ``nutrient, form, amount`` — each menaquinone over the whole plan.
    sources: ``nutrient, by`` (recipe | food), ``source, amount`` — plan totals.
    coverage: ``day, known_g, total_g, k2_coverage`` — share (0–1) of the day's
      ingredient mass whose K2 content is known.
    """

    meals: pd.DataFrame
    daily: pd.DataFrame
    limits: pd.DataFrame
    forms: pd.DataFrame
    sources: pd.DataFrame
    coverage: pd.DataFrame

    @property
    def k2_coverage(self) -> float:
        """Share (0–1) of the whole plan's ingredient mass whose K2 is known (1 when empty)."""
        return _known_share(self.coverage)

    def k2_unknown_note(self) -> str | None:
        """The visible note 'K2 unknown for X% of ingredients (by weight)…'; None if all known."""
        unknown = 1.0 - self.k2_coverage
        if unknown < 0.005:
            return None
        return (f"K2 unknown for {unknown:.0%} of ingredients (by weight): "
                "the true K2 may be higher than shown.")


def k2_known_share(plan: Plan, catalog: Catalog) -> float:
    """``plan_frames(plan, catalog).k2_coverage`` without the other frames."""
    return _known_share(coverage_frame(meal_foods(plan, catalog), catalog))


def _known_share(coverage: pd.DataFrame) -> float:
    total = coverage["total_g"].sum()
    return float(coverage["known_g"].sum() / total) if total else 1.0


def plan_frames(plan: Plan, catalog: Catalog) -> PlanFrames:
    """Every chart frame of ``plan``, computed once."""
    meals, foods = meal_frame(plan, catalog), meal_foods(plan, catalog)
    return PlanFrames(
        meals=meals,
        daily=daily_frame(plan, catalog),
        limits=limits_frame(plan),
        forms=forms_frame(meals),
        sources=sources_frame(meals, foods, catalog),
        coverage=coverage_frame(foods, catalog),
    )


def meal_frame(plan: Plan, catalog: Catalog) -> pd.DataFrame:
    """``day, slot, recipe_id, recipe, servings, locked, nutrient, amount``, one row per
    meal (supplements: slot ``supplement``, servings = units) and registry nutrient.

    amount = per-serving (per-unit) amount × servings; NaN where the catalog does not know it.
    """
    recipes, supplements = catalog.recipes, catalog.supplements
    rows = [
        (m.day, m.slot, m.recipe_id, m.name, m.servings, m.locked, recipes.loc[m.recipe_id])
        for m in plan.meals
    ] + [
        (s.day, SUPPLEMENT_SLOT, s.supplement_id, s.name,
         s.units, False, supplements.loc[s.supplement_id])
        for s in plan.supplements
    ]
    records = [
        (day, slot, rid, name, servings, locked, n, float(facts[n]) * servings)
        for day, slot, rid, name, servings, locked, facts in rows
        for n in nu.ALL_IDS
    ]
    columns = ["day", "slot", "recipe_id", "recipe", "servings", "locked", "nutrient", "amount"]
    return pd.DataFrame.from_records(records, columns=columns)


def meal_foods(plan: Plan, catalog: Catalog) -> pd.DataFrame:
    """``day, slot, food_id, grams``: each meal's ingredients, scaled to its servings.

    grams = grams in the whole recipe · servings / recipe servings.
    """
    meals = pd.DataFrame(
        [(m.day, m.slot, m.recipe_id, m.servings) for m in plan.meals],
        columns=["day", "slot", "recipe_id", "servings"],
    )
    rows = meals.merge(catalog.ingredients[["recipe_id", "food_id", "grams"]], on="recipe_id")
    share = rows["servings"] / rows["recipe_id"].map(catalog.recipes["servings"])
    return rows.assign(grams=rows["grams"] * share)[["day", "slot", "food_id", "grams"]]


def daily_frame(plan: Plan, catalog: Catalog) -> pd.DataFrame:
    """``day, nutrient, amount``: ``daily_totals`` in long form."""
    totals = daily_totals(plan, catalog)
    ids = [n for n in nu.ALL_IDS if n in totals.columns]
    long = totals[ids].rename_axis("day").reset_index().melt(
        id_vars="day", var_name="nutrient", value_name="amount")
    return long.fillna({"amount": 0.0})


def limits_frame(plan: Plan) -> pd.DataFrame:
    """``nutrient, kind, window, value``: each target minimum and upper limit of the plan."""
    records = []
    for nutrient, bound in plan.targets.items():
        for kind, value in ((TARGET, bound.min), (UPPER_LIMIT, bound.max)):
            if value is not None:
                records.append({"nutrient": nutrient, "kind": kind,
                                "window": str(bound.window), "value": float(value)})
    return pd.DataFrame.from_records(records, columns=["nutrient", "kind", "window", "value"])


def forms_frame(meals: pd.DataFrame) -> pd.DataFrame:
    """``nutrient, form, amount``: each menaquinone form's total (µg) over ``meal_frame``."""
    totals = meals[meals["nutrient"].isin(K2_FORMS)].groupby("nutrient")["amount"].sum()
    return pd.DataFrame({
        "nutrient": list(K2_FORMS),
        "form": [nu.get(n).label for n in K2_FORMS],
        "amount": [float(totals.get(n, 0.0)) for n in K2_FORMS],
    })


def sources_frame(meals: pd.DataFrame, foods: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """``nutrient, by, source, amount``: K2 and D3 over the plan per recipe and per food.

    ``meals`` is ``meal_frame``, ``foods`` is ``meal_foods``; a food gives grams/100 · value.
    A supplement counts both as a recipe and as a food, so both views add up to the plan.
    """
    per_food = foods.groupby("food_id")["grams"].sum()
    facts = catalog.foods.loc[per_food.index]
    parts = []
    for n in (nu.K2, nu.D3):
        rows = meals[meals["nutrient"] == n]
        recipes = rows.groupby("recipe")["amount"].sum()
        pills = rows[rows["slot"] == SUPPLEMENT_SLOT].groupby("recipe")["amount"].sum()
        food_amounts = pd.concat(
            [(facts[n] * per_food / 100).groupby(facts["name"]).sum(), pills])
        for by, amounts in (("recipe", recipes), ("food", food_amounts)):
            parts.append(pd.DataFrame(
                {"nutrient": n, "by": by, "source": amounts.index, "amount": amounts.values}))
    return pd.concat(parts, ignore_index=True).astype({"amount": float})


def coverage_frame(foods: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """``day, known_g, total_g, k2_coverage``: ingredient grams with a known K2 figure per day."""
    known = catalog.foods["k2_grade"] != "unknown"
    grams = foods.assign(known_g=foods["grams"] * foods["food_id"].map(known).astype(float))
    per_day = grams.groupby("day").agg(known_g=("known_g", "sum"), total_g=("grams", "sum"))
    per_day["k2_coverage"] = per_day["known_g"] / per_day["total_g"]
    return per_day.reset_index()


def _fit_width(chart):
    """``chart`` as wide as its container, its plot PLOT_HEIGHT tall, legends below."""
    return chart.properties(autosize=FIT_WIDTH, height=PLOT_HEIGHT)


def _days(frames: PlanFrames) -> alt.X:
    """The day axis, listing every day of the plan even when a day has nothing to draw."""
    days = sorted(int(d) for d in frames.daily["day"].unique())
    return alt.X("day:O", title="Day", scale=alt.Scale(domain=days), axis=alt.Axis(labelAngle=0))


def _group_title(group: nu.Group, unit: str) -> str:
    """A registry group as an axis title with its unit, e.g. "Vitamin K (µg)"."""
    return f"{group[:1].upper()}{group[1:]} ({unit})"


def _amount(nutrient_id: str) -> alt.Tooltip:
    return alt.Tooltip("amount:Q", title=nu.get(nutrient_id).axis_title, format=".1f")


def _rules(frames: PlanFrames, nutrient_id: str) -> alt.Chart:
    """Horizontal rules at the nutrient's target and upper limit, coloured by kind."""
    limits = frames.limits[frames.limits["nutrient"] == nutrient_id]
    kinds = [k for k in RULE_COLORS if k in set(limits["kind"])]
    scale = alt.Scale(domain=kinds, range=[RULE_COLORS[k] for k in kinds])
    return alt.Chart(limits).mark_rule(strokeDash=[6, 3], size=2).encode(
        y=alt.Y("value:Q"),
        color=alt.Color("kind:N", scale=scale, title=None, legend=alt.Legend(**LEGEND)),
        tooltip=[alt.Tooltip("kind:N", title="Limit"),
                 alt.Tooltip("window:N", title="Minimum averaged over"),
                 alt.Tooltip("value:Q", title=nu.get(nutrient_id).axis_title, format=".1f")],
    )


def _daily_with_limits(frames: PlanFrames, nutrient_id: str, color: str) -> alt.LayerChart:
    """Daily bars of a nutrient, meals in ``color`` and each supplement stacked in its own,
    with the target and upper-limit rules."""
    nutrient = nu.get(nutrient_id)
    rows = frames.meals[frames.meals["nutrient"] == nutrient_id]
    source = rows["recipe"].where(rows["slot"] == SUPPLEMENT_SLOT, FROM_MEALS)
    days = (rows.assign(source=source).groupby(["day", "nutrient", "source"], as_index=False)
            ["amount"].sum())
    pills = sorted(set(days["source"]) - {FROM_MEALS})
    scale = alt.Scale(domain=[FROM_MEALS, *pills],
                      range=[color, *SUPPLEMENT_COLORS[:len(pills)]])
    bars = alt.Chart(days).mark_bar().encode(
        x=_days(frames),
        y=alt.Y("sum(amount):Q", title=nutrient.axis_title),
        color=alt.Color("source:N", scale=scale, title="From",
                        legend=alt.Legend(**LEGEND)),
        order=alt.Order("source:N"),
        tooltip=[alt.Tooltip("day:O", title="Day"), alt.Tooltip("source:N", title="From"),
                 _amount(nutrient_id)],
    )
    return _fit_width(alt.layer(bars, _rules(frames, nutrient_id))
                      .resolve_scale(color="independent"))


def k2_by_recipe_chart(frames: PlanFrames) -> alt.LayerChart:
    """Daily K2 (µg) stacked by recipe, with the K2 target rule."""
    meals = frames.meals[(frames.meals["nutrient"] == nu.K2) & (frames.meals["amount"] > 0)]
    meals = meals.merge(frames.coverage[["day", "k2_coverage"]], on="day", how="left")
    bars = alt.Chart(meals).mark_bar().encode(
        x=_days(frames),
        y=alt.Y("sum(amount):Q", title=nu.get(nu.K2).axis_title),
        color=alt.Color("recipe:N", title="Recipe", scale=alt.Scale(scheme="tableau20"),
                        legend=alt.Legend(**LEGEND)),
        order=alt.Order("slot:N"),
        tooltip=[alt.Tooltip("day:O", title="Day"), alt.Tooltip("slot:N", title="Meal"),
                 alt.Tooltip("recipe:N", title="Recipe"),
                 alt.Tooltip("servings:Q", title="Servings"), _amount(nu.K2),
                 alt.Tooltip("k2_coverage:Q", title="K2 known for (share of day's grams)",
                             format=".0%")],
    )
    return _fit_width(alt.layer(bars, _rules(frames, nu.K2)).resolve_scale(color="independent"))


def d3_chart(frames: PlanFrames) -> alt.LayerChart:
    """Daily vitamin D3 (µg) with its target and upper-limit rules."""
    return _daily_with_limits(frames, nu.D3, "#f9a825")


def calcium_chart(frames: PlanFrames) -> alt.LayerChart:
    """Daily calcium (mg) with its target (RDA by default) and upper-limit rules."""
    return _daily_with_limits(frames, nu.CALCIUM, "#78909c")


def energy_chart(frames: PlanFrames) -> alt.LayerChart:
    """Daily energy (kcal) with its band."""
    return _daily_with_limits(frames, nu.ENERGY, "#8d6e63")


def macros_chart(frames: PlanFrames) -> alt.Chart:
    """Protein, fat and carbohydrate (g) side by side for each day."""
    macros = frames.daily[frames.daily["nutrient"].isin(MACROS)].assign(
        label=lambda f: f["nutrient"].map(lambda n: nu.get(n).label))
    (unit,) = {nu.get(n).unit for n in MACROS}
    return _fit_width(alt.Chart(macros).mark_bar().encode(
        x=_days(frames),
        xOffset=alt.XOffset("label:N", sort=[nu.get(n).label for n in MACROS]),
        y=alt.Y("amount:Q", title=_group_title(nu.Group.MACRO, unit)),
        color=alt.Color("label:N", title="Nutrient", sort=[nu.get(n).label for n in MACROS],
                        legend=alt.Legend(**LEGEND)),
        tooltip=[alt.Tooltip("day:O", title="Day"), alt.Tooltip("label:N", title="Nutrient"),
                 alt.Tooltip("amount:Q", title=f"Amount ({unit})", format=".1f")],
    ))


def k2_forms_chart(frames: PlanFrames) -> alt.Chart:
    """Each K2 form (MK-4 … MK-10, form not reported) over the whole plan, in µg."""
    order = [nu.get(n).label for n in K2_FORMS]
    return alt.Chart(frames.forms).mark_bar(color="#6a1b9a").encode(
        x=alt.X("amount:Q", title=f"{nu.get(nu.K2).axis_title}, whole plan"),
        y=alt.Y("form:N", title="Form", sort=order),
        tooltip=[alt.Tooltip("form:N", title="Form"), _amount(nu.K2)],
    )


def k1_vs_k2_chart(frames: PlanFrames) -> alt.Chart:
    """K1 and K2 side by side for each day, in µg."""
    ids = (nu.K1, nu.K2)
    labels = [nu.get(n).label for n in ids]
    (unit,) = {nu.get(n).unit for n in ids}
    days = frames.daily[frames.daily["nutrient"].isin(ids)].assign(
        label=lambda f: f["nutrient"].map(lambda n: nu.get(n).label))
    return _fit_width(alt.Chart(days).mark_bar().encode(
        x=_days(frames),
        xOffset=alt.XOffset("label:N", sort=labels),
        y=alt.Y("amount:Q", title=_group_title(nu.Group.VITAMIN_K, unit)),
        color=alt.Color("label:N", title="Form", sort=labels, legend=alt.Legend(**LEGEND)),
        tooltip=[alt.Tooltip("day:O", title="Day"), alt.Tooltip("label:N", title="Form"),
                 alt.Tooltip("amount:Q", title=f"Amount ({unit})", format=".1f")],
    ))


def top_sources(frames: PlanFrames, nutrient_id: str, by: str, n: int = TOP_N) -> pd.DataFrame:
    """The ``n`` recipes or foods (``by``) giving the most of a nutrient over the plan."""
    rows = frames.sources[(frames.sources["nutrient"] == nutrient_id)
                          & (frames.sources["by"] == by) & (frames.sources["amount"] > 0)]
    return rows.nlargest(n, "amount")


def top_sources_chart(frames: PlanFrames, nutrient_id: str, by: str) -> alt.Chart:
    """The top recipes or foods (``by``) for one nutrient, as bars of its amount over the plan.

    One chart per panel, so each takes its column's width and a phone stacks them."""
    color = {nu.K2: "#6a1b9a", nu.D3: "#f9a825"}.get(nutrient_id, "#546e7a")
    return alt.Chart(top_sources(frames, nutrient_id, by), title=f"By {by}").mark_bar(
        color=color).encode(
        x=alt.X("amount:Q", title=f"{nu.get(nutrient_id).axis_title}, whole plan"),
        y=alt.Y("source:N", title=None, sort="-x", axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        tooltip=[alt.Tooltip("source:N", title=by.capitalize()), _amount(nutrient_id)],
    )


AT_A_GLANCE = (nu.K2, nu.D3, nu.CALCIUM, nu.ENERGY)
SHARE_CAP = 2.0  # bars stop at 200 % of target so one natto day does not flatten the rest


def target_share_frame(frames: PlanFrames) -> pd.DataFrame:
    """``day, nutrient, label, amount, share, shown``: each day's K2, D3, calcium and energy
    as a share of its minimum (1 = on target); ``shown`` is the share capped at SHARE_CAP."""
    minimums = frames.limits[frames.limits["kind"] == TARGET].set_index("nutrient")["value"]
    rows = frames.daily[frames.daily["nutrient"].isin(AT_A_GLANCE)
                        & frames.daily["nutrient"].isin(minimums.index[minimums > 0])]
    share = rows["amount"] / rows["nutrient"].map(minimums)
    return rows.assign(label=rows["nutrient"].map(lambda n: nu.get(n).label),
                       share=share, shown=share.clip(upper=SHARE_CAP))


def target_share_chart(frames: PlanFrames) -> alt.LayerChart:
    """Per day, K2, D3, calcium and energy side by side as % of target, with a 100 % rule."""
    data = target_share_frame(frames)
    order = [nu.get(n).label for n in AT_A_GLANCE]
    bars = alt.Chart(data).mark_bar().encode(
        x=_days(frames),
        xOffset=alt.XOffset("label:N", sort=order),
        y=alt.Y("shown:Q", title="Share of target", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, SHARE_CAP])),
        color=alt.Color("label:N", sort=order, title=None,
                        legend=alt.Legend(**LEGEND)),
        tooltip=[alt.Tooltip("day:O", title="Day"), alt.Tooltip("label:N", title="Nutrient"),
                 alt.Tooltip("amount:Q", title="Amount", format=",.1f"),
                 alt.Tooltip("share:Q", title="Share of target", format=".0%")],
    )
    rule = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(
        color=RULE_COLORS[TARGET], strokeDash=[6, 3], size=2).encode(y="y:Q")
    return _fit_width(alt.layer(bars, rule))
