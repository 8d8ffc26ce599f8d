"""What the Plan page shows first: headlines judged on their window, honest day marks,
the warfarin band, meals with their K2/D3, supplements and grouped shortfalls."""

from dataclasses import replace

import pytest

from planner import DATA_DIR
from planner.analysis import alternatives, plan_summary
from planner.domain import nutrients as nu
from planner.domain.catalog import load_catalog
from planner.domain.goals import SteadyK
from planner.domain.plan import (
    NOT_VEGAN_D3,
    Fix,
    Shortfall,
    SolverInfo,
    SupplementDose,
    daily_totals,
    supplement_note,
)
from tests.fixtures.charts_export.plans import catalog, make_plan

CAT = catalog()


def by_day(status, nutrient):
    return status[status["nutrient"] == nutrient].set_index("day")


def test_a_weekly_average_equal_to_its_target_is_met_despite_float_noise():
    # salmon rice gives 15 µg D3 a serving; 0.9999999 servings is 14.9999985 µg
    plan = make_plan([(1, "dinner", "salmon_rice", 0.9999999), (2, "dinner", "salmon_rice", 1.0)])
    d3 = {h.nutrient: h for h in plan_summary.headlines(plan, CAT)}[nu.D3]
    assert d3.met is True and d3.per_day == pytest.approx(15.0)
    assert d3.target_text == "target 15 µg/day, weekly average"
    status = by_day(alternatives.day_status(plan, CAT), nu.D3)
    assert status.loc[alternatives.WEEK, "met"] is True
    assert status.loc[2, "week_so_far"] == pytest.approx(30.0)
    assert status.loc[2, "week_target"] == pytest.approx(30.0)


def test_a_day_over_the_upper_limit_is_marked_even_under_a_weekly_minimum():
    plan = make_plan([(1, "dinner", "salmon_rice", 7.0)])  # 105 µg > 100 µg limit
    assert by_day(alternatives.day_status(plan, CAT), nu.D3).loc[1, "met"] is False


def test_a_daily_minimum_is_judged_on_every_day():
    plan = make_plan([(1, "dinner", "salmon_rice", 1.0), (2, "lunch", "gouda_rice", 1.0)])
    calcium = {h.nutrient: h for h in plan_summary.headlines(plan, CAT)}[nu.CALCIUM]
    assert calcium.met is False and calcium.target_text.endswith("every day")


def test_warfarin_mode_checks_each_days_k1_plus_k2_against_its_band():
    plan = make_plan([(1, "lunch", "gouda_rice", 1.0), (2, "breakfast", "natto_rice", 1.0)])
    status = alternatives.day_status(plan, CAT, steady_k=SteadyK(value_ug=30.0, band=0.2))
    k = by_day(status, nu.K_TOTAL)
    totals = daily_totals(plan, CAT)[nu.K_TOTAL]
    for day in (1, 2):
        assert k.loc[day, "value"] == pytest.approx(totals[day])
        assert k.loc[day, "met"] is bool(24.0 - 1e-6 <= totals[day] <= 36.0 + 1e-6)
    assert k.loc[2, "met"] is False  # natto: 450 µg MK-7, far above the band
    assert nu.K_TOTAL not in set(alternatives.day_status(plan, CAT)["nutrient"])


def test_day_lines_give_each_meal_and_supplement_its_k2_and_d3():
    dose = SupplementDose(day=1, supplement_id="k2_mk7_100", name="K2 MK-7 100 µg", units=2)
    plan = make_plan([(1, "dinner", "salmon_rice", 2.0)], supplements=[dose])
    lines = plan_summary.day_lines(plan, CAT).set_index("slot")
    assert lines.loc["dinner", nu.D3] == pytest.approx(30.0)
    assert lines.loc["supplement", nu.K2] == pytest.approx(200.0)
    assert list(lines["amount"]) == ["×2", "×2"]


def test_identical_explanations_are_one_line_with_one_fix():
    fix = Fix("Allow supplements", {"supplements": True})
    shortfalls = [Shortfall(nu.D3, f"day {d}", 20.0, 0.0, "Vegan meals give 0 µg.", fix)
                  for d in range(1, 8)] + [Shortfall(nu.CALCIUM, "day 1", 1000, 900, "Other.")]
    groups = plan_summary.group_shortfalls(shortfalls)
    assert [len(g.scopes) for g in groups] == [7, 1]
    assert groups[0].fix == fix and groups[1].fix is None


def test_a_d3_supplement_is_flagged_as_possibly_not_vegan():
    full = load_catalog(DATA_DIR)
    assert supplement_note(full, "d3_25") == NOT_VEGAN_D3
    assert supplement_note(full, "k2_mk7_100") == ""


def test_the_plan_so_far_says_how_far_it_reaches_its_figures_and_its_proof():
    plan = make_plan([(1, "dinner", "salmon_rice", 1.0), (2, "dinner", "salmon_rice", 1.0)])
    plan = replace(plan, cost_eur=7.5, solver=SolverInfo(gap=0.0123))
    d3 = {h.nutrient: h for h in plan_summary.headlines(plan, CAT)}[nu.D3]
    line = plan_summary.so_far(plan, CAT, 14)
    assert line.startswith("Best plan so far (days 1–2 of 14 planned): €7.50 · ")
    assert f"Vitamin D3 {d3.per_day:,.0f} µg/day ✓" in line
    assert line.endswith(", proven within 1.2% of the best possible.")
    whole = plan_summary.so_far(replace(plan, status="relaxed",
                                        solver=SolverInfo(gap=None)), CAT, 2)
    assert whole.startswith("Closest plan so far: €7.50") and "proven" not in whole


def test_k2_reads_as_a_lower_bound_with_its_known_share_when_part_is_unknown():
    """The bundled chicken noodle soup has K2 figures for under half its mass (its stock has
    none): the headline and its card line say "≥" and how much of the mass is known; a
    plan of fully known recipes says neither."""
    full = load_catalog(DATA_DIR)
    soup = "chicken_noodle_soup"
    known = full.recipes.at[soup, "k2_coverage"]
    assert known < plan_summary.KNOWN
    names = full.recipes["name"]
    plan = make_plan([(1, "dinner", soup, 1.0)], names=names)
    k2 = {h.nutrient: h for h in plan_summary.headlines(plan, full)}[nu.K2]
    assert k2.known == pytest.approx(known)
    assert k2.amount_text.startswith("≥ ")
    assert k2.known_text == f"K2 known for {known:.0%} of the plan's ingredient mass"
    assert plan_summary.day_lines(plan, full)["k2_known"].tolist() == [pytest.approx(known)]
    assert "Vitamin K2 (menaquinones) ≥ " in plan_summary.so_far(plan, full, 1)

    whole = full.recipes.index[full.recipes["k2_coverage"] >= 1.0][0]
    k2 = {h.nutrient: h for h in plan_summary.headlines(
        make_plan([(1, "dinner", whole, 1.0)], names=names), full)}[nu.K2]
    assert not k2.amount_text.startswith("≥") and k2.known_text is None
