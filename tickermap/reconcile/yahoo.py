"""The ``yahoo`` and ``yahoo_source`` columns of the cleaned universe, from evidence.

Each row's Yahoo symbol is picked by :class:`tickermap.maps.yahoo_evidence.YahooEvidence` from
the witnesses' listings, with the row's own keys (OpenFIGI's or the agreeing claims' composite,
share-class FIGI, ISIN, name) and OpenFIGI's venue as facts; the string rules are the fallback.
No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tickermap.maps.load import LoadedMap
from tickermap.maps.yahoo_evidence import TickerFacts, YahooEvidence
from tickermap.reconcile.records import TickerRow

__all__ = ["with_yahoo"]


def with_yahoo(rows: Sequence[TickerRow], maps: Sequence[LoadedMap]) -> list[TickerRow]:
    """The rows with ``yahoo`` and ``yahoo_source`` chosen from the witnesses' evidence."""
    evidence = YahooEvidence.from_maps(maps)
    out = []
    for row in rows:
        facts = TickerFacts.of(
            isins=[row.isin],
            figis=[row.composite_figi, row.share_class_figi],
            names=[row.name],
            venue=row.venues[0] if len(row.venues) == 1 else None,
        )
        pick = evidence.pick(row.ticker, facts)
        out.append(replace(row, yahoo=pick.symbol, yahoo_source=pick.source))
    return out
