"""The import contract: .importlinter (import-linter) and no function-level imports of our own modules.

engine/ never imports web, present, course or Flask; present and course never import web; no
package has an import cycle between its modules; and every import of our own code sits at the top
of its module, so the dependency graph the linter reads is the one that runs.
"""
import ast
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
OWN = ("engine", "web", "present", "course")


def test_import_linter_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True) == 0


def _function_level_imports() -> list[str]:
    found = []
    for package in OWN:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(function):
                    own = (isinstance(node, ast.ImportFrom)
                           and (node.level > 0 or (node.module or "").split(".")[0] in OWN)
                           or isinstance(node, ast.Import) and any(a.name.split(".")[0] in OWN for a in node.names))
                    if own:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_function_level_imports_of_our_own_modules():
    assert _function_level_imports() == []
