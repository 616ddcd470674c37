"""The typed records that flow through reconcile, and their one serialisation to frames.

A :class:`Claim` is one map row about one ticker; a :class:`Verdict` is the judgement of a claim
(reasons, the evidence text per reason, the suspicion score); a :class:`TickerRow` is one row of
the cleaned universe with the verdicts it rests on. :class:`ReconcileResult` holds them; its
``universe`` and ``review`` frames (what the writer writes) are built from the records once, on
first use. Audit and the HTML report read the records, not the frames.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from tickermap import columns as C
from tickermap.reasons import REASONS, Reason, worst
from tickermap.reconcile.claims import CLAIM_FIELDS
from tickermap.reconcile.suspicion import Score
from tickermap.tickers.parse import Namespace

__all__ = [
    "REVIEW_COLUMNS",
    "UNIVERSE_COLUMNS",
    "VERDICT_COLUMNS",
    "Claim",
    "ReconcileResult",
    "TickerRow",
    "Verdict",
    "claim_records",
    "review_frame",
    "universe_frame",
]

UNIVERSE_COLUMNS = (
    C.BLOOMBERG_TICKER,
    "status",
    "reasons",
    "confidence",
    C.COMPOSITE_FIGI,
    C.FIGI,
    C.SHARE_CLASS_FIGI,
    C.ISIN,
    C.NAME,
    C.YAHOO,
    "yahoo_source",
    "exch_code",
    "venue",
    "suggested_composite_figi",
    "suggested_isin",
    "evidence",
    "sources",
)
"""The cleaned universe: one row per input ticker; these are the join keys for exposure runs."""

VERDICT_COLUMNS = (
    C.BLOOMBERG_TICKER,
    C.SOURCE,
    C.SOURCE_ROW,
    "status",
    "reasons",
    "suspicion_bits",
    "p_wrong",
    "features",
    "details",
    "suggested_composite_figi",
    "suggested_isin",
    "agrees_with_openfigi",
)
"""The judgement of one claim, as the review file shows it (after the claim's own fields)."""

REVIEW_COLUMNS = (C.BLOOMBERG_TICKER, C.SOURCE, C.SOURCE_ROW, *CLAIM_FIELDS, *VERDICT_COLUMNS[3:])
"""Columns of ``review.csv``: the claim, then its verdict."""

_CLAIMED = (C.COMPOSITE_FIGI, C.FIGI, C.SHARE_CLASS_FIGI, C.ISIN, C.NAME, C.YAHOO)


def _joined(reasons: tuple[Reason, ...]) -> str:
    """``a;b`` as the files write reasons (``ok`` when there are none)."""
    return ";".join(map(str, reasons)) if reasons else str(Reason.OK)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Claim:
    """One community-map row about one universe ticker (its fields None when empty)."""

    ticker: str
    source: str
    source_row: int
    figi: str | None = None
    composite_figi: str | None = None
    share_class_figi: str | None = None
    isin: str | None = None
    name: str | None = None
    yahoo: str | None = None

    @property
    def key(self) -> str:
        """``source:row``, the claim's name in the evidence."""
        return f"{self.source}:{self.source_row}"

    def field(self, name: str) -> str | None:
        """One of :data:`~tickermap.reconcile.claims.CLAIM_FIELDS` by its column name."""
        value: str | None = getattr(self, name)
        return value

    def claimed(self) -> dict[str, str]:
        """The non-empty identifiers and names the claim states, by column name."""
        return {k: v for k in _CLAIMED if (v := self.field(k)) is not None}

    @property
    def has_ids(self) -> bool:
        """Whether the claim carries a FIGI, composite or ISIN (a Yahoo-only one has none)."""
        return bool(self.composite_figi or self.figi or self.isin)

    @property
    def states_identifier(self) -> bool:
        """Whether the claim states any identifier, a share-class FIGI included (what its score
        and a row's confidence can rest on)."""
        return self.has_ids or bool(self.share_class_figi)


def claim_records(claims: pd.DataFrame) -> list[Claim]:
    """The rows of a ``claims_table`` frame as :class:`Claim` records, in order."""
    out = []
    for rec in claims.to_dict("records"):
        out.append(
            Claim(
                ticker=str(rec[C.BLOOMBERG_TICKER]),
                source=str(rec[C.SOURCE]),
                source_row=int(str(rec[C.SOURCE_ROW])),
                **{f: _text(rec.get(f)) for f in CLAIM_FIELDS},
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judgement of one claim.

    Attributes:
        claim: the claim judged.
        reasons: what is wrong with it, worst first (empty when nothing is).
        details: one sentence of evidence per reason.
        score: the suspicion score and each feature's level and weight.
        suggested_composite_figi: a correction, kept only when two independent keys agree.
        suggested_isin: reserved for an ISIN correction (None today).
        agrees_with_openfigi: the claimed composite is OpenFIGI's for the ticker.
    """

    claim: Claim
    reasons: tuple[Reason, ...]
    details: dict[Reason, str]
    score: Score
    suggested_composite_figi: str | None = None
    suggested_isin: str | None = None
    agrees_with_openfigi: bool = False

    @property
    def status(self) -> Reason:
        """The worst reason (``ok`` when there is none)."""
        return worst(self.reasons)

    @property
    def probability(self) -> float:
        """The posterior that the claim is right, rounded to 4 places."""
        return round(self.score.probability, 4)

    @property
    def p_wrong(self) -> float:
        """The posterior that the claim is wrong (the review's ``p_wrong``), rounded to 4 places."""
        return round(1.0 - self.score.probability, 4)

    @property
    def flagged(self) -> bool:
        """Whether a reason says the claim is wrong, an event happened, or nobody can tell.

        ``ok`` and ``unverified`` (offline, nothing contradicts it) claims are not flagged.
        """
        return REASONS[self.status].kind in ("error", "event", "unresolved")

    def level(self, feature: str) -> str:
        """The claim's level for one evidence feature (``""`` when it was not scored)."""
        got = self.score.contributions.get(feature)
        return got[0] if got is not None else ""

    def features(self) -> dict[str, list[object]]:
        """Each scored feature's ``[level, weight]``, as the review's ``features`` column."""
        return {f: [lvl, w] for f, (lvl, w) in self.score.contributions.items()}

    def evidence(self) -> dict[str, object]:
        """The claim's entry in its universe row's ``evidence``."""
        return {
            "reasons": [str(r) for r in self.reasons] or [str(Reason.OK)],
            "details": self.details,
            "features": self.features(),
            "claimed": self.claim.claimed(),
        }


@dataclass(frozen=True, slots=True)
class TickerRow:
    """One row of the cleaned universe.

    ``verdicts`` are the claims about the ticker (the row's ``evidence``); ``openfigi`` is the
    outcome of the ticker lookup (``matched``, ``not_found``, ..., ``not_consulted_offline``,
    ``unreachable``, ``unchecked``: :func:`tickermap.reconcile.rows.openfigi_shown`).
    """

    ticker: str
    status: Reason
    reasons: tuple[Reason, ...]
    confidence: float
    composite_figi: str | None
    figi: str | None
    share_class_figi: str | None
    isin: str | None
    name: str | None
    yahoo: str | None
    exch_code: str | None
    venues: tuple[str, ...]
    suggested_composite_figi: str | None
    suggested_isin: str | None
    verdicts: tuple[Verdict, ...]
    openfigi: str
    yahoo_source: str | None = None

    def details(self, reason: Reason) -> list[tuple[str, str]]:
        """``(claim key, sentence)`` for every claim that gave ``reason``."""
        return [(v.claim.key, d) for v in self.verdicts if (d := v.details.get(reason))]

    def sources(self) -> str:
        """``source:row=reason|reason,...,openfigi=OUTCOME``: every witness's verdict in brief."""
        claims = [
            f"{v.claim.key}={'|'.join(map(str, v.reasons or (Reason.OK,)))}" for v in self.verdicts
        ]
        return ",".join([*claims, f"openfigi={self.openfigi}"])

    def record(self) -> dict[str, object]:
        """The row as the universe file has it (:data:`UNIVERSE_COLUMNS`)."""
        evidence = {v.claim.key: v.evidence() for v in self.verdicts}
        return {
            C.BLOOMBERG_TICKER: self.ticker,
            "status": str(self.status),
            "reasons": _joined(self.reasons),
            "confidence": self.confidence,
            C.COMPOSITE_FIGI: self.composite_figi,
            C.FIGI: self.figi,
            C.SHARE_CLASS_FIGI: self.share_class_figi,
            C.ISIN: self.isin,
            C.NAME: self.name,
            C.YAHOO: self.yahoo,
            "yahoo_source": self.yahoo_source,
            "exch_code": self.exch_code,
            "venue": " ".join(self.venues) or None,
            "suggested_composite_figi": self.suggested_composite_figi,
            "suggested_isin": self.suggested_isin,
            "evidence": json.dumps(evidence, ensure_ascii=False, default=str),
            "sources": self.sources(),
        }


def universe_frame(rows: Sequence[TickerRow]) -> pd.DataFrame:
    """The universe file's frame, one row per :class:`TickerRow`."""
    return pd.DataFrame([r.record() for r in rows], columns=list(UNIVERSE_COLUMNS))


def _review_record(v: Verdict) -> dict[str, object]:
    c = v.claim
    return {
        C.BLOOMBERG_TICKER: c.ticker,
        C.SOURCE: c.source,
        C.SOURCE_ROW: c.source_row,
        **{f: c.field(f) for f in CLAIM_FIELDS},
        "status": str(v.status),
        "reasons": _joined(v.reasons),
        "suspicion_bits": v.score.suspicion,
        "p_wrong": v.p_wrong,
        "features": json.dumps(v.features()),
        "details": json.dumps(v.details, ensure_ascii=False),
        "suggested_composite_figi": v.suggested_composite_figi,
        "suggested_isin": v.suggested_isin,
        "agrees_with_openfigi": v.agrees_with_openfigi,
    }


def _review_tier(v: Verdict) -> int:
    """0 flagged, 1 unverified, 2 ok: the review queue's first sort key."""
    return 0 if v.flagged else 1 if REASONS[v.status].kind == "unchecked" else 2


def most_suspicious(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The review queue: flagged claims first, then unverified, then ok; within each, by
    ``suspicion_bits``, highest first (ties keep their order)."""
    return sorted(verdicts, key=lambda v: (_review_tier(v), -v.score.suspicion))


def _off_universe_record(row: Mapping[str, object]) -> dict[str, object]:
    """A blamed witness row that no universe ticker claims, as a review row: its listing as the
    cross-witness check names it, ``isin_conflict``, the sentence naming the wrong file, and
    no score (it was not scored as a claim)."""
    return {
        **{c: None for c in REVIEW_COLUMNS},
        C.BLOOMBERG_TICKER: row.get("ticker"),
        C.SOURCE: row.get(C.SOURCE),
        C.SOURCE_ROW: row.get(C.SOURCE_ROW),
        C.ISIN: row.get(C.ISIN),
        C.NAME: row.get(C.NAME),
        C.YAHOO: row.get(C.YAHOO),
        "status": str(Reason.ISIN_CONFLICT),
        "reasons": str(Reason.ISIN_CONFLICT),
        "suspicion_bits": float("nan"),
        "p_wrong": float("nan"),
        "features": "{}",
        "details": json.dumps({str(Reason.ISIN_CONFLICT): row.get("blamed")}, ensure_ascii=False),
    }


def review_frame(
    verdicts: Sequence[Verdict], off_universe: Sequence[Mapping[str, object]] = ()
) -> pd.DataFrame:
    """The review file's frame: one row per claim, most suspicious first; the blamed witness
    rows outside the universe (``stats["blamed_listings"]``) follow the flagged claims."""
    if not verdicts and not off_universe:
        return pd.DataFrame(columns=list(REVIEW_COLUMNS))
    ordered = most_suspicious(verdicts)
    flagged = sum(1 for v in ordered if _review_tier(v) == 0)
    rows = [_review_record(v) for v in ordered]
    rows[flagged:flagged] = [_off_universe_record(r) for r in off_universe]
    frame = pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))
    for f in CLAIM_FIELDS:  # as the claims table holds them: None where empty, not NaN
        frame[f] = pd.Series([r[f] for r in rows], dtype="object", index=frame.index)
    return frame


@dataclass
class ReconcileResult:
    """What :func:`~tickermap.reconcile.pipeline.reconcile` produces.

    Attributes:
        rows: one :class:`TickerRow` per input ticker, in input order.
        verdicts: one :class:`Verdict` per claim, in claim order.
        disagreements: tickers on which the maps disagree, with each witness's value.
        namespace: the ticker namespace used for the input column.
        stats: counters (tickers, claims, requests sent, ...).
        universe: the rows as a frame (:data:`UNIVERSE_COLUMNS`), built on first use.
        review: the verdicts as a frame (:data:`REVIEW_COLUMNS`), most suspicious first.
    """

    rows: list[TickerRow]
    verdicts: list[Verdict]
    disagreements: pd.DataFrame
    namespace: Namespace
    stats: dict[str, object] = field(default_factory=dict)

    @cached_property
    def universe(self) -> pd.DataFrame:
        return universe_frame(self.rows)

    @cached_property
    def review(self) -> pd.DataFrame:
        off = self.stats.get("blamed_listings")
        return review_frame(self.verdicts, off if isinstance(off, list) else ())
