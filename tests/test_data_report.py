"""`python -m planner data-report`: K2 coverage by grade and source, the unknown foods.

Expected figures are recomputed from the fixture CSVs with pandas, not taken
from the report's own code.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from planner.__main__ import main
from planner.domain.k2_evidence import GRADES, k2_text
from tests.planning_helpers import TINY


@pytest.fixture(scope="module")
def tiny_rows() -> pd.DataFrame:
    foods = pd.read_csv(TINY / "foods.csv").set_index("food_id")
    rows = pd.read_csv(TINY / "recipe_ingredients.csv")
    return rows.join(foods[["k2_grade", "category", "animal"]], on="food_id")


def test_data_report_json_recomputes_from_the_csvs(capsys, tiny_rows):
    assert main(["data-report", "--data", str(TINY), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    total = tiny_rows["grams"].sum()
    for grade in GRADES:
        grams = tiny_rows.loc[tiny_rows["k2_grade"] == grade, "grams"].sum()
        assert report["mass_by_grade"][grade] == pytest.approx(grams / total)
    known = tiny_rows["k2_grade"] != "unknown"
    coverage = (tiny_rows["grams"] * known).groupby(tiny_rows["recipe_id"]).sum() / \
        tiny_rows.groupby("recipe_id")["grams"].sum()
    assert report["coverage_median"] == pytest.approx(coverage.median())
    assert report["recipes_under_half"] == int((coverage < 0.5).sum())
    unknown = tiny_rows[~known].groupby("food_id")["grams"].sum().sort_values(ascending=False)
    assert [f["food_id"] for f in report["unknown_foods"]] == list(unknown.index)
    assert [f["grams_in_recipes"] for f in report["unknown_foods"]] == list(unknown.values)
    k2_foods = (tiny_rows["animal"] != "none") | (tiny_rows["category"] == "fermented")
    relevant = set(tiny_rows.loc[k2_foods, "recipe_id"])
    assert report["k2_relevant_under_threshold"] == sorted(
        set(coverage[coverage < 0.6].index) & relevant)


def test_data_report_text_names_grades_and_unknown_foods(capsys):
    assert main(["data-report", "--data", str(TINY)]) == 0
    out = capsys.readouterr().out
    assert "median" in out and "measured" in out and "salmon" in out


def test_bundled_data_meets_the_k2_coverage_goal(capsys):
    """Median recipe K2 coverage ≥ 0.9; every K2-relevant recipe under 0.6 uses a food
    whose notes say why its K2 is unknown."""
    assert main(["data-report", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["coverage_median"] >= 0.9
    explained = {f["food_id"] for f in report["unknown_foods"] if f["notes"]}
    ingredients = pd.read_csv(TINY.parent.parent.parent / "data" / "recipe_ingredients.csv")
    for recipe in report["k2_relevant_under_threshold"]:
        used = set(ingredients.loc[ingredients["recipe_id"] == recipe, "food_id"])
        assert used & explained, f"{recipe}: under 0.6 with no reason in any food's notes"


@pytest.mark.parametrize(("k2", "coverage"), [(12.34, 0.85), (0.0, 0.5), (5.0, 1.0)])
def test_k2_total_reads_as_a_lower_bound_with_its_coverage(k2, coverage):
    text = k2_text(k2, coverage)
    assert text.startswith(f"≥ {k2:.1f} µg") and f"{coverage:.0%}" in text


@pytest.mark.parametrize(("k2", "coverage"), [(float("nan"), 0.0), (0.0, 0.0), (None, 0.0)])
def test_k2_with_no_figure_reads_unknown_never_zero(k2, coverage):
    text = k2_text(k2, coverage)
    assert "unknown" in text and "0.0" not in text
