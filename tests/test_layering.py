"""The rulebook is engine-neutral: no module in it imports an engine adapter or the command line.

Checked on the source (every import statement, including ones inside functions), so a lazy import
cannot slip through the way it would past a `sys.modules` check.
"""

from __future__ import annotations

import ast
from pathlib import Path

import rulebook

FORBIDDEN = ("hcl_scanner", "preview_gate", "policypack", "cicd_guard")


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def test_rulebook_imports_no_engine_and_no_cli() -> None:
    root = Path(rulebook.__file__).parent
    offending = [f"{path.relative_to(root.parent)}:{line}: {module}"
                 for path in sorted(root.rglob("*.py"))
                 for line, module in _imported_modules(path)
                 if module.split(".")[0] in FORBIDDEN]
    assert offending == []


def test_the_check_sees_a_lazy_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from preview_gate import run_gate\n    import hcl_scanner.scan\n")
    assert _imported_modules(module) == [(2, "preview_gate"), (3, "hcl_scanner.scan")]
