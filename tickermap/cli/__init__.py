"""Command-line interface: ``tickermap <command>``; thin over the library.

Each sibling module registers the commands of one job on the shared :data:`app`. Importing this
package is cheap: command modules import the library inside their command bodies (checked by
``tests/test_architecture.py``), so ``tickermap --help`` loads no pandas, scipy or matplotlib.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

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


def main() -> NoReturn:
    """Console-script entry point: run the command, then end the process without teardown.

    The process ends as the interpreter would end it (other threads joined, ``atexit`` handlers
    run, standard streams flushed, the command's exit code) but without finalising every module:
    with pandas and pyarrow loaded that teardown alone takes 0.2-0.3 s, a fifth of a typical
    ``exposure`` run. Every file the commands write is closed (and renamed into place) before
    they return, so nothing is lost.
    """
    try:
        app()
    except SystemExit as done:
        _exit(_exit_code(done.code))
    _exit(0)


def _exit_code(code: object) -> int:
    """``sys.exit``'s rules: None is 0, an int itself, anything else printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _exit(code: int) -> NoReturn:
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()  # a closed pipe (``| head``), or None when started with ``>&-``
    os._exit(code)
