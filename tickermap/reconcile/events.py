"""Verdict rules for corporate events: a delisted, renamed or reused ticker.

These decide between an event (the row was right once) and a data error (the row is another
company's) when the claimed FIGI ``F`` is not the ticker's current holder ``T``, or when the
ticker has no current holder at all. No I/O.
"""

from __future__ import annotations

from tickermap.openfigi.records import FigiRecord
from tickermap.openfigi.resolve import Resolution
from tickermap.reasons import Reason
from tickermap.reconcile.context import ClaimContext, Judgement, describe
from tickermap.reconcile.lookups import is_placeholder_ticker

__all__ = ["is_reused", "judge_reused", "judge_without_holder"]


def _same_market(f: FigiRecord, code: str) -> bool:
    return f.exch_code == code or f.figi != f.composite_figi


def is_reused(x: ClaimContext, f: FigiRecord) -> bool:
    """Whether F is the ticker's previous holder and the row's name is that holder's.

    The previous holder keeps the same ticker string or shows Bloomberg's delisted re-tick.
    """
    previous = is_placeholder_ticker(f.ticker) or (f.ticker == x.root and _same_market(f, x.code))
    return previous and x.ev_claim_f == "match" and x.ev_claim_t != "match"


def judge_reused(x: ClaimContext, v: Judgement, f: FigiRecord, t: Resolution) -> None:
    """Record ``ticker_reused``: a stale predecessor row (see :func:`is_reused`)."""
    v.add(
        Reason.TICKER_REUSED,
        f"{x.ticker} now belongs to {t.name} ({x.t_comp}); the row describes {f.name} "
        f"({x.claimed}, now {f.ticker})",
    )


def judge_without_holder(x: ClaimContext, v: Judgement, f: FigiRecord) -> bool:
    """No current holder of the ticker: delisted, renamed, or a FIGI of someone else.

    Returns:
        True when the claimed FIGI is another security (an identity problem).
    """
    if (is_placeholder_ticker(f.ticker) or f.ticker == x.root) and x.ev_claim_f != "mismatch":
        v.add(
            Reason.DELISTED,
            f"{x.ticker} no longer resolves; {x.claimed} ({f.name}) now shows ticker {f.ticker}",
        )
        return False
    new_ticker = f"{f.ticker} {f.exch_code}"
    now = x.lookups.current.get((f.ticker or "", f.exch_code or ""))
    known = x.lookups.tickers.get(new_ticker)
    confirmed = (now is not None and x.f_comp in now.composites()) or (
        known is not None and known.composite_figi == x.f_comp
    )
    isin_agrees = bool(x.isin) and bool(x.lookups.isin(x.isin, x.code).composites() & {x.f_comp})
    if x.ev_claim_f == "match" or (confirmed and isin_agrees):
        v.add(
            Reason.RENAMED,
            f"{x.ticker} now trades as {new_ticker} ({f.name})"
            + ("" if confirmed else " (not confirmed by lookup)"),
        )
        return False
    v.add(
        Reason.FIGI_OTHER_SECURITY,
        f"{describe(x.lookups.figi(x.claimed), x.claimed or '')}; {x.ticker} is unknown to "
        f"OpenFIGI and the row's name {x.name!s} is not that company's",
    )
    return True
