"""The pickled catalog is the loaded catalog, and any change to the data is a miss."""

import shutil

import pandas as pd
import pytest

from planner.domain.catalog import CatalogError, load_catalog
from planner.io.catalog_cache import load_catalog_cached
from tests.planning_helpers import TINY


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "var"))
    folder = tmp_path / "data"
    shutil.copytree(TINY, folder)
    return folder


def _cached_files(data):
    return sorted((data.parent / "var" / "cache").glob("catalog-*.pickle"))


def test_a_hit_equals_a_fresh_load(data):
    first = load_catalog_cached(data)
    assert len(_cached_files(data)) == 1
    again = load_catalog_cached(data)
    fresh = load_catalog(data)
    for table in ("foods", "recipes", "ingredients", "supplements"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(fresh, table))
        pd.testing.assert_frame_equal(getattr(first, table), getattr(fresh, table))


def test_an_edited_file_is_read_again(data):
    load_catalog_cached(data)
    foods = (data / "foods.csv").read_text().replace("Natto,", "Natto beans,", 1)
    (data / "foods.csv").write_text(foods)
    assert load_catalog_cached(data).foods.at["natto", "name"] == "Natto beans"
    assert len(_cached_files(data)) == 2


def test_bad_data_raises_and_is_not_cached(data):
    (data / "recipe_ingredients.csv").write_text("recipe_id,food_id,grams,note\nx,unicorn,1,\n")
    with pytest.raises(CatalogError):
        load_catalog_cached(data)
    assert _cached_files(data) == []


def test_a_corrupt_cache_file_is_ignored(data):
    load_catalog_cached(data)
    (cached,) = _cached_files(data)
    cached.write_bytes(b"not a pickle")
    assert set(load_catalog_cached(data).recipes.index) == set(load_catalog(data).recipes.index)
