"""Verdict rules about a claim's identity: check digits, the claimed FIGI against the ticker's
holder, the share class, the ISIN and the name (identifiers-and-matching.md §4).

Each rule reads a :class:`~tickermap.reconcile.context.ClaimContext` and records what it finds in
a :class:`~tickermap.reconcile.context.Judgement`; the order they run in is
:func:`tickermap.reconcile.verdicts.judge_one`'s. Corporate events are in
:mod:`tickermap.reconcile.events`. No I/O.
"""

from __future__ import annotations

from tickermap import columns as C
from tickermap.identifiers.checks import check_figi, check_isin
from tickermap.openfigi.records import FigiRecord
from tickermap.openfigi.resolve import Resolution
from tickermap.reasons import Reason
from tickermap.reconcile.context import ClaimContext, Judgement, describe
from tickermap.reconcile.events import (
    is_reused,
    judge_isin_only,
    judge_reused,
    judge_unknown_figi,
    judge_without_holder,
)

__all__ = [
    "check_figi_column",
    "check_isin_claim",
    "check_known",
    "check_listing",
    "check_name",
    "check_share_class",
    "check_validity",
]

_NAME_EXPLAINED = frozenset(
    {Reason.FIGI_OTHER_SECURITY, Reason.TICKER_REUSED, Reason.RENAMED, Reason.WRONG_SHARE_CLASS}
)
"""Reasons that already explain why the row's name is not the ticker's holder's."""


def check_validity(x: ClaimContext, v: Judgement) -> bool:
    """Check digits and format of the claimed FIGIs and ISIN; True when a FIGI is invalid."""
    any_invalid = False
    for col, value in ((C.FIGI, x.figi), (C.COMPOSITE_FIGI, x.comp), (C.SHARE_CLASS_FIGI, x.share)):
        if value is not None and not (chk := check_figi(value)).valid:
            v.add(Reason.FIGI_INVALID, f"{col} {value}: {chk.detail}")
            any_invalid = True
    v.levels["figi_valid"] = (
        "absent" if x.claimed is None else ("invalid" if any_invalid else "valid")
    )
    if x.isin is not None and not (chk := check_isin(x.isin)).valid:
        v.add(Reason.ISIN_INVALID, f"isin {x.isin}: {chk.detail}")
        x.isin = None
    if any_invalid and x.t_comp:
        v.suggested_composite = x.t_comp  # kept only if a second key agrees
    return any_invalid


def check_known(x: ClaimContext, v: Judgement, any_invalid: bool) -> None:
    """Whether OpenFIGI knows the claimed (valid) FIGI (an unknown one: :func:`check_listing`)."""
    if not x.claimed or any_invalid:
        return
    look = x.lookups.figi(x.claimed)
    if look.status != "not_found":
        v.levels["figi_known"] = "known" if look.matched else "unchecked"


def check_listing(x: ClaimContext, v: Judgement) -> bool:
    """The claimed FIGI against the ticker's current holder; True when it is another security."""
    f, t = x.f, x.t
    if f is None or not x.claimed:
        unknown = x.claimed and x.lookups.figi(x.claimed).status == "not_found"
        if unknown and Reason.FIGI_INVALID not in v.reasons:
            return judge_unknown_figi(x, v)  # figi_unknown, or an event that answers nothing
        if not x.claimed:
            judge_isin_only(x, v)
        if x.t_comp:
            v.levels.setdefault("ticker_figi", "unknown")
        return False
    if x.t_comp and t is not None:
        return _against_holder(x, v, f, t)
    if x.t_status == "not_found":
        v.levels["ticker_figi"] = "unknown"
        return judge_without_holder(x, v, f)
    v.levels["ticker_figi"] = "unknown"
    return False


