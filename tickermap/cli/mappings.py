"""CLI commands for community mapping files: ``tickermap mappings list|fetch|show``.

Thin over :mod:`tickermap.maps.sources` (registry, download) and :mod:`tickermap.maps.load`
(loading).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

from tickermap.cli._app import PRESET_NAMES, build_settings, command, out, sub_app

if TYPE_CHECKING:
    from tickermap.maps.load import LoadedMap, Namespace, Preset
    from tickermap.maps.sources import Source

mappings_app = sub_app(
    "mappings",
    "Community mapping files: list the known ones, fetch one (checksum-verified), inspect.",
)

_REGISTRY = typer.Option(
    None, "--registry", help="A sources TOML file instead of the bundled mappings/sources.toml."
)


def _print_sources(sources: dict[str, Source]) -> None:
    for src in sources.values():
        pinned = f"sha256 {src.sha256[:16]}…" if src.pinned else "NOT pinned: fetch needs --sha256"
        if src.is_folder:
            pinned = f"folder: {len(src.files)} files pinned, {len(src.missing)} not pinned"
        out.print(f"[bold]{src.name}[/]  preset={src.preset}  licence={src.licence}  {pinned}")
        out.print(f"  {src.description}\n  {src.url}", markup=False)
        if src.missing:
            out.print(f"  not pinned: {', '.join(src.missing)} ({src.note})", markup=False)


@command(mappings_app, "list")
def list_sources(registry: Path | None = _REGISTRY) -> None:
    """List the known public community mapping files (name, preset, licence, pinned, URL).

    Example: tickermap mappings list
    """
    from tickermap.maps.sources import load_registry

    _print_sources(load_registry(registry))


@command(mappings_app, "fetch")
def fetch(
    name: str = typer.Argument(
        ..., metavar="NAME", help="Registry name, e.g. guillem (see `mappings list`)."
    ),
    url: str | None = typer.Option(None, "--url", help="Download from this mirror instead."),
    sha256: str | None = typer.Option(
        None,
        "--sha256",
        help="Expected sha256 (required for unpinned sources); FILE=HEX,... for a folder.",
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Overrides TICKERMAP_CACHE_DIR."
    ),
    registry: Path | None = _REGISTRY,
) -> None:
    """Download a community file into the cache, verify its sha256, print its path.

    Example: tickermap mappings fetch guillem
    """
    from tickermap.cli._progress import RichProgress
    from tickermap.maps.sources import fetch_source

    settings = build_settings(cache_dir=cache_dir)
    with RichProgress() as progress:
        path = fetch_source(
            name,
            settings=settings,
            registry=registry,
            url_override=url,
            sha256=sha256,
            progress=progress,
        )
    out.print(str(path))


def _print_map(loaded: LoadedMap, rows: int) -> None:
    how = "detected from the header" if loaded.detected else "given"
    summary = (
        f"{loaded.path}: preset {loaded.preset} ({how}), namespace {loaded.namespace}, "
        f"{len(loaded.frame)} rows"
    )
    out.print(summary, markup=False)
    shown = loaded.frame.head(rows)
    extra = loaded.extra
    if extra is not None and "source_file" in extra.columns and "source" in shown.columns:
        # a folder is one witness; its rows are named FOLDER/FILE.csv as claims are
        files = extra["source_file"].head(rows).astype(str).to_numpy()
        shown = shown.assign(
            source=[f"{s}/{f}" for s, f in zip(shown["source"], files, strict=True)]
        )
    out.print(shown.to_csv(index=False), end="", markup=False)


@command(mappings_app, "show")
def show(
    path: str = typer.Argument(
        ..., metavar="FILE", help="A mapping file (CSV/Parquet) or folder; FILE:PRESET."
    ),
    preset: str | None = typer.Option(
        None, "--preset", help=f"One of {', '.join(PRESET_NAMES)}; auto-detected by default."
    ),
    columns: str | None = typer.Option(
        None, "--columns", help="Generic mode: key=column,... e.g. name=company,isin=ISIN."
    ),
    namespace: str | None = typer.Option(
        None, "--namespace", help="bloomberg or numerai; by default from the column name."
    ),
    rows: int = typer.Option(5, "--rows", min=0, help="How many rows to print."),
) -> None:
    """Load a mapping file, say which preset was used and print its first canonical rows as CSV.

    Example: tickermap mappings show signals_map_guillem.csv --rows 3
    """
    from tickermap.maps.load import load_map, parse_columns_option
    from tickermap.maps.options import parse_map_option

    spec = parse_map_option(path)
    loaded = load_map(
        spec.path,
        preset=cast("Preset | None", preset) or spec.preset,
        columns=parse_columns_option(columns) if columns is not None else None,
        namespace=cast("Namespace | None", namespace),
    )
    _print_map(loaded, rows)
