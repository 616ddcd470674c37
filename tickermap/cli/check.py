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
    _render(report, submission, fix, coverage)
    if not report.result.accepted:
        raise FindingsError(_refusal(report, submission, fix))


_HEADERS = {
    "universe": "live tickers",
    "covered": "submitted",
    "share": "share covered",
    "unknown_to_cleaned": "not in --cleaned",
}
"""Coverage columns as the table shows them (the --coverage file keeps the names)."""


def _listed(names: list[str], limit: int = 10) -> str:
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _refusal(report: CheckReport, submission: Path, fix: Path | None) -> str:
    """The closing error line: the verdict; the reason and the bad cells are printed above."""
    hint = "" if fix is not None else "; --fix FIXED.csv writes a cleaned submission"
    return f"numerai-tools would reject {submission} for the reason above{hint}"


def _render(report: CheckReport, submission: Path, fix: Path | None, cov: Path | None) -> None:
    r = report.result
    for w in r.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    if report.coverage is not None:
        _coverage(report)
    if r.not_in_universe:
        n = len(r.not_in_universe)
        verb = "ticker is" if n == 1 else "tickers are"
        console.print(
            f"{n} submitted {verb} not in the live universe (numerai-tools ignores such rows): "
            f"{_listed(r.not_in_universe)}",
            markup=False,
        )
    if report.unknown_to_cleaned:
        n = len(report.unknown_to_cleaned)
        console.print(
            f"{n} live ticker{'' if n == 1 else 's'} not in the cleaned universe (--cleaned): "
            f"{_listed(report.unknown_to_cleaned)}",
            markup=False,
        )
    if r.accepted:
        console.print(f"ACCEPTED: {r.n_live} live tickers ({r.id_col}, {r.signal_col})")
    else:
        _rejection(report, submission)
    if report.fixed is not None:
        verdict = "accepted" if report.fixed.accepted else f"rejected: {report.fixed.problem}"
        console.print(f"wrote {fix} (the fixed submission would be {verdict})", markup=False)
    if cov is not None and report.coverage is not None:
        console.print(f"wrote {cov}", markup=False)


def _coverage(report: CheckReport) -> None:
    assert report.coverage is not None
    cols = [str(c) for c in report.coverage.columns]
    shown = [_HEADERS.get(c, c) for c in cols]
    view = table("Coverage of the live universe, by country", *shown, right=tuple(shown[1:]))
    for row in report.coverage.itertuples(index=False):
        cells = dict(zip(cols, row, strict=True))
        view.add_row(
            *[f"{v:.1%}" if c == "share" else str(v) for c, v in cells.items()],
            end_section=cells["country"] == report.coverage["country"].iloc[-2],
        )
    console.print(view)


def _rejection(report: CheckReport, submission: Path) -> None:
    from tickermap.diagnostics.check import at_lines

    r = report.result
    where = f" ({at_lines(r.rows, r.n_cells, r.where)})" if r.rows else ""
    console.print(f"[bold red]REJECTED:[/] {r.problem}{where}", markup=True, highlight=False)
    for cell in r.cells:
        console.print(
            f"  {submission}, {r.where} {cell.line}, column {cell.column!r}: {cell.value}",
            markup=False,
            highlight=False,
            soft_wrap=True,  # one line per cell, never folded: easy to copy or grep
        )
    if r.n_cells > len(r.cells):
        console.print(f"  and {r.n_cells - len(r.cells)} more", markup=False)
    if r.advice:
        console.print(f"what to do: {r.advice}", markup=False, highlight=False)
