"""One-way imports (DESIGN.md "The picture to aim at"), read from every module's source with
``ast`` — imports inside functions count too, since they bind the layers all the same.

* the foundation (``pipelines.schema``, ``pipelines.sql``, ``pipelines.sqlfuncs``) imports
  nothing of ours;
* ``checks`` imports only the foundation and itself: a kind names the preparations it needs and
  the engine runs them;
* ``reports`` never imports ``checks``, ``pipelines.engine`` or ``pipelines.rules``: what it shows
  of a kind comes to it as data (``ReportData.kinds``);
* no two of our modules import each other, directly or round a longer loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("checks", "pipelines", "reports")
FOUNDATION = {"pipelines.schema", "pipelines.sql", "pipelines.sqlfuncs", "pipelines.masking"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Our modules that ``path`` imports (``from . import x`` resolved to the module ``pkg.x``)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # `from . import schema`
    # `from pipelines import schema` names the package too; pipelines/ and reports/ __init__ are empty
    return {m for m in found if m.split(".")[0] in PACKAGES and m not in ("pipelines", "reports")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).glob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


GRAPH = _graph()


def test_the_walk_sees_every_package_and_real_imports():
    assert {"checks.deadline", "pipelines.engine", "reports.html"} <= set(GRAPH)
    assert "checks" in GRAPH["pipelines.engine"] and "pipelines.schema" in GRAPH["checks.base"]


def test_the_foundation_imports_nothing_of_ours():
    """Only the foundation itself (sqlfuncs installs the masking macros beside its own)."""
    for name in FOUNDATION:
        assert GRAPH[name] <= FOUNDATION - {name}, name


def test_checks_import_only_the_foundation_and_each_other():
    for name, imported in GRAPH.items():
        if name.split(".")[0] == "checks":
            bad = {m for m in imported if m.split(".")[0] != "checks" and m not in FOUNDATION}
            assert not bad, (name, bad)


def test_reports_import_only_the_foundation_and_each_other():
    """reports are handed their data (pipelines.report_data, by the CLI): they know no audit,
    rule, clause, ledger or catalogue module of pipelines."""
    for name, imported in GRAPH.items():
        if name.split(".")[0] == "reports":
            bad = {m for m in imported if m.split(".")[0] != "reports" and m not in FOUNDATION}
            assert not bad, (name, bad)


def test_reports_never_import_checks_the_engine_or_the_rule_loader():
    forbidden = ("checks", "pipelines.engine", "pipelines.rules")
    for name, imported in GRAPH.items():
        if name.split(".")[0] == "reports":
            bad = {m for m in imported if any(m == f or m.startswith(f + ".") for f in forbidden)}
            assert not bad, (name, bad)


def test_no_module_of_ours_is_in_an_import_cycle():
    def cycle_from(start):
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in GRAPH.get(node, ()):
                if nxt == start:
                    return path + [start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
        return None

    cycles = [c for name in GRAPH if (c := cycle_from(name))]
    assert not cycles, cycles[0]
