"""CLI command ``refresh``: refresh a previous ticker map for a new universe, with a diff."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, build_settings, command, console, flag
from tickermap.tables import check_outputs

if TYPE_CHECKING:
    from tickermap.maps.options import MapSpec
    from tickermap.refresh.run import RefreshOutputs


def _inputs(previous: MapSpec, universe: Path, specs: list[MapSpec]) -> list[Path]:
    return [previous.path, universe, *(spec.path for spec in specs)]


def _render(done: RefreshOutputs) -> None:
    counts = done.result.counts
    console.print(
        f"{len(done.result.map)} tickers in the refreshed map; changes: "
        + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none")
    )
    console.print(f"wrote map: {done.map_path}")
    console.print(f"wrote diff: {done.diff_path}")


@command(app)
def refresh(
    previous: str = typer.Option(
        ..., "--previous", metavar="FILE[:PRESET]", help="The previous map (e.g. a Signals map)."
    ),
    universe: Path = typer.Option(
        ..., "--universe", "-u", help="The new universe (bloomberg_ticker or numerai_ticker)."
    ),
    maps: list[str] = typer.Option(
        [], "--map", "-m", metavar="FILE[:PRESET]", help="Witness (repeatable), as for reconcile."
    ),
    map_columns: list[str] = typer.Option(
        [], "--map-columns", help="Describe a generic --map or --previous, as for reconcile."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Refreshed map to write."),
    diff: Path = typer.Option(..., "--diff", help="Diff to write: one row per change."),
    column: str | None = typer.Option(None, "--column", help="Ticker column of the universe."),
    openfigi_url: str | None = typer.Option(
        None, "--openfigi-url", help="OpenFIGI or emulator base URL (env TICKERMAP_OPENFIGI_URL)."
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Cache directory (env TICKERMAP_CACHE_DIR)."
    ),
    offline: bool = flag("--offline", help="Witnesses and cached OpenFIGI answers only."),
) -> None:
    """Refresh a bloomberg_ticker-to-FIGI map for a new universe and write what changed.

    Example: tickermap refresh --previous old.csv --universe new.csv --out map.csv --diff d.csv
    """
    from tickermap.cli._progress import RichProgress
    from tickermap.maps.options import parse_map_options
    from tickermap.refresh.run import refresh_files

    prev, *specs = parse_map_options([previous, *maps], map_columns)
    check_outputs(inputs=_inputs(prev, universe, specs), outputs={"--out": out, "--diff": diff})
    settings = build_settings(openfigi_url=openfigi_url, cache_dir=cache_dir)
    with RichProgress() as progress:
        done = refresh_files(
            prev, universe, specs, out, diff, settings=settings, column=column, offline=offline,
            progress=progress,
        )  # fmt: skip
    _render(done)
