"""Plan CSV and JSON, loading an uploaded plan back, and the shopping list files."""

import io
import json
import math
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain import nutrients as nu
from planner.domain.plan import Plan, SupplementDose
from planner.io import measures, plan_files
from tests.fixtures.charts_export.plans import FIXTURE, catalog, make_plan, two_days

CAT = catalog()
PORTIONS = measures.load_portions(FIXTURE)


def read_csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf"), "BOM so spreadsheets read µ and é"
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def test_plan_csv_has_one_row_per_meal_with_its_nutrients():
    table = read_csv(plan_files.plan_to_csv(two_days(), CAT))
    assert list(table.columns[:6]) == ["day", "slot", "recipe_id", "name", "servings", "locked"]
    assert set(nu.ALL_IDS) <= set(table.columns) and table.columns[-1] == "cost_eur"
    assert list(zip(table["day"], table["slot"], table["recipe_id"], strict=True)) == [
        (1, "breakfast", "natto_rice"), (1, "dinner", "salmon_rice"),
        (2, "lunch", "gouda_rice"), (2, "dinner", "salmon_rice")]
    salmon = table.iloc[1]
    assert salmon[nu.D3] == pytest.approx(22.5)  # 1.5 servings × 15 µg
    assert pd.isna(salmon[nu.K2]), "unknown K2 stays blank, not zero"
    assert list(table["k2_known_share"]) == [  # the K2 figure is a lower bound over this share
        round(CAT.recipes.at[r, "k2_coverage"], 2) for r in table["recipe_id"]]
    assert salmon["cost_eur"] == pytest.approx(1.5 * CAT.recipes.loc["salmon_rice", "cost_eur"])
    day1 = table[table["day"] == 1][nu.CALCIUM].sum()
    assert day1 == pytest.approx(115 + 1.5 * 30)


def test_json_round_trip_is_identical():
    text = plan_files.plan_to_json(two_days())
    again = plan_files.plan_from_json_bytes(text.encode(), CAT)
    assert isinstance(again, Plan)
    assert plan_files.plan_to_json(again) == text
    assert [m.recipe_id for m in again.meals] == [m.recipe_id for m in two_days().meals]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00garbage", "not text"),
        (b"day,slot\n1,lunch\n", "not valid JSON (line 1, column 1"),
        (b'{"status": "optimal", ', "not valid JSON"),
        (b"[1, 2, 3]", "JSON but not a meal plan"),
        (b'{"hello": "world"}', "JSON but not a meal plan"),
    ],
)
def test_unreadable_uploads_get_a_clear_message(data, message):
    with pytest.raises(ValueError) as info:
        plan_files.plan_from_json_bytes(data, CAT)
    assert message in str(info.value)
    assert "Traceback" not in str(info.value)


def test_a_plan_from_another_library_names_the_missing_recipes():
    doc = json.loads(plan_files.plan_to_json(two_days()))
    text = json.dumps(doc).replace("gouda_rice", "smorrebrod_nordic")
    with pytest.raises(ValueError, match="does not have: smorrebrod_nordic"):
        plan_files.plan_from_json_bytes(text.encode(), CAT)
    assert plan_files.plan_from_json_bytes(text.encode()).meals[2].recipe_id == "smorrebrod_nordic"


def test_shopping_list_groups_by_category_with_measures_and_cost():
    items = plan_files.shopping_list_frame(two_days(), CAT, PORTIONS)
    assert list(items.columns) == ["category", "food_id", "food", "grams", "measure", "cost_eur",
                                   "note"]
    assert list(items["category"]) == sorted(items["category"])
    rows = items.set_index("food_id")
    # rice: 150 + 225 + 300 + 150 g; natto: 50 g; gouda: 100 g; salmon: 225 + 150 g
    assert rows["grams"].to_dict() == pytest.approx(
        {"rice": 825.0, "natto": 50.0, "gouda": 100.0, "salmon": 375.0})
    assert rows.loc["rice", "measure"] == "", "cups and ounces are not metric"
    assert rows.loc["gouda", "measure"] == "3 ½ slices"
    assert rows.loc["salmon", "measure"] == "1 fillet"
    assert rows.loc["natto", "cost_eur"] == pytest.approx(0.050 * 10)


def test_shopping_list_without_portions_keeps_grams():
    empty = measures.load_portions(FIXTURE / "nowhere")
    items = plan_files.shopping_list_frame(two_days(), CAT, empty)
    assert (items["measure"] == "").all() and (items["grams"] > 0).all()


