"""The import contract: .importlinter (import-linter) and no function-level imports of our own modules.

engine/ never imports web, present, course or Flask; present and course never import web; no
package has an import cycle between its modules; and every import of our own code sits at the top
of its module, so the dependency graph the linter reads is the one that runs.
"""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN = ("engine", "web", "present", "course")


def test_import_linter_contracts_are_kept():
    # in a process of its own: the linter's command line configures logging for its whole process,
    # which disabled the app's logger for every test after this one
    lint = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='.importlinter', no_cache=True, no_logo=True))")
    done = subprocess.run([sys.executable, "-c", lint], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


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
