"""``tickermap exposure``: a signal's exposures to features, churn and neutralisation."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tickermap.cli._app import app, console, friendly_errors
from tickermap.cli._progress import RichProgress
from tickermap.errors import ConfigError
from tickermap.exposure.per_date import Method
from tickermap.exposure.run import ExposureReport, forum_table, run_exposure, write_outputs

_LABELS = {
    "positive_share": "pos",
    "max_abs": "max|e|",
    "spearman": "spear",
    "neutralized": "neutral",
}


def _cell(column: str, value: object) -> str:
    if isinstance(value, str):
        return value
    unsigned = column in ("std", "positive_share", "max_abs")
    return f"{value:.3f}" if unsigned else f"{value:+.3f}"


def _render(report: ExposureReport) -> None:
    from tickermap.diagnostics.conventions import forum_order, sign_conventions

    table = forum_order(forum_table(report))
    view = Table(title="Signal exposure per feature (mean over dates)")
    for col in table.columns:
        label = _LABELS.get(str(col), str(col))
        view.add_column(label, justify="left" if col == "feature" else "right")
    for row in table.itertuples(index=False):
        cells = zip(table.columns, row, strict=True)
        view.add_row(*[_cell(str(c), v) for c, v in cells])
    console.print(view)
    for line in sign_conventions(list(table["feature"])):
        console.print(f"sign: {line}", markup=False)
    cov = report.coverage
    low = int(cov["low_coverage"].sum())
    console.print(
        f"coverage: {cov['matched'].sum()} of {cov['signal_rows'].sum()} signal rows joined "
        f"({cov['coverage'].min():.1%} worst date); {low} date(s) under 80%"
        + (" [yellow](numerai-tools would refuse to score those)[/]" if low else "")
    )
    for row in report.churn_summary.itertuples(index=False):
        console.print(
            f"{row.metric}: mean {row.mean:.4f}, max {row.max:.4f}, latest {row.latest:.4f}"
        )


@app.command()
@friendly_errors
def exposure(
    signal: Path = typer.Option(..., "--signal", help="date, <key>, signal (CSV/Parquet)."),
    features: Path = typer.Option(..., "--features", help="date, <key>, feature columns."),
    out: Path = typer.Option(
        ...,
        "--out",
        help="Summary table; OUT.per_date/.coverage/.unmatched/.churn are written beside it.",
    ),
    universe: Path | None = typer.Option(None, "--universe", help="Cleaned universe (reconcile)."),
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
    top_n: int = typer.Option(50, "--top-n", min=0, help="N for top/bottom-N churn (0: skip)."),
    method: list[str] = typer.Option(
        ["numerai", "spearman"], "--method", help="numerai and/or spearman."
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
    unknown = sorted(set(method) - {"numerai", "spearman"})
    if unknown:
        raise ConfigError(f"--method {', '.join(unknown)}: choose numerai and/or spearman")
    methods: list[Method] = [m for m in ("numerai", "spearman") if m in method]
    with RichProgress() as progress:
        result = run_exposure(
            signal,
            features,
            universe_path=universe,
            signal_key=signal_key,
            signal_column=signal_column,
            features_key=features_key,
            neutralize_to=[c for c in neutralize.split(",") if c],
            size_column=size_column,
            proportion=proportion,
            top_n=top_n or None,
            methods=methods or ["numerai"],
            stream=stream,
            progress=progress,
        )
    _render(result)
    for path in write_outputs(result, out, plot=plot, html_path=report):
        console.print(f"wrote {path}")
