"""The import contract: .importlinter (import-linter) and no function-level imports of our own modules.

engine/ never imports web, present, course or Flask; present and course never import web; the
engine's subpackages are layers, each importing only those below it (cli > build > daemon > shell >
registry | archive > layers), and its foundation modules import none of them; no package has an
import cycle between its modules; and every import of our own code sits at the top
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


MAX_MODULE_LINES = 400  # issue 12: one job per module; data lives in data files, not code


def test_no_engine_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / "engine").rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_every_engine_package_says_in_one_paragraph_what_it_is():
    """Each subpackage's __init__ docstring: what it models and what it may use (registry/data's reader
    documents its data files and is not a layer of the architecture)."""
    missing = []
    for init in sorted((ROOT / "engine").rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        if not doc or ("\n\n" in doc.strip() and init.parent.name != "data"):
            missing.append(str(init.relative_to(ROOT)))
    assert missing == []
