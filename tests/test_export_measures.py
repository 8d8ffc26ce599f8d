"""Household measures on the shopping list: rounding, plurals, the measure chosen."""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.io.measures import FRACTIONS, household_measure, load_portions, pluralize, round_count

FIXTURE = Path(__file__).parent / "fixtures" / "charts_export"
GLYPH = {glyph: value for value, glyph in FRACTIONS if glyph}


def parse(text: str) -> float:
    """The number a kitchen quantity like "2 ½" stands for."""
    return sum(GLYPH[part] if part in GLYPH else float(part) for part in text.split())


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_rounded_count_reads_back_as_its_value_and_stays_close(count):
    value, text = round_count(count)
    assert parse(text) == pytest.approx(value) if text else value == 0
    assert abs(value - count) <= (1 / 8 if count < 10 else 1 / 2) + 1e-9


@given(st.integers(min_value=0, max_value=9), st.sampled_from(FRACTIONS))
def test_exact_kitchen_quantities_are_kept(whole, fraction):
    value, glyph = fraction
    assert round_count(whole + value) == pytest.approx(
        (whole + value, " ".join(p for p in (str(whole) if whole else "", glyph) if p))
    )


@pytest.mark.parametrize(
    ("measure", "plural"),
    [("cup", "cups"), ("cup, chopped", "cups, chopped"), ("slice (1 oz)", "slices (1 oz)"),
     ("patty", "patties"), ("leaf", "leaves"), ("bunch", "bunches"), ("large", "large"),
     ("oz", "oz"), ("tbsp", "tbsp"), ("individual packet", "individual packets"),
     ("miniature box", "miniature boxes")],
)
def test_countable_measures_take_the_plural(measure, plural):
    assert pluralize(measure) == plural


def _portions(*rows):
    return pd.DataFrame(rows, columns=["amount", "measure", "grams"])


@pytest.mark.parametrize(
    ("grams", "portions", "expected"),
    [
        (150, _portions((1, "large", 50), (1, "cup (4.86 large eggs)", 243)), "3 large"),
        (625, _portions((1, "cup, chopped", 136), (1, "large", 50)), "12 large"),
        (20, _portions((1, "wedge yields", 5.9), (1, "tbsp", 15.2)), "1 ⅓ tbsp"),
        (198, _portions((0.5, "fillet", 198)), "½ fillet"),
        (75, _portions((1, "slice (1 oz)", 28.35), (1, "oz", 28.35)), "2 ⅔ slices"),
        (850, _portions((1, 'large (3" to 4-1/4" dia.)', 300)), "2 ¾ large"),
        (100, _portions((1, "individual packet", 9)), "11 individual packets"),
        (395, _portions((1, "cup", 158), (1, "oz", 28.35), (1, "cubic inch", 17)), ""),
        (100, _portions((1, "tbsp", 16)), ""),  # 6 ¼ tbsp: weighed instead
        (300, _portions((1, "almond", 1.2)), ""),  # 250 almonds: weighed instead
        (100, _portions((1, "fl oz", 30.5), (1, "cup", 244)), "95 ml"),
        (245, _portions((1, "cup (8 fl oz)", 245)), "240 ml"),
        (2440, _portions((1, "fl oz", 30.5)), "2.37 l"),
        (0.1, _portions((1, "large", 50)), ""),
        (100, _portions(), ""),
    ],
)
def test_household_measure_examples(grams, portions, expected):
    assert household_measure(grams, portions) == expected


@given(
    grams=st.floats(min_value=1, max_value=5000),
    portion=st.tuples(st.sampled_from([0.25, 0.5, 1, 3]),
                      st.sampled_from(["slice", "large", "tbsp"]),
                      st.floats(min_value=5, max_value=500)),
)
def test_household_measure_weighs_about_the_grams(grams, portion):
    amount, measure, weight = portion
    text = household_measure(grams, _portions(portion))
    count = grams / weight * amount
    if not text:
        assert count < 1 / 8 or count > (4 if measure == "tbsp" else 20)
        return
    number = text.removesuffix(pluralize(measure)).removesuffix(measure).strip()
    assert abs(parse(number) - count) <= (1 / 8 if count < 10 else 1 / 2) + 1e-9


@given(grams=st.floats(min_value=0, max_value=5000),
       portions=st.lists(st.tuples(st.sampled_from([0.5, 1, 8]),
                                   st.sampled_from(["cup", "oz", "lb", "pint", "cubic inch",
                                                    "NLEA serving", "cup, diced", "quart"]),
                                   st.floats(min_value=1, max_value=500)), max_size=3))
def test_us_measures_are_never_shown(grams, portions):
    assert household_measure(grams, _portions(*portions)) == ""


def test_missing_portions_file_means_grams_only(tmp_path):
    assert load_portions(tmp_path).empty
    assert list(load_portions(FIXTURE)["food_id"].unique()) == ["natto", "rice", "gouda", "salmon"]
