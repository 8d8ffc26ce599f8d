"""`python -m planner foods|recipes|users`: the catalog and accounts on the command line."""

import io
import json
import shutil
import sys

import pytest

from planner.__main__ import main
from planner.domain.catalog import load_catalog
from planner.store import accounts
from planner.store.db import open_store
from tests.planning_helpers import TINY


def test_recipes_json_carries_per_serving_nutrients_diet_allergens_coverage(capsys):
    assert main(["recipes", "--data", str(TINY), "--json"]) == 0
    recipes = {r["recipe_id"]: r for r in json.loads(capsys.readouterr().out)["recipes"]}
    assert set(recipes) == {"natto_rice", "gouda_rice", "salmon_rice"}
    natto = recipes["natto_rice"]
    # natto_rice: 100 g natto (900 µg MK-7 per 100 g) + 300 g rice, 2 servings.
    assert natto["k2_ug"] == pytest.approx(900 * 100 / 100 / 2)
    assert natto["diet"] == "vegan"
    assert natto["allergens"] == ["soy"]
    assert natto["slots"] == ["breakfast", "lunch"]
    assert 0 <= natto["k2_coverage"] <= 1


def test_foods_json_keeps_unknown_as_null_never_zero(capsys):
    assert main(["foods", "--data", str(TINY), "--json"]) == 0
    foods = {f["food_id"]: f for f in json.loads(capsys.readouterr().out)["foods"]}
    catalog = load_catalog(TINY)
    assert set(foods) == set(catalog.foods.index)
    assert foods["natto"]["mk7_ug"] == 900
    assert foods["natto"]["mk4_ug"] is None  # blank in the file: unknown
    assert foods["gouda"]["mk_unspecified_ug"] == 50


def test_readable_tables_mark_unknown(capsys):
    assert main(["foods", "--data", str(TINY)]) == 0
    out = capsys.readouterr().out
    assert "Natto" in out and "unknown" in out
    assert main(["recipes", "--data", str(TINY)]) == 0
    assert "Gouda rice" in capsys.readouterr().out


def test_bad_data_exits_with_every_problem_listed(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    lines = (data / "recipe_ingredients.csv").read_text().splitlines()
    lines += ["gouda_rice,unicorn,10,", "salmon_rice,rice,-5,"]
    (data / "recipe_ingredients.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["recipes", "--data", str(data)])
    message = str(exit_info.value.code)
    assert "unicorn" in message and "grams" in message


def test_users_add_creates_an_account_and_never_prints_the_password(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    password = "correct horse battery"
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert main(["users", "add", "dr.vos", "--password-stdin"]) == 0
    out = capsys.readouterr()
    assert "dr.vos" in out.out and password not in out.out + out.err
    assert accounts.authenticate(open_store(), "dr.vos", password).username == "dr.vos"

    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    with pytest.raises(SystemExit) as exit_info:
        main(["users", "add", "dr.vos", "--password-stdin"])
    assert "taken" in str(exit_info.value.code)
