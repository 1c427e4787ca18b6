"""The library API: a checked ``__all__`` everywhere, lazy top-level names, and the library guide's example runs."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import piimap

LIBRARY_GUIDE = Path(__file__).resolve().parent.parent / "docs" / "library.md"

#: The modules docs/library.md documents as the library API: every public class and function they
#: define is in their ``__all__``.
LIBRARY_MODULES = (
    "piimap.config",
    "piimap.datamap",
    "piimap.exitcodes",
    "piimap.model",
    "piimap.pipeline",
    "piimap.reports",
    "piimap.rules",
    "piimap.settings",
)


def all_modules() -> list[str]:
    names = []
    for package in ("piimap", "piimap.commands", "piimap.connectors", "piimap.classifiers", "piimap.reports"):
        names.append(package)
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
            if not module.ispkg and not module.name.startswith("_"):
                names.append(f"{package}.{module.name}")
    return names


def test_every_top_level_name_resolves_to_where_it_is_defined() -> None:
    names = piimap.__all__
    assert names[0] == "__version__" and len(set(names)) == len(names)
    assert names[1:] == sorted(piimap._EXPORTS, key=str.casefold)
    for name in names[1:]:
        value = getattr(piimap, name)
        assert getattr(value, "__module__", None) == piimap._EXPORTS[name], name
        assert name in importlib.import_module(piimap._EXPORTS[name]).__all__, name
    assert set(names) <= set(dir(piimap))
    with pytest.raises(AttributeError):
        piimap.no_such_name  # noqa: B018


def test_the_type_checking_imports_name_exactly_the_exports() -> None:
    """``piimap/__init__.py`` lists its names twice (for type checkers, and for the lazy loader)."""
    tree = ast.parse(Path(piimap.__file__).read_text(encoding="utf-8"))
    (block,) = [
        node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    imported = {
        alias.name: statement.module
        for statement in block.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }
    assert imported == piimap._EXPORTS


@pytest.mark.parametrize("module_name", all_modules())
def test_every_module_has_an_all_of_names_it_has(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if module_name in ("piimap.commands", "piimap.connectors", "piimap.classifiers"):
        return  # namespace packages of plugins: nothing of their own
    assert names is not None, f"{module_name} has no __all__"
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing, f"{module_name}.__all__ names what it does not have: {missing}"
    assert len(set(names)) == len(names), f"{module_name}.__all__ repeats a name"
    if module_name in LIBRARY_MODULES:
        defined = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and (inspect.isclass(value) or inspect.isfunction(value))
            and value.__module__ == module_name
        ]
        unlisted = [name for name in defined if name not in names]
        assert not unlisted, f"{module_name} defines public {unlisted} without listing them in __all__"


def test_importing_the_model_does_not_load_the_pipeline() -> None:
    code = (
        "import sys, piimap.model, piimap.connectors.files\n"
        "print(sorted(m for m in ('piimap.pipeline', 'piimap.store', 'piimap.reports', 'piimap.config')"
        " if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_the_library_guide_example_runs(tmp_path: Path) -> None:
    text = LIBRARY_GUIDE.read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert "main.customers email user.contact.email" in run.stdout
    assert "PIIMAP002 user.contact.phone_number found in shop: main.customers: phone" in run.stdout
    assert run.stdout.rstrip().endswith("exit code 1")
    assert (tmp_path / "report.json").is_file()
    assert "@example.com" not in run.stdout  # masked examples only
