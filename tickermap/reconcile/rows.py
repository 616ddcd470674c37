"""From judged claims to the cleaned universe: one :class:`TickerRow` per input ticker.

A row's reasons are the union of its claims' reasons (``no_data``/``ambiguous``/... from the
ticker lookup when no map has a claim), its status the worst of them. Its keys come from
OpenFIGI's answer when the ticker matched, else from the first claim whose identifiers can still
be used; an ISIN is kept when OpenFIGI confirmed it. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import pandas as pd

from tickermap import columns as C
from tickermap.openfigi.resolve import Resolution
from tickermap.reasons import KEYS_USABLE, UNRESOLVED, Reason, sort_reasons, worst
from tickermap.reconcile.lookups import Lookups
from tickermap.reconcile.records import TickerRow, Verdict
from tickermap.tickers.parse import exchange_code
from tickermap.tickers.symbols import bloomberg_to_yahoo

__all__ = ["openfigi_shown", "universe_rows", "with_agreeing"]

_TRUSTED_ISIN_LEVELS = ("agree",)
_OPENFIGI_ALONE = 0.8
"""Confidence in keys that only OpenFIGI's ticker lookup supports (no witness agrees)."""
_UNRESOLVED_CAP = 0.2
"""Highest confidence of a row for which nobody can say which security it is."""

_NO_CLAIM: dict[str, tuple[Reason, ...]] = {
    "matched": (),
    "ambiguous": (Reason.AMBIGUOUS,),
    "not_found": (Reason.NO_DATA,),
    "invalid_ticker": (Reason.INVALID_TICKER,),
}
"""The reasons of a ticker no map has a claim for, by OpenFIGI's outcome (else unverified)."""


def universe_rows(
    tickers: Sequence[str],
    verdicts: Sequence[Verdict],
    lookups: Lookups,
    *,
    outvoted: AbstractSet[tuple[str, int]] = frozenset(),
    offline_confidence: Mapping[str, float] | None = None,
) -> list[TickerRow]:
    """One row per ticker, in ``tickers`` order, from the verdicts about it.

    Claims in ``outvoted`` (:mod:`tickermap.reconcile.consensus`) stay in the row's evidence but
    do not decide its status; ``offline_confidence`` is the confidence of rows the witnesses
    verified without OpenFIGI.
    """
    by_ticker: dict[str, list[Verdict]] = {}
    for v in verdicts:
        by_ticker.setdefault(v.claim.ticker, []).append(v)
    rows = [_row(t, by_ticker.get(t, []), lookups.tickers.get(t), outvoted) for t in tickers]
    if offline_confidence:
        rows = [
            replace(r, confidence=offline_confidence[r.ticker])
            if r.status == Reason.CORROBORATED and r.ticker in offline_confidence
            else r
            for r in rows
        ]
    return rows


@dataclass
class _Keys:
    composite: str | None = None
    share: str | None = None
    figi: str | None = None
    name: str | None = None
    isin: str | None = None
    suggested_composite: str | None = None
    suggested_isin: str | None = None


def _row(
    ticker: str,
    group: list[Verdict],
    r: Resolution | None,
    outvoted: AbstractSet[tuple[str, int]] = frozenset(),
) -> TickerRow:
    outcome = r.outcome if r is not None else "unchecked"
    # Every claim's reasons are listed; an outvoted claim's do not decide the status.
    found = [x for v in group for x in v.reasons]
    deciding = [
        x for v in group if (v.claim.source, v.claim.source_row) not in outvoted for x in v.reasons
    ]
    if not group:
        found += _NO_CLAIM.get(outcome, (Reason.UNVERIFIED,))
        deciding = found
    reasons = sort_reasons(found)
    status = worst(deciding)
    keys = _keys(group, r if outcome == "matched" else None, status)
    if status == Reason.OK and keys.composite is None and keys.isin is None:
        reasons, status = [Reason.NO_DATA], Reason.NO_DATA  # nobody knows an identifier for it
    confidence = _confidence(group, outcome)
    if status in UNRESOLVED:
        confidence = min(confidence, _UNRESOLVED_CAP)
    venues = tuple(r.venue_exch_codes) if r is not None and r.venue_exch_codes else ()
    return TickerRow(
        ticker=ticker,
        status=status,
        reasons=tuple(reasons),
        confidence=round(confidence, 4),
        composite_figi=keys.composite,
        figi=keys.figi,
        share_class_figi=keys.share,
        isin=keys.isin,
        name=keys.name,
        yahoo=_yahoo(ticker, group, venues),
        exch_code=exchange_code(ticker),
        venues=venues,
        suggested_composite_figi=keys.suggested_composite,
        suggested_isin=keys.suggested_isin,
        verdicts=tuple(group),
        openfigi=openfigi_shown(r),
    )


