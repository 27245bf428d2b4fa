"""The core's shape: a pipeline without cycles, a pure library, an oracle nobody else uses."""

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2] / "matcher"
SERVICE = ("flask", "sqlalchemy", "alembic", "celery", "redis", "psycopg", "waitress", "api")


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path) -> set[str]:
    """Every module named by an import statement in ``path`` (function bodies included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for target in _imports(path):
            if target in modules and target != name:
                graph.add_edge(name, target)
    return graph


def test_no_import_cycles_between_modules():
    graph = _graph()
    # A package's __init__ may re-export its children; a child importing its package's
    # __init__ is then no cycle of ours. Drop package -> child edges before looking.
    packages = {n for n, p in _modules().items() if p.name == "__init__.py"}
    graph.remove_edges_from([(a, b) for a, b in list(graph.edges) if a in packages])
    assert list(nx.simple_cycles(graph)) == []


def test_the_checker_has_no_production_callers():
    callers = list(_graph().predecessors("matcher.checker"))
    assert callers == []


def test_only_the_certificate_check_borrows_the_checkers_derivation():
    # verify re-derives the network of the certificate with the oracle's own rule and
    # score functions (issue 17): that module, and no other, may import the checker.
    users = {
        name
        for name, path in _modules().items()
        if not name.startswith("matcher.checker")
        and any(t.startswith("matcher.checker") for t in _imports(path))
    }
    assert users == {"matcher.answers.certificate_check"}


def test_the_core_imports_no_web_database_or_queue_code():
    offenders = {
        name: sorted(t for t in _imports(path) if t.split(".")[0] in SERVICE)
        for name, path in _modules().items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_few_modules_at_the_top_and_every_module_focused():
    top = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(top) <= 8, top
    long = {
        str(p.relative_to(ROOT)): n
        for p in ROOT.rglob("*.py")
        if (n := len(p.read_text().splitlines())) >= 400
    }
    assert long == {}


def test_the_public_api_resolves():
    import matcher

    for name in matcher.__all__:
        assert getattr(matcher, name) is not None, name
