"""Command-line interface: ``tickermap <command>``; thin over the library.

Each sibling module registers the commands of one job on the shared :data:`app`. Importing this
package is cheap: command modules import the library inside their command bodies (checked by
``tests/test_architecture.py``), so ``tickermap --help`` loads no pandas, scipy or matplotlib.
"""

from __future__ import annotations

from tickermap.cli import (  # noqa: F401  (imported for their commands)
    check,
    demo,
    diagnostics,
    emulator,
    exposure,
    features,
    history,
    mappings,
    reconcile,
    refresh,
    resolve,
    symbols,
    validate,
)
from tickermap.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
