"""The typer application, the one error handler, and helpers every command shares.

Commands live in sibling modules (one per job) and register themselves with
``@command(app)`` (or ``@command(sub_app, "name")``). A command parses options, builds
:class:`~tickermap.config.Settings`, calls one library function and renders the result
(``tests/test_architecture.py`` checks it). Library modules are imported inside command bodies,
so ``tickermap --help`` never loads pandas, scipy or matplotlib.

Help is click's plain layout (no rich panels): it wraps long option names and texts at any
width instead of cutting them, shows flags without a metavar, and writes arguments in the usage
line as ``UNIVERSE``.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TextIO, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperArgument, TyperCommand, TyperGroup

from tickermap import __version__
from tickermap.errors import TickermapError

if TYPE_CHECKING:
    from tickermap.config import Settings

PRESET_NAMES = (
    "signals_map",
    "bloomberg_yahoo_av",
    "numerai",
    "generic",
    "financedatabase",
    "dsignals_eodhd",
    "dsignals_overrides",
)
"""``tickermap.maps.load.PRESETS`` by name, for help texts without importing pandas (a test
checks that the two agree)."""

P = ParamSpec("P")
R = TypeVar("R")


def _bool_help(option: Any) -> Any:
    """The help flag with a ``False`` default: typer coerces a flag's value through pydantic
    unless it already is a bool, and an unused help flag is ``None``, so every
    ``tickermap COMMAND --help`` (and every run) imported pydantic for it (0.15 s)."""
    if option is not None and option.default is None:
        option.default = False
    return option


class Command(TyperCommand):
    """A command whose usage line names arguments ``UNIVERSE`` and whose summary is never cut."""

    def get_help_option(self, ctx: Any) -> Any:
        return _bool_help(super().get_help_option(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = (param.metavar or param.name or "").upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces

    def get_short_help_str(self, limit: int = 45) -> str:
        """The docstring's first paragraph, whole (click would cut it at ``limit``)."""
        text = self.short_help or self.help or ""
        return " ".join(inspect.cleandoc(text).split("\n\n")[0].split())


class Group(TyperGroup):
    """A command group whose summary is never cut either."""

    get_short_help_str = Command.get_short_help_str

    def get_help_option(self, ctx: Any) -> Any:
        return _bool_help(super().get_help_option(ctx))


app = typer.Typer(
    name="tickermap",
    help="Clean join keys for the Numerai Signals universe, and the exposures of a signal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=Group,
)
PIPE_WIDTH = 120
"""Width of tables and messages written to a file or a pipe (Rich's own default is 80)."""


def _width(stream: TextIO) -> int | None:
    """None (the terminal's width, or ``COLUMNS``) on a terminal; :data:`PIPE_WIDTH` otherwise."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return None if tty or os.environ.get("COLUMNS") else PIPE_WIDTH


console = Console(stderr=True, highlight=False, width=_width(sys.stderr))
"""Progress, summaries and errors go to stderr; stdout is kept for machine-readable output."""
out = Console(highlight=False, soft_wrap=True, width=_width(sys.stdout))


def sub_app(name: str, help: str) -> typer.Typer:
    """A command group (``tickermap mappings ...``) registered on :data:`app`."""
    group = typer.Typer(
        help=help, no_args_is_help=True, rich_markup_mode=None, cls=Group, add_completion=False
    )
    app.add_typer(group, name=name)
    return group


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn :class:`TickermapError` into ``Error: <message>`` on stderr and its exit code.

    The message is printed without hard line breaks (``soft_wrap``), so a long URL or path
    stays one piece to copy. Unexpected exceptions keep their traceback: they are bugs.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except TickermapError as exc:
            console.print(Text.assemble(("Error:", "bold red"), " ", str(exc)), soft_wrap=True)
            raise typer.Exit(code=exc.exit_code) from None

    return wrapper


def command(
    parent: typer.Typer, name: str | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a command on ``parent`` with :class:`Command` and :func:`friendly_errors`."""

    def register(func: Callable[P, R]) -> Callable[P, R]:
        wrapped = friendly_errors(func)
        parent.command(name, cls=Command)(wrapped)
        return wrapped

    return register


def flag(*names: str, help: str) -> Any:
    """A boolean ``--name`` option, off by default."""
    return typer.Option(False, *names, help=help)


def table(
    title: str, *columns: str, right: tuple[str, ...] = (), title_justify: str = "center"
) -> Table:
    """A result table whose cells wrap (fold) instead of being cut at narrow widths."""
    view = Table(title=title, title_justify=title_justify)  # type: ignore[arg-type]
    for name in columns:
        view.add_column(name, justify="right" if name in right else "left", overflow="fold")
    return view


def build_settings(
    *,
    openfigi_url: str | None = None,
    cache_dir: Path | None = None,
    max_age_days: float | None = None,
) -> Settings:
    """Settings from the environment, overridden by whichever CLI options were given."""
    from tickermap.config import Settings

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
    verbose: bool = flag("--verbose", "-v", help="Log debug messages to stderr."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Clean join keys for the Numerai Signals universe, and the exposures of a signal."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