def _against_holder(x: ClaimContext, v: Judgement, f: FigiRecord, t: Resolution) -> bool:
    if x.f_comp == x.t_comp:
        v.levels["ticker_figi"] = "agree"
        if x.comp is not None and f.figi != f.composite_figi:
            # Right security, but the composite column holds a venue FIGI.
            v.add(
                Reason.WRONG_LISTING,
                f"composite_figi {x.comp} is the {f.exch_code} venue FIGI; the composite is "
                f"{x.t_comp}",
            )
            v.suggested_composite = x.t_comp
        return False
    v.levels["ticker_figi"] = "disagree"
    v.suggested_composite = x.t_comp  # kept only if a second key agrees
    if f.share_class_figi and f.share_class_figi == x.t_share:
        v.add(
            Reason.WRONG_LISTING,
            f"{x.claimed} is a {f.exch_code} listing of the same share class; {x.ticker} is "
            f"{x.t_comp}",
        )
    elif x.ev_f_t == "match":
        v.add(
            Reason.WRONG_SHARE_CLASS,
            f"{x.claimed} is another share class of {t.name} ({f.ticker} {f.exch_code})",
        )
    elif is_reused(x, f):
        judge_reused(x, v, f, t)
    else:
        v.add(
            Reason.FIGI_OTHER_SECURITY,
            describe(x.lookups.figi(x.claimed), x.claimed or "")
            + f"; {x.ticker} is {t.name} ({x.t_comp})",
        )
    return True


def check_figi_column(x: ClaimContext, v: Judgement) -> None:
    """A ``figi`` beside a ``composite_figi`` must be a listing of that composite."""
    if not (x.figi and x.comp) or x.figi == x.comp or Reason.FIGI_INVALID in v.reasons:
        return
    look = x.lookups.figi(x.figi)
    rec = look.record(x.figi) if look.matched else None
    if rec is None:
        explained = {Reason.DELISTED, Reason.TICKER_REUSED} & set(v.reasons)
        if look.status == "not_found" and not explained:
            v.add(Reason.FIGI_UNKNOWN, f"OpenFIGI has no FIGI {x.figi} (figi column)")
        return
    owner = rec.composite_figi or rec.figi
    if owner not in (x.comp, x.t_comp):
        v.add(
            Reason.FIGI_OTHER_SECURITY,
            f"figi {x.figi} belongs to composite {owner} ({rec.name}), not to {x.comp}",
        )


def check_share_class(x: ClaimContext, v: Judgement, identity_problem: bool) -> None:
    """The claimed share-class FIGI against the claimed FIGI's (or the holder's)."""
    reference = x.f.share_class_figi if x.f is not None else x.t_share
    if not x.share or not reference:
        return
    if x.share == reference and (x.t_share is None or x.share == x.t_share):
        v.levels["share_class"] = "agree"
        return
    v.levels["share_class"] = "disagree"
    if not identity_problem and Reason.WRONG_SHARE_CLASS not in v.reasons:
        v.add(
            Reason.WRONG_SHARE_CLASS,
            f"share_class_figi {x.share} but {x.claimed or x.ticker} is of share class {reference}",
        )


def check_isin_claim(x: ClaimContext, v: Judgement, identity_problem: bool) -> None:
    """Whether the claimed ISIN lists the ticker's (or the claimed) composite on its exchange."""
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
        if Reason.ISIN_CONFLICT in x.loc.reasons and not identity_problem:
            v.add(Reason.ISIN_CONFLICT, x.loc.reasons[Reason.ISIN_CONFLICT])
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
        whose = f"; it is {rec.name} ({rec.ticker} {rec.exch_code})" if rec else ""
        v.add(
            Reason.ISIN_CONFLICT,
            f"ISIN {x.isin} does not list {x.t_comp or x.claimed} on {x.code}{whose}",
        )


def check_name(x: ClaimContext, v: Judgement) -> None:
    """The claimed name against the holder's (or the claimed FIGI's), and the map's own view."""
    level = x.ev_claim_t if x.t_comp else x.ev_claim_f if x.f is not None else "no_evidence"
    if Reason.RENAMED in v.reasons:
        level = "no_evidence"  # a rename explains a new name; it is not evidence against the row
    v.levels["name"] = level if level in ("match", "weak", "mismatch") else "no_evidence"
    if _NAME_EXPLAINED & set(v.reasons):
        return
    if Reason.NAME_CONFLICT in x.loc.reasons and level != "match":
        v.add(Reason.NAME_CONFLICT, x.loc.reasons[Reason.NAME_CONFLICT])
    if level == "mismatch":
        ref = x.t_name if x.t_comp else (x.f.name if x.f else "")
        v.add(Reason.NAME_CONFLICT, f"name {x.name!s} but OpenFIGI says {ref}")
