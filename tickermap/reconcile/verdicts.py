"""Verdicts: reason codes, evidence and a suspicion score for every claim.

The rules follow the detection recipe of identifiers-and-matching.md §4: identifiers decide,
names corroborate. For one claim (a map row about a ticker) with ``T`` = OpenFIGI's current
holder of ticker+exchange, ``F`` = OpenFIGI's record of the claimed composite FIGI and ``I`` =
what the claimed ISIN lists on the ticker's exchange:

============================  ===========================================================
reason                        when
============================  ===========================================================
``figi_invalid``              a claimed FIGI fails its check digit / prefix rules
``isin_invalid``              the claimed ISIN fails its check digit
``invalid_ticker``            the ticker cannot be parsed (no exchange code, unknown code)
``figi_unknown``              a valid claimed FIGI is unknown to OpenFIGI
``wrong_listing``             F has T's share class but is another exchange's composite
``wrong_share_class``         F is the same issuer (names agree) but another share class,
                              or the claimed share-class FIGI is not T's
``ticker_reused``             F's ticker moved on (re-ticked/delisted), the claim's name is
                              F's, and T is a different company: a stale predecessor row
``figi_other_security``       F belongs to another company (names disagree)
``isin_conflict``             I does not lead to T (nor to F), or offline: the ISIN's
                              country is implausible for the exchange
``name_conflict``             identifiers agree but the claimed name is another company's
``renamed``                   no current holder of the ticker; F now trades as another
                              ticker (confirmed by a lookup when possible)
``delisted``                  no current holder; F still exists with a placeholder ticker
``ambiguous``                 several composites qualify for ticker+exchange
``no_data``                   OpenFIGI and the maps know nothing usable
``unverified``                offline and not in the cache: nothing contradicts the claim
============================  ===========================================================

A consequence is not reported twice: an ISIN or name that agrees with the wrong FIGI is part of
that FIGI's story, not a second error. This module does no I/O and no HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tickermap import columns as C
from tickermap.identifiers.checks import check_figi, check_isin
from tickermap.names.match import TokenWeights, name_evidence
from tickermap.openfigi.records import FigiRecord
from tickermap.openfigi.resolve import Resolution
from tickermap.reconcile.local_evidence import LocalEvidence, RowKey
from tickermap.reconcile.lookups import Lookup, Lookups, is_placeholder_ticker
from tickermap.reconcile.suspicion import score_claim
from tickermap.tickers.parse import parse_ticker

__all__ = ["SEVERITY", "VERDICT_COLUMNS", "judge_claims", "worst"]

SEVERITY = (
    "figi_other_security",
    "ticker_reused",
    "isin_conflict",
    "wrong_listing",
    "wrong_share_class",
    "figi_unknown",
    "figi_invalid",
    "invalid_ticker",
    "isin_invalid",
    "name_conflict",
    "ambiguous",
    "delisted",
    "renamed",
    "no_data",
    "unverified",
    "ok",
)
"""Reason codes from worst to best; a row's status is its worst reason."""


_NO_LOCAL = LocalEvidence()

VERDICT_COLUMNS = (
    C.BLOOMBERG_TICKER,
    C.SOURCE,
    C.SOURCE_ROW,
    "status",
    "reasons",
    "suspicion",
    "probability",
    "features",
    "details",
    "suggested_composite_figi",
    "suggested_isin",
    "agrees_with_openfigi",
)
"""The columns :func:`judge_claims` returns, one row per claim."""


def worst(reasons: list[str]) -> str:
    """The most severe reason (``ok`` when there are none).

    >>> worst(["renamed", "isin_conflict"])
    'isin_conflict'
    """
    return min(reasons, key=SEVERITY.index) if reasons else "ok"


