"""``tickermap history``: spells and events of dated universe files; the map on a date."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, command, console, out

if TYPE_CHECKING:
    from tickermap.history.build import HistoryRun


@command(app)
def history(
    files: list[Path] = typer.Argument(
        ..., help="Dated universe files (CSV/Parquet), or one HISTORY file with --at."
    ),
    out_path: Path | None = typer.Option(
        None, "--out", help="Spells table (or, with --at, the map on that date)."
    ),
    events: Path | None = typer.Option(
        None, "--events", help="Events table (default: OUT.events beside OUT)."
    ),
    findings: Path | None = typer.Option(
        None, "--findings", help="Findings table (default: OUT.findings beside OUT)."
    ),
    at: str | None = typer.Option(
        None, "--at", help="YYYY-MM-DD: print the point-in-time map of HISTORY on that date."
    ),
    entity_column: str | None = typer.Option(
        None, "--entity-column", help="Entity column (default composite_figi where present)."
    ),
    date_column: str | None = typer.Option(
        None, "--date-column", help="Date column (default date, else friday_date)."
    ),
    ticker_column: str | None = typer.Option(
        None, "--ticker-column", help="Ticker column (default numerai_ticker/bloomberg_ticker)."
    ),
) -> None:
    """Spells and events of dated universe files; the map on a date.

    A spell is who held a ticker when.

    Example: tickermap history train.parquet validation.parquet live.parquet --out history.csv

    Example: tickermap history history.csv --at 2024-01-05
    """
    from tickermap.cli._progress import RichProgress
    from tickermap.history.build import run_history

    with RichProgress() as progress:
        run = run_history(
            files,
            out=out_path,
            at=at,
            events=events,
            findings=findings,
            date_column=date_column,
            ticker_column=ticker_column,
            entity_column=entity_column,
            progress=progress,
        )
    _render(run, files, at)


def _render(run: HistoryRun, files: list[Path], at: str | None) -> None:
    if run.at_table is not None:
        if not run.written:
            out.print(run.at_table.to_csv(index=False), end="")
            return
        console.print(f"{len(run.at_table)} tickers in force on {at}")
        console.print(f"wrote {run.written[0]}")
        return
    result = run.result
    assert result is not None
    counts = result.events["event"].value_counts()
    kinds = result.findings["kind"].value_counts()
    console.print(
        f"read {result.rows_read} rows from {len(files)} file(s): {result.dates} dates "
        f"({result.first_date} .. {result.last_date}), "
        f"{result.spells[result.ticker_column].nunique()} tickers, {len(result.spells)} spells"
    )
    console.print(
        "events: "
        + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("ticker_reused", "renamed", "entered"))
        + f", {counts.get('exited', 0)} exited"
    )
    console.print(
        f"findings: {len(result.findings)}"
        + (" (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ")" if len(kinds) else "")
    )
    for path in run.written:
        console.print(f"wrote {path}")
