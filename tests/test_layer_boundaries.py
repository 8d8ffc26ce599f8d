"""The arrows of DESIGN.md, read from every module's imports: each layer imports only the
layers below it, heavy libraries stay in their one layer, and benchmarks use only public
names."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLANNER = ROOT / "planner"

# layer (first folder under planner/) -> the planner layers it may import
LAYERS = {
    "domain": {"domain"},
    "optimize": {"domain", "optimize"},
    "analysis": {"domain", "optimize", "analysis"},
    "io": {"domain", "analysis", "io"},
    "store": {"domain", "store"},
    "services": {"domain", "optimize", "analysis", "io", "store", "services"},
    "ui": {"domain", "analysis", "io", "services", "ui"},
    "cli": {"domain", "analysis", "io", "store", "services", "cli"},
}
# library -> the layers allowed to import it
LIBRARIES = {
    "streamlit": {"ui"},
    "pulp": {"optimize"},
    "highspy": {"optimize"},
    "sqlalchemy": {"store"},
    "alembic": {"store"},
    "altair": {"analysis"},
}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names (``planner.domain.goals``, ``pandas``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module.split(".")[0] == "planner":  # a name may be a module
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "planner" and len(parts) > 1 and parts[1] in LAYERS else None


MODULES = sorted(p for p in PLANNER.rglob("*.py") if p.parent != PLANNER)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PLANNER).as_posix())
def test_each_module_imports_only_the_layers_below_it(path):
    rel = path.relative_to(PLANNER)
    layer = rel.parts[0]
    assert layer in LAYERS, f"planner/{rel} is in no layer"
    for module in imports(path):
        target = layer_of(module)
        assert target is None or target in LAYERS[layer], (
            f"planner/{rel} ({layer}) imports {module} ({target})")
        library = module.split(".")[0]
        if library in LIBRARIES:
            assert layer in LIBRARIES[library], f"planner/{rel} imports {library}"


def test_the_domain_imports_no_storage_and_no_framework():
    for path in (PLANNER / "domain").rglob("*.py"):
        roots = {m.split(".")[0] for m in imports(path)}
        assert not roots & {"streamlit", "sqlalchemy", "pulp", "highspy", "altair", "fpdf"}, path


def test_the_check_sees_imports():
    sample = imports(PLANNER / "ui" / "pages" / "plan.py")
    assert {"streamlit", "planner.services.solve_service", "planner.domain.goals"} <= sample
    assert layer_of("planner.services.plan_request") == "services"
    assert layer_of("pandas") is None


def private_uses(path: Path) -> list[str]:
    """Names starting with one underscore that ``path`` imports from planner or reads as
    an attribute of an imported planner module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    planner_names = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("planner"):
            for alias in node.names:
                planner_names.add(alias.asname or alias.name)
                if alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in planner_names and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            found.append(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks").glob("*.py")) + MODULES,
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_benchmarks_and_modules_use_only_public_names_of_other_modules(path):
    assert private_uses(path) == []
