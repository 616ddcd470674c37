"""CLI commands ``reconcile`` and ``audit`` (registered on the shared app)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, build_settings, command, console, flag, out, sub_app, table
from tickermap.tables import check_outputs

if TYPE_CHECKING:
    import pandas as pd

    from tickermap.maps.options import MapSpec
    from tickermap.reconcile.pipeline import ReconcileOutputs

audit_app = sub_app("audit", "Audit a reconciled universe for corporate events.")


def _inputs(universe: Path, specs: list[MapSpec]) -> list[Path]:
    return [universe, *(spec.path for spec in specs)]


def _print_summary(done: ReconcileOutputs, specs: list[MapSpec]) -> None:
    from tickermap.maps.options import describe_map_spec

    for spec in specs:
        console.print(f"map {describe_map_spec(spec)}", markup=False)
    universe, stats = done.result.universe, done.result.stats
    view = table(
        f"{stats['tickers']} ticker{'' if stats['tickers'] == 1 else 's'}, {stats['claims']} "
        f"claim{'' if stats['claims'] == 1 else 's'} "
        f"({stats['namespace']} namespace), {stats['requests_sent']} OpenFIGI requests",
        "status",
        "tickers",
        "share",
        right=("tickers", "share"),
    )
    counts = universe["status"].value_counts()
    for status, n in counts.items():
        view.add_row(str(status), str(n), f"{n / max(len(universe), 1):.1%}")
    console.print(view)
    for label, path in (
        ("universe", done.universe_path),
        ("review", done.review_path),
        ("report", done.report_path),
    ):
        if path is not None:
            console.print(f"wrote {label}: {path}")


@command(app)
def reconcile(
    universe: Path = typer.Option(
        ...,
        "--universe",
        "-u",
        help="Universe file (CSV/Parquet) with bloomberg_ticker or numerai_ticker.",
    ),
    maps: list[str] = typer.Option(
        [],
        "--map",
        "-m",
        help="Community map or FinanceDatabase folder (repeatable); preset detected from the "
        "header, or forced with FILE:PRESET.",
    ),
    map_columns: list[str] = typer.Option(
        [],
        "--map-columns",
        help="Describe a generic --map: FILE=KEY=COLUMN,... e.g. m.csv=ticker=sym,exchange=exch.",
    ),
    out_path: Path = typer.Option(
        ..., "--out", "-o", help="Cleaned universe to write (.csv or .parquet)."
    ),
    review: Path | None = typer.Option(
        None, "--review", help="Also write every judged claim, most suspicious first."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Also write a self-contained HTML report."
    ),
    column: str | None = typer.Option(
        None, "--column", help="Ticker column (default: bloomberg_ticker, else numerai_ticker)."
    ),
    openfigi_url: str | None = typer.Option(
        None, "--openfigi-url", help="OpenFIGI or emulator base URL (env TICKERMAP_OPENFIGI_URL)."
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Cache directory (env TICKERMAP_CACHE_DIR)."
    ),
    offline: bool = flag(
        "--offline", help="Use cached OpenFIGI answers only; mark the rest unverified."
    ),
) -> None:
    """Decide which identifiers of each ticker can be trusted, and write clean join keys.

    Example: tickermap reconcile --universe u.csv --map map.csv --out clean.csv --report r.html
    """
    from tickermap.cli._progress import RichProgress
    from tickermap.maps.options import parse_map_options
    from tickermap.reconcile.pipeline import reconcile_files

    specs = parse_map_options(maps, map_columns)
    check_outputs(
        inputs=_inputs(universe, specs),
        outputs={"--out": out_path, "--review": review, "--report": report},
    )
    settings = build_settings(openfigi_url=openfigi_url, cache_dir=cache_dir)
    with RichProgress() as progress:
        done = reconcile_files(
            universe,
            specs,
            out_path,
            settings=settings,
            review=review,
            report=report,
            column=column,
            offline=offline,
            progress=progress,
        )
    _print_summary(done, specs)


def _print_events(found: pd.DataFrame, written: Path | None) -> None:
    from tickermap.reconcile.audit import summarize_events

    view = table(f"{len(found)} events", "event", "exch_code", "tickers")
    for rec in summarize_events(found).itertuples(index=False):
        view.add_row(*(str(x) for x in rec))
    console.print(view)
    if written is not None:
        console.print(f"wrote {written}")
    else:
        out.print(found.to_csv(index=False), end="")


@command(audit_app, "delisted")
def audit_delisted(
    universe: Path = typer.Option(..., "--universe", "-u", help="Output of 'tickermap reconcile'."),
    out_path: Path | None = typer.Option(
        None, "--out", "-o", help="Write the events (.csv/.parquet); default: print CSV to stdout."
    ),
    events: str = typer.Option(
        "delisted,renamed,ticker_reused", "--events", help="Comma-separated events to list."
    ),
    history: Path | None = typer.Option(
        None, "--history", help="Events table of 'tickermap history' (*.events.csv) to date them."
    ),
) -> None:
    """List delisted, renamed and reused tickers with evidence, for survivorship-free backtests.

    Example: tickermap audit delisted --universe clean.csv --history h.events.csv --out events.csv
    """
    from tickermap.reconcile.audit import audit_file

    inputs = [universe] + ([history] if history is not None else [])
    check_outputs(inputs=inputs, outputs={"--out": out_path})
    wanted = [e.strip() for e in events.split(",") if e.strip()]
    found, written = audit_file(universe, out_path, events=wanted, history=history)  # type: ignore[arg-type]
    _print_events(found, written)
