"""The typer application, the one error handler, and helpers every command shares.

Commands live in sibling modules (one per job) and register themselves on :data:`app` with
``@app.command()`` plus :func:`friendly_errors`. A command parses options, builds
:class:`~tickermap.config.Settings`, calls one library function and renders the result.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from tickermap import __version__
from tickermap.config import Settings
from tickermap.errors import TickermapError

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="tickermap",
    help="Clean join keys for the Numerai Signals universe, and the exposures of a signal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, highlight=False)
"""Progress, summaries and errors go to stderr; stdout is kept for machine-readable output."""
out = Console(highlight=False, soft_wrap=True)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn :class:`TickermapError` into ``Error: <message>`` on stderr and its exit code.

    Unexpected exceptions keep their traceback: they are bugs, not user mistakes.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except TickermapError as exc:
            console.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(code=exc.exit_code) from None

    return wrapper


def build_settings(
    *,
    openfigi_url: str | None = None,
    cache_dir: Path | None = None,
    max_age_days: float | None = None,
) -> Settings:
    """Settings from the environment, overridden by whichever CLI options were given."""
    return Settings.from_env(
        overrides={
            "openfigi_url": openfigi_url,
            "cache_dir": cache_dir,
            "max_age_days": max_age_days,
        }
    )


def _version(value: bool) -> None:
    if value:
        out.print(f"tickermap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages to stderr."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Clean join keys for the Numerai Signals universe, and the exposures of a signal."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
