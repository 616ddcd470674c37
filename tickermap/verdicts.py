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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from tickermap import columns as C
from tickermap.identifiers import check_figi, check_isin
from tickermap.jobs import FigiRecord
from tickermap.local_evidence import LocalEvidence, RowKey
from tickermap.lookups import Lookup, Lookups, is_placeholder_ticker
from tickermap.resolve import Resolution
from tickermap.suspicion import score_claim
from tickermap.tickers import parse_ticker

__all__ = ["SEVERITY", "VERDICT_COLUMNS", "NameEvidence", "judge_claims", "worst"]

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

NameEvidence = Callable[[pd.Series, pd.Series], pd.Series]
"""Aligned pairs of names -> evidence level (``match|weak|mismatch|no_evidence``)."""


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
    name_evidence: NameEvidence,
    local: Mapping[RowKey, LocalEvidence] | None = None,
) -> pd.DataFrame:
    """Judge every claim.

    Args:
        claims: ``tickermap.claims.claims_table`` output.
        lookups: OpenFIGI answers (``tickermap.lookups.gather_lookups``); ``unchecked`` entries
            mean offline without a cached answer.
        name_evidence: the name comparator (``tickermap.matching``), vectorised over pairs.
        local: evidence from each map's own consistency (``tickermap.local_evidence``); used
            where OpenFIGI could not check (offline) or cannot say (names on many tickers).

    Returns:
        One row per claim: ``bloomberg_ticker, source, source_row, status, reasons, suspicion,
        probability, features, details, suggested_composite_figi, suggested_isin,
        agrees_with_openfigi``.
    """
    if claims.empty:
        return pd.DataFrame(columns=list(VERDICT_COLUMNS))
    tick = [lookups.tickers.get(t) for t in claims[C.BLOOMBERG_TICKER]]
    t_names = pd.Series([r.name if r and r.outcome == "matched" else None for r in tick])
    f_recs = []
    for comp, figi in zip(claims[C.COMPOSITE_FIGI], claims[C.FIGI], strict=True):
        key = comp or figi
        look = lookups.figi(key)
        f_recs.append(look.record(key) if look.matched else None)
    f_names = pd.Series([r.name if r else None for r in f_recs])
    c_names = claims[C.NAME].reset_index(drop=True)
    t_comps = [r.composite_figi if r and r.outcome == "matched" else None for r in tick]
    # The F-side comparisons matter only where the claimed FIGI is not the ticker's composite
    # (a few percent of rows); scoring names is the costliest step, so score only those.
    differs = pd.Series(
        [f is not None and f.figi != t for f, t in zip(f_recs, t_comps, strict=True)]
    )
    ev_claim_t = _evidence_where(name_evidence, c_names, t_names, t_names.notna())
    ev_claim_f = _evidence_where(name_evidence, c_names, f_names, differs)
    ev_f_t = _evidence_where(name_evidence, f_names, t_names, differs & t_names.notna())

    ev_ct, ev_cf, ev_ft = ev_claim_t.tolist(), ev_claim_f.tolist(), ev_f_t.tolist()
    rows = []
    for i, claim in enumerate(claims.to_dict("records")):
        key = (str(claim[C.SOURCE]), int(str(claim[C.SOURCE_ROW])))
        v = _judge_one(
            claim,
            (local or {}).get(key, _NO_LOCAL),
            tick[i],
            f_recs[i],
            lookups,
            ev_claim_t=str(ev_ct[i]),
            ev_claim_f=str(ev_cf[i]),
            ev_f_t=str(ev_ft[i]),
        )
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


def _evidence_where(
    name_evidence: NameEvidence, left: pd.Series, right: pd.Series, mask: pd.Series
) -> pd.Series:
    """Name evidence for the masked pairs; ``no_evidence`` elsewhere."""
    out = pd.Series("no_evidence", index=left.index, dtype="object")
    if mask.any():
        got = name_evidence(left[mask].reset_index(drop=True), right[mask].reset_index(drop=True))
        out[mask.to_numpy()] = got.to_numpy()
    return out


