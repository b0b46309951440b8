"""The floor plan: no import cycle between packages nor between the files of one package, analysis apart
from the simulation, lazy heavy imports.

Reads every module's import statements (type-checking-only imports excluded; imports inside functions
included: a lazy import still ties two files together) and checks the layering: ``evo`` uses
``worlds``, ``agents`` and ``analysis``; ``worlds`` uses ``agents`` through its entry points; ``agents``
uses neither; ``analysis`` imports nothing of the simulation.
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
                       "agents.errors", "agents.inspection")  # the last also covers agents.inspection_reporters


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_nodes(path: Path) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of ``path``, lazy ones included, those under ``if TYPE_CHECKING`` left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
            for n in ast.walk(node)}
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in skip]


def imported_modules(path: Path, package: str) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved within ``package``)."""
    out: set[str] = set()
    for node in import_nodes(path):
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


def module_name(path: Path) -> str:
    """``evo/sweep.py`` -> ``evo.sweep``; ``agents/nesting/__init__.py`` -> ``agents.nesting``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_imports(path: Path, known: set[str], name: str | None = None) -> set[str]:
    """The project modules that ``path`` (module ``name``) imports, by module: ``from evo import sweep``
    is ``evo.sweep``, ``from evo.sweep import run_sweep`` is ``evo.sweep`` (relative imports resolved)."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in import_nodes(path):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            out.update(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names)
    return {m for m in out if m in known and m != name}


def module_graph() -> dict[str, set[str]]:
    """module -> the modules of its own package (top level) that it imports."""
    paths = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}
    known = set(paths)
    return {name: {m for m in module_imports(path, known) if m.split(".")[0] == name.split(".")[0]}
            for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_there_is_no_cycle_between_files_inside_a_package():
    assert cycles(module_graph()) == []


def test_the_file_cycle_checker_finds_a_cycle_and_resolves_package_imports(tmp_path):
    """Not blind: a made-up circle is found, and ``from evo import sweep`` counts as ``evo.sweep``."""
    assert cycles({"evo.a": {"evo.b"}, "evo.b": {"evo.c"}, "evo.c": {"evo.a"}, "evo.d": {"evo.a"}}) == \
        [["evo.a", "evo.b", "evo.c"]]
    probe = tmp_path / "x.py"
    probe.write_text("from evo import sweep\nfrom evo.executor import run_batch\nimport evo.config\n"
                     "from . import loop\nfrom .scenarios import load_config\n"
                     "if TYPE_CHECKING:\n    from evo import simulation\n", encoding="utf-8")
    assert module_imports(probe, set(module_graph()), name="evo.x") == \
        {"evo.sweep", "evo.executor", "evo.config", "evo.loop", "evo.scenarios"}


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
