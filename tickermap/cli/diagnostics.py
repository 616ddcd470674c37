"""``tickermap diagnostics``: Numerai's current per-date scores of a signal, and its churn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, command, console, table

if TYPE_CHECKING:
    from tickermap.diagnostics.run import DiagnosticsReport


@command(app)
def diagnostics(
    signal: Path = typer.Option(..., "--signal", help="date, ID, signal|prediction."),
    out: Path = typer.Option(..., "--out", help="Per-date table; .summary/.rules beside it."),
    signal_column: str | None = typer.Option(None, "--signal-column", help="Signal column."),
    targets: Path | None = typer.Option(None, "--targets", help="date, ID, target."),
    target_column: str | None = typer.Option(None, "--target-column", help="Target column."),
    neutralizers: Path | None = typer.Option(
        None, "--neutralizers", help="date, ID, neutralizer_* (Parquet read by date)."
    ),
    sample_weights: Path | None = typer.Option(
        None, "--sample-weights", help="date, ID, sample_weights."
    ),
    meta_model: Path | None = typer.Option(None, "--meta-model", help="date, ID, meta model."),
    meta_model_column: str | None = typer.Option(
        None, "--meta-model-column", help="Meta-model column."
    ),
    features: Path | None = typer.Option(None, "--features", help="date, ID, feature_* columns."),
    min_tickers: int = typer.Option(100, "--min-tickers", help="Fewer tickers on a date: NaN."),
    report: Path | None = typer.Option(None, "--report", help="Self-contained HTML page."),
) -> None:
    """Per-date numerai_corr, alpha, MMC, FNC, churn, turnover... as numerai-tools computes them.

    Example: tickermap diagnostics --signal s.parquet --targets t.parquet --out diag.csv
    """
    from tickermap.cli._progress import RichProgress
    from tickermap.diagnostics.run import diagnostics_files

    with RichProgress() as progress:
        result, written = diagnostics_files(
            signal,
            out,
            html_path=report,
            signal_column=signal_column,
            targets_path=targets,
            target_column=target_column,
            neutralizers_path=neutralizers,
            sample_weights_path=sample_weights,
            meta_model_path=meta_model,
            meta_model_column=meta_model_column,
            features_path=features,
            min_tickers=min_tickers,
            progress=progress,
        )
    _render(result, written)


def _render(result: DiagnosticsReport, written: list[Path]) -> None:
    cols = ["metric", "mean", "std", "sharpe", "max_drawdown", "positive_share", "n_dates"]
    view = table(f"Diagnostics over {len(result.per_date)} dates", *cols, right=tuple(cols[1:]))
    view.columns[0].no_wrap = True  # metric names are numerai-tools function names: never split
    for row in result.summary[cols].itertuples(index=False):
        view.add_row(*[v if isinstance(v, str) else "n/a" if v != v else f"{v:.4g}" for v in row])
    console.print(view)
    for rule in result.rules.itertuples(index=False):
        console.print(
            f"{rule.rule}: {rule.dates_over} of the dates (latest {rule.latest:.4f}); "
            f"{rule.consequence} ({rule.source}, {rule.as_of})",
            markup=False,
        )
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    for path in written:
        console.print(f"wrote {path}")
