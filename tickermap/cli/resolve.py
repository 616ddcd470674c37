"""CLI command ``tickermap resolve``: a thin layer over
:func:`tickermap.openfigi.resolve.resolve_file`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, build_settings, command, console, flag, table
from tickermap.tables import check_outputs

if TYPE_CHECKING:
    from tickermap.openfigi.resolve import ResolveReport


def _render(report: ResolveReport) -> None:
    view = table("resolve outcomes", "outcome", "tickers", right=("tickers",), title_justify="left")
    for outcome, n in sorted(report.counts.items(), key=lambda kv: -kv[1]):
        view.add_row(outcome, str(n))
    console.print(view)
    console.print(
        f"wrote {report.rows} rows to {report.out}; {report.from_cache} from cache, "
        f"{report.requests} requests, {report.http_429} x 429"
        + (f", {report.shared} answered by another run" if report.shared else "")
    )


@command(app)
def resolve(
    universe: Path = typer.Argument(
        ..., metavar="UNIVERSE", help="CSV/Parquet with a ticker column."
    ),
    out: Path = typer.Option(..., "--out", help="Output table (.csv or .parquet)."),
    column: str | None = typer.Option(
        None, help="Ticker column: bloomberg_ticker (default) or numerai_ticker."
    ),
    openfigi_url: str | None = typer.Option(
        None, help="OpenFIGI base URL (or TICKERMAP_OPENFIGI_URL); e.g. the emulator's."
    ),
    cache_dir: Path | None = typer.Option(None, help="Cache folder (or TICKERMAP_CACHE_DIR)."),
    max_age: float | None = typer.Option(
        None, metavar="DAYS", help="Refetch cached answers older than DAYS."
    ),
    offline: bool = flag("--offline", help="Answer from the cache only; send nothing."),
    jobs_per_request: int | None = typer.Option(
        None, min=1, help="Jobs per mapping request (default 10, or 100 with an API key)."
    ),
) -> None:
    """Resolve every ticker to its composite FIGI via OpenFIGI (batched, paced, cached).

    Example: tickermap resolve universe.csv --out resolved.csv --openfigi-url http://127.0.0.1:8765
    """
    check_outputs(inputs=[universe], outputs={"--out": out})
    from tickermap.cli._progress import RichProgress
    from tickermap.openfigi.resolve import resolve_file

    settings = build_settings(openfigi_url=openfigi_url, cache_dir=cache_dir, max_age_days=max_age)
    with RichProgress() as progress:
        report = resolve_file(
            universe, out, settings=settings, column=column, offline=offline,
            jobs_per_request=jobs_per_request, progress=progress,
        )  # fmt: skip
    _render(report)
    if report.problem is not None:
        raise report.problem