@dataclass
class _Verdict:
    reasons: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    suggested_composite: str | None = None
    suggested_isin: str | None = None

    def add(self, reason: str, detail: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
            self.details[reason] = detail


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _describe(rec_lookup: Lookup, figi: str) -> str:
    rec = rec_lookup.record(figi)
    if rec is None:
        return figi
    return f"{figi} is {rec.name!s} ({rec.ticker} {rec.exch_code})"


def judge_claims(
    claims: pd.DataFrame,
    lookups: Lookups,
    *,
    local: Mapping[RowKey, LocalEvidence] | None = None,
) -> pd.DataFrame:
    """Judge every claim.

    Args:
        claims: ``tickermap.reconcile.claims.claims_table`` output.
        lookups: OpenFIGI answers (``tickermap.reconcile.lookups.gather_lookups``); ``unchecked``
        entries
            mean offline without a cached answer.
        local: evidence from each map's own consistency (``tickermap.reconcile.local_evidence``);
        used
            where OpenFIGI could not check (offline) or cannot say (names on many tickers).

    Returns:
        One row per claim, columns :data:`VERDICT_COLUMNS`.
    """
    if claims.empty:
        return pd.DataFrame(columns=list(VERDICT_COLUMNS))
    records = claims.to_dict("records")
    ctxs = [_context(c, lookups, (local or {}).get(_row_key(c), _NO_LOCAL)) for c in records]
    _attach_name_evidence(ctxs)
    rows = []
    for claim, ctx in zip(records, ctxs, strict=True):
        v = _judge_one(ctx)
        score = score_claim(v.levels)
        reasons = sorted(v.reasons, key=SEVERITY.index)
        rows.append(
            {
                C.BLOOMBERG_TICKER: claim[C.BLOOMBERG_TICKER],
                C.SOURCE: claim[C.SOURCE],
                C.SOURCE_ROW: claim[C.SOURCE_ROW],
                "status": worst(reasons),
                "reasons": ";".join(reasons) if reasons else "ok",
                "suspicion": score.suspicion,
                "probability": round(score.probability, 4),
                "features": json.dumps(
                    {f: [lvl, w] for f, (lvl, w) in score.contributions.items()}
                ),
                "details": json.dumps(v.details, ensure_ascii=False),
                "suggested_composite_figi": v.suggested_composite,
                "suggested_isin": v.suggested_isin,
                "agrees_with_openfigi": v.levels.get("ticker_figi") == "agree",
            }
        )
    return pd.DataFrame(rows, columns=list(VERDICT_COLUMNS))


def _row_key(claim: Mapping[object, object]) -> RowKey:
    return (str(claim[C.SOURCE]), int(str(claim[C.SOURCE_ROW])))


@dataclass
class _Ctx:
    """One claim with everything OpenFIGI said that bears on it."""

    ticker: str
    root: str
    code: str
    parse_error: str | None
    name: str | None
    figi: str | None
    comp: str | None
    share: str | None
    isin: str | None
    t: Resolution | None
    f: FigiRecord | None  # the record of the claimed composite (or of the figi if none)
    loc: LocalEvidence
    lookups: Lookups
    ev_claim_t: str = "no_evidence"
    ev_claim_f: str = "no_evidence"
    ev_f_t: str = "no_evidence"

    @property
    def claimed(self) -> str | None:
        return self.comp or self.figi

    @property
    def t_status(self) -> str:
        return self.t.outcome if self.t is not None else "unchecked"

    @property
    def t_comp(self) -> str | None:
        return self.t.composite_figi if self.t is not None and self.t.outcome == "matched" else None

    @property
    def t_share(self) -> str | None:
        return self.t.share_class_figi if self.t is not None and self.t_comp else None

    @property
    def t_name(self) -> str | None:
        return self.t.name if self.t is not None and self.t_comp else None

    @property
    def f_comp(self) -> str | None:
        """The composite the claimed FIGI belongs to (itself when it is a composite)."""
        return (self.f.composite_figi or self.f.figi) if self.f is not None else None


def _context(c: Mapping[object, object], lookups: Lookups, loc: LocalEvidence) -> _Ctx:
    ticker = str(c[C.BLOOMBERG_TICKER])
    parsed = parse_ticker(ticker)
    comp, figi = _text(c.get(C.COMPOSITE_FIGI)), _text(c.get(C.FIGI))
    key = comp or figi
    look = lookups.figi(key)
    return _Ctx(
        ticker=ticker,
        root=parsed.ticker.root if parsed.ticker else ticker,
        code=parsed.ticker.code if parsed.ticker else "",
        parse_error=None if parsed.ticker else parsed.message,
        name=_text(c.get(C.NAME)),
        figi=figi,
        comp=comp,
        share=_text(c.get(C.SHARE_CLASS_FIGI)),
        isin=_text(c.get(C.ISIN)),
        t=lookups.tickers.get(ticker),
        f=look.record(key) if key and look.matched else None,
        loc=loc,
        lookups=lookups,
    )


def _attach_name_evidence(ctxs: list[_Ctx]) -> None:
    """Compare names in three vectorised batches, with token weights fitted once on all names.

    The F-side comparisons matter only where the claimed FIGI's composite is not the ticker's
    (a few percent of rows); scoring names is the costliest step, so only those are scored.
    """
    c_names = pd.Series([x.name for x in ctxs], dtype="object")
    t_names = pd.Series([x.t_name for x in ctxs], dtype="object")
    f_names = pd.Series([x.f.name if x.f else None for x in ctxs], dtype="object")
    weights = TokenWeights.fit(pd.concat([c_names, t_names, f_names]).dropna().tolist())
    differs = pd.Series([x.f is not None and x.f_comp != x.t_comp for x in ctxs])
    pairs = (
        ("ev_claim_t", c_names, t_names, t_names.notna()),
        ("ev_claim_f", c_names, f_names, differs),
        ("ev_f_t", f_names, t_names, differs & t_names.notna()),
    )
    for attr, left, right, mask in pairs:
        if not mask.any():
            continue
        got = name_evidence(
            left[mask].reset_index(drop=True), right[mask].reset_index(drop=True), weights=weights
        )
        for pos, level in zip(np.flatnonzero(mask.to_numpy()), got, strict=True):
            setattr(ctxs[pos], attr, str(level))


def _judge_one(x: _Ctx) -> _Verdict:
    v = _Verdict()
    if x.parse_error is not None:
        v.add("invalid_ticker", f"{x.ticker!r}: {x.parse_error}")
    if x.t_status == "rejected" and x.t is not None:
        v.add("invalid_ticker", f"OpenFIGI rejected {x.ticker}: {x.t.message}")
    any_invalid = _check_validity(x, v)
    _check_known(x, v, any_invalid)
    if x.t_status == "ambiguous" and x.t is not None:
        v.add("ambiguous", f"{x.t.n_candidates} composites qualify for {x.ticker}")
    identity_problem = _check_listing(x, v)
    _check_figi_column(x, v)
    _check_share_class(x, v, identity_problem)
    _check_isin(x, v, identity_problem)
    # A correction needs two independent keys: ticker+exchange (T) plus the ISIN or the name.
    if v.suggested_composite is not None and not (
        v.levels.get("isin_figi") == "agree" or x.ev_claim_t == "match"
    ):
        v.suggested_composite = None
    _check_name(x, v)
    f_look = x.lookups.figi(x.claimed) if x.claimed else None
    if (
        x.t_status in ("failed", "unchecked")
        and not v.reasons
        and (f_look is None or f_look.status == "unchecked")
    ):
        why = (
            f"OpenFIGI gave no answer ({x.t.message})"
            if x.t is not None and x.t_status == "failed" and "offline" not in x.t.message
            else "OpenFIGI not consulted (offline and not cached)"
        )
        v.add("unverified", why)
    if x.t_status == "not_found" and x.f is None and not v.reasons and (x.claimed or x.isin):
        v.add("no_data", f"OpenFIGI knows neither {x.ticker} nor the claimed identifiers")
    return v


def _check_validity(x: _Ctx, v: _Verdict) -> bool:
    any_invalid = False
    for col, value in ((C.FIGI, x.figi), (C.COMPOSITE_FIGI, x.comp), (C.SHARE_CLASS_FIGI, x.share)):
        if value is not None and not (chk := check_figi(value)).valid:
            v.add("figi_invalid", f"{col} {value}: {chk.detail}")
            any_invalid = True
    v.levels["figi_valid"] = (
        "absent" if x.claimed is None else ("invalid" if any_invalid else "valid")
    )
    if x.isin is not None and not (chk := check_isin(x.isin)).valid:
        v.add("isin_invalid", f"isin {x.isin}: {chk.detail}")
        x.isin = None
    if any_invalid and x.t_comp:
        v.suggested_composite = x.t_comp  # kept only if a second key agrees
    return any_invalid


def _check_known(x: _Ctx, v: _Verdict, any_invalid: bool) -> None:
    if not x.claimed or any_invalid:
        return
    look = x.lookups.figi(x.claimed)
    if look.status == "not_found":
        v.add("figi_unknown", f"OpenFIGI has no FIGI {x.claimed}")
        v.levels["figi_known"] = "unknown"
        if x.t_comp:
            v.levels["ticker_figi"] = "disagree"
            v.suggested_composite = x.t_comp
    else:
        v.levels["figi_known"] = "known" if look.matched else "unchecked"


def _check_listing(x: _Ctx, v: _Verdict) -> bool:
    """The claimed FIGI against the ticker's current holder; True when it is another security."""
    f, t = x.f, x.t
    if f is None or not x.claimed:
        if x.t_comp:
            v.levels.setdefault("ticker_figi", "unknown")
        return False
    if x.t_comp and t is not None:
        return _against_holder(x, v, f, t)
    if x.t_status == "not_found":
        v.levels["ticker_figi"] = "unknown"
        return _without_holder(x, v, f)
    v.levels["ticker_figi"] = "unknown"
    return False


def _against_holder(x: _Ctx, v: _Verdict, f: FigiRecord, t: Resolution) -> bool:
    if x.f_comp == x.t_comp:
        v.levels["ticker_figi"] = "agree"
        if x.comp is not None and f.figi != f.composite_figi:
            # Right security, but the composite column holds a venue FIGI.
            v.add(
                "wrong_listing",
                f"composite_figi {x.comp} is the {f.exch_code} venue FIGI; the composite is "
                f"{x.t_comp}",
            )
            v.suggested_composite = x.t_comp
        return False
    v.levels["ticker_figi"] = "disagree"
    v.suggested_composite = x.t_comp  # kept only if a second key agrees
    if f.share_class_figi and f.share_class_figi == x.t_share:
        v.add(
            "wrong_listing",
            f"{x.claimed} is a {f.exch_code} listing of the same share class; {x.ticker} is "
            f"{x.t_comp}",
        )
    elif x.ev_f_t == "match":
        v.add(
            "wrong_share_class",
            f"{x.claimed} is another share class of {t.name} ({f.ticker} {f.exch_code})",
        )
    elif (is_placeholder_ticker(f.ticker) or (f.ticker == x.root and _same_market(f, x.code))) and (
        x.ev_claim_f == "match" and x.ev_claim_t != "match"
    ):
        # The claimed FIGI is the ticker's previous holder (same ticker string, or Bloomberg's
        # delisted re-tick) and the row's name is that holder's.
        v.add(
            "ticker_reused",
            f"{x.ticker} now belongs to {t.name} ({x.t_comp}); the row describes {f.name} "
            f"({x.claimed}, now {f.ticker})",
        )
    else:
        v.add(
            "figi_other_security",
            _describe(x.lookups.figi(x.claimed), x.claimed or "")
            + f"; {x.ticker} is {t.name} ({x.t_comp})",
        )
    return True


def _same_market(f: FigiRecord, code: str) -> bool:
    return f.exch_code == code or f.figi != f.composite_figi


def _without_holder(x: _Ctx, v: _Verdict, f: FigiRecord) -> bool:
    """No current holder of the ticker: delisted, renamed, or a FIGI of someone else."""
    if (is_placeholder_ticker(f.ticker) or f.ticker == x.root) and x.ev_claim_f != "mismatch":
        v.add(
            "delisted",
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
            "renamed",
            f"{x.ticker} now trades as {new_ticker} ({f.name})"
            + ("" if confirmed else " (not confirmed by lookup)"),
        )
        return False
    v.add(
        "figi_other_security",
        f"{_describe(x.lookups.figi(x.claimed), x.claimed or '')}; {x.ticker} is unknown to "
        f"OpenFIGI and the row's name {x.name!s} is not that company's",
    )
    return True


def _check_figi_column(x: _Ctx, v: _Verdict) -> None:
    """A ``figi`` beside a ``composite_figi`` must be a listing of that composite."""
    if not (x.figi and x.comp) or x.figi == x.comp or "figi_invalid" in v.reasons:
        return
    look = x.lookups.figi(x.figi)
    rec = look.record(x.figi) if look.matched else None
    if rec is None:
        if look.status == "not_found":
            v.add("figi_unknown", f"OpenFIGI has no FIGI {x.figi} (figi column)")
        return
    owner = rec.composite_figi or rec.figi
    if owner not in (x.comp, x.t_comp):
        v.add(
            "figi_other_security",
            f"figi {x.figi} belongs to composite {owner} ({rec.name}), not to {x.comp}",
        )


def _check_share_class(x: _Ctx, v: _Verdict, identity_problem: bool) -> None:
    reference = x.f.share_class_figi if x.f is not None else x.t_share
    if not x.share or not reference:
        return
    if x.share == reference and (x.t_share is None or x.share == x.t_share):
        v.levels["share_class"] = "agree"
        return
    v.levels["share_class"] = "disagree"
    if not identity_problem and "wrong_share_class" not in v.reasons:
        v.add(
            "wrong_share_class",
            f"share_class_figi {x.share} but {x.claimed or x.ticker} is of share class {reference}",
        )


def _check_isin(x: _Ctx, v: _Verdict, identity_problem: bool) -> None:
    v.levels["isin_country"] = x.loc.country_level if x.isin else "unknown"
    if not x.isin:
        return
    look = x.lookups.isin(x.isin, x.code)
    reference = {c for c in (x.t_comp, x.f_comp) if c}
    ref_share = {s for s in (x.t_share, x.f.share_class_figi if x.f else None) if s}
    if x.t_status == "ambiguous" and x.t is not None:
        reference |= {r.composite_figi for r in x.t.candidates if r.composite_figi}
    if look.status == "unchecked":
        v.levels["isin_figi"] = "unknown"
        if "isin_conflict" in x.loc.reasons and not identity_problem:
            v.add("isin_conflict", x.loc.reasons["isin_conflict"])
        return
    if not reference and not ref_share:
        v.levels["isin_figi"] = "unknown"  # nothing to compare the ISIN with
        return
    if (look.composites() & reference) or (look.share_classes() & ref_share):
        agrees_with_t = bool(look.composites() & {x.t_comp}) or bool(
            look.share_classes() & {x.t_share}
        )
        v.levels["isin_figi"] = "agree" if agrees_with_t or not x.t_comp else "disagree"
        return
    v.levels["isin_figi"] = "disagree"
    if not identity_problem:
        owner = x.lookups.isins_any.get(x.isin)
        rec = owner.records[0] if owner is not None and owner.records else None
        whose = f" it is {rec.name} ({rec.ticker} {rec.exch_code})" if rec else ""
        v.add(
            "isin_conflict",
            f"ISIN {x.isin} does not list {x.t_comp or x.claimed} on {x.code};{whose}",
        )


def _check_name(x: _Ctx, v: _Verdict) -> None:
    level = x.ev_claim_t if x.t_comp else x.ev_claim_f if x.f is not None else "no_evidence"
    if "renamed" in v.reasons:
        level = "no_evidence"  # a rename explains a new name; it is not evidence against the row
    v.levels["name"] = level if level in ("match", "weak", "mismatch") else "no_evidence"
    explained = {"figi_other_security", "ticker_reused", "renamed", "wrong_share_class"}
    if explained & set(v.reasons):
        return
    if "name_conflict" in x.loc.reasons and level != "match":
        v.add("name_conflict", x.loc.reasons["name_conflict"])
    if level == "mismatch":
        ref = x.t_name if x.t_comp else (x.f.name if x.f else "")
        v.add("name_conflict", f"name {x.name!s} but OpenFIGI says {ref}")
