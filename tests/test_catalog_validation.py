"""The catalog loader: one report listing every data problem, and derived recipe facts."""

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.domain.catalog import CatalogError, Diet, Slot, derive_recipes, load_catalog
from planner.domain.k2_evidence import KNOWN_GRADES
from planner.domain.nutrients import STORED_IDS, add_derived

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(TINY, target)
    return target


def edit_csv(path: Path, edit) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = edit(frame)
    frame.to_csv(path, index=False)


def problems_of(data_dir: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(data_dir)
    return [str(p) for p in caught.value.problems]


def test_tiny_fixture_loads():
    catalog = load_catalog(TINY)
    assert set(catalog.recipes.index) == {"natto_rice", "gouda_rice", "salmon_rice"}


def test_negative_value_is_reported_with_file_line_and_column(data_dir):
    edit_csv(data_dir / "foods.csv", lambda f: f.assign(calcium_mg=f["calcium_mg"].where(
        f["food_id"] != "gouda", "-5")))
    assert problems_of(data_dir) == [
        "foods.csv, line 3, column 'calcium_mg': negative value (value: -5.0)"]


def test_unknown_food_in_recipe(data_dir):
    edit_csv(data_dir / "recipe_ingredients.csv",
             lambda f: f.replace({"food_id": {"salmon": "salmonn"}}))
    assert problems_of(data_dir) == [
        "recipe_ingredients.csv, line 6, column 'food_id': unknown food 'salmonn'"]


def test_duplicate_id(data_dir):
    edit_csv(data_dir / "recipes.csv",
             lambda f: f.replace({"recipe_id": {"gouda_rice": "natto_rice"}}))
    found = problems_of(data_dir)
    assert "recipes.csv, line 2, column 'recipe_id': duplicate id (value: 'natto_rice')" in found
    assert "recipes.csv, line 3, column 'recipe_id': duplicate id (value: 'natto_rice')" in found


def test_missing_column(data_dir):
    edit_csv(data_dir / "foods.csv", lambda f: f.drop(columns=["vit_d3_ug"]))
    assert problems_of(data_dir) == ["foods.csv, column 'vit_d3_ug': required column is missing"]


def test_unknown_allergen(data_dir):
    edit_csv(data_dir / "foods.csv", lambda f: f.assign(
        allergens=f["allergens"].where(f["food_id"] != "natto", "soy|lupin")))
    found = problems_of(data_dir)
    assert len(found) == 1
    assert found[0].startswith("foods.csv, line 2, column 'allergens': unknown allergen")


def test_unknown_source_key_and_text_in_number_column(data_dir):
    edit_csv(data_dir / "foods.csv", lambda f: f.assign(
        k2_source=f["k2_source"].where(f["food_id"] != "gouda", "nowhere"),
        protein_g=f["protein_g"].where(f["food_id"] != "rice", "lots")))
    found = problems_of(data_dir)
    assert any("line 3, column 'k2_source': source key not in sources.csv" in p for p in found)
    assert any("line 4, column 'protein_g': not a number" in p for p in found)


def test_every_problem_is_listed_at_once(data_dir):
    edit_csv(data_dir / "foods.csv", lambda f: f.assign(fat_g="-1"))
    edit_csv(data_dir / "recipe_ingredients.csv", lambda f: f.assign(grams="0"))
    edit_csv(data_dir / "recipes.csv", lambda f: f.assign(slots="brunch"))
    found = problems_of(data_dir)
    assert sum("foods.csv" in p and "negative value" in p for p in found) == 4
    assert sum("recipe_ingredients.csv" in p and "'grams'" in p for p in found) == 6
    assert sum("recipes.csv" in p and "unknown slot" in p for p in found) == 3


def test_missing_and_unreadable_files(data_dir):
    (data_dir / "dri.csv").unlink()
    (data_dir / "sources.csv").write_bytes(b"\xff\xfe\x00bad")
    found = problems_of(data_dir)
    assert "dri.csv: file is missing" in found
    assert any(p.startswith("sources.csv: not a readable CSV") for p in found)


def test_per_serving_nutrients_match_a_hand_computation():
    recipes = load_catalog(TINY).recipes
    # natto_rice: 100 g natto + 300 g rice, 2 servings.
    natto = recipes.loc["natto_rice"]
    assert natto["energy_kcal"] == pytest.approx((200 + 3 * 130) / 2)
    assert natto["calcium_mg"] == pytest.approx((200 + 3 * 10) / 2)
    assert natto["mk7_ug"] == pytest.approx(900 / 2)
    assert natto["k2_ug"] == pytest.approx(900 / 2)
    assert natto["vit_k_total_ug"] == pytest.approx((20 + 900) / 2)
    assert natto["cost_eur"] == pytest.approx((0.1 * 10 + 0.3 * 2) / 2)
    assert natto["k2_coverage"] == pytest.approx(100 / 400)
    assert natto["diet"] == Diet.VEGAN
    assert natto["allergens"] == frozenset({"soy"})
    assert natto["slots"] == (Slot.BREAKFAST, Slot.LUNCH)
    # gouda_rice: 50 g gouda (MK-4 5, unspecified 50 per 100 g) + 150 g rice.
    gouda = recipes.loc["gouda_rice"]
    assert gouda["k2_ug"] == pytest.approx(0.5 * (5 + 50))
    assert gouda["diet"] == Diet.VEGETARIAN


def test_unknown_stays_unknown():
    salmon = load_catalog(TINY).recipes.loc["salmon_rice"]
    assert math.isnan(salmon["k2_ug"]), "no ingredient has a K2 figure: unknown, not 0"
    assert salmon["k2_coverage"] == 0
    assert salmon["vit_d3_ug"] == pytest.approx(3 * 10 / 2)
    assert salmon["diet"] == Diet.PESCATARIAN


@pytest.mark.parametrize(
    ("animals", "diet"),
    [(["none"], "vegan"), (["none", "dairy"], "vegetarian"), (["egg", "fish"], "pescatarian"),
     (["shellfish", "poultry"], "omnivore"), (["dairy", "meat", "none"], "omnivore")],
)
def test_diet_is_the_least_restrictive_ingredient(animals, diet):
    foods = pd.DataFrame({
        "food_id": [f"f{i}" for i in range(len(animals))], "animal": animals,
        "allergens": [None] * len(animals), "price_per_kg": 1.0, "k2_grade": "unknown",
    }).set_index("food_id")
    foods = add_derived(foods.reindex(columns=[*foods.columns, *STORED_IDS]))
    recipes = pd.DataFrame({"recipe_id": ["r"], "slots": ["lunch"], "servings": [1.0]})
    ingredients = pd.DataFrame({"recipe_id": "r", "food_id": foods.index, "grams": 10.0})
    assert derive_recipes(recipes, ingredients, foods).loc["r", "diet"] == diet


@settings(max_examples=40, deadline=None)
@given(
    grams=st.lists(st.floats(1, 500), min_size=1, max_size=5),
    values=st.lists(st.one_of(st.none(), st.floats(0, 1000)), min_size=5, max_size=5),
    servings=st.floats(0.5, 8),
    grades=st.lists(st.sampled_from(KNOWN_GRADES), min_size=5, max_size=5),
)
def test_per_serving_sum_and_coverage_by_grade(grams, values, servings, grades):
    n = len(grams)
    foods = pd.DataFrame({
        "food_id": [f"f{i}" for i in range(n)], "animal": "none", "allergens": None,
        "price_per_kg": 2.0, "mk7_ug": values[:n],
        "k2_grade": [g if v is not None else "unknown"
                     for g, v in zip(grades[:n], values[:n], strict=True)],
    }).set_index("food_id")
    foods = add_derived(foods.reindex(columns=[*foods.columns, *[
        c for c in STORED_IDS if c != "mk7_ug"]]))
    recipes = pd.DataFrame({"recipe_id": ["r"], "slots": ["snack"], "servings": [servings]})
    ingredients = pd.DataFrame({"recipe_id": "r", "food_id": foods.index, "grams": grams})
    row = derive_recipes(recipes, ingredients, foods).loc["r"]
    known = [(g, v) for g, v in zip(grams, values[:n], strict=True) if v is not None]
    if known:
        assert row["k2_ug"] == pytest.approx(sum(g / 100 * v for g, v in known) / servings)
    else:
        assert math.isnan(row["k2_ug"])
    assert row["k2_coverage"] == pytest.approx(sum(g for g, _ in known) / sum(grams))
    for grade in KNOWN_GRADES:
        rows = zip(grams, values[:n], grades[:n], strict=True)
        graded = sum(g for g, v, k in rows if v is not None and k == grade)
        assert row[f"k2_{grade}"] == pytest.approx(graded / sum(grams))
    assert row["cost_eur"] == pytest.approx(sum(grams) / 1000 * 2.0 / servings)


def test_k2_grade_must_match_the_figures(data_dir):
    edit_csv(data_dir / "foods.csv",
             lambda f: f.assign(k2_grade=f["k2_grade"].where(f["food_id"] != "natto", "unknown")))
    found = problems_of(data_dir)
    assert any("k2_grade must be unknown exactly when no K2 form has a figure" in p
               for p in found), found


@pytest.mark.parametrize(("file", "column", "value"), [
    ("foods.csv", "price_per_kg", "inf"), ("foods.csv", "calcium_mg", "nan"),
    ("foods.csv", "vit_d3_ug", "-Infinity"), ("recipes.csv", "servings", "inf"),
    ("recipe_ingredients.csv", "grams", "NaN"),
])
def test_non_finite_numbers_are_refused_with_file_line_and_column(data_dir, file, column, value):
    edit_csv(data_dir / file, lambda f: f.assign(**{column: [value] + list(f[column][1:])}))
    assert problems_of(data_dir) == [
        f"{file}, line 2, column {column!r}: not a finite number (value: {value!r})"]


@pytest.mark.parametrize(("file", "column", "value", "limit"), [
    ("foods.csv", "protein_g", "150", "100.0"), ("recipes.csv", "servings", "1e9", "100"),
    ("foods.csv", "price_per_kg", "1e12", "100000"),
])
def test_absurd_values_are_refused_with_their_limit(data_dir, file, column, value, limit):
    edit_csv(data_dir / file, lambda f: f.assign(**{column: [value] + list(f[column][1:])}))
    [problem] = problems_of(data_dir)
    assert problem.startswith(f"{file}, line 2, column {column!r}: implausibly large "
                              f"(at most {limit})")


def test_a_data_folder_that_is_a_file_or_missing_is_named(tmp_path):
    (tmp_path / "foods.csv").write_text("food_id\n")
    assert problems_of(tmp_path / "foods.csv") == [
        f"{tmp_path / 'foods.csv'}: is not a folder of CSV files"]
    assert problems_of(tmp_path / "nope") == [f"{tmp_path / 'nope'}: no such folder"]


def test_an_empty_csv_is_named(data_dir):
    (data_dir / "recipes.csv").write_text("")
    assert "recipes.csv: file is empty (no header line)" in problems_of(data_dir)
