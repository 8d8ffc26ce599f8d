"""Plan charts: tidy frames add up to the plan's day totals; chart specs carry the
right fields, units, tooltips and target / upper-limit rules."""

from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.analysis import charts
from planner.domain import nutrients as nu
from planner.domain.plan import SupplementDose, daily_totals
from tests.fixtures.charts_export.plans import catalog, make_plan, two_days

CAT = catalog()


@pytest.fixture(scope="module")
def frames():
    return charts.plan_frames(two_days(), CAT)


def data_of(spec: dict, view: dict) -> list[dict]:
    """The rows a (sub)chart of ``spec`` draws."""
    return spec["datasets"][view["data"]["name"]]


def titles(encoding: dict) -> list[str]:
    return [t["title"] for t in encoding["tooltip"]]


def by_day(frame: pd.DataFrame, nutrient: str) -> dict[int, float]:
    rows = frame[frame["nutrient"] == nutrient]
    return {int(d): pytest.approx(a) for d, a in rows.groupby("day")["amount"].sum().items()}


def test_daily_frame_is_the_plans_day_totals(frames):
    totals = daily_totals(two_days(), CAT)
    assert by_day(frames.daily, nu.K2) == {1: 450.0, 2: 55.0}
    assert by_day(frames.daily, nu.D3) == {1: 22.5, 2: 15.2}
    assert by_day(frames.daily, nu.CALCIUM) == {
        d: pytest.approx(v) for d, v in totals[nu.CALCIUM].items()}


def test_meal_rows_are_servings_times_per_serving(frames):
    salmon = frames.meals[(frames.meals["recipe_id"] == "salmon_rice")
                          & (frames.meals["nutrient"] == nu.D3)]
    assert sorted(salmon["amount"]) == [pytest.approx(15.0), pytest.approx(22.5)]
    unknown = frames.meals[(frames.meals["recipe_id"] == "salmon_rice")
                           & (frames.meals["nutrient"] == nu.K2)]
    assert unknown["amount"].isna().all()


def test_k2_forms_cover_every_menaquinone_and_add_up(frames):
    forms = frames.forms.set_index("nutrient")["amount"]
    assert list(frames.forms["form"]) == [nu.get(n).label for n in nu.MENAQUINONES]
    assert forms["mk7_ug"] == pytest.approx(450.0)
    assert forms["mk4_ug"] == pytest.approx(5.0)
    assert forms["mk_unspecified_ug"] == pytest.approx(50.0)
    assert forms.sum() == pytest.approx(505.0)


def test_k2_coverage_is_the_known_share_of_ingredient_grams(frames):
    cov = frames.coverage.set_index("day")
    assert cov.loc[1, "k2_coverage"] == pytest.approx(50 / 650)
    assert cov.loc[2, "k2_coverage"] == pytest.approx(100 / 700)
    assert frames.k2_coverage == pytest.approx(150 / 1350)
    assert frames.k2_unknown_note().startswith("K2 unknown for 89% of ingredients")


def test_a_fully_measured_plan_has_no_unknown_note():
    natto = CAT.foods.loc[["natto"]]
    measured = CAT.foods.drop(index="natto").assign(mk7_ug=0.0, k2_grade="measured")
    cat = replace(CAT, foods=pd.concat([natto, measured]))
    frames = charts.plan_frames(two_days(), cat)
    assert frames.k2_coverage == 1.0
    assert frames.k2_unknown_note() is None


def test_top_sources_rank_recipes_and_foods(frames):
    k2 = charts.top_sources(frames, nu.K2, "recipe")
    assert list(k2["source"]) == ["Natto rice", "Gouda rice"]
    assert list(charts.top_sources(frames, nu.K2, "food")["source"]) == ["Natto", "Gouda"]
    assert list(charts.top_sources(frames, nu.D3, "food")["source"]) == ["Salmon", "Gouda"]


def test_k2_chart_stacks_recipes_under_the_target_rule(frames):
    spec = charts.k2_by_recipe_chart(frames).to_dict()
    bars, rule = spec["layer"]
    enc = bars["encoding"]
    assert enc["y"]["title"] == nu.get(nu.K2).axis_title == "Vitamin K2 (menaquinones) (µg)"
    assert enc["y"]["aggregate"] == "sum" and enc["color"]["field"] == "recipe"
    assert enc["x"]["title"] == "Day"
    assert nu.get(nu.K2).axis_title in titles(enc)
    assert {r["recipe"] for r in data_of(spec, bars)} == {"Natto rice", "Gouda rice"}
    assert rule["mark"]["type"] == "rule"
    assert [(r["kind"], r["value"]) for r in data_of(spec, rule)] == [("target", 90.0)]


