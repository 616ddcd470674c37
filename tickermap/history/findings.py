"""What the history step reports instead of guessing: one :class:`Finding` per problem.

Kinds (the ``kind`` column of the findings table):

* ``missing_ticker``: rows with an empty ticker (they cannot be placed; counted, first row named).
* ``bad_ticker``: a ticker that does not parse in its column's namespace (kept as written).
* ``duplicate_row``: the same (date, ticker, entity) more than once (counted once).
* ``overlap``: one ticker held by two entities on the same date.
* ``entity_overlap``: one entity under two tickers on the same date.
* ``entity_missing``: rows with an empty entity on dates when other rows have one.
* ``entity_unavailable``: a file (or dates) where no row has an entity at all.
* ``flapping``: a ticker's entity changes and changes back (A, B, A); short runs are treated as
  glitches, long ones give ``probable`` events.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["FINDING_COLUMNS", "Finding", "findings_frame"]

FINDING_COLUMNS = ("kind", "file", "row", "date", "ticker", "entity", "count", "message")


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem.

    Attributes:
        kind: see the module docstring.
        file: the input file it was found in ("" when it spans files).
        row: 1-based data row in that file (CSV line = row + 1), or None.
        date: ISO date concerned, or "".
        ticker: the ticker concerned, or "".
        entity: the entity concerned, or "".
        count: how many rows (or dates) it covers.
        message: what it means and what was done.
    """

    kind: str
    file: str
    row: int | None
    date: str
    ticker: str
    entity: str
    count: int
    message: str


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table with :data:`FINDING_COLUMNS` (``row`` nullable integer)."""
    rows = [
        (f.kind, f.file, f.row, f.date, f.ticker, f.entity, f.count, f.message) for f in findings
    ]
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    frame["count"] = frame["count"].astype("int64")
    return frame
