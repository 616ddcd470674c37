"""``convert_file`` for small plain CSV files, without pandas (CLI start-up).

The same rules, column choice, output names, summary and bytes as the pandas path of
:func:`tickermap.tickers.symbols.convert_file`; only the reading and writing differ
(:mod:`tickermap.tables.rows`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tickermap.errors import InputError
from tickermap.tables.read import no_rows_error
from tickermap.tables.rows import Cell, read_rows, write_rows
from tickermap.tickers.symbols import (
    NO_ROWS,
    YAHOO_SOURCE,
    Source,
    SymbolResult,
    SymbolSummary,
    Target,
    _convert_one,
    output_names,
    pick_column,
)

__all__ = ["convert_small_csv"]


def convert_small_csv(
    path: Path,
    out: Path,
    *,
    column: str | None = None,
    to: Target = "yahoo",
    source: Source | None = None,
    venue_column: str | None = None,
) -> SymbolSummary | None:
    """Convert a small CSV file row by row; ``None`` when it needs the pandas reader.

    Raises:
        InputError: as :func:`~tickermap.tickers.symbols.convert_file`, naming the file.
    """
    table = read_rows(path)
    if table is None:
        return None
    header, rows = table
    if not rows:
        raise no_rows_error(path, NO_ROWS)
    if to == "yahoo" and (YAHOO_SOURCE in header or venue_column is not None):
        return None  # venue evidence and a duplicate yahoo_source: the pandas path
    try:
        col, ns = pick_column(header, column, source, venue_column)
    except InputError as exc:
        raise InputError(exc.message, path=path, line=exc.line, column=exc.column) from exc
    at = header.index(col)
    venue_at = header.index(venue_column) if venue_column else None
    cache: dict[tuple[str | None, str | None], SymbolResult] = {}
    results = []
    for row in rows:
        pair = (row[at], row[venue_at] if venue_at is not None else None)
        if pair not in cache:
            cache[pair] = _convert_one(pair[0], pair[1], ns, to)
        results.append(cache[pair])
    names = output_names(header, to)
    body: list[list[Cell]] = [
        [*row, r.symbol, r.ambiguous, r.error] for row, r in zip(rows, results, strict=True)
    ]
    added: list[str] = list(names)
    if to == "yahoo":  # no witnesses here: every symbol comes from the string rules
        added.append(YAHOO_SOURCE)
        for cells, r in zip(body, results, strict=True):
            cells.append(None if r.symbol is None else "rule:ambiguous" if r.ambiguous else "rule")
    write_rows([*header, *added], body, out)
    errors = Counter(r.error for r in results if r.error is not None)
    return SymbolSummary(
        rows=len(rows),
        converted=sum(r.symbol is not None for r in results),
        ambiguous=sum(r.ambiguous for r in results),
        errors=dict(errors.most_common()),
        column=col,
        source=ns,
        output=names[0],
    )
