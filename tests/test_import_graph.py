"""The floor plan: no package-level import cycle, analysis apart from the simulation, lazy heavy imports.

Reads every module's import statements (type-checking-only imports excluded)
and checks the layering: ``evo`` uses ``worlds``, ``agents`` and ``analysis``;
``worlds`` uses ``agents`` through its entry points; ``agents`` uses neither;
``analysis`` imports nothing of the simulation.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("evo", "worlds", "agents", "analysis")
#: Allowed package -> packages it may import.
ALLOWED = {"evo": {"worlds", "agents", "analysis"}, "worlds": {"agents"}, "agents": set(), "analysis": set()}
#: The agents modules a world may use: the search (compiled, and its plain-Python reference), nesting, the
#: generation row's statistics, and the shared low-level pieces.
AGENTS_ENTRY_POINTS = ("agents.search", "agents.reference_search", "agents.visits", "agents.visit_slots",
                       "agents.nesting", "agents.genome", "agents.stats", "agents.rng", "agents.jit", "agents.schema",
                       "agents.errors")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported_modules(path: Path, package: str) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved within ``package``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
            for n in ast.walk(node)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package if node.module is None else f"{package}.{node.module}"
                out.add(base)
            elif node.module:
                out.add(node.module)
    return out


def package_graph() -> dict[str, dict[str, set[str]]]:
    """package -> {module path: imported project modules}."""
    graph: dict[str, dict[str, set[str]]] = {}
    for pkg in PACKAGES:
        graph[pkg] = {}
        for path in sorted((ROOT / pkg).rglob("*.py")):
            mods = {m for m in imported_modules(path, pkg) if m.split(".")[0] in PACKAGES}
            graph[pkg][str(path.relative_to(ROOT))] = mods
    return graph


def test_every_package_imports_only_what_its_layer_allows():
    bad = [f"{where} imports {mod}" for pkg, modules in package_graph().items() for where, mods in modules.items()
           for mod in sorted(mods) if mod.split(".")[0] != pkg and mod.split(".")[0] not in ALLOWED[pkg]]
    assert bad == []


def test_there_is_no_package_level_cycle():
    edges = {pkg: {m.split(".")[0] for mods in modules.values() for m in mods} - {pkg}
             for pkg, modules in package_graph().items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})) for nxt in edges[start])

    assert [pkg for pkg in PACKAGES if reaches(pkg, pkg, {pkg})] == []


def test_worlds_use_agents_only_through_its_entry_points():
    bad = [f"{where} imports {mod}" for where, mods in package_graph()["worlds"].items() for mod in sorted(mods)
           if mod.startswith("agents") and not mod.startswith(AGENTS_ENTRY_POINTS)]
    assert bad == []


def test_the_checker_sees_a_cycle_it_is_shown(tmp_path):
    """The parser is not blind: an ``import evo`` inside analysis would be reported."""
    fake = tmp_path / "x.py"
    fake.write_text("import numpy\nfrom evo.config import Config\nfrom . import load\n"
                    "if TYPE_CHECKING:\n    import worlds\n", encoding="utf-8")
    assert imported_modules(fake, "analysis") == {"numpy", "evo.config", "analysis"}


def loaded_after(code: str) -> set[str]:
    """Top-level modules present in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_the_simulation_path_never_imports_matplotlib():
    assert "matplotlib" not in loaded_after("import evo.simulation")


@pytest.mark.parametrize("code", [
    "import evo.config; evo.config.validate_config({})",
    "from evo.scenarios import load_config; load_config('sugar'); load_config('maze-corner')",
    "import contextlib, io\nfrom evo.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()): assert main(['validate', 'sugar']) == 0",
])
def test_config_validation_does_not_import_numba(code):
    assert "numba" not in loaded_after(code)


def test_analysis_loads_without_the_simulation():
    loaded = loaded_after("import analysis, analysis.load")
    assert loaded.isdisjoint({"evo", "worlds", "agents", "numba", "matplotlib"})


def test_the_cli_names_every_figure_kind_analysis_draws():
    from analysis.figures import FIGURE_KINDS
    from evo.cli import FIGURE_KIND_NAMES

    assert tuple(FIGURE_KINDS) == FIGURE_KIND_NAMES
