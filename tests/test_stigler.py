"""The suggestions LP reproduces the Stigler diet (OR-Tools sample data) at $39.6617 a year."""

from pathlib import Path

import pandas as pd
import pytest

from planner.optimize.cheapest_mix import cheapest_mix

DATA = pd.read_csv(Path(__file__).parent / "fixtures" / "stigler.csv").set_index("commodity")
# 1943 allowances per day, in the units of the data columns
NEED = {"calories_kcal": 3, "protein_g": 70, "calcium_g": 0.8, "iron_mg": 12,
        "vitamin_a_kiu": 5, "thiamine_mg": 1.8, "riboflavin_mg": 2.7, "niacin_mg": 18,
        "ascorbic_acid_mg": 75}


def test_stigler_diet_costs_39_6617_dollars_a_year():
    assert DATA.shape == (77, 11)
    # amounts are per dollar spent, so each food's quantity is dollars and costs 1 per unit
    dollars = cheapest_mix(DATA[list(NEED)], pd.Series(1.0, index=DATA.index), NEED)
    assert 365 * dollars.sum() == pytest.approx(39.6617, abs=5e-4)
    chosen = set(dollars[dollars > 1e-9].index)
    assert chosen == {"Wheat Flour (Enriched)", "Liver (Beef)", "Cabbage", "Spinach",
                      "Navy Beans, Dried"}
    intake = DATA[list(NEED)].T @ dollars
    assert all(intake[n] >= need - 1e-6 for n, need in NEED.items())


def test_no_mix_meets_an_impossible_need():
    amounts = pd.DataFrame({"x": [1.0, 2.0]}, index=["a", "b"])
    assert cheapest_mix(amounts, pd.Series([1.0, 1.0], index=["a", "b"]), {"x": 10}, cap=1) is None
