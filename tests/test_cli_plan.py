"""`python -m planner plan`: one JSON document, a readable week, one-line errors naming the flag."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from planner.__main__ import main
from planner.cli.plan import week_text
from planner.domain.plan import Plan
from tests.planning_helpers import TINY

ROOT = Path(__file__).resolve().parent.parent
# a generous limit: the suite runs on shared cores; keeping the limit is benchmarked elsewhere
TINY_ARGS = ["plan", "--data", str(TINY), "--days", "2", "--slots", "breakfast,dinner",
             "--kcal", "100-3000", "--calcium", "0", "--protein", "0", "--time-limit", "10"]


def test_json_is_exactly_the_issue_document(capsys):
    assert main([*TINY_ARGS, "--d3", "10", "--window", "day", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"status", "solver", "targets", "days", "shortfalls", "suggestions",
                        "cost_eur"}
    assert doc["status"] == "optimal"
    assert {"name", "seconds", "gap"} <= set(doc["solver"])
    # --d3 sets the minimum; the upper limit stays the reference one (the tiny data has none)
    assert doc["targets"]["vit_d3_ug"] == {"min": 10.0, "max": None, "window": "day"}
    assert [d["day"] for d in doc["days"]] == [1, 2]
    assert doc["days"][0]["meals"][1]["recipe_id"] == "salmon_rice"
    assert {"energy_kcal", "k2_ug", "vit_d3_ug", "cost_eur"} <= set(doc["days"][0]["totals"])
    assert Plan.from_json(json.dumps(doc)).status == "optimal"


def test_same_input_same_plan(capsys):
    main([*TINY_ARGS, "--json"])
    first = json.loads(capsys.readouterr().out)
    main([*TINY_ARGS, "--json"])
    second = json.loads(capsys.readouterr().out)
    assert first["days"] == second["days"]


def test_readable_week_and_previous_plan(tmp_path, capsys):
    main([*TINY_ARGS, "--json"])
    saved = tmp_path / "plan.json"
    saved.write_text(capsys.readouterr().out)
    assert main([*TINY_ARGS, "--previous", str(saved), "--lock", "2:dinner:salmon_rice"]) == 0
    text = capsys.readouterr().out
    assert "Day 1" in text and "Salmon rice ×1 (locked)" in text


def test_an_unreachable_goal_prints_its_explanation(capsys):
    main([*TINY_ARGS, "--diet", "vegetarian", "--slots", "dinner", "--d3", "10",
          "--window", "day"])
    out = capsys.readouterr().out
    assert "Status: relaxed" in out and "pescatarian" in out


@pytest.mark.parametrize(("args", "flag"), [
    (["--days", "0"], "--days"),
    (["--days", "29"], "--days"),
    (["--lock", "1:dinner:nope"], "--lock"),
    (["--lock", "banana"], "--lock"),
    (["--d3", "-5"], "--d3"),
    (["--kcal", "3000-100"], "--kcal"),
    (["--kcal", "lots"], "--kcal"),
    (["--exclude-recipe", "nope"], "--exclude-recipe"),
    (["--exclude-allergen", "moon"], "--exclude-allergen"),
    (["--slots", "brunch"], "--slots"),
    (["--warfarin", "-1"], "--warfarin"),
])
def test_bad_arguments_exit_non_zero_with_one_line_naming_the_flag(args, flag, capsys):
    assert main([*TINY_ARGS, *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: {flag}")


def test_the_module_runs_end_to_end_with_one_json_document_on_stdout():
    out = subprocess.run([sys.executable, "-m", "planner", *TINY_ARGS, "--json"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["status"] == "optimal"


def test_a_solver_crash_is_reported_as_a_failed_plan_not_a_traceback(capsys, monkeypatch):
    import pulp

    def crash(self, solver=None, **kwargs):
        raise pulp.PulpSolverError("cbc exited with signal 9")

    monkeypatch.setattr(pulp.LpProblem, "solve", crash)
    assert main([*TINY_ARGS, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "failed" and doc["days"] == []


def test_the_readable_week_prints_each_suggestion_as_written():
    said = "To close the Vitamin D3 gap (5 µg a day): Vitamin D3 capsule, 1 capsule a day would."
    plan = Plan(status="relaxed", meals=[], supplements=[], targets={}, cost_eur=0.0,
                suggestions=[{"nutrient": "vit_d3_ug", "foods": [], "text": said}])
    assert said in week_text(plan).splitlines()


def test_the_readable_week_gives_k2_as_a_lower_bound_with_its_coverage(capsys):
    assert main(TINY_ARGS) == 0
    k2_lines = [line for line in capsys.readouterr().out.splitlines() if "Vitamin K2" in line]
    assert k2_lines and all(re.search(r"≥ [\d.]+ µg \(K2 known for \d+% of the mass\)", line)
                            for line in k2_lines), k2_lines
