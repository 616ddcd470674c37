"""One claim with everything OpenFIGI and the claim's own map say about it, for the verdict rules.

:func:`build_contexts` pairs each :class:`~tickermap.reconcile.records.Claim` with the ticker's
current holder (``T``), the record of the claimed FIGI (``F``), the map's local evidence and the
name comparisons between them (scored in three vectorised batches). :class:`Judgement` collects
what the rules (``tickermap.reconcile.rules``, ``tickermap.reconcile.events``) find. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tickermap.names.match import TokenWeights, name_evidence
from tickermap.openfigi.records import FigiRecord
from tickermap.openfigi.resolve import Resolution
from tickermap.reasons import Reason
from tickermap.reconcile.local_evidence import LocalEvidence, RowKey
from tickermap.reconcile.lookups import Lookup, Lookups
from tickermap.reconcile.records import Claim
from tickermap.tickers.parse import parse_ticker

__all__ = ["ClaimContext", "Judgement", "build_contexts", "describe"]

_NO_LOCAL = LocalEvidence()


@dataclass
class Judgement:
    """What the rules found about one claim: reasons with evidence, feature levels, a fix."""

    reasons: list[Reason] = field(default_factory=list)
    details: dict[Reason, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    suggested_composite: str | None = None
    suggested_isin: str | None = None

    def add(self, reason: Reason, detail: str) -> None:
        """Record ``reason`` with its evidence sentence (the first sentence wins)."""
        if reason not in self.reasons:
            self.reasons.append(reason)
            self.details[reason] = detail


@dataclass
class ClaimContext:
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
    peers: tuple[Claim, ...] = ()
    """The other witnesses' claims about the same ticker (for events: do they agree?)."""
    elsewhere: tuple[Claim, ...] = ()
    """Claims about other tickers that state this claim's FIGI (where witnesses place it)."""

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


def describe(rec_lookup: Lookup, figi: str) -> str:
    """``FIGI is NAME (TICKER EXCH)`` when OpenFIGI knows the FIGI, else the FIGI."""
    rec = rec_lookup.record(figi)
    if rec is None:
        return figi
    return f"{figi} is {rec.name!s} ({rec.ticker} {rec.exch_code})"


def _context(c: Claim, lookups: Lookups, loc: LocalEvidence) -> ClaimContext:
    parsed = parse_ticker(c.ticker)
    key = c.composite_figi or c.figi
    look = lookups.figi(key)
    return ClaimContext(
        ticker=c.ticker,
        root=parsed.ticker.root if parsed.ticker else c.ticker,
        code=parsed.ticker.code if parsed.ticker else "",
        parse_error=None if parsed.ticker else parsed.message,
        name=c.name,
        figi=c.figi,
        comp=c.composite_figi,
        share=c.share_class_figi,
        isin=c.isin,
        t=lookups.tickers.get(c.ticker),
        f=look.record(key) if key and look.matched else None,
        loc=loc,
        lookups=lookups,
    )


def build_contexts(
    claims: Sequence[Claim], lookups: Lookups, local: Mapping[RowKey, LocalEvidence]
) -> list[ClaimContext]:
    """One :class:`ClaimContext` per claim, name evidence attached."""
    ctxs = [_context(c, lookups, local.get((c.source, c.source_row), _NO_LOCAL)) for c in claims]
    by_ticker: dict[str, list[Claim]] = {}
    for c in claims:
        by_ticker.setdefault(c.ticker, []).append(c)
    by_figi: dict[str, list[Claim]] = {}
    for c in claims:
        if key := c.composite_figi or c.figi:
            by_figi.setdefault(key, []).append(c)
    for c, x in zip(claims, ctxs, strict=True):
        x.peers = tuple(p for p in by_ticker[c.ticker] if p.source != c.source)
        same = by_figi.get(c.composite_figi or c.figi or "", [])
        x.elsewhere = tuple(p for p in same if p.ticker != c.ticker)
    _attach_name_evidence(ctxs)
    return ctxs


def _attach_name_evidence(ctxs: list[ClaimContext]) -> None:
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
