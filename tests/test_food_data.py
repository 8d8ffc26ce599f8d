"""The cited food library in data/: columns, sources, reference figures, rules.

Reads the CSVs with pandas only (no planner.domain.catalog). Checks against
``../shared/reference`` skip with a clear message when that folder is absent.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REF = ROOT.parent / "shared" / "reference"
needs_reference = pytest.mark.skipif(
    not REF.is_dir(), reason=f"reference folder {REF} absent: cannot check figures against it"
)

NUTRIENTS = [
    "energy_kcal", "protein_g", "fat_g", "satfat_g", "carbs_g", "sugar_g", "fiber_g",
    "sodium_mg", "calcium_mg", "phosphorus_mg", "magnesium_mg", "vit_k1_ug",
    "mk4_ug", "mk5_ug", "mk6_ug", "mk7_ug", "mk8_ug", "mk9_ug", "mk10_ug",
    "mk_unspecified_ug", "vit_d2_ug", "vit_d3_ug",
]
REQUIRED_COLUMNS = [
    "food_id", "name", "category", "usda_ndb", *NUTRIENTS, "animal", "allergens",
    "price_per_kg", "nutrient_source", "k2_source", "k2_grade", "notes", "price_source",
]
SR28 = {n: n for n in NUTRIENTS[:12]} | {
    "mk4_ug": "vit_k2_mk4_ug", "vit_d2_ug": "vit_d2_ug", "vit_d3_ug": "vit_d3_ug",
}
LONG_CHAIN = ["mk5_ug", "mk6_ug", "mk7_ug", "mk8_ug", "mk9_ug", "mk10_ug", "mk_unspecified_ug"]
ALLERGENS = {
    "milk", "egg", "fish", "shellfish", "soy", "wheat", "gluten", "peanut", "tree_nut",
    "sesame", "mustard", "celery",
}
CATEGORIES = {
    "dairy", "cheese", "egg", "meat", "poultry", "offal", "fish", "vegetable", "fermented",
    "legume", "grain", "fruit", "nut_seed", "fat_oil", "condiment", "herb_spice", "beverage",
}
ANIMALS = {"none", "dairy", "egg", "fish", "shellfish", "meat", "poultry"}
REQUIRED_FOODS = [
    "natto", "sauerkraut", "kimchi", "gouda_aged", "brie", "camembert", "edam", "emmental",
    "cheddar", "parmesan", "quark", "cottage_cheese", "butter", "cream", "milk_whole",
    "yogurt_plain", "kefir", "egg_whole", "egg_yolk", "chicken_liver", "beef_liver",
    "chicken_leg", "beef_ground", "pork_loin", "salami", "bacon", "salmon", "herring_pickled",
    "mackerel", "sardines_canned", "trout", "cod_liver_oil", "tuna_canned", "mushrooms",
    "milk_whole_vit_d", "soy_drink_fortified", "tofu", "tempeh", "miso",
]
SLUG = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def foods() -> pd.DataFrame:
    return read("foods.csv")


@pytest.fixture(scope="module")
def source_keys() -> set[str]:
    return set(read("sources.csv")["key"])


@pytest.fixture(scope="module")
def sr28() -> pd.DataFrame:
    return pd.read_csv(
        REF / "usda_sr28_nutrients.csv", dtype=str, keep_default_na=False, na_values=[""]
    ).set_index("ndb_no")


@pytest.fixture(scope="module")
def nevo() -> pd.DataFrame:
    return pd.read_csv(
        REF / "nevo2021_nutrients.csv", dtype=str, keep_default_na=False, na_values=[""]
    ).set_index("nevo_code")


def load_builder():
    spec = importlib.util.spec_from_file_location("build_foods", ROOT / "tools" / "build_foods.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_columns_exactly_as_the_issue_lists(foods):
    assert list(foods.columns) == REQUIRED_COLUMNS


def test_at_least_150_foods_with_unique_slug_ids(foods):
    assert len(foods) >= 150
    assert foods["food_id"].is_unique
    bad = [f for f in foods["food_id"] if not SLUG.match(f)]
    assert not bad, f"food_ids that are not snake_case slugs: {bad}"


def test_required_foods_present(foods):
    missing = sorted(set(REQUIRED_FOODS) - set(foods["food_id"]))
    assert not missing, f"required foods missing: {missing}"


def test_categories_animals_and_allergens_from_the_allowed_sets(foods):
    assert set(foods["category"]) <= CATEGORIES
    assert set(foods["animal"]) <= ANIMALS
    used = {a for cell in foods["allergens"].dropna() for a in cell.split("|")}
    assert used <= ALLERGENS, f"unknown allergens: {used - ALLERGENS}"


def test_animal_and_allergen_agree(foods):
    allergens = foods["allergens"].fillna("")
    fish = foods[foods["animal"] == "fish"]
    assert all("fish" in a.split("|") for a in allergens[fish.index])
    shellfish = foods[foods["animal"] == "shellfish"]
    assert all("shellfish" in a.split("|") for a in allergens[shellfish.index])
    offal = foods[foods["category"] == "offal"]
    assert set(offal["animal"]) <= {"meat", "poultry"}


def test_foods_made_from_chicken_are_poultry(foods):
    chicken = foods[foods["name"].str.contains("chicken", case=False)]
    assert "liver_pate" in set(chicken["food_id"])
    wrong = chicken.loc[chicken["animal"] != "poultry", "food_id"].tolist()
    assert not wrong, f"made from chicken but not animal=poultry: {wrong}"


def test_no_negative_values_and_every_food_priced_and_sourced(foods):
    values = foods[NUTRIENTS + ["price_per_kg"]].astype(float)
    assert (values.fillna(0) >= 0).all().all()
    assert foods["price_per_kg"].astype(float).gt(0).all()
    assert foods["price_source"].notna().all()
    assert foods["nutrient_source"].notna().all()


def test_usda_numbers_are_five_digit_text_and_cited(foods):
    cited = foods.dropna(subset=["usda_ndb"])
    assert cited["usda_ndb"].str.fullmatch(r"\d{5}").all()
    assert (cited["nutrient_source"] == "USDA SR28 " + cited["usda_ndb"]).all()


@needs_reference
def test_sr28_cited_foods_carry_sr28_values(foods, sr28, source_keys):
    """SR28's figure where it has one; blank where it has none, except the
    documented additions: cited MK-4 (with k2_source), literature D3 (noted as
    ``D3 from <source key>``) and NEVO's D3, which takes precedence (checked in
    test_food_evidence.py)."""
    problems = []
    for _, food in foods.dropna(subset=["usda_ndb"]).iterrows():
        ref = sr28.loc[food["usda_ndb"]]
        for ours, theirs in SR28.items():
            if ours == "vit_d3_ug" and "D3 from nevo2021:" in (food["notes"] or ""):
                continue
            mine, truth = food[ours], ref[theirs]
            if pd.isna(truth):
                d3_key = re.search(r"D3 from (\w+):", food["notes"] or "")
                allowed = (ours == "mk4_ug" and food["k2_source"] in source_keys) or (
                    ours == "vit_d3_ug" and d3_key and d3_key.group(1) in source_keys
                )
                if pd.notna(mine) and not allowed:
                    problems.append(f"{food['food_id']}.{ours}: SR28 blank, ours {mine}")
            elif pd.isna(mine) or float(mine) != pytest.approx(float(truth)):
                problems.append(f"{food['food_id']}.{ours}: SR28 {truth}, ours {mine}")
    assert not problems, "\n".join(problems)


@needs_reference
def test_nevo_cited_foods_carry_nevo_values(foods, nevo):
    cited = foods[foods["nutrient_source"].str.startswith("NEVO")]
    assert len(cited) >= 5
    for _, food in cited.iterrows():
        code = re.search(r"NEVO code (\d+)$", food["nutrient_source"]).group(1)
        ref = nevo.loc[code]
        for col in [*NUTRIENTS[:12], "vit_d3_ug"]:
            where = f"{food['food_id']}.{col}"
            if pd.isna(ref[col]):
                assert pd.isna(food[col]), where
            else:
                assert float(food[col]) == pytest.approx(float(ref[col])), where


@needs_reference
def test_nevo_total_k2_is_not_double_counted_with_sr28_mk4(foods, nevo):
    from_nevo = foods[foods["k2_source"] == "nevo2021"]
    assert len(from_nevo) >= 20
    for _, food in from_nevo.iterrows():
        code = re.search(r"K2: NEVO (\d+) total", food["notes"]).group(1)
        total = float(nevo.loc[code, "vit_k2_ug"])
        mk4 = 0.0 if pd.isna(food["mk4_ug"]) else float(food["mk4_ug"])
        expected = max(total - mk4, 0.0)
        assert float(food["mk_unspecified_ug"]) == pytest.approx(expected, abs=0.051)
        assert food[["mk5_ug", "mk6_ug", "mk7_ug", "mk8_ug", "mk9_ug", "mk10_ug"]].isna().all()


@needs_reference
def test_every_long_chain_or_non_sr28_mk4_figure_has_a_source_key(foods, sr28, source_keys):
    for _, food in foods.iterrows():
        sr28_mk4 = (
            pd.notna(food["usda_ndb"]) and pd.notna(sr28.loc[food["usda_ndb"], "vit_k2_mk4_ug"])
        )
        needs_key = food[LONG_CHAIN].notna().any() or (pd.notna(food["mk4_ug"]) and not sr28_mk4)
        if needs_key:
            assert food["k2_source"] in source_keys, food["food_id"]


def test_k2_source_only_where_a_k2_figure_exists(foods, source_keys):
    keyed = foods.dropna(subset=["k2_source"])
    assert set(keyed["k2_source"]) <= source_keys
    assert keyed[["mk4_ug", *LONG_CHAIN]].notna().any(axis=1).all()


def test_k2_headline_figures(foods):
    """The K2 choices the notes document: natto MK-7 939 (Kamao 2007), aged
    Gouda above young Gouda, and fermented/dairy foods well above plain meat."""
    by_id = foods.set_index("food_id")
    assert float(by_id.loc["natto", "mk7_ug"]) == 939
    k2 = by_id[["mk4_ug", *LONG_CHAIN]].astype(float).sum(axis=1, min_count=1)
    assert k2["gouda_aged"] > k2["gouda_young"] > k2["brie"]
    assert k2.isna().sum() < len(k2)
    assert k2["egg_whole"] == pytest.approx(30.9 + 1.2 + 1.4 + 1.6), "Jensen 2022 free-range egg"


def test_supplement_dri_and_preset_sources_exist(source_keys):
    supplements = read("supplements.csv")
    assert list(supplements.columns) == ["supplement_id", "name", "unit", *NUTRIENTS,
                                         "price_per_unit", "source", "notes"]
    assert set(supplements["source"].str.split(":").str[0]) <= source_keys
    assert set(read("dri.csv")["source"]) <= source_keys
    assert set(read("k2_presets.csv")["source"]) <= source_keys
    foods = read("foods.csv")
    noted = {m for n in foods["notes"].dropna() for m in re.findall(r"D3 from (\w+):", n)}
    assert noted <= source_keys


def test_supplements_cover_k2_d3_and_combination():
    s = read("supplements.csv").set_index("supplement_id")
    mk7, d3 = s["mk7_ug"].astype(float), s["vit_d3_ug"].astype(float)
    assert (mk7.notna() & d3.isna()).any()
    assert (d3 == 25).any()
    assert (mk7.notna() & d3.notna()).any()
    assert s["price_per_unit"].astype(float).gt(0).all()


def test_dri_rows_are_well_formed_and_cover_adults():
    dri = read("dri.csv")
    assert set(dri["nutrient"]) == {"vit_k_total_ug", "vit_d3_ug", "calcium_mg"}
    assert set(dri["sex"]) <= {"male", "female", "any"}
    assert set(dri["life_stage"]) <= {"general", "pregnancy", "lactation"}
    assert set(dri["kind"]) <= {"RDA", "AI", "UL"}
    lo, hi = dri["age_min"].astype(float), dri["age_max"].astype(float)
    assert (hi.isna() | (hi >= lo)).all()
    general = dri[dri["life_stage"] == "general"]
    for nutrient in ("vit_k_total_ug", "vit_d3_ug", "calcium_mg"):
        for sex in ("male", "female"):
            for age in (19, 35, 60, 80):
                rows = general[
                    (general["nutrient"] == nutrient)
                    & general["sex"].isin([sex, "any"])
                    & (general["kind"] != "UL")
                    & (lo[general.index] <= age)
                    & (hi[general.index].isna() | (hi[general.index] >= age))
                ]
                assert len(rows) == 1, (nutrient, sex, age)


@needs_reference
def test_vitamin_d_upper_limits_equal_the_reference_rows():
    """IOM 2011 via ``reference_intakes.csv``: 100 µg from 9 y (the row "adults 19+ y (and
    9-18 y)"), and the child limits its source_detail quotes ("1-3 y 63 ug, 4-8 y 75 ug")."""
    ref = pd.read_csv(REF / "reference_intakes.csv", dtype=str)
    [row] = ref[(ref["nutrient"] == "vitamin D") & (ref["kind"] == "UL")
                & (ref["body"] == "US IOM/FNB")].itertuples()
    expected = {("9", ""): float(row.value)} | {
        (lo, hi): float(value)
        for lo, hi, value in re.findall(r"(\d+)-(\d+) y (\d+) ug", row.source_detail)}
    assert set(expected) == {("1", "3"), ("4", "8"), ("9", "")}
    dri = read("dri.csv").fillna("")
    limits = dri[(dri["nutrient"] == "vit_d3_ug") & (dri["kind"] == "UL")]
    assert {(r.age_min, r.age_max): float(r.value) for r in limits.itertuples()} == expected
    assert set(limits["source"]) == {"iom2011"} and set(limits["life_stage"]) == {"general"}


def test_k2_presets_are_labelled_evidence():
    presets = read("k2_presets.csv")
    assert presets["preset_id"].is_unique
    assert set(presets["kind"]) <= {"observational", "trial"}
    assert presets["k2_ug_per_day"].astype(float).gt(0).all()
    assert presets["note"].str.contains("not a recommendation").all()


@needs_reference
def test_build_script_reproduces_the_committed_table():
    built = pd.DataFrame(load_builder().build())
    committed = pd.read_csv(DATA / "foods.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(built, committed)


@given(st.floats(0, 2000, allow_nan=False), st.floats(0, 2000, allow_nan=False))
def test_literature_range_becomes_its_midpoint(a, b):
    low, high = sorted((round(a, 2), round(b, 2)))
    value, note = load_builder().number(f"{low}-{high}")
    assert low - 0.05 <= float(value) <= high + 0.05
    assert float(value) == pytest.approx((low + high) / 2, abs=0.051)
    assert note


@given(st.floats(0, 5000, allow_nan=False))
def test_single_literature_figure_is_kept_verbatim(x):
    text = f"{round(x, 3)}"
    assert load_builder().number(text) == (text, "")