@pytest.mark.parametrize(
    ("chart", "nutrient", "limits"),
    [(charts.d3_chart, nu.D3, [("target", 15.0), ("upper limit", 100.0)]),
     (charts.calcium_chart, nu.CALCIUM, [("target", 1000.0), ("upper limit", 2500.0)])],
)
def test_daily_charts_draw_target_and_upper_limit(frames, chart, nutrient, limits):
    spec = chart(frames).to_dict()
    bars, rule = spec["layer"]
    assert bars["encoding"]["y"]["title"] == nu.get(nutrient).axis_title
    assert nu.get(nutrient).axis_title in titles(bars["encoding"])
    assert {r["nutrient"] for r in data_of(spec, bars)} == {nutrient}
    assert [(r["kind"], r["value"]) for r in data_of(spec, rule)] == limits
    assert rule["encoding"]["color"]["scale"]["domain"] == [k for k, _ in limits]


def test_energy_and_macros_side_by_side(frames):
    energy = charts.energy_chart(frames).to_dict()
    assert energy["layer"][0]["encoding"]["y"]["title"] == "Energy (kcal)"
    assert [r["value"] for r in data_of(energy, energy["layer"][1])] == [1800.0, 2400.0]
    macros = charts.macros_chart(frames).to_dict()
    assert macros["encoding"]["y"]["title"] == "Macronutrients (g)"
    assert {r["label"] for r in data_of(macros, macros)} == {"Protein", "Fat", "Carbohydrate"}
    assert "Amount (g)" in titles(macros["encoding"])


def test_k2_forms_chart_lists_forms_in_registry_order(frames):
    spec = charts.k2_forms_chart(frames).to_dict()
    assert spec["encoding"]["y"]["sort"] == [nu.get(n).label for n in nu.MENAQUINONES]
    assert spec["encoding"]["x"]["title"].startswith(nu.get(nu.K2).axis_title)
    assert {r["form"]: r["amount"] for r in data_of(spec, spec)}["MK-7"] == pytest.approx(450)


def test_k1_next_to_k2_each_day(frames):
    spec = charts.k1_vs_k2_chart(frames).to_dict()
    enc = spec["encoding"]
    assert enc["xOffset"]["field"] == "label" and enc["y"]["title"] == "Vitamin K (µg)"
    labels = {r["label"] for r in data_of(spec, spec)}
    assert labels == {nu.get(nu.K1).label, nu.get(nu.K2).label}


def test_top_sources_chart_has_k2_and_d3_by_recipe_and_food(frames):
    k2_recipe, k2_food, d3_recipe, d3_food = (
        charts.top_sources_chart(frames, n, by).to_dict()
        for n in (nu.K2, nu.D3) for by in ("recipe", "food"))
    assert k2_recipe["title"] == "By recipe" and k2_food["title"] == "By food"
    assert k2_recipe["encoding"]["x"]["title"].startswith(nu.get(nu.K2).axis_title)
    assert d3_food["encoding"]["x"]["title"].startswith(nu.get(nu.D3).axis_title)
    assert [r["source"] for r in data_of(k2_recipe, k2_recipe)] == ["Natto rice", "Gouda rice"]
    assert [r["source"] for r in data_of(d3_recipe, d3_recipe)] == ["Salmon rice", "Gouda rice"]
    assert "width" not in k2_recipe, "the chart takes its column's width"


