"""The package's shape: no import cycles in ``plugins/pressmon``, Airflow known only to
``pressmon.airflow``, DAG files importing only from there.

Imports are read with ``ast`` at any depth (inside functions too: most of the library imports
lazily), so a cycle hidden in a function body counts like a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

from pm_testing import ROOT

PLUGINS = ROOT / "plugins"
PACKAGE = "pressmon"


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` under ``root``."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``name`` imports anywhere in its file."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from pkg import sub` imports the submodule; `from mod import name` the module
            targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in known else origin
                       for a in node.names]
        else:
            continue
        for target in targets:
            # `import pressmon.a.b` runs pressmon.a.b; the closest known module is the edge
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    files = module_files(root, package)
    known = set(files)
    return {name: imported_modules(name, path, known) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_no_import_cycles_in_the_library():
    found = cycles(import_graph(PLUGINS, PACKAGE))
    assert not found, "import cycles (each line one set of modules importing each other):\n" + \
        "\n".join(" <-> ".join(c) for c in found)


def test_cycle_detection_sees_imports_inside_functions(tmp_path):
    """The checker itself: a cycle whose edges are lazy, relative imports is found."""
    pkg = tmp_path / "demo"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def g():\n    from ..c import x\n")
    (pkg / "c.py").write_text("import os\n\ndef h():\n    from . import a\n")
    (pkg / "d.py").write_text("from .a import f\n")
    assert cycles(import_graph(tmp_path, "demo")) == [["demo.a", "demo.c", "demo.sub.b"]]


def _airflow_imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        out += [n for n in names if n == "airflow" or n.startswith("airflow.")]
    return out


def test_only_pressmon_airflow_imports_airflow():
    files = module_files(PLUGINS, PACKAGE)
    outside = {name: _airflow_imports(path) for name, path in files.items()
               if name != "pressmon.airflow" and not name.startswith("pressmon.airflow.")}
    offenders = {name: found for name, found in outside.items() if found}
    assert not offenders, f"modules outside pressmon.airflow that import Airflow: {offenders}"
    # and the package does hold the Airflow code
    inside = [name for name in files if name.startswith("pressmon.airflow.")
              and _airflow_imports(files[name])]
    assert {"pressmon.airflow.ingest", "pressmon.airflow.digest",
            "pressmon.airflow.alerts"} <= set(inside)


def test_dag_files_import_pressmon_only_from_pressmon_airflow():
    dags = sorted((ROOT / "dags").glob("*.py"))
    assert dags
    for path in dags:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                if name == "pressmon" or name.startswith("pressmon."):
                    assert name.startswith("pressmon.airflow"), f"{path.name} imports {name}"


def test_plugin_file_stays_thin():
    """Airflow's plugin scan imports plugins/pressmon_ui.py in every process: it names the
    app's module but imports nothing of pressmon at load time."""
    tree = ast.parse((PLUGINS / "pressmon_ui.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert all(not (getattr(n, "module", None) or "").startswith("pressmon") for n in top)
    lazy = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
            and (n.module or "").startswith("pressmon")]
    assert lazy == ["pressmon.airflow.ui"]
