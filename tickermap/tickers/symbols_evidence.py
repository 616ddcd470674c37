"""The ``yahoo`` column of a table from witness evidence (:mod:`tickermap.maps.yahoo_evidence`).

Used by :func:`tickermap.tickers.symbols.convert_table` when ``--map`` witnesses are given (or the
table carries its own identifiers); the string rules decide where no listing links.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tickermap import columns as C
from tickermap.tickers.symbols import AMBIGUOUS, ERROR, YAHOO_SOURCE, Source, convert_column

if TYPE_CHECKING:
    import pandas as pd

    from tickermap.maps.load import LoadedMap

__all__ = ["yahoo_column"]


def yahoo_column(
    frame: pd.DataFrame,
    col: str,
    ns: Source,
    venues: pd.Series | None,
    maps: Sequence[LoadedMap],
) -> pd.DataFrame:
    """The ``yahoo`` column from evidence (witnesses, the table's own identifiers), rules last."""
    import pandas as pd

    from tickermap.maps.yahoo_evidence import TickerFacts, YahooEvidence

    bbg = convert_column(frame[col], namespace=ns, to="bloomberg")
    evidence = YahooEvidence.from_maps(maps)
    ids = (C.ISIN, C.COMPOSITE_FIGI, C.FIGI, C.SHARE_CLASS_FIGI, C.NAME)
    own = {c: frame[c].astype("object").where(frame[c].notna(), None) for c in ids if c in frame}
    vens = venues.astype("object").where(venues.notna(), None) if venues is not None else None
    Row = tuple[str | None, bool, str | None, str | None]
    cache: dict[tuple[object, ...], Row] = {}
    out: list[Row] = []
    for i, ticker in enumerate(bbg[C.BLOOMBERG_TICKER].astype("object").tolist()):
        if not isinstance(ticker, str):
            error = bbg[ERROR].iloc[i]
            out.append((None, False, error if isinstance(error, str) else None, None))
            continue
        cells = tuple(v.iloc[i] for v in own.values())
        venue = vens.iloc[i] if vens is not None else None
        key = (ticker, venue, *cells)
        if key not in cache:
            get = dict(zip(own, cells, strict=True)).get
            facts = TickerFacts.of(
                isins=[get(C.ISIN)],
                figis=[get(C.COMPOSITE_FIGI), get(C.FIGI), get(C.SHARE_CLASS_FIGI)],
                names=[get(C.NAME)],
                venue=venue.strip().upper() if isinstance(venue, str) and venue.strip() else None,
            )
            p = evidence.pick(ticker, facts)
            cache[key] = (p.symbol, p.ambiguous or bool(bbg[AMBIGUOUS].iloc[i]), p.error, p.source)
        out.append(cache[key])
    result = pd.DataFrame(
        {
            C.YAHOO: pd.Series([r[0] for r in out], dtype="str"),
            AMBIGUOUS: pd.Series([r[1] for r in out], dtype="bool"),
            ERROR: pd.Series([r[2] for r in out], dtype="str"),
            YAHOO_SOURCE: pd.Series([r[3] for r in out], dtype="str"),
        }
    )
    result.index = frame.index
    return result
