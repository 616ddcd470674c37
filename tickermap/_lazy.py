"""Lazy re-exports for the subpackage ``__init__`` modules (PEP 562), so importing one is cheap.

A subpackage writes its public names as ordinary imports under ``if TYPE_CHECKING:`` (what
readers and mypy see) and ends with::

    __getattr__, __dir__ = lazy_exports(__name__)

Nothing is imported until a name is first used; then its module is imported and the value is
cached in the package, so ``from tickermap.reconcile import reconcile`` works as before while
``import tickermap.cli`` does not pull pandas. The table of names is read from the ``if
TYPE_CHECKING:`` block of the package's own source (one list of names, checked by
``tests/test_architecture.py``). A submodule named like one of its exports (``exposure.churn``
holding ``churn``) never hides the export once imported, as with eager re-exports.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable
from pathlib import Path

__all__ = ["export_table", "lazy_exports"]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def export_table(path: str | Path, package: str) -> dict[str, tuple[str, str]]:
    """``exported name -> (module, name in module)`` from the ``if TYPE_CHECKING:`` imports.

    >>> sorted(export_table(Path(__file__).parent / "openfigi" / "__init__.py",
    ...                     "tickermap.openfigi"))[:2]
    ['BucketLimiter', 'CACHE_FILE']
    """
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    table: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and _is_type_checking(node.test)):
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.ImportFrom):
                relative = "." * stmt.level + (stmt.module or "")
                module = importlib.util.resolve_name(relative, package)
                for alias in stmt.names:
                    table[alias.asname or alias.name] = (module, alias.name)
    return table


class _LazyPackage(types.ModuleType):
    """A package whose exports are resolved on first use."""

    _lazy_table: dict[str, tuple[str, str]]

    def __setattr__(self, name: str, value: object) -> None:
        table = self.__dict__.get("_lazy_table", {})
        if (
            name in table
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            # The import system binds a submodule on its package; an export of the same name
            # (exposure.churn -> churn) wins, as it did with eager re-exports.
            module, attr = table[name]
            if module != value.__name__:
                return
            value = getattr(value, attr)
        super().__setattr__(name, value)


def lazy_exports(package: str) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Make ``package`` resolve its ``if TYPE_CHECKING:`` re-exports lazily.

    Returns:
        ``(__getattr__, __dir__)`` for the package's namespace.
    """
    module = sys.modules[package]
    file = module.__file__
    if file is None:  # pragma: no cover - namespace packages have no __init__ file
        raise ImportError(f"{package} has no __init__ file to read its exports from")
    table = export_table(file, package)
    module.__dict__["_lazy_table"] = table
    module.__class__ = _LazyPackage

    def __getattr__(name: str) -> object:
        entry = table.get(name)
        if entry is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(entry[0]), entry[1])
        module.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*module.__dict__, *table})

    return __getattr__, __dir__