def test_shopping_list_csv_reads_back():
    table = read_csv(plan_files.shopping_list_csv(two_days(), CAT, PORTIONS))
    assert set(table["food"]) == {"Rice cooked", "Natto", "Gouda", "Salmon"}
    assert set(table["category"]) <= set(plan_files.CATEGORY_LABELS.values())
    assert table["cost_eur"].sum() == pytest.approx(
        plan_files.shopping_list_frame(two_days(), CAT, PORTIONS)["cost_eur"].sum(), abs=0.02)


def test_supplements_follow_the_meals_in_the_csv():
    dose = SupplementDose(day=1, supplement_id="k2_mk7_100", name="K2 MK-7 100 µg", units=2)
    plan = make_plan([(1, "lunch", "gouda_rice", 1.0)], supplements=[dose])
    table = read_csv(plan_files.plan_to_csv(plan, CAT))
    pill = table.iloc[-1]
    assert (pill["slot"], pill["name"], pill["servings"]) == ("supplement", "K2 MK-7 100 µg", 2)
    assert pill[nu.K2] == pytest.approx(200.0) and pill["cost_eur"] == pytest.approx(0.4)
    assert pill["k2_known_share"] == 1.0, "a supplement's dose is on its label"


def test_an_empty_plan_gives_header_only_files():
    empty = make_plan([])
    assert read_csv(plan_files.plan_to_csv(empty, CAT)).empty
    assert plan_files.shopping_list_frame(empty, CAT, PORTIONS).empty
    assert read_csv(plan_files.shopping_list_csv(empty, CAT, PORTIONS)).empty


@pytest.mark.parametrize(
    ("field", "value"), [("day", 0), ("slot", "brunch"), ("servings", -1), ("servings", 0)])
def test_an_impossible_meal_is_refused(field, value):
    doc = json.loads(plan_files.plan_to_json(two_days()))
    doc["days"][0]["meals"][0][field] = value
    if field == "day":
        doc["days"][0]["day"] = value
    with pytest.raises(ValueError, match="the plan has a meal that cannot be"):
        plan_files.plan_from_json_bytes(json.dumps(doc).encode(), CAT)


PLANS = st.lists(
    st.tuples(st.integers(1, 28), st.sampled_from(["breakfast", "lunch", "dinner", "snack"]),
              st.sampled_from(["natto_rice", "gouda_rice", "salmon_rice"]),
              st.sampled_from([0.5, 1.0, 1.5, 2.0])),
    min_size=0, max_size=20, unique_by=lambda m: (m[0], m[1]),
).map(make_plan)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PLANS)
def test_any_plan_round_trips_through_json_and_csv(plan):
    text = plan_files.plan_to_json(plan)
    again = plan_files.plan_from_json_bytes(text.encode("utf-8"), CAT)
    assert plan_files.plan_to_json(again) == text
    table = read_csv(plan_files.plan_to_csv(plan, CAT))
    rows = list(zip(table["day"], table["slot"], table["recipe_id"], table["servings"],
                    strict=True))
    assert rows == [(m.day, m.slot, m.recipe_id, m.servings) for m in plan.meals]


def test_csv_numbers_are_rounded_and_labels_are_words():
    plan = make_plan([(1, "lunch", "gouda_rice", 1.1), (1, "dinner", "salmon_rice", 1.3)],
                     supplements=[SupplementDose(day=1, supplement_id="k2_mk7_100",
                                                 name="K2 MK-7 100 µg", units=1)])
    for data in (plan_files.plan_to_csv(plan, CAT),
                 plan_files.shopping_list_csv(plan, CAT, PORTIONS)):
        text = data.decode("utf-8-sig")
        numbers = re.findall(r"(?<![\w.])\d+\.(\d+)", text)
        assert numbers and max(map(len, numbers)) <= 3, text
        assert not re.search(r"\b(nan|None)\b|\d\.0\b", text), text
    shopping = read_csv(plan_files.shopping_list_csv(plan, CAT, PORTIONS))
    assert "Supplements" in set(shopping["category"])
    assert not shopping["category"].str.contains("_").any()


@pytest.mark.parametrize(("value", "rounded"), [
    (4.3999999999999995, 4.4), (1705.26, 1705), (26.7616, 26.8), (0.020000000000000004, 0.02),
    (0.0, 0.0), (-3.14159, -3.14)])
def test_significant_figures(value, rounded):
    assert plan_files.significant(value) == rounded
    assert math.isnan(plan_files.significant(float("nan")))


@pytest.mark.parametrize(("grams", "text"), [
    (0.5, "0.5 g"), (0.01, "< 0.1 g"), (9.96, "10.0 g"), (10.4, "10 g"), (850.0, "850 g"),
    (float("nan"), "")])
def test_grams_never_read_zero(grams, text):
    assert measures.grams_text(grams) == text
