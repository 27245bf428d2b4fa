"""The checker stays an oracle: it imports nothing of the package but the model and the
input layer (read from its source, and from a fresh interpreter), and production code
does not import it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "matcher" / "checker"


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (absolute names)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def allowed_in_checker(name: str) -> bool:
    """The standard library, and of the package only its types (model, results), io and checker."""
    parts = name.split(".")
    if parts[0] != "matcher":
        return parts[0] in sys.stdlib_module_names
    return len(parts) == 1 or parts[1] in ("model", "results", "io", "checker")


def test_the_checker_imports_only_the_model_the_input_layer_and_the_standard_library():
    modules = sorted(CHECKER.glob("*.py"))
    assert {p.name for p in modules} >= {"__init__.py", "rules.py", "scores.py"}
    bad = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules
        for name in imports_of(path)
        if not allowed_in_checker(name)
    }
    assert not bad, sorted(bad)


def test_importing_the_checker_loads_no_other_part_of_the_package():
    code = "import sys, matcher.checker; print(*sorted(m for m in sys.modules if 'matcher' in m))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = done.stdout.split()
    assert [m for m in loaded if not allowed_in_checker(m)] == []
    assert [m for m in loaded if m.split(".")[:2] == ["matcher", "io"]] == [
        "matcher.io",
        "matcher.io.fields",
    ]


def test_production_code_does_not_import_the_checker():
    # The one exception: verify re-derives a receipt's certificate network with the
    # oracle's own rule and score functions (issue 17), so as not to trust the solver.
    importers = {
        str(path.relative_to(ROOT))
        for folder in ("matcher", "api")
        for path in (ROOT / folder).rglob("*.py")
        if CHECKER not in path.parents
        and any(
            n == "matcher.checker" or n.startswith("matcher.checker.") for n in imports_of(path)
        )
    }
    assert importers == {"matcher/answers/certificate_check.py"}
