"""``tickermap validate``: check a community map offline and summarise the findings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

from tickermap.cli._app import PRESET_NAMES, app, command, console, flag, table
from tickermap.errors import FindingsError
from tickermap.tables import check_outputs

if TYPE_CHECKING:
    from tickermap.maps.load import Namespace, Preset
    from tickermap.maps.validate import ValidationReport

STRICT_EXIT_CODE = FindingsError.exit_code
"""Exit code of ``--strict`` when an error-severity finding exists (documented in the README)."""

_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def _render(report: ValidationReport, out: Path | None) -> None:
    console.print(
        f"{report.path}: {report.rows} row{'' if report.rows == 1 else 's'} "
        f"(preset {report.preset}), {len(report.findings)} "
        f"finding{'' if len(report.findings) == 1 else 's'} in {report.seconds:.2f}s"
    )
    by_finding = table(
        "Findings by type", "finding", "severity", "findings", "rows", right=("findings", "rows")
    )
    for r in report.counts_by_finding().itertuples(index=False):
        style = _STYLE.get(str(r.severity), "")
        by_finding.add_row(str(r.finding), str(r.severity), str(r.findings), str(r.rows),
                           style=style)  # fmt: skip
    console.print(by_finding)
    by_exchange = report.counts_by_exchange().head(15)
    names = [str(c) for c in by_exchange.columns]
    view = table("Findings by exchange (top 15)", "exchange", *names, right=tuple(names))
    for code, counts in by_exchange.iterrows():
        view.add_row(str(code), *(str(int(v)) for v in counts))
    console.print(view)
    if out is not None:
        console.print(f"wrote {len(report.findings)} findings to {out}")
    elif len(report.findings):
        console.print("use --out findings.csv for one row per finding with its evidence")


@command(app)
def validate(
    path: str = typer.Argument(..., help="Community map (CSV/Parquet) or folder; FILE:PRESET."),
    preset: str = typer.Option(
        None, "--preset", help=f"File format: {', '.join(PRESET_NAMES)} (default: detected)."
    ),
    columns: str = typer.Option(
        None, "--columns", help="Generic mode: key=column pairs, e.g. name=company,isin=ISIN."
    ),
    namespace: str | None = typer.Option(
        None, "--namespace", help="bloomberg or numerai; by default from the column name."
    ),
    out: Path = typer.Option(None, "--out", help="Write the findings here (CSV or Parquet)."),
    strict: bool = flag(
        "--strict", help=f"Exit {STRICT_EXIT_CODE} when any error-severity finding exists."
    ),
) -> None:
    """Validate every row of a community map: identifiers, countries, names, duplicates.

    Example: tickermap validate signals_map.csv --out findings.csv
    """
    from tickermap.cli._progress import RichProgress
    from tickermap.maps.load import parse_columns_option
    from tickermap.maps.options import parse_map_option
    from tickermap.maps.validate import validate_file

    check_outputs(inputs=[path], outputs={"--out": out})
    spec = parse_columns_option(columns) if columns else None
    target = parse_map_option(path)
    with RichProgress() as progress:
        report = validate_file(
            target.path,
            preset=cast("Preset | None", preset) or target.preset,
            columns=spec,
            namespace=cast("Namespace | None", namespace),
            progress=progress,
            out=out,
        )
    _render(report, out)
    if strict and report.has_errors:
        raise FindingsError(
            f"{path} has error-severity findings (--strict); see the table above"
            + (f" and {out}" if out is not None else "; add --out FINDINGS.csv for each one")
        )