def openfigi_shown(r: Resolution | None) -> str:
    """The ticker lookup's outcome as the universe's ``sources`` says it: what happened.

    ``failed`` is split by why: ``not_consulted_offline`` (``--offline`` and not cached: nothing
    was asked) and ``unreachable`` (no connection to the configured URL); ``unchecked`` when
    the ticker was never looked up.
    """
    if r is None:
        return "unchecked"
    if r.outcome == "failed" and "(offline)" in r.message:
        return "not_consulted_offline"
    if r.outcome == "failed" and "cannot reach OpenFIGI" in r.message:
        return "unreachable"
    return str(r.outcome)


def _keys(group: list[Verdict], matched: Resolution | None, status: Reason) -> _Keys:
    """The row's join keys: OpenFIGI's when the ticker matched, else a usable claim's."""
    k = _Keys()
    if matched is not None:
        k.composite, k.share = matched.composite_figi, matched.share_class_figi
        k.figi, k.name = matched.figi or matched.composite_figi, matched.name
    if not group:
        return k
    # Keys come from claims that carry identifiers (a Yahoo-only witness has none):
    # unflagged ones first, then renamed/delisted/unverified ones.
    with_ids = [v for v in group if v.claim.has_ids]
    usable = [v for v in with_ids if not v.reasons] or [
        v for v in with_ids if v.status in KEYS_USABLE - {Reason.OK}
    ]
    if k.composite is None and usable and status in KEYS_USABLE:
        first = usable[0].claim
        k.composite = first.composite_figi or first.figi
        k.share = first.share_class_figi
        k.figi = first.figi or k.composite
    verified = [
        i for v in group if (i := v.claim.isin) and v.level("isin_figi") in _TRUSTED_ISIN_LEVELS
    ]
    if verified:
        k.isin = verified[0]
        if any(v.claim.isin not in (None, verified[0]) for v in group):
            k.suggested_isin = verified[0]
    elif usable and status in KEYS_USABLE:
        k.isin = usable[0].claim.isin
    k.suggested_composite = next((s for v in group if (s := v.suggested_composite_figi)), None)
    k.name = k.name or group[0].claim.name
    return k


UNCHECKED_CONFIDENCE = 0.5
"""The most confidence a row gets when OpenFIGI did not answer for its ticker and no witness
corroborates it (below the 0.6 and 0.75 caps of corroboration by name and by identifier)."""


def _confidence(group: list[Verdict], outcome: str) -> float:
    """The best agreeing claim's posterior; OpenFIGI alone; else the best identifier claim's.

    A claim without identifiers (a Yahoo map row) says nothing about the row's keys: it never
    sets the confidence, and a row that only such claims support has confidence 0.
    """
    agree = [v for v in group if v.agrees_with_openfigi]
    if agree:
        return max(v.probability for v in agree)
    if outcome == "matched":
        return _OPENFIGI_ALONE
    keyed = (v.probability for v in group if v.claim.states_identifier)
    best = max(keyed, default=0.0)
    if outcome in ("failed", "unchecked"):  # nothing was checked: at most even odds
        return min(best, UNCHECKED_CONFIDENCE)
    return best


def _yahoo(ticker: str, group: list[Verdict], venues: tuple[str, ...]) -> str | None:
    """The Yahoo symbol by rule; a witness's when the rule is ambiguous or has none."""
    ysym = bloomberg_to_yahoo(ticker, venue=venues[0] if len(venues) == 1 else None)
    if ysym.ambiguous or ysym.symbol is None:
        return next((y for v in group if (y := v.claim.yahoo)), ysym.symbol)
    return ysym.symbol


_AGREEMENT = {
    C.COMPOSITE_FIGI: ("ticker_figi", "agree"),
    C.FIGI: ("ticker_figi", "agree"),
    C.SHARE_CLASS_FIGI: ("share_class", "agree"),
    C.ISIN: ("isin_figi", "agree"),
    C.NAME: ("name", "match"),
}


def with_agreeing(disagree: pd.DataFrame, verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """Add ``agreeing``: the witnesses whose value for the field agrees with OpenFIGI."""
    agreeing: dict[tuple[str, str], list[str]] = {}
    for v in verdicts:
        for field_name, (feature, good) in _AGREEMENT.items():
            if v.level(feature) == good:
                agreeing.setdefault((v.claim.ticker, field_name), []).append(v.claim.source)
    return disagree.assign(
        agreeing=[
            ";".join(agreeing.get((t, f), []))
            for t, f in zip(disagree[C.BLOOMBERG_TICKER], disagree["field"], strict=True)
        ]
    )
