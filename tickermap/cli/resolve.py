"""CLI command ``tickermap resolve``: a thin layer over
:func:`tickermap.openfigi.resolve.resolve_file`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tickermap.cli._app import app, build_settings, console, friendly_errors
from tickermap.cli._progress import RichProgress
from tickermap.errors import OfflineMiss
from tickermap.openfigi.resolve import ResolveReport, resolve_file


def _summary(report: ResolveReport) -> Table:
    table = Table(title="resolve outcomes", title_justify="left")
    table.add_column("outcome")
    table.add_column("tickers", justify="right")
    for outcome, n in sorted(report.counts.items(), key=lambda kv: -kv[1]):
        table.add_row(outcome, str(n))
    return table


@app.command()
@friendly_errors
def resolve(
    universe: Path = typer.Argument(..., help="CSV/Parquet with a ticker column."),
    out: Path = typer.Option(..., "--out", help="Output table (.csv or .parquet)."),
    column: str | None = typer.Option(
        None, help="Ticker column: bloomberg_ticker (default) or numerai_ticker."
    ),
    openfigi_url: str | None = typer.Option(
        None, help="OpenFIGI base URL (or TICKERMAP_OPENFIGI_URL); e.g. the emulator's."
    ),
    cache_dir: Path | None = typer.Option(None, help="Cache folder (or TICKERMAP_CACHE_DIR)."),
    max_age: float | None = typer.Option(None, help="Refetch cached answers older than DAYS."),
    offline: bool = typer.Option(False, help="Answer from the cache only; send nothing."),
    jobs_per_request: int | None = typer.Option(
        None, min=1, help="Jobs per mapping request (default 10, or 100 with an API key)."
    ),
) -> None:
    """Resolve every ticker to its composite FIGI via OpenFIGI (batched, paced, cached).

    Example: tickermap resolve universe.csv --out resolved.csv --openfigi-url http://127.0.0.1:8765
    """
    settings = build_settings(openfigi_url=openfigi_url, cache_dir=cache_dir, max_age_days=max_age)
    with RichProgress() as progress:
        report = resolve_file(
            universe, out, settings=settings, column=column, offline=offline,
            jobs_per_request=jobs_per_request, progress=progress,
        )  # fmt: skip
    console.print(_summary(report))
    console.print(
        f"wrote {report.rows} rows to {report.out}; {report.from_cache} from cache, "
        f"{report.requests} requests, {report.http_429} x 429"
    )
    if report.offline_missing:
        raise OfflineMiss(
            f"{report.offline_missing} of {report.rows} tickers were not in the cache "
            f"(outcome 'failed' in {out}); run without --offline to fetch them"
        )
