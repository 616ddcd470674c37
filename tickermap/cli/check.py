"""``tickermap check``: will Numerai accept this submission (numerai-tools' verdict), and a fix."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, command, console, table
from tickermap.errors import FindingsError
from tickermap.tables import check_outputs

if TYPE_CHECKING:
    from tickermap.diagnostics.check import CheckReport

REJECTED_EXIT_CODE = FindingsError.exit_code
"""Exit code when numerai-tools would reject the submission (documented in the README)."""


@command(app)
def check(
    submission: Path = typer.Argument(..., help="The submission (CSV or Parquet)."),
    universe: Path = typer.Option(..., "--universe", help="Numerai's live universe."),
    cleaned: Path | None = typer.Option(
        None, "--cleaned", help="Cleaned universe (reconcile): list tickers it does not know."
    ),
    fix: Path | None = typer.Option(
        None, "--fix", help="Write clean_submission(rank_and_fill=True) of it here."
    ),
    coverage: Path | None = typer.Option(None, "--coverage", help="Write the coverage table."),
) -> None:
    """Validate a Signals submission as numerai-tools does; coverage by country; --fix.

    Example: tickermap check sub.csv --universe live_universe.csv --fix fixed.csv
    """
    from tickermap.diagnostics.check import run_check

    check_outputs(
        inputs=[submission, universe, cleaned], outputs={"--fix": fix, "--coverage": coverage}
    )
    report = run_check(
        submission, universe, cleaned_path=cleaned, fix_path=fix, coverage_path=coverage
    )
    _render(report, fix, coverage)
    if not report.result.accepted:
        raise FindingsError(
            f"numerai-tools would reject {submission}: {report.result.problem}"
            + ("" if fix is not None else "; --fix FIXED.csv writes a cleaned submission")
        )


def _render(report: CheckReport, fix: Path | None, coverage: Path | None) -> None:
    r = report.result
    for w in r.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    if report.coverage is not None:
        cols = [str(c) for c in report.coverage.columns]
        view = table(
            "Coverage of the live universe", *cols, right=tuple(c for c in cols if c != "country")
        )
        for row in report.coverage.itertuples(index=False):
            view.add_row(*[f"{v:.1%}" if isinstance(v, float) else str(v) for v in row])
        console.print(view)
    if r.not_in_universe:
        shown = ", ".join(r.not_in_universe[:10])
        console.print(f"{len(r.not_in_universe)} submitted tickers are not live: {shown}")
    if r.accepted:
        console.print(f"ACCEPTED: {r.n_live} live tickers ({r.id_col}, {r.signal_col})")
    else:
        lines = f" (lines {', '.join(map(str, r.rows))})" if r.rows else ""
        console.print(f"[bold red]REJECTED:[/] {r.problem}{lines}", markup=True)
    if report.fixed is not None:
        verdict = "accepted" if report.fixed.accepted else f"rejected: {report.fixed.problem}"
        console.print(f"wrote {fix} (the fixed submission would be {verdict})")
    if coverage is not None and report.coverage is not None:
        console.print(f"wrote {coverage}")
