"""Recipe import: JSON-LD and CSV template in, a reviewable mapping out, nothing saved
until the reviewed table is confirmed; imported recipes get derived nutrients."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.domain.catalog import Slot, load_catalog
from planner.domain.nutrients import MENAQUINONES
from planner.io.measures import load_portions
from planner.io.recipe_import import (
    CSV_TEMPLATE,
    RecipeImportError,
    finalize,
    match_food,
    parse_line,
    read_recipes,
    review_frame,
    to_grams,
    with_recipes,
)
from planner.store import accounts
from planner.store.repository import Workspace
from tests.fixtures.store.backends import store_for

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def portions():
    return load_portions()


def read(name: str):
    return read_recipes(name, (FIXTURES / name).read_bytes())


def test_a_real_world_json_ld_page_graph_is_read(catalog, portions):
    [draft] = read("salmon_kale_traybake.jsonld")
    assert draft.name == "Salmon, kale & cheddar traybake"
    assert (draft.servings, draft.slots, draft.prep_minutes) == (2.0, (Slot.DINNER,), 30)
    assert draft.method.startswith("Heat the oven") and "bake 20 min." in draft.method
    assert len(draft.lines) == 6 and draft.recipe_id == "imported_salmon_kale_cheddar_traybake"
    frame = review_frame(draft, catalog.foods, portions).set_index("line")
    assert frame.loc["2 salmon fillets (about 250 g)", ["food_id", "grams"]].tolist() == [
        "salmon", 250.0]
    assert frame.loc["150 g kale, stalks removed", "food_id"] == "kale"
    olive = frame.loc["1 tbsp olive oil"]
    assert olive["food_id"] == "olive_oil" and olive["grams_from"] == "SR28 tablespoon"
    assert olive["grams"] == pytest.approx(13.5)
    assert frame.loc["salt and black pepper", "status"] == "unmatched"


def test_an_html_page_with_several_json_ld_blocks_gives_its_recipe(catalog, portions):
    [draft] = read("recipe_page.html")
    assert (draft.name, draft.slots, draft.prep_minutes) == ("Natto omelette",
                                                             (Slot.BREAKFAST,), 10)
    frame = review_frame(draft, catalog.foods, portions).set_index("line")
    assert frame.loc["1 pack natto (45 g)", ["food_id", "grams"]].tolist() == ["natto", 45.0]
    assert frame.loc["2 large eggs", "food_id"] == "egg_whole"
    assert frame.loc["2 large eggs", "grams"] > 60  # two SR28 eggs, not two grams


def test_the_csv_template_reads_back_and_the_shipped_template_parses():
    [sardine] = read("template_filled.csv")
    assert sardine.slots == (Slot.BREAKFAST, Slot.LUNCH) and len(sardine.lines) == 3
    [example] = read_recipes("template.csv", CSV_TEMPLATE.encode())
    assert example.name == "Natto toast" and len(example.lines) == 3


@pytest.mark.parametrize(("name", "message"), [
    ("not_json.jsonld", r"not valid JSON \(line 3"),
    ("no_recipe.jsonld", "no schema.org Recipe found"),
    ("no_ingredients.jsonld", "'Empty stew'.*no ingredient list"),
    ("ingredient_objects.jsonld", "must be text"),
    ("template_bad_columns.csv", "lacks the column.*recipe_name, ingredient"),
])
def test_malformed_files_get_a_clear_message(name, message):
    with pytest.raises(RecipeImportError, match=message):
        read(name)


def test_binary_and_empty_files_are_refused():
    with pytest.raises(RecipeImportError, match="not UTF-8"):
        read_recipes("x.json", b"\xff\xfe\x00\x81")
    with pytest.raises(RecipeImportError, match="empty"):
        read_recipes("x.json", b"  \n")


def test_weights_convert_exactly_and_volumes_use_the_sr28_measure(portions):
    assert to_grams(parse_line("1.5 kg potatoes"), "potato", portions) == (1500.0,
                                                                          "weight in the line")
    assert to_grams(parse_line("4 oz cheddar"), "cheddar", portions)[0] == pytest.approx(113.4)
    rice = portions[(portions.food_id == "rice_cooked")
                    & portions.measure.str.startswith("cup")].iloc[0]
    grams, source = to_grams(parse_line("2 cups cooked rice"), "rice_cooked", portions)
    assert grams == pytest.approx(2 * rice.grams / rice.amount) and source.startswith("SR28 cup")
    assert to_grams(parse_line("some rice"), "rice_cooked", portions) == (None, "")


@settings(max_examples=30, deadline=None)
@given(grams=st.integers(1, 5000))
def test_any_gram_amount_in_a_line_is_kept(grams):
    line = parse_line(f"{grams} g kale")
    assert line.grams == grams


def test_food_matching_finds_the_food_or_nothing(catalog):
    assert match_food("chicken thighs", catalog.foods)[0] == "chicken_thigh"
    assert match_food("plain yogurt", catalog.foods)[0] == "yogurt_plain"
    assert match_food("unicorn dust", catalog.foods)[1] < 75


def test_nothing_is_saved_until_the_review_is_fixed_then_it_derives_like_bundled(
        catalog, portions, tmp_path):
    [draft] = read("salmon_kale_traybake.jsonld")
    frame = review_frame(draft, catalog.foods, portions)
    with pytest.raises(RecipeImportError, match="salt and black pepper.*enter the grams"):
        finalize(draft, frame, catalog)
    frame.loc[frame.line == "salt and black pepper", "include"] = False
    recipe = finalize(draft, frame, catalog)
    assert [i[0] for i in recipe.ingredients] == ["salmon", "kale", "olive_oil", "cheddar",
                                                  "lemon_juice"]
    extended = with_recipes(catalog, [recipe])
    row = extended.recipes.loc[recipe.recipe_id]
    assert row["diet"] == "pescatarian" and {"fish", "milk"} <= row["allergens"]
    expected_d3 = sum(g / 100 * catalog.foods.loc[f, "vit_d3_ug"] for f, g, _ in
                      recipe.ingredients if pd.notna(catalog.foods.loc[f, "vit_d3_ug"])) / 2
    assert row["vit_d3_ug"] == pytest.approx(expected_d3)
    known = catalog.foods[list(MENAQUINONES)].notna().any(axis=1)
    grams = {f: g for f, g, _ in recipe.ingredients}
    assert row["k2_coverage"] == pytest.approx(
        sum(g for f, g in grams.items() if known[f]) / sum(grams.values()))
    assert len(extended.recipes) == len(catalog.recipes) + 1
    with store_for("sqlite", tmp_path) as sessions:
        ws = Workspace(sessions, accounts.add_user(sessions, "ann", "correct horse 1"))
        assert ws.recipes() == []
        ws.save_recipe(recipe)
        assert ws.recipes() == [recipe]
        with pytest.raises(RecipeImportError, match="exists already"):
            finalize(draft, frame, catalog, {r.recipe_id for r in ws.recipes()})
        other = Workspace(sessions, accounts.add_user(sessions, "bob", "battery staple 2"))
        assert other.recipes() == []


def test_a_recipe_with_an_unknown_food_in_the_review_is_refused(catalog, portions):
    [draft] = read("recipe_page.html")
    frame = review_frame(draft, catalog.foods, portions)
    frame.loc[0, "food_id"] = "dragon_egg"
    with pytest.raises(RecipeImportError, match="choose a food"):
        finalize(draft, frame, catalog)
    frame["include"] = False
    with pytest.raises(RecipeImportError, match="no ingredient line"):
        finalize(draft, frame, catalog)
