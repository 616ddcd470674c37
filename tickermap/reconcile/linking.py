"""Link a witness's listings that have no ticker to universe tickers by name and market.

Where Yahoo uses a local code the string rules cannot turn into a Bloomberg ticker (Malaysia's
``0001.KL`` for ``AAGB MK``, Singapore's ``D05.SI`` for ``DBS SP``), a FinanceDatabase listing
has a name, a market and often FIGIs or an ISIN, but no ticker, so it never meets the ticker's
claims. This module gives such a listing the universe ticker whose company it names, when the
link is one-to-one:

- candidates are the universe tickers of the same market (the Yahoo suffix's exchange code)
  that this witness does not already list, named by *another* witness (a ticker's first name);
- a pair links when :func:`tickermap.names.match.match_names` calls the names a ``match``
  (the calibrated decision, not the lenient one of :mod:`.corroborate`), and neither the ticker
  nor the listing has a second ``match`` in that market.

The linked listing then becomes an ordinary claim about the ticker, so its identifiers can
corroborate or contradict the other witnesses'; its name cannot (:mod:`.corroborate` skips
linked claims, the name being the link). :func:`note_links` writes the link into each linked
claim's evidence. Pure: frames in, frames out; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd

from tickermap import columns as C
from tickermap.names.match import match_names
from tickermap.reconcile.records import Verdict
from tickermap.tickers.parse import exchange_code
from tickermap.tickers.symbols import yahoo_to_bloomberg

__all__ = ["link_by_name", "note_links"]

RowKey = tuple[str, int]


def _market(symbol: object) -> str | None:
    if not isinstance(symbol, str) or "." not in symbol:
        return None  # no suffix: a US symbol, which the string rules always turn into a ticker
    found = yahoo_to_bloomberg(symbol).symbol
    return found.rsplit(" ", 1)[-1] if found else None


def _named_tickers(
    frames: Sequence[pd.DataFrame], witness_of: Mapping[str, str], universe: set[str]
) -> dict[str, dict[str, str]]:
    """witness -> {ticker: first name, "" when unnamed} over the universe tickers it lists."""
    out: dict[str, dict[str, str]] = {}
    for frame in frames:
        sub = frame[frame[C.BLOOMBERG_TICKER].isin(universe)]
        if sub.empty:
            continue
        names = sub[C.NAME].fillna("") if C.NAME in sub else pd.Series("", index=sub.index)
        sub = pd.DataFrame(
            {
                "w": sub[C.SOURCE].astype(str).map(lambda s: witness_of.get(s, s)),
                "t": sub[C.BLOOMBERG_TICKER].astype(str),
                "n": names.astype(str),
                "unnamed": names.eq(""),
            }
        ).sort_values("unnamed", kind="mergesort")
        sub = sub.drop_duplicates(["w", "t"])
        for w, t, n in zip(sub["w"], sub["t"], sub["n"], strict=True):
            out.setdefault(w, {}).setdefault(t, n)
    return out


def link_by_name(
    frames: Sequence[pd.DataFrame], witness_of: Mapping[str, str], universe: Sequence[str]
) -> tuple[list[pd.DataFrame], dict[RowKey, str]]:
    """Give unticketed listings their universe ticker by name + market, one-to-one.

    Args:
        frames: canonical map frames (``source`` per file of a folder witness).
        witness_of: claim source -> witness.
        universe: canonical universe tickers.

    Returns:
        The frames (a linked row's ``bloomberg_ticker`` set) and ``(source, row) -> sentence``.
    """
    wanted = set(universe)
    out: list[pd.DataFrame] = []
    links: dict[RowKey, str] = {}
    if not any(
        C.YAHOO in f and C.NAME in f and (f[C.BLOOMBERG_TICKER].isna() & f[C.NAME].notna()).any()
        for f in frames
    ):
        return list(frames), links
    named = _named_tickers(frames, witness_of, wanted)
    for frame in frames:
        if C.YAHOO not in frame or C.NAME not in frame:
            out.append(frame)
            continue
        loose = frame[frame[C.BLOOMBERG_TICKER].isna() & frame[C.NAME].notna()]
        if loose.empty:
            out.append(frame)
            continue
        witnesses = {witness_of.get(str(s), str(s)) for s in frame[C.SOURCE].unique()}
        own = {t for w in witnesses for t in named.get(w, {})}
        others: dict[str, str] = {}
        for w, names in named.items():
            if w not in witnesses:
                for t, n in names.items():
                    if n and t not in own:
                        others.setdefault(t, n)
        found = _links(loose, others)
        if not found:
            out.append(frame)
            continue
        frame = frame.copy()
        for idx, (ticker, sentence) in found.items():
            frame.loc[idx, C.BLOOMBERG_TICKER] = ticker
            links[(str(frame.at[idx, C.SOURCE]), int(str(frame.at[idx, C.SOURCE_ROW])))] = sentence
        out.append(frame)
    return out, links


def _links(loose: pd.DataFrame, others: Mapping[str, str]) -> dict[object, tuple[str, str]]:
    """Listing index -> (ticker, sentence) for the one-to-one name matches within a market."""
    markets = loose[C.YAHOO].map(_market)
    if "listing_code" in loose:  # a generic file's own market (tickermap.maps.local_tickers)
        given = loose["listing_code"].astype("object")
        markets = markets.where(markets.notna(), given.where(given.astype(str).str.len() == 2))
    loose = loose[markets.notna()]
    markets = markets[markets.notna()]
    codes = {str(m) for m in markets}
    tickers = [t for t in others if exchange_code(t) in codes]
    if not tickers or loose.empty:
        return {}
    queries = pd.Series([others[t] for t in tickers], index=tickers, dtype="object")
    matched = match_names(
        queries,
        loose[C.NAME].astype("object"),
        query_blocks=pd.Series([exchange_code(t) for t in tickers], dtype="object"),
        choice_blocks=markets.astype("object").reset_index(drop=True),
        token_blocking=False,
        limit=3,
    )
    matched = matched[matched["evidence"] == "match"]
    once = ~matched["query_index"].duplicated(keep=False) & ~matched["choice_index"].duplicated(
        keep=False
    )
    out: dict[object, tuple[str, str]] = {}
    for ticker, idx, score in zip(
        matched.loc[once, "query_index"], matched.loc[once, "choice_index"],
        matched.loc[once, "score"], strict=True,
    ):  # fmt: skip
        name, symbol = str(loose.at[idx, C.NAME]), loose.at[idx, C.YAHOO]
        if not isinstance(symbol, str):
            symbol = f"{loose.at[idx, 'listing_root']!s} {loose.at[idx, 'listing_code']!s}"
        out[idx] = (
            str(ticker),
            f"ticker linked by name + market: {name!r} ({symbol}) is "
            f"{others[str(ticker)]!r} ({ticker}), score {float(score):.0f}, the only match on "
            "either side",
        )
    return out


def note_links(verdicts: Sequence[Verdict], links: Mapping[RowKey, str]) -> list[Verdict]:
    """Append the link sentence to each linked claim's first detail (its evidence)."""
    if not links:
        return list(verdicts)
    out = []
    for v in verdicts:
        link = links.get((v.claim.source, v.claim.source_row))
        if link is not None and v.reasons:
            first = v.reasons[0]
            text = v.details.get(first)
            v = replace(v, details={**v.details, first: f"{text}; {link}" if text else link})
        out.append(v)
    return out
