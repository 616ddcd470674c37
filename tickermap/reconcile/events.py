"""Verdict rules for corporate events: a delisted, renamed or reused ticker.

These decide between an event (the row was right once) and a data error (the row is another
company's) when the claimed FIGI ``F`` is not the ticker's current holder ``T``, when ``F`` is
unknown to OpenFIGI, or when the ticker has no current holder at all. They hold whether a delisted
FIGI answers nothing (observed: openfigi-api.md "Delisted FIGIs") or answers with a placeholder
ticker such as ``1234567D`` (assumed). Every event's evidence sentence starts with
``confirmed:`` (OpenFIGI itself shows the event) or ``probable:`` (inferred from what OpenFIGI no
longer answers plus the witnesses), then says why (:func:`event_confidence` reads it back). No I/O.
"""

from __future__ import annotations

from typing import Literal

from tickermap.openfigi.records import FigiRecord
from tickermap.openfigi.resolve import Resolution
from tickermap.reasons import Reason
from tickermap.reconcile.context import ClaimContext, Judgement, describe
from tickermap.reconcile.lookups import is_placeholder_ticker

__all__ = [
    "EventConfidence",
    "event_confidence",
    "is_reused",
    "judge_isin_only",
    "judge_reused",
    "judge_unknown_figi",
    "judge_without_holder",
    "witnesses",
]

EventConfidence = Literal["confirmed", "probable"]
"""How sure an event is: OpenFIGI shows it, or it is inferred (see the module docstring)."""


def event_confidence(detail: str) -> tuple[EventConfidence | None, str]:
    """Split an event's evidence sentence into its confidence and the rest.

    >>> event_confidence("probable: X US no longer resolves")
    ('probable', 'X US no longer resolves')
    """
    head, sep, rest = detail.partition(": ")
    if sep and head in ("confirmed", "probable"):
        return head, rest  # type: ignore[return-value]
    return None, detail


def _event(v: Judgement, reason: Reason, confidence: EventConfidence, text: str) -> None:
    v.add(reason, f"{confidence}: {text}")


def witnesses(x: ClaimContext) -> tuple[list[str], list[str]]:
    """The other witnesses of the ticker that agree / disagree with this claim's identifiers.

    Two claims are compared on the keys both state (FIGIs, ISIN); a witness without identifiers
    (a Yahoo-only map) neither agrees nor disagrees.
    """
    mine = {x.figi, x.comp} - {None}
    agree: list[str] = []
    disagree: list[str] = []
    for p in x.peers:
        theirs = {p.figi, p.composite_figi} - {None}
        comparable = (mine and theirs) or (x.isin and p.isin)
        if not comparable:
            continue
        same = bool(mine & theirs) or (x.isin is not None and x.isin == p.isin)
        (agree if same else disagree).append(p.source)
    return agree, disagree


def _witness_text(agree: list[str]) -> str:
    if agree:
        return f"{len(agree) + 1} witnesses agree ({', '.join(sorted(set(agree)))} too)"
    return "one witness states these identifiers; none contradicts them"


def _same_market(f: FigiRecord, code: str) -> bool:
    return f.exch_code == code or f.figi != f.composite_figi


def is_reused(x: ClaimContext, f: FigiRecord) -> bool:
    """Whether F is the ticker's previous holder and the row's name is that holder's.

    The previous holder keeps the same ticker string or shows a placeholder re-tick. (A row that
    is entirely another live company's, trading under another ticker, is a map error.)
    """
    previous = is_placeholder_ticker(f.ticker) or (f.ticker == x.root and _same_market(f, x.code))
    return previous and x.ev_claim_f == "match" and x.ev_claim_t != "match"


def judge_reused(x: ClaimContext, v: Judgement, f: FigiRecord, t: Resolution) -> None:
    """Record ``ticker_reused``: a stale predecessor row (see :func:`is_reused`)."""
    _event(
        v,
        Reason.TICKER_REUSED,
        "confirmed",
        f"{x.ticker} now belongs to {t.name} ({x.t_comp}); the row describes {f.name} "
        f"({x.claimed}, now {f.ticker}): OpenFIGI still shows its old line",
    )


