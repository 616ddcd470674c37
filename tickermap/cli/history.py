"""``tickermap history``: spells and events of dated universe files; the map on a date."""

from __future__ import annotations

from pathlib import Path

import typer

from tickermap.cli._app import app, console, friendly_errors, out
from tickermap.errors import ConfigError


@app.command()
@friendly_errors
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
    """Spells (who held each ticker when) and corporate events from dated universe files.

    Example: tickermap history train.parquet validation.parquet live.parquet --out history.csv

    Example: tickermap history history.csv --at 2024-01-05
    """
    if at is not None:
        _at(files, at, out_path)
        return
    if out_path is None:
        raise ConfigError("give --out HISTORY (or --at DATE with one history file)")
    from tickermap.cli._progress import RichProgress
    from tickermap.history.build import build_history, check_outputs, write_history

    check_outputs(out_path, inputs=files, events=events, findings=findings)
    with RichProgress() as progress:
        result = build_history(
            files,
            date_column=date_column,
            ticker_column=ticker_column,
            entity_column=entity_column,
            progress=progress,
        )
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
    for path in write_history(result, out_path, inputs=files, events=events, findings=findings):
        console.print(f"wrote {path}")


def _at(files: list[Path], at: str, out_path: Path | None) -> None:
    if len(files) != 1:
        raise ConfigError("--at takes exactly one HISTORY file (written by tickermap history)")
    from tickermap.history.pit import load_history, map_at
    from tickermap.tables import write_table

    table = map_at(load_history(files[0]), at)
    if out_path is None:
        out.print(table.to_csv(index=False), end="")
        return
    if out_path.resolve() == files[0].resolve():
        raise ConfigError(f"--out {str(out_path)!r} is the history file; choose another path")
    console.print(f"{len(table)} tickers in force on {at}")
    console.print(f"wrote {write_table(table, out_path)}")
