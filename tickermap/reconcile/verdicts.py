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
``ticker_reused``             T is another company and the row describes the previous holder:
                              F still exists (re-ticked or with the old ticker) with the row's
                              name, or F answers nothing and the row's name is not T's (or a
                              witness agrees, or places F elsewhere), no witness claims T
``figi_other_security``       F belongs to another company (names disagree)
``isin_conflict``             I does not lead to T (nor to F), or offline: the ISIN's
                              country is implausible for the exchange
``name_conflict``             identifiers agree but the claimed name is another company's
``renamed``                   no current holder of the ticker; F (or the ISIN) now trades as
                              another ticker on the same exchange, whether or not the name
                              changed (a lookup of the new ticker confirms it)
``delisted``                  no current holder; F shows a placeholder ticker (confirmed), or
                              ticker, F and ISIN all answer nothing and no witness disagrees
                              (probable)
``ambiguous``                 several composites qualify for ticker+exchange
``no_data``                   OpenFIGI and the maps know nothing usable
``unverified``                offline and not in the cache: nothing contradicts the claim
============================  ===========================================================

Every event's sentence starts with ``confirmed:`` or ``probable:`` (``tickermap audit`` turns it
into ``event_confidence``); an event is never also reported as a map error. A consequence is not
reported twice: an ISIN or name that agrees with the wrong FIGI is part of
that FIGI's story, not a second error. The codes, their order and meanings are
:mod:`tickermap.reasons`; the rules are :mod:`tickermap.reconcile.rules` (identity) and
:mod:`tickermap.reconcile.events` (corporate events); this module runs them in order and scores
each claim. It does no I/O and no HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tickermap.reasons import SEVERITY, Reason, sort_reasons, worst
from tickermap.reconcile.context import ClaimContext, Judgement, build_contexts
from tickermap.reconcile.local_evidence import LocalEvidence, RowKey
from tickermap.reconcile.lookups import Lookups
from tickermap.reconcile.records import VERDICT_COLUMNS, Claim, Verdict
from tickermap.reconcile.rules import (
    check_figi_column,
    check_isin_claim,
    check_known,
    check_listing,
    check_name,
    check_share_class,
    check_validity,
)
from tickermap.reconcile.suspicion import score_claim

__all__ = ["SEVERITY", "VERDICT_COLUMNS", "judge_claims", "judge_one", "worst"]


def judge_claims(
    claims: Sequence[Claim],
    lookups: Lookups,
    *,
    local: Mapping[RowKey, LocalEvidence] | None = None,
) -> list[Verdict]:
    """Judge every claim.

    Args:
        claims: the claims (``tickermap.reconcile.records.claim_records``).
        lookups: OpenFIGI answers (``tickermap.reconcile.lookups.gather_lookups``);
            ``unchecked`` entries mean offline without a cached answer.
        local: evidence from each map's own consistency (``tickermap.reconcile.local_evidence``);
            used where OpenFIGI could not check (offline) or cannot say (names on many tickers).

    Returns:
        One :class:`~tickermap.reconcile.records.Verdict` per claim, in order.
    """
    if not claims:
        return []
    ctxs = build_contexts(claims, lookups, local or {})
    out = []
    for claim, ctx in zip(claims, ctxs, strict=True):
        v = judge_one(ctx)
        out.append(
            Verdict(
                claim=claim,
                reasons=tuple(sort_reasons(v.reasons)),
                details=v.details,
                score=score_claim(_scored_levels(claim, v.levels, _consulted(lookups, claim))),
                suggested_composite_figi=v.suggested_composite,
                suggested_isin=v.suggested_isin,
                agrees_with_openfigi=v.levels.get("ticker_figi") == "agree",
            )
        )
    return out


def judge_one(x: ClaimContext) -> Judgement:
    """Run every rule on one claim, in order (later rules see what earlier ones found)."""
    v = Judgement()
    if x.parse_error is not None:
        v.add(Reason.INVALID_TICKER, f"{x.ticker!r}: {x.parse_error}")
    if x.t_status == "rejected" and x.t is not None:
        v.add(Reason.INVALID_TICKER, f"OpenFIGI rejected {x.ticker}: {x.t.message}")
    any_invalid = check_validity(x, v)
    check_known(x, v, any_invalid)
    if x.t_status == "ambiguous" and x.t is not None:
        v.add(Reason.AMBIGUOUS, f"{x.t.n_candidates} composites qualify for {x.ticker}")
    identity_problem = check_listing(x, v)
    check_figi_column(x, v)
    check_share_class(x, v, identity_problem)
    check_isin_claim(x, v, identity_problem)
    # A correction needs two independent keys: ticker+exchange (T) plus the ISIN or the name.
    if v.suggested_composite is not None and not (
        v.levels.get("isin_figi") == "agree" or x.ev_claim_t == "match"
    ):
        v.suggested_composite = None
    check_name(x, v)
    _check_answered(x, v)
    return v


def _check_answered(x: ClaimContext, v: Judgement) -> None:
    """``unverified`` when OpenFIGI could not be asked; ``no_data`` when it knows nothing."""
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
        v.add(Reason.UNVERIFIED, why)
    if x.t_status == "not_found" and x.f is None and not v.reasons and (x.claimed or x.isin):
        v.add(Reason.NO_DATA, f"OpenFIGI knows neither {x.ticker} nor the claimed identifiers")


_ID_FEATURES = frozenset(
    {"figi_valid", "figi_known", "ticker_figi", "share_class", "isin_figi", "isin_country"}
)
"""Features about a claim's identifiers (every feature but the name)."""
_FIGI_FEATURES = frozenset({"figi_valid", "figi_known", "ticker_figi", "share_class"})
"""Features about the FIGIs a claim states."""
_OFFLINE_FEATURES = frozenset({"figi_valid", "isin_country"})
"""Features that need no OpenFIGI answer: check digits and format, the ISIN's country."""


def _consulted(lookups: Lookups, claim: Claim) -> bool:
    """Whether OpenFIGI answered for the claim's ticker (not offline, unreachable or failed)."""
    r = lookups.tickers.get(claim.ticker)
    return r is not None and r.outcome not in ("failed", "unchecked")


def _scored_levels(claim: Claim, levels: Mapping[str, str], consulted: bool) -> dict[str, str]:
    """The feature levels that score a claim: only evidence about what it states and what was
    checked. A claim states no FIGI (a listing file with ISINs) or no identifier at all (a Yahoo
    map row): the absence is not evidence against it. OpenFIGI not consulted (offline, not
    cached): the lookup features are missing data, so only check digits and the ISIN's country
    count."""
    if not claim.states_identifier:
        return {f: lvl for f, lvl in levels.items() if f not in _ID_FEATURES and claim.name}
    states_figi = bool(claim.figi or claim.composite_figi or claim.share_class_figi)
    kept = {f: lvl for f, lvl in levels.items() if states_figi or f not in _FIGI_FEATURES}
    if not consulted:
        kept = {f: lvl for f, lvl in kept.items() if f in _OFFLINE_FEATURES}
    return kept
