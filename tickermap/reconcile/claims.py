"""Claims: what each community map (an untrusted witness) says about each universe ticker.

A claim is one map row for one ticker: its FIGIs, ISIN, name and Yahoo symbol, with the map's
name and line number. This module stacks the maps into one long table, restricted to the
universe, and reports where witnesses disagree on a field. It does no I/O and no HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from tickermap import columns as C
from tickermap.tickers.parse import parse_column

__all__ = ["CLAIM_FIELDS", "claims_table", "disagreements"]

CLAIM_FIELDS = (C.FIGI, C.COMPOSITE_FIGI, C.SHARE_CLASS_FIGI, C.ISIN, C.NAME, C.YAHOO)
"""The fields a witness can claim for a ticker."""


def claims_table(universe: Sequence[str], maps: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack canonical map frames into one claim per (ticker, source, map row).

    Args:
        universe: canonical Bloomberg tickers (``"AAPL US"``) of the universe.
        maps: canonical map frames (``tickermap.columns.CANONICAL_MAP_COLUMNS``).

    Returns:
        ``bloomberg_ticker, source, source_row`` plus :data:`CLAIM_FIELDS`; only tickers in the
        universe; empty strings replaced by NA. A ticker may have several claims per source when
        a map repeats it (each is judged on its own).

    >>> m = pd.DataFrame({"bloomberg_ticker": ["A US", "B US"], "isin": ["X", ""],
    ...                   "source": "m", "source_row": [2, 3]})
    >>> claims_table(["A US"], [m])[["bloomberg_ticker", "isin"]].to_dict("records")
    [{'bloomberg_ticker': 'A US', 'isin': 'X'}]
    """
    wanted = set(universe)
    cols = [C.BLOOMBERG_TICKER, C.SOURCE, C.SOURCE_ROW, *CLAIM_FIELDS]
    parts = []
    for frame in maps:
        # The same canonical form as the universe ("A005930 KS" is "005930 KS").
        canonical = parse_column(frame[C.BLOOMBERG_TICKER], namespace="bloomberg")
        tickers = canonical[C.BLOOMBERG_TICKER].where(
            canonical[C.BLOOMBERG_TICKER].notna(), frame[C.BLOOMBERG_TICKER]
        )
        part = frame.assign(**{C.BLOOMBERG_TICKER: tickers})
        part = part[part[C.BLOOMBERG_TICKER].isin(wanted)].copy()
        for col in cols:
            if col not in part.columns:
                part[col] = pd.NA
        parts.append(part[cols])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    out = pd.concat(parts, ignore_index=True)
    for col in CLAIM_FIELDS:
        values = out[col].astype("object")
        out[col] = values.where(values.notna() & (values.astype(str).str.strip() != ""), None)
    return out.reset_index(drop=True)


def disagreements(claims: pd.DataFrame, *, fields: Sequence[str] = CLAIM_FIELDS) -> pd.DataFrame:
    """Tickers on which witnesses give different non-empty values for a field.

    Returns:
        ``bloomberg_ticker, field, values`` where ``values`` reads ``"source=value; ..."``.
    """
    out_cols = [C.BLOOMBERG_TICKER, "field", "values"]
    parts = []
    for field in fields:
        sub = claims[[C.BLOOMBERG_TICKER, C.SOURCE, field]].dropna()
        if sub.empty:
            continue
        distinct = sub.groupby(C.BLOOMBERG_TICKER)[field].transform("nunique")
        sub = sub[distinct > 1]
        if sub.empty:
            continue
        pairs = sub[C.SOURCE].astype(str) + "=" + sub[field].astype(str)
        joined = pairs.groupby(sub[C.BLOOMBERG_TICKER], sort=False).agg("; ".join)
        parts.append(
            pd.DataFrame(
                {
                    C.BLOOMBERG_TICKER: joined.index.astype(str),
                    "field": field,
                    "values": joined.to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=out_cols)
    return pd.concat(parts, ignore_index=True)[out_cols]
