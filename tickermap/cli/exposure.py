"""``tickermap exposure``: a signal's exposures to features, churn and neutralisation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, command, console, table

if TYPE_CHECKING:
    from tickermap.exposure.command import ExposureView

_LABELS = {
    "positive_share": "pos",
    "max_abs": "max|e|",
    "spearman": "spear",
    "neutralized": "neutral",
}


def _cell(column: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if value != value:  # NaN: no date had a value
        return "n/a"
    unsigned = column in ("std", "positive_share", "max_abs")
    return f"{value:.3f}" if unsigned else f"{value:+.3f}"


def _scaled(used: str, top_n: int) -> str:
    if used == str(top_n):
        return ""
    return (
        f"; --top-n {top_n} needs {2 * top_n} tickers per date, so N is half the tickers of the "
        "smaller date"
    )


def _render(view: ExposureView, written: list[Path], top_n: int) -> None:
    from tickermap.diagnostics.conventions import sign_conventions

    labels = [_LABELS.get(col, col) for col in view.columns]
    right = tuple(label for label in labels if label != "feature")
    table_view = table("Signal exposure per feature (mean over dates)", *labels, right=right)
    for row in view.rows:
        table_view.add_row(*[_cell(c, v) for c, v in zip(view.columns, row, strict=True)])
    console.print(table_view)
    for line in sign_conventions([str(row[0]) for row in view.rows]):
        console.print(f"sign: {line}", markup=False)
    low = view.low_dates
    console.print(
        f"coverage: {view.matched} of {view.signal_rows} signal rows joined "
        f"({view.worst_coverage:.1%} worst date); {low} date(s) under 80%"
        + (" [yellow](numerai-tools would refuse to score those)[/]" if low else "")
    )
    if view.kept_out is not None:
        console.print(
            f"history: {view.kept_out} signal rows kept out (the ticker "
            "meant another entity, or none, on that date)"
        )
    for measure in view.churn:
        used = measure.top_n
        console.print(
            f"{measure.metric}: mean {measure.mean:.4f}, max {measure.max:.4f}, "
            f"latest {measure.latest:.4f}"
            + (f" (top/bottom {used}{_scaled(used, top_n)})" if used else "")
        )
    for path in written:
        console.print(f"wrote {path}")


@command(app)
def exposure(
    signal: Path = typer.Option(
        ..., "--signal", help="date, <key>, signal (or prediction) (CSV/Parquet)."
    ),
    features: Path = typer.Option(..., "--features", help="date, <key>, feature columns."),
    out: Path = typer.Option(
        ...,
        "--out",
        help="Summary table; OUT.per_date/.coverage/.unmatched/.churn are written beside it.",
    ),
    universe: Path | None = typer.Option(None, "--universe", help="Cleaned universe (reconcile)."),
    history: Path | None = typer.Option(
        None, "--history", help="History (tickermap history): point-in-time join."
    ),
    signal_key: str | None = typer.Option(None, "--signal-key", help="Signal key column."),
    signal_column: str | None = typer.Option(
        None, "--signal-column", help="Signal value column (default signal, else prediction)."
    ),
    features_key: str | None = typer.Option(None, "--features-key", help="Features key column."),
    plot: Path | None = typer.Option(None, "--plot", help="Bar chart PNG."),
    report: Path | None = typer.Option(None, "--report", help="Self-contained HTML report."),
    neutralize: str = typer.Option(
        "", "--neutralize", help="'size' and/or feature names, comma-separated."
    ),
    size_column: str = typer.Option(
        "usd_market_cap", "--size-column", help="Market cap column for 'size'."
    ),
    proportion: float = typer.Option(
        1.0, "--proportion", min=0.0, max=1.0, help="Neutralisation proportion 0..1."
    ),
    top_n: int = typer.Option(
        50, "--top-n", min=0, help="N for top/bottom-N churn (0: skip; under 2N tickers: half)."
    ),
    method: list[str] = typer.Option(
        ["numerai", "spearman"], "--method", help="numerai and/or spearman (repeat, or a,b)."
    ),
    stream: bool | None = typer.Option(
        None,
        "--stream/--no-stream",
        help="Read Parquet features per date batch (default: above 1 GiB).",
    ),
) -> None:
    """Exposures of a signal to features per date, summary table, churn and neutralisation.

    Example: tickermap exposure --signal s.parquet --features f.parquet --out exp.csv --plot a.png
    """
    from tickermap.cli._progress import RichProgress
    from tickermap.exposure.command import exposure_command

    with RichProgress() as progress:
        result, written = exposure_command(
            signal,
            features,
            out,
            plot=plot,
            html_path=report,
            universe_path=universe,
            signal_key=signal_key,
            signal_column=signal_column,
            features_key=features_key,
            neutralize_to=[c for c in neutralize.split(",") if c],
            size_column=size_column,
            proportion=proportion,
            top_n=top_n or None,
            methods=method,
            stream=stream,
            progress=progress,
            history_path=history,
        )
    _render(result, written, top_n)
