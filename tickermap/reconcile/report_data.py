"""The tables of the reconcile report, built from the typed records (no HTML here).

:func:`universe_table` is every ticker (one row each, with the id of its evidence block),
:func:`exchange_totals` every exchange with its ok / unverified / flagged counts,
:func:`review_queue` the flagged claims in review order, :func:`claim_table` one ticker's claims
with their reasons, evidence sentences and feature weights, and :data:`COLUMN_LEGEND` what the
score columns mean (the README says the same).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from tickermap.reasons import REASONS, SEVERITY, Reason
from tickermap.reconcile.records import TickerRow, Verdict, most_suspicious

__all__ = [
    "BUCKETS",
    "COLUMN_LEGEND",
    "NO_EXCHANGE",
    "bucket_of",
    "claim_table",
    "evidence_id",
    "exchange_totals",
    "review_queue",
    "severity_key",
    "universe_table",
]

NO_EXCHANGE = "(none)"
"""The exchange shown for a ticker without one."""

COLUMN_LEGEND: tuple[tuple[str, str], ...] = (
    ("status", "the worst reason of the ticker (or of the claim); see the reason codes"),
    ("suspicion_bits", "how strongly the evidence says a claim is wrong, in bits (log2 odds): "
     "higher = more suspicious; 0 = even odds, +10 = about 1000:1 that it is wrong, "
     "-10 = about 1000:1 that it is right. Fellegi-Sunter weights of the claim's evidence "
     "features plus the prior (80% of map rows are right)"),
    ("p_wrong", "the same score as a probability that the claim is wrong: "
     "1 / (1 + 2^-suspicion_bits); higher = more suspicious. It weighs the whole claim, so a "
     "flagged claim whose other fields all agree scores low (name_conflict, isin_conflict: the "
     "reason names the one wrong field); a claim is scored only on what it states and what "
     "was checked (a Yahoo map row on its name, else the prior 0.2; without FIGIs, no FIGI "
     "features; OpenFIGI not consulted: check digits and ISIN country only)"),
    ("confidence", "universe rows: the probability that the row's keys are right (the best "
     "agreeing claim's 1 - p_wrong; 0.8 when only OpenFIGI's ticker lookup supports them; "
     "corroborated rows: the witnesses' agreement; otherwise the best claim with identifiers, "
     "at most 0.5 when OpenFIGI did not answer (unverified: nothing was checked); 0 when no "
     "claim has an identifier)"),
    ("review order", "flagged claims first (an error, an event or unresolved), then "
     "unverified, then ok; within each, highest suspicion_bits first"),
)  # fmt: skip
"""``(column, meaning)`` for the report's legend."""

_RANK = {r: i for i, r in enumerate(SEVERITY)}


def severity_key(status: Reason) -> str:
    """A sort key that orders statuses worst first (``"00 figi_other_security"``)."""
    return f"{_RANK[status]:02d} {status}"


def evidence_id(index: int) -> str:
    """The HTML id of the ``index``-th ticker's evidence block."""
    return f"ev-{index}"


def universe_table(rows: Sequence[TickerRow]) -> pd.DataFrame:
    """One row per ticker, input order: keys, status, the claims' count and worst suspicion."""
    records = []
    for r in rows:
        records.append(
            {
                "ticker": r.ticker,
                "status": str(r.status),
                "reasons": ";".join(map(str, r.reasons)) or str(Reason.OK),
                "exchange": r.exch_code or NO_EXCHANGE,
                "name": r.name,
                "composite_figi": r.composite_figi,
                "isin": r.isin,
                "yahoo": r.yahoo,
                "confidence": round(r.confidence, 4),
                "claims": len(r.verdicts),
                "openfigi": r.openfigi,
            }
        )
    return pd.DataFrame(records)


BUCKETS = (str(Reason.OK), str(Reason.UNVERIFIED), "flagged")
"""The report's three groups of statuses and reasons (its three colours)."""


def bucket_of(code: str) -> str:
    """The group of a status or reason code: ``ok`` (joined: confirmed or corroborated),
    ``unverified`` (unchecked) or ``flagged`` (error, event, unresolved)."""
    kind = REASONS[Reason(code)].kind
    flagged = kind in ("error", "event", "unresolved")
    return BUCKETS[2] if flagged else BUCKETS[1] if kind == "unchecked" else BUCKETS[0]


def exchange_totals(rows: Sequence[TickerRow]) -> pd.DataFrame:
    """Every exchange, most tickers first: ``exchange, tickers, ok, unverified, flagged``."""
    counts: dict[str, list[int]] = {}
    for r in rows:
        c = counts.setdefault(r.exch_code or NO_EXCHANGE, [0, 0, 0, 0])
        c[0] += 1
        c[1 + BUCKETS.index(bucket_of(r.status))] += 1
    frame = pd.DataFrame(
        [(e, *c) for e, c in counts.items()], columns=["exchange", "tickers", *BUCKETS]
    )
    return frame.sort_values(["tickers", "exchange"], ascending=[False, True], ignore_index=True)


def _claimed(v: Verdict) -> str:
    return "; ".join(f"{k}={val}" for k, val in v.claim.claimed().items())


def _details(v: Verdict) -> str:
    return " | ".join(f"{k}: {d}" for k, d in v.details.items())


def _features(v: Verdict) -> str:
    return "; ".join(f"{f}={lvl} ({w:+.2f})" for f, (lvl, w) in v.score.contributions.items())


def review_queue(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """The flagged claims in review order (as ``review.csv`` lists them first)."""
    rows = [
        (
            v.claim.ticker,
            v.claim.key,
            str(v.status),
            ";".join(map(str, v.reasons)),
            v.score.suspicion,
            v.p_wrong,
            v.suggested_composite_figi,
            _details(v),
        )
        for v in most_suspicious(verdicts)
        if v.flagged
    ]
    columns = ["ticker", "claim", "status", "reasons", "suspicion_bits", "p_wrong",
               "suggested_composite_figi", "evidence"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def claim_table(row: TickerRow) -> pd.DataFrame:
    """One ticker's claims, in review order, with what each claimed and why it was judged so."""
    rows = [
        (
            v.claim.key,
            str(v.status),
            ";".join(map(str, v.reasons)) or str(Reason.OK),
            v.score.suspicion,
            v.p_wrong,
            _claimed(v),
            _details(v),
            _features(v),
        )
        for v in most_suspicious(row.verdicts)
    ]
    columns = ["claim", "status", "reasons", "suspicion_bits", "p_wrong", "claimed", "evidence",
               "features (level, bits: + supports the claim)"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