def _judge_one(
    c: Mapping[object, object],
    loc: LocalEvidence,
    t: Resolution | None,
    f_rec: FigiRecord | None,
    lookups: Lookups,
    *,
    ev_claim_t: str,
    ev_claim_f: str,
    ev_f_t: str,
) -> _Verdict:
    v = _Verdict()
    ticker = str(c[C.BLOOMBERG_TICKER])
    parsed = parse_ticker(ticker)
    root = parsed.ticker.root if parsed.ticker else ticker
    code = parsed.ticker.code if parsed.ticker else ""
    if parsed.ticker is None:
        v.add("invalid_ticker", f"{ticker!r}: {parsed.message}")
    figi = _text(c.get(C.FIGI))
    comp = _text(c.get(C.COMPOSITE_FIGI))
    share = _text(c.get(C.SHARE_CLASS_FIGI))
    isin = _text(c.get(C.ISIN))
    claimed = comp or figi

    # 1. Identifier validity.
    any_invalid = False
    for col, value in ((C.FIGI, figi), (C.COMPOSITE_FIGI, comp), (C.SHARE_CLASS_FIGI, share)):
        if value is not None and not (chk := check_figi(value)).valid:
            v.add("figi_invalid", f"{col} {value}: {chk.detail}")
            any_invalid = True
    v.levels["figi_valid"] = (
        "absent" if claimed is None else ("invalid" if any_invalid else "valid")
    )
    if isin is not None and not (chk := check_isin(isin)).valid:
        v.add("isin_invalid", f"isin {isin}: {chk.detail}")
        isin = None

    # 2. What OpenFIGI says about the ticker (T) and the claimed FIGI (F).
    t_status = t.outcome if t is not None else "unchecked"
    t_comp = t.composite_figi if t is not None and t.outcome == "matched" else None
    t_share = t.share_class_figi if t is not None and t_comp else None
    f_look = lookups.figi(claimed) if claimed and not any_invalid else None
    if f_look is not None:
        if f_look.status == "not_found":
            v.add("figi_unknown", f"OpenFIGI has no FIGI {claimed}")
            v.levels["figi_known"] = "unknown"
        elif f_look.matched:
            v.levels["figi_known"] = "known"
        else:
            v.levels["figi_known"] = "unchecked"
    if t_status == "ambiguous" and t is not None:
        v.add("ambiguous", f"{t.n_candidates} composites qualify for {ticker}")

    # 3. The claimed composite against the ticker's current holder.
    identity_problem = False
    if f_rec is not None and claimed:
        f_share = f_rec.share_class_figi
        if t_comp:
            if claimed == t_comp:
                v.levels["ticker_figi"] = "agree"
            else:
                v.levels["ticker_figi"] = "disagree"
                identity_problem = True
                if f_share and f_share == t_share:
                    v.add(
                        "wrong_listing",
                        f"{claimed} is the {f_rec.exch_code} composite of "
                        f"the same share class; {ticker} is {t_comp}",
                    )
                elif ev_f_t == "match":
                    v.add(
                        "wrong_share_class",
                        f"{claimed} is another share class of "
                        f"{t.name if t else ''} ({f_rec.ticker} {f_rec.exch_code})",
                    )
                elif (
                    is_placeholder_ticker(f_rec.ticker)
                    or (f_rec.ticker == root and f_rec.exch_code == code)
                ) and (ev_claim_f == "match" and ev_claim_t != "match"):
                    # The claimed FIGI is the ticker's previous holder (same ticker string, or
                    # Bloomberg's delisted re-tick) and the row's name is that holder's.
                    v.add(
                        "ticker_reused",
                        f"{ticker} now belongs to {t.name if t else '?'} "
                        f"({t_comp}); the row describes {f_rec.name} ({claimed}, now "
                        f"{f_rec.ticker})",
                    )
                else:
                    v.add(
                        "figi_other_security",
                        _describe(lookups.figi(claimed), claimed)
                        + f"; {ticker} is {t.name if t else '?'} ({t_comp})",
                    )
                v.suggested_composite = t_comp  # kept only if a second key agrees (below)
        elif t_status == "not_found":
            v.levels["ticker_figi"] = "unknown"
            if is_placeholder_ticker(f_rec.ticker) or (
                f_rec.ticker == root and f_rec.exch_code == code
            ):
                v.add(
                    "delisted",
                    f"{ticker} no longer resolves; {claimed} ({f_rec.name}) "
                    f"now shows ticker {f_rec.ticker}",
                )
            else:
                new_ticker = f"{f_rec.ticker} {f_rec.exch_code}"
                now = lookups.current.get((f_rec.ticker or "", f_rec.exch_code or ""))
                known = lookups.tickers.get(new_ticker)
                confirmed = (now is not None and claimed in now.composites()) or (
                    known is not None and known.composite_figi == claimed
                )
                v.add(
                    "renamed",
                    f"{ticker} now trades as {f_rec.ticker} {f_rec.exch_code} "
                    f"({f_rec.name})" + ("" if confirmed else " (not confirmed by lookup)"),
                )
        else:
            v.levels["ticker_figi"] = "unknown"
        if share and f_share and share != f_share and "wrong_share_class" not in v.reasons:
            if not identity_problem:
                v.add(
                    "wrong_share_class",
                    f"share_class_figi {share} but {claimed} is of share class {f_share}",
                )
            v.levels["share_class"] = "disagree"
        elif share and f_share:
            v.levels["share_class"] = "agree" if share == (t_share or f_share) else "disagree"
    elif t_comp and claimed is None:
        v.levels["ticker_figi"] = "unknown"
    elif t_comp:
        v.levels["ticker_figi"] = (
            "disagree" if f_look and f_look.status == "not_found" else "unknown"
        )
        if f_look is not None and f_look.status == "not_found":
            v.suggested_composite = t_comp

    # 4. The ISIN.
    v.levels["isin_country"] = loc.country_level if isin else "unknown"
    if isin:
        i_look = lookups.isin(isin, code)
        reference = {x for x in (t_comp, claimed if f_rec is not None else None) if x}
        ref_share = {x for x in (t_share, f_rec.share_class_figi if f_rec else None) if x}
        if i_look.status == "unchecked":
            v.levels["isin_figi"] = "unknown"
            if "isin_conflict" in loc.reasons and not identity_problem:
                v.add("isin_conflict", loc.reasons["isin_conflict"])
        elif (i_look.composites() & reference) or (i_look.share_classes() & ref_share):
            agrees_with_t = bool(i_look.composites() & {t_comp}) or bool(
                i_look.share_classes() & {t_share}
            )
            v.levels["isin_figi"] = "agree" if agrees_with_t or not t_comp else "disagree"
        else:
            v.levels["isin_figi"] = "disagree"
            if not identity_problem:
                owner = lookups.isins_any.get(isin)
                rec = owner.records[0] if owner is not None and owner.records else None
                whose = f" it is {rec.name} ({rec.ticker} {rec.exch_code})" if rec else ""
                v.add(
                    "isin_conflict",
                    f"ISIN {isin} does not list {t_comp or claimed} on {code};{whose}",
                )
    # A correction needs two independent keys: ticker+exchange (T) plus the ISIN or the name.
    if v.suggested_composite is not None and not (
        v.levels.get("isin_figi") == "agree" or ev_claim_t == "match"
    ):
        v.suggested_composite = None

    # 5. The name.
    name_level = ev_claim_t if t_comp else ev_claim_f if f_rec is not None else "no_evidence"
    v.levels["name"] = name_level if name_level in ("match", "weak", "mismatch") else "no_evidence"
    explained = {"figi_other_security", "ticker_reused", "renamed", "wrong_share_class"}
    if "name_conflict" in loc.reasons and name_level != "match" and not explained & set(v.reasons):
        v.add("name_conflict", loc.reasons["name_conflict"])
    if name_level == "mismatch" and not explained & set(v.reasons):
        ref = t.name if t_comp and t is not None else (f_rec.name if f_rec else "")
        v.add("name_conflict", f"name {c[C.NAME]!s} but OpenFIGI says {ref}")

    # 6. Nothing checked at all.
    if (
        t_status in ("failed", "unchecked")
        and not v.reasons
        and (f_look is None or f_look.status == "unchecked")
    ):
        v.add("unverified", "OpenFIGI not consulted (offline and not cached)")
    if t_status == "not_found" and f_rec is None and not v.reasons and (claimed or isin):
        v.add("no_data", f"OpenFIGI knows neither {ticker} nor the claimed identifiers")
    return v
