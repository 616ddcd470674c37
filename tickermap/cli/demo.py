"""CLI command ``demo``: the whole chain on the bundled synthetic sample, offline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, command, console, table

if TYPE_CHECKING:
    from tickermap.demo import DemoResult


def _render(result: DemoResult) -> None:
    v = result.validation
    console.print(
        f"[bold]1. validate[/] community_map.csv: {len(v.findings)} findings "
        f"({int((v.findings['severity'] == 'error').sum())} errors)"
    )
    universe = result.reconciled.result.universe
    view = table("2. reconcile", "status", "tickers", "example", title_justify="left")
    for status, group in universe.groupby("status", sort=False):
        view.add_row(str(status), str(len(group)), str(group["bloomberg_ticker"].iloc[0]))
    console.print(view)
    console.print(
        "[bold]3. audit[/]: "
        + (
            ", ".join(f"{r.bloomberg_ticker} {r.event}" for r in result.events.itertuples())
            or "none"
        )
    )
    cov = result.coverage
    matched, rows = int(cov["matched"].sum()), int(cov["signal_rows"].sum())
    excluded = result.unmatched.drop_duplicates("bloomberg_ticker")
    console.print(
        f"[bold]4. features[/] from Yahoo-keyed prices; [bold]5. exposure[/]: the signal "
        f"(bloomberg_ticker) joined through universe.csv, {matched} of {rows} rows "
        f"({matched / max(rows, 1):.1%}); not joined: "
        + (", ".join(f"{r.bloomberg_ticker} ({r.reason})" for r in excluded.itertuples()) or "none")
    )
    expo = table(
        "exposure (Numerai corr, mean over dates)",
        "feature",
        "mean",
        "sharpe",
        "neutralized",
        right=("mean", "sharpe", "neutralized"),
        title_justify="left",
    )
    for rec in result.exposure_table.to_dict("records"):
        expo.add_row(
            str(rec["feature"]),
            f"{rec['mean']:+.3f}",
            f"{rec['sharpe']:+.2f}",
            f"{rec.get('neutralized', float('nan')):+.3f}",
        )
    console.print(expo)
    if result.history is not None:
        h = result.history
        ticker = h.ticker_column
        events = [
            f"{r[ticker]} {r['event']} {r['date']}"
            + (f" (was {r['previous']})" if r["event"] == "renamed" else "")
            for r in h.events.to_dict("records")
        ]
        console.print(
            f"[bold]6. history[/] of history_universe.parquet: {len(h.spells)} spells over "
            f"{h.dates} dates; "
            + (", ".join(events) or "no events")
            + f"; {len(h.findings)} findings -> history.csv"
        )
    console.print(
        f"wrote {len(result.paths) + len(result.history_paths)} files into {result.out_dir}/ "
        "(open report.html and exposure.html in a browser)"
    )


@command(app)
def demo(
    out_dir: Path = typer.Option(Path("demo-out"), "--out", "-o", help="Folder to write into."),
) -> None:
    """Run validate -> reconcile -> audit -> features -> exposure -> history on synthetic data.

    Starts the built-in OpenFIGI emulator on 127.0.0.1; needs no network and no API key.

    Example: tickermap demo --out demo-out
    """
    from tickermap.cli._progress import RichProgress
    from tickermap.demo import run_demo

    with RichProgress() as progress:
        result = run_demo(out_dir, progress=progress)
    _render(result)
