"""K2 evidence grades, derived figures and the source precedence of data/foods.csv.

Every figure is recomputed from ``../shared/reference`` and ``tools/food_spec.csv``
(the spec names the NEVO food and the K2 reference of each food); the rules are
the ones written in ``data/README.md``.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.test_food_data import DATA, REF, ROOT, load_builder, needs_reference, read

MK = ["mk4_ug", "mk5_ug", "mk6_ug", "mk7_ug", "mk8_ug", "mk9_ug", "mk10_ug", "mk_unspecified_ug"]
DERIVED = re.compile(r"derived: K2 x protein SR28 (\d{5}) ([\d.]+) / SR28 (\d{5}) ([\d.]+) = x")


@pytest.fixture(scope="module")
def foods() -> pd.DataFrame:
    return read("foods.csv").set_index("food_id")


@pytest.fixture(scope="module")
def spec() -> pd.DataFrame:
    return pd.read_csv(ROOT / "tools" / "food_spec.csv", dtype=str, keep_default_na=False
                       ).set_index("food_id")


@pytest.fixture(scope="module")
def reference() -> dict:
    builder = load_builder()
    menaq = [r for name in builder.MENAQUINONE_TABLES for r in builder.read_csv(REF / name)]
    return {
        "sr28": pd.read_csv(REF / "usda_sr28_nutrients.csv", dtype=str).set_index("ndb_no"),
        "nevo": pd.read_csv(REF / "nevo2021_nutrients.csv", dtype=str).set_index("nevo_code"),
        "menaq": menaq,
        "find": builder.find_literature,
    }


def test_every_food_has_a_k2_grade_and_unknown_means_no_figure(foods):
    assert set(foods["k2_grade"]) == {"measured", "derived", "borrowed", "unknown"}
    known = foods[MK].notna().any(axis=1)
    assert (known == (foods["k2_grade"] != "unknown")).all()


def test_derived_figures_state_their_formula_and_only_they_do(foods):
    has_formula = foods["notes"].fillna("").map(lambda n: bool(DERIVED.search(n)))
    assert (has_formula == (foods["k2_grade"] == "derived")).all()
    assert has_formula.sum() >= 4


def test_unknown_k2_says_why_where_recipes_use_the_food(foods):
    used = set(read("recipe_ingredients.csv")["food_id"])
    unknown = foods[(foods["k2_grade"] == "unknown") & foods.index.isin(used)]
    animal = unknown[unknown["animal"] != "none"]
    silent = [f for f, n in animal["notes"].fillna("").items() if "K2 unknown" not in n]
    assert not silent, f"animal foods with unknown K2 and no reason in notes: {silent}"


def test_secondary_compilation_figures_are_never_graded_measured(foods):
    from_compilation = foods[foods["k2_source"] == "k2viewer"]
    assert len(from_compilation) >= 15
    assert set(from_compilation["k2_grade"]) <= {"borrowed", "derived"}


@needs_reference
def test_derived_k2_is_the_cited_figure_times_the_protein_ratio(foods, spec, reference):
    sr28 = reference["sr28"]
    for food_id, food in foods[foods["k2_grade"] == "derived"].iterrows():
        own, p_own, basis, p_basis = DERIVED.search(food["notes"]).groups()
        assert (own, basis) == (food["usda_ndb"], spec.loc[food_id, "k2_basis_ndb"]), food_id
        assert float(p_own) == float(sr28.loc[own, "protein_g"]), food_id
        assert float(p_basis) == float(sr28.loc[basis, "protein_g"]), food_id
        ref = spec.loc[food_id, "k2_ref"]
        if ref.startswith("sr28:"):
            cited = {"mk4_ug": sr28.loc[ref.removeprefix("sr28:"), "vit_k2_mk4_ug"]}
        else:
            row = reference["find"](ref.removeprefix("lit:"), reference["menaq"])
            cited = {c: row[f"{c.removesuffix('_ug')}_ug_100g"] for c in MK[:-1]}
        for col, text in cited.items():
            if text:
                value = 0.0 if text == "ND" else float(text)
                expected = value * float(p_own) / float(p_basis)
                assert float(food[col]) == pytest.approx(expected, abs=0.051), (food_id, col)


@needs_reference
def test_d3_and_k2_follow_the_source_precedence(foods, spec, reference):
    """NEVO where it has the food, then the food's own SR28 row, then the literature."""
    nevo, sr28 = reference["nevo"], reference["sr28"]
    checked = 0
    for food_id, row in spec.iterrows():
        food, code, ndb = foods.loc[food_id], row["nevo_code"], row["usda_ndb"]
        nevo_d3 = nevo.loc[code, "vit_d3_ug"] if code else None
        sr28_d3 = sr28.loc[ndb, "vit_d3_ug"] if ndb else None
        if pd.notna(nevo_d3) and nevo_d3 is not None:
            assert float(food["vit_d3_ug"]) == float(nevo_d3), food_id
            checked += 1
        elif pd.notna(sr28_d3) and sr28_d3 is not None:
            assert float(food["vit_d3_ug"]) == float(sr28_d3), food_id
        elif row["d3_ref"]:
            assert f"D3 from {row['d3_source']}:" in food["notes"], food_id
        if code and pd.notna(nevo.loc[code, "vit_k2_ug"]):
            assert row["k2_ref"] == f"nevo:{code}", f"{food_id}: NEVO has its K2"
        own_mk4 = sr28.loc[ndb, "vit_k2_mk4_ug"] if ndb else None
        if own_mk4 is not None and pd.notna(own_mk4):
            assert float(food["mk4_ug"]) == float(own_mk4), f"{food_id}: own SR28 MK-4 first"
    assert checked >= 10, "the fish and eggs take NEVO's D3"


def test_data_readme_documents_the_precedence_and_the_grades():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for word in ("precedence", "measured", "derived", "borrowed", "unknown", "NEVO", "SR28"):
        assert word in text
