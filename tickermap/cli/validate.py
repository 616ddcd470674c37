"""``tickermap validate``: check a community map offline and summarise the findings."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tickermap.cli._app import app, console, friendly_errors
from tickermap.cli._progress import RichProgress
from tickermap.maps.load import PRESETS, Preset, parse_columns_option
from tickermap.maps.options import parse_map_option
from tickermap.maps.validate import ValidationReport, validate_file
from tickermap.tables import check_outputs, write_table

STRICT_EXIT_CODE = 10
"""Exit code of ``--strict`` when an error-severity finding exists (documented in the README)."""

_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def _render(report: ValidationReport, out: Path | None) -> None:
    console.print(
        f"{report.path}: {report.rows} rows (preset {report.preset}), "
        f"{len(report.findings)} findings in {report.seconds:.2f}s"
    )
    by_finding = Table(title="Findings by type")
    for name in ("finding", "severity", "findings", "rows"):
        by_finding.add_column(name, justify="right" if name in ("findings", "rows") else "left")
    for r in report.counts_by_finding().itertuples(index=False):
        style = _STYLE.get(str(r.severity), "")
        by_finding.add_row(str(r.finding), str(r.severity), str(r.findings), str(r.rows),
                           style=style)  # fmt: skip
    console.print(by_finding)
    by_exchange = report.counts_by_exchange().head(15)
    table = Table(title="Findings by exchange (top 15)")
    for name in ("exchange", *by_exchange.columns):
        table.add_column(str(name), justify="left" if name == "exchange" else "right")
    for code, counts in by_exchange.iterrows():
        table.add_row(str(code), *(str(int(v)) for v in counts))
    console.print(table)
    if out is not None:
        console.print(f"wrote {len(report.findings)} findings to {out}")
    elif len(report.findings):
        console.print("use --out findings.csv for one row per finding with its evidence")


@app.command()
@friendly_errors
def validate(
    path: str = typer.Argument(..., help="Community map (CSV/Parquet) or folder; FILE:PRESET."),
    preset: str = typer.Option(
        None, "--preset", help=f"File format: {', '.join(PRESETS)} (default: detected)."
    ),
    columns: str = typer.Option(
        None, "--columns", help="Generic mode: key=column pairs, e.g. name=company,isin=ISIN."
    ),
    out: Path = typer.Option(None, "--out", help="Write the findings here (CSV or Parquet)."),
    strict: bool = typer.Option(
        False, "--strict", help=f"Exit {STRICT_EXIT_CODE} when any error-severity finding exists."
    ),
) -> None:
    """Validate every row of a community map: identifiers, countries, names, duplicates.

    Example: tickermap validate signals_map.csv --out findings.csv
    """
    check_outputs(inputs=[path], outputs={"--out": out})
    spec = parse_columns_option(columns) if columns else None
    chosen: Preset | None = preset  # type: ignore[assignment]  # load_map rejects unknown names
    target = parse_map_option(path)
    with RichProgress() as progress:
        report = validate_file(
            target.path, preset=chosen or target.preset, columns=spec, progress=progress
        )
    if out is not None:
        write_table(report.findings, out)
    _render(report, out)
    if strict and report.has_errors:
        raise typer.Exit(code=STRICT_EXIT_CODE)
