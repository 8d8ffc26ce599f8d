"""The arrows of DESIGN.md: the domain never imports the UI; heavy libraries stay in one place."""

import ast
from pathlib import Path

import pytest

PLANNER = Path(__file__).resolve().parent.parent / "planner"

# library -> the only modules (relative to planner/) allowed to import it
ALLOWED = {
    "streamlit": lambda rel: rel.parts[0] == "ui",
    "pulp": lambda rel: rel.parts[0] == "optimize",
    "highspy": lambda rel: rel.parts[0] == "optimize",
    "altair": lambda rel: rel.as_posix() == "analysis/charts.py",
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


MODULES = sorted(PLANNER.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PLANNER).as_posix())
def test_module_imports_respect_the_layers(path):
    rel = path.relative_to(PLANNER)
    for library, allowed in ALLOWED.items():
        if library in imported_roots(path):
            assert allowed(rel), f"planner/{rel} imports {library}, which belongs elsewhere"


def test_the_check_sees_imports():
    sample = PLANNER / "domain" / "catalog_schema.py"
    assert {"pandas", "pandera"} <= imported_roots(sample)