MEALS = st.lists(
    st.tuples(st.integers(1, 7), st.sampled_from(["breakfast", "lunch", "dinner", "snack"]),
              st.sampled_from(["natto_rice", "gouda_rice", "salmon_rice"]),
              st.sampled_from([1.0, 1.5, 2.0])),
    min_size=1, max_size=12, unique_by=lambda m: (m[0], m[1]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MEALS)
def test_every_breakdown_adds_up_to_the_day_totals(meals):
    plan = make_plan(meals)
    frames = charts.plan_frames(plan, CAT)
    for n in (nu.K2, nu.D3):
        assert by_day(frames.meals, n) == by_day(frames.daily, n)
        total = frames.daily.loc[frames.daily["nutrient"] == n, "amount"].sum()
        for by in ("recipe", "food"):
            rows = frames.sources[(frames.sources["nutrient"] == n) & (frames.sources["by"] == by)]
            assert rows["amount"].sum() == pytest.approx(total)
    assert frames.forms["amount"].sum() == pytest.approx(
        frames.daily.loc[frames.daily["nutrient"] == nu.K2, "amount"].sum())
    assert frames.coverage["k2_coverage"].between(0, 1).all()
    assert set(frames.coverage["day"]) == {m[0] for m in meals}


def test_a_day_without_k2_still_has_its_place_on_the_axis():
    plan = make_plan([(1, "breakfast", "natto_rice", 1.0), (2, "dinner", "salmon_rice", 1.0)])
    spec = charts.k2_by_recipe_chart(charts.plan_frames(plan, CAT)).to_dict()
    bars = spec["layer"][0]
    assert bars["encoding"]["x"]["scale"]["domain"] == [1, 2]
    assert {r["day"] for r in data_of(spec, bars)} == {1}


def test_a_supplement_counts_as_a_source_by_recipe_and_by_food():
    dose = SupplementDose(day=2, supplement_id="k2_mk7_100", name="K2 MK-7 100 µg", units=1)
    plan = make_plan([(1, "breakfast", "natto_rice", 1.0), (2, "lunch", "gouda_rice", 1.0)],
                     supplements=[dose])
    frames = charts.plan_frames(plan, CAT)
    assert by_day(frames.daily, nu.K2) == {1: 450.0, 2: 127.5}
    assert by_day(frames.meals, nu.K2) == by_day(frames.daily, nu.K2)
    for by in ("recipe", "food"):
        assert "K2 MK-7 100 µg" in set(charts.top_sources(frames, nu.K2, by)["source"])
    assert frames.forms.set_index("nutrient").loc["mk7_ug", "amount"] == pytest.approx(550.0)


def test_an_empty_plan_draws_empty_charts():
    frames = charts.plan_frames(make_plan([]), CAT)
    assert frames.k2_coverage == 1.0 and frames.k2_unknown_note() is None
    for chart in (charts.k2_by_recipe_chart, charts.d3_chart, charts.calcium_chart,
                  charts.energy_chart, charts.macros_chart, charts.k2_forms_chart,
                  charts.k1_vs_k2_chart):
        assert chart(frames).to_dict()["$schema"]
    assert charts.top_sources_chart(frames, nu.K2, "food").to_dict()["$schema"]


def test_target_share_puts_each_day_against_its_minimum(frames):
    data = charts.target_share_frame(frames).set_index(["day", "nutrient"])
    daily = frames.daily.set_index(["day", "nutrient"])["amount"]
    assert data.loc[(1, nu.D3), "share"] == pytest.approx(daily[(1, nu.D3)] / 15.0)
    assert data.loc[(1, nu.CALCIUM), "share"] == pytest.approx(daily[(1, nu.CALCIUM)] / 1000)
    assert (data["shown"] <= charts.SHARE_CAP).all()
    spec = charts.target_share_chart(frames).to_dict()
    assert [r["y"] for r in data_of(spec, spec["layer"][1])] == [1.0]


PHONE_BOX = 374  # px a chart gets on a 390 px wide phone
NARROW_PLOT = 200  # px of plot Vega keeps when it fits a chart into that box


@pytest.fixture(scope="module")
def busy_frames():
    """A week of the real library's longest-named K2 recipes, two D3 supplements."""
    from planner.domain.catalog import load_catalog
    from planner.domain.plan import Meal, Plan

    cat = load_catalog()
    recipes = cat.recipes[cat.recipes[nu.K2] > 0]
    longest = recipes["name"].str.len().sort_values(ascending=False).index[:14]
    meals = [Meal(day=1 + i // 2, slot=("lunch", "dinner")[i % 2], recipe_id=r,
                  name=recipes.at[r, "name"], servings=1.0, locked=False)
             for i, r in enumerate(longest)]
    pills = [SupplementDose(day=d, supplement_id=s, name=cat.supplements.at[s, "name"], units=1)
             for d, s in ((1, "d3_25"), (2, "k2_d3_combo"))]
    plan = Plan(status="optimal", meals=meals, supplements=pills,
                targets=make_plan([]).targets, cost_eur=0.0)
    return charts.plan_frames(plan, cat)


@pytest.mark.parametrize("chart", [
    charts.k2_by_recipe_chart, charts.d3_chart, charts.calcium_chart, charts.energy_chart,
    charts.macros_chart, charts.k2_forms_chart, charts.k1_vs_k2_chart,
    charts.target_share_chart,
    lambda f: charts.top_sources_chart(f, nu.K2, "recipe"),
    lambda f: charts.top_sources_chart(f, nu.D3, "food"),
], ids=lambda c: getattr(c, "__name__", "top_sources"))
def test_a_chart_with_its_legends_fits_a_phone(busy_frames, chart):
    import re

    import vl_convert

    spec = chart(busy_frames).properties(width=NARROW_PLOT).to_dict()
    spec.pop("autosize", None)  # drawn at its natural size: a 200 px plot and what it needs
    svg = vl_convert.vegalite_to_svg(spec)
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg)[1])
    assert width <= PHONE_BOX, f"{width:.0f} px drawn for a {PHONE_BOX} px box"