def judge_unknown_figi(x: ClaimContext, v: Judgement) -> bool:
    """A valid claimed FIGI that OpenFIGI does not know: an event, or ``figi_unknown``.

    Under the observed behaviour a delisted line answers nothing, so an unknown FIGI is a
    delisting when the ticker and the ISIN are unknown too and no witness contradicts the row, and
    a reuse when the ticker's holder is another company the row does not name.

    Returns:
        True when the claim is not the ticker's security (an identity problem).
    """
    agree, disagree = witnesses(x)
    isin_look = x.lookups.isin(x.isin, x.code) if x.isin else None
    isin_gone = isin_look is None or isin_look.status == "not_found"
    if x.t_status == "not_found" and isin_gone and not disagree:
        isin_text = f", ISIN {x.isin}" if x.isin else ""
        _event(
            v,
            Reason.DELISTED,
            "probable",
            f"OpenFIGI knows neither {x.ticker} nor FIGI {x.claimed}{isin_text} (a delisted line "
            f"answers nothing); {_witness_text(agree)}",
        )
        v.levels["figi_known"] = "gone"
        return False
    placed = sorted({f"{p.ticker} ({p.name})" for p in x.elsewhere})
    if x.t_comp and x.t is not None and placed and x.ev_claim_t == "match":
        v.add(
            Reason.FIGI_OTHER_SECURITY,
            f"OpenFIGI has no FIGI {x.claimed}; the witnesses place it at {', '.join(placed)}, "
            f"and {x.ticker} is {x.t.name} ({x.t_comp})",
        )
        v.levels["figi_known"] = "unknown"
        v.levels["ticker_figi"] = "disagree"
        return True
    if x.t_comp and x.t is not None and isin_gone:
        supports_t = any(p.composite_figi == x.t_comp or p.figi == x.t_comp for p in x.peers)
        if not supports_t and (x.ev_claim_t == "mismatch" or agree or placed):
            where = f"; the witnesses also place it at {', '.join(placed)}" if placed else ""
            _event(
                v,
                Reason.TICKER_REUSED,
                "probable",
                f"{x.ticker} now belongs to {x.t.name} ({x.t_comp}); the row's {x.name!s} "
                f"({x.claimed}) is unknown to OpenFIGI (a delisted line answers nothing); "
                f"{_witness_text(agree)}{where}",
            )
            v.levels["figi_known"] = "gone"
            v.levels["ticker_figi"] = "disagree"
            return True
    v.add(Reason.FIGI_UNKNOWN, f"OpenFIGI has no FIGI {x.claimed}")
    v.levels["figi_known"] = "unknown"
    if x.t_comp:
        v.levels["ticker_figi"] = "disagree"
        v.suggested_composite = x.t_comp
    return False


def judge_isin_only(x: ClaimContext, v: Judgement) -> None:
    """No claimed FIGI and no current holder: the ISIN may show a rename or a delisting."""
    if not x.isin or x.t_status != "not_found":
        return
    look = x.lookups.isin(x.isin, x.code)
    rec = look.records[0] if look.matched else None
    if rec is None or not rec.ticker or rec.ticker == x.root:
        return
    if is_placeholder_ticker(rec.ticker):
        _event(v, Reason.DELISTED, "confirmed", f"ISIN {x.isin} now shows ticker {rec.ticker}")
    else:
        _event(
            v,
            Reason.RENAMED,
            "confirmed" if x.ev_claim_f != "mismatch" else "probable",
            f"{x.ticker} no longer resolves; ISIN {x.isin} now trades as {rec.ticker} "
            f"{x.code} ({rec.name})",
        )


def judge_without_holder(x: ClaimContext, v: Judgement, f: FigiRecord) -> bool:
    """No current holder of the ticker: delisted, renamed, or a FIGI of someone else.

    Returns:
        True when the claimed FIGI is another security (an identity problem).
    """
    if (is_placeholder_ticker(f.ticker) or f.ticker == x.root) and x.ev_claim_f != "mismatch":
        _event(
            v,
            Reason.DELISTED,
            "confirmed",
            f"{x.ticker} no longer resolves; {x.claimed} ({f.name}) now shows ticker {f.ticker}",
        )
        return False
    new_ticker = f"{f.ticker} {f.exch_code}"
    now = x.lookups.current.get((f.ticker or "", f.exch_code or ""))
    known = x.lookups.tickers.get(new_ticker)
    confirmed = (now is not None and x.f_comp in now.composites()) or (
        known is not None and known.composite_figi == x.f_comp
    )
    same_exchange = f.exch_code == x.code
    isin_agrees = bool(x.isin) and bool(x.lookups.isin(x.isin, x.code).composites() & {x.f_comp})
    agree, disagree = witnesses(x)
    names_agree = x.ev_claim_f == "match"
    # A new name with no ISIN needs a second witness: one row alone could be a wrong FIGI.
    corroborated = confirmed and same_exchange and bool(agree) and not disagree
    if corroborated or names_agree or (confirmed and isin_agrees):
        sure = confirmed and (names_agree or isin_agrees)
        why = (
            "the new ticker resolves to the same FIGI"
            + (" and the ISIN agrees" if isin_agrees else "")
            + (" and the names agree" if names_agree else "; the name changed too")
            + (f"; {_witness_text(agree)}" if corroborated and not names_agree else "")
            if confirmed
            else "not confirmed by a lookup of the new ticker; the names agree"
        )
        _event(
            v,
            Reason.RENAMED,
            "confirmed" if sure else "probable",
            f"{x.ticker} now trades as {new_ticker} ({f.name}): {why}",
        )
        return False
    v.add(
        Reason.FIGI_OTHER_SECURITY,
        f"{describe(x.lookups.figi(x.claimed), x.claimed or '')}; {x.ticker} is unknown to "
        f"OpenFIGI and the row's name {x.name!s} is not that company's",
    )
    return True
