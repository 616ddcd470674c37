"""Reconcile a universe against community maps and OpenFIGI; write the cleaned universe.

Data flow (each arrow a function of its own module)::

    universe tickers --tickers.parse_column--> canonical Bloomberg tickers
    maps --claims.claims_table--> claims (one per ticker x witness row)
    claims --lookups.gather_lookups--> OpenFIGI answers (batched, cached, offline-capable)
    claims + answers --verdicts.judge_claims--> reasons, evidence, suspicion per claim
    verdicts --_universe_rows (here)--> one row per ticker with its join keys

The output columns are :data:`UNIVERSE_COLUMNS`; ``review`` holds every claim with its evidence,
most suspicious first. Nothing a witness said is overwritten silently: a corrected value appears
in ``suggested_*`` only when two independent keys agree on it, and the original stays in
``evidence``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from tickermap import columns as C
from tickermap.config import Settings
from tickermap.errors import InputError as TickermapInputError
from tickermap.maps.load import LoadedMap
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.client import OpenFigiClient
from tickermap.openfigi.resolve import Resolution
from tickermap.progress import Progress
from tickermap.reconcile.claims import claims_table, disagreements
from tickermap.reconcile.local_evidence import local_evidence
from tickermap.reconcile.lookups import Lookups, gather_lookups
from tickermap.reconcile.verdicts import SEVERITY, judge_claims, worst
from tickermap.tickers.parse import Namespace, namespace_for_column, parse_column
from tickermap.tickers.symbols import bloomberg_to_yahoo

__all__ = [
    "UNIVERSE_COLUMNS",
    "ReconcileOutputs",
    "ReconcileResult",
    "reconcile",
    "reconcile_files",
]

log = logging.getLogger(__name__)

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
    "exch_code",
    "venue",
    "suggested_composite_figi",
    "suggested_isin",
    "evidence",
    "sources",
)
"""The cleaned universe: one row per input ticker; these are the join keys for exposure runs."""

_TRUSTED_ISIN_LEVELS = ("agree",)
_OPENFIGI_ALONE = 0.8
"""Confidence in keys that only OpenFIGI's ticker lookup supports (no witness agrees)."""


@dataclass
class ReconcileResult:
    """What :func:`reconcile` produces.

    Attributes:
        universe: one row per input ticker (:data:`UNIVERSE_COLUMNS`), in input order.
        review: one row per claim with reasons, evidence and suspicion, most suspicious first.
        disagreements: tickers on which the maps disagree, with each witness's value.
        namespace: the ticker namespace used for the input column.
        stats: counters (tickers, claims, requests sent, ...).
    """

    universe: pd.DataFrame
    review: pd.DataFrame
    disagreements: pd.DataFrame
    namespace: Namespace
    stats: dict[str, object] = field(default_factory=dict)


def _universe_tickers(
    universe: pd.DataFrame, column: str | None, namespace: Namespace | None
) -> tuple[list[str], Namespace]:
    col = column or next((c for c in C.TICKER_COLUMNS if c in universe.columns), None)
    if col is None or col not in universe.columns:
        raise TickermapInputError(
            f"the universe has no ticker column (looked for "
            f"{column or ' or '.join(C.TICKER_COLUMNS)}); name it with --column",
            line=1,
        )
    ns = namespace_for_column(col, override=namespace)
    parsed = parse_column(universe[col], namespace=ns)
    tickers = [
        b if isinstance(b, str) and b else (raw if isinstance(raw, str) else "")
        for b, raw in zip(parsed[C.BLOOMBERG_TICKER], universe[col], strict=True)
    ]
    return tickers, ns


def reconcile(
    universe: pd.DataFrame,
    maps: Sequence[LoadedMap],
    *,
    settings: Settings,
    column: str | None = None,
    namespace: Namespace | None = None,
    offline: bool = False,
    client: OpenFigiClient | None = None,
    progress: Progress | None = None,
) -> ReconcileResult:
    """Decide, for every ticker of ``universe``, which identifiers can be trusted and why.

    Args:
        universe: a frame with a ``bloomberg_ticker`` or ``numerai_ticker`` column.
        maps: community maps (``tickermap.maps.load.load_map``), each an untrusted witness.
        settings: configuration (OpenFIGI URL, key, cache).
        column: the ticker column (default: the first of bloomberg_ticker, numerai_ticker).
        namespace: override the namespace the column name implies.
        offline: answer from the cache only; what is missing is marked ``unverified``.
        client: an open OpenFIGI client to reuse (tests, benchmarks).
        progress: receives progress of the long steps.

    Returns:
        The :class:`ReconcileResult`.
    """
    tickers, ns = _universe_tickers(universe, column, namespace)
    maps = _unique_sources(maps)
    claims = claims_table(tickers, [m.frame for m in maps])
    if client is not None:
        lookups = gather_lookups(tickers, claims, client=client, progress=progress)
    else:
        with (
            OutcomeCache.for_settings(settings) as cache,
            OpenFigiClient(settings, cache=cache, offline=offline) as own,
        ):
            lookups = gather_lookups(tickers, claims, client=own, progress=progress)
    verdicts = judge_claims(
        claims,
        lookups,
        local=local_evidence(maps),
    )
    merged = pd.concat(
        [
            claims.reset_index(drop=True),
            verdicts.drop(columns=[C.BLOOMBERG_TICKER, C.SOURCE, C.SOURCE_ROW]),
        ],
        axis=1,
    )
    records = _claim_records(merged)
    rows = _universe_rows(tickers, records, lookups)
    out = pd.DataFrame(rows, columns=list(UNIVERSE_COLUMNS))
    review = merged.sort_values("suspicion", ascending=False, kind="stable").reset_index(drop=True)
    stats: dict[str, object] = {
        "tickers": len(tickers),
        "claims": len(claims),
        "maps": [m.source for m in maps],
        "requests_sent": lookups.requests_sent,
        "namespace": ns,
    }
    return ReconcileResult(out, review, _with_agreeing(disagreements(claims), records), ns, stats)


_AGREEMENT = {
    C.COMPOSITE_FIGI: ("ticker_figi", "agree"),
    C.FIGI: ("ticker_figi", "agree"),
    C.SHARE_CLASS_FIGI: ("share_class", "agree"),
    C.ISIN: ("isin_figi", "agree"),
    C.NAME: ("name", "match"),
}


def _claim_records(merged: pd.DataFrame) -> list[dict[str, object]]:
    """Claims with verdicts as plain dicts, their JSON ``features``/``details`` parsed once.

    Plain dicts because per-group pandas indexing costs ~10 ms a ticker at 14k tickers.
    """
    records: list[dict[str, object]] = merged.to_dict("records")  # type: ignore[assignment]
    for rec in records:
        rec["_features"] = json.loads(str(rec["features"]))
        rec["_details"] = json.loads(str(rec["details"]))
    return records


def _level(rec: dict[str, object], feature: str) -> str:
    """A claim's level for one evidence feature ("" when the feature was not scored)."""
    features = rec["_features"]
    assert isinstance(features, dict)
    return str(features.get(feature, [""])[0])


def _with_agreeing(disagree: pd.DataFrame, records: list[dict[str, object]]) -> pd.DataFrame:
    """Add ``agreeing``: the witnesses whose value for the field agrees with OpenFIGI."""
    agreeing: dict[tuple[str, str], list[str]] = {}
    for rec in records:
        for field_name, (feature, good) in _AGREEMENT.items():
            if _level(rec, feature) == good:
                key = (str(rec[C.BLOOMBERG_TICKER]), field_name)
                agreeing.setdefault(key, []).append(str(rec[C.SOURCE]))
    return disagree.assign(
        agreeing=[
            ";".join(agreeing.get((t, f), []))
            for t, f in zip(disagree[C.BLOOMBERG_TICKER], disagree["field"], strict=True)
        ]
    )


def _unique_sources(maps: Sequence[LoadedMap]) -> list[LoadedMap]:
    """Give every witness its own name (two files called map.csv become map.csv, map.csv#2)."""
    seen: dict[str, int] = {}
    out = []
    for m in maps:
        seen[m.source] = seen.get(m.source, 0) + 1
        if seen[m.source] == 1:
            out.append(m)
        else:
            name = f"{m.source}#{seen[m.source]}"
            out.append(replace(m, source=name, frame=m.frame.assign(**{C.SOURCE: name})))
    return out


def _universe_rows(
    tickers: Sequence[str], records: list[dict[str, object]], lookups: Lookups
) -> list[dict[str, object]]:
    by_ticker: dict[str, list[dict[str, object]]] = {}
    for rec in records:
        by_ticker.setdefault(str(rec[C.BLOOMBERG_TICKER]), []).append(rec)
    return [_one_row(t, by_ticker.get(t, []), lookups.tickers.get(t)) for t in tickers]


def _one_row(
    ticker: str, group: list[dict[str, object]], r: Resolution | None
) -> dict[str, object]:
    reasons: list[str] = []
    per_source: dict[str, dict[str, object]] = {}
    for rec in group:
        rs = [x for x in str(rec["reasons"]).split(";") if x and x != "ok"]
        reasons += rs
        per_source[f"{rec[C.SOURCE]}:{rec[C.SOURCE_ROW]}"] = {
            "reasons": rs or ["ok"],
            "details": rec["_details"],
            "features": rec["_features"],
            "claimed": {
                k: rec[k]
                for k in (C.COMPOSITE_FIGI, C.FIGI, C.SHARE_CLASS_FIGI, C.ISIN, C.NAME, C.YAHOO)
                if _s(rec[k])
            },
        }
    t_outcome = r.outcome if r is not None else "unchecked"
    if not group:
        reasons += {
            "matched": [],
            "ambiguous": ["ambiguous"],
            "not_found": ["no_data"],
            "invalid_ticker": ["invalid_ticker"],
        }.get(t_outcome, ["unverified"])
    reasons = sorted(set(reasons), key=SEVERITY.index)
    status = worst(reasons)

    composite = share = figi = name = isin = None
    if r is not None and t_outcome == "matched":
        composite, share, figi, name = (
            r.composite_figi,
            r.share_class_figi,
            r.figi or r.composite_figi,
            r.name,
        )
    suggested_comp = suggested_isin = None
    confidence = 0.0
    if group:
        agree = [g for g in group if g["agrees_with_openfigi"]]
        # Keys come from claims that carry identifiers (a Yahoo-only witness has none):
        # unflagged ones first, then renamed/delisted/unverified ones.
        with_ids = [g for g in group if _s(g[C.COMPOSITE_FIGI]) or _s(g[C.FIGI]) or _s(g[C.ISIN])]
        usable = [g for g in with_ids if g["reasons"] == "ok"] or [
            g for g in with_ids if g["status"] in ("renamed", "delisted", "unverified")
        ]
        if composite is None and usable and status in ("renamed", "delisted", "unverified", "ok"):
            first = usable[0]
            composite = _s(first[C.COMPOSITE_FIGI]) or _s(first[C.FIGI])
            share = _s(first[C.SHARE_CLASS_FIGI])
            figi = _s(first[C.FIGI]) or composite
        verified_isin = [
            i
            for g in group
            if (i := _s(g[C.ISIN])) and _level(g, "isin_figi") in _TRUSTED_ISIN_LEVELS
        ]
        if verified_isin:
            isin = verified_isin[0]
        elif usable and status in ("unverified", "renamed", "delisted", "ok"):
            isin = _s(usable[0][C.ISIN])
        if verified_isin and any(_s(g[C.ISIN]) not in (None, verified_isin[0]) for g in group):
            suggested_isin = verified_isin[0]
        suggested_comp = next((s for g in group if (s := _s(g["suggested_composite_figi"]))), None)
        name = name or _s(group[0][C.NAME])
        if agree:
            confidence = max(float(str(g["probability"])) for g in agree)
        elif t_outcome == "matched":
            confidence = _OPENFIGI_ALONE
        else:
            confidence = max(float(str(g["probability"])) for g in group)
    elif t_outcome == "matched":
        confidence = _OPENFIGI_ALONE
    if status == "ok" and composite is None and isin is None:
        reasons, status = ["no_data"], "no_data"  # nobody knows an identifier for it
    if status in ("no_data", "ambiguous"):
        confidence = min(confidence, 0.2)
    venues = tuple(r.venue_exch_codes) if r is not None and r.venue_exch_codes else ()
    venue = venues[0] if len(venues) == 1 else None
    ysym = bloomberg_to_yahoo(ticker, venue=venue)
    yahoo = ysym.symbol
    if ysym.ambiguous or yahoo is None:
        yahoo = next((y for g in group if (y := _s(g[C.YAHOO]))), yahoo)
    code = ticker.rsplit(" ", 1)[-1] if " " in ticker else None
    sources = ",".join(
        [f"{k}={'|'.join(map(str, v['reasons']))}" for k, v in per_source.items()]  # type: ignore[call-overload]
        + [f"openfigi={t_outcome}"]
    )
    return {
        C.BLOOMBERG_TICKER: ticker,
        "status": status,
        "reasons": ";".join(reasons) if reasons else "ok",
        "confidence": round(confidence, 4),
        C.COMPOSITE_FIGI: composite,
        C.FIGI: figi,
        C.SHARE_CLASS_FIGI: share,
        C.ISIN: isin,
        C.NAME: name,
        C.YAHOO: yahoo,
        "exch_code": code,
        "venue": " ".join(venues) or None,
        "suggested_composite_figi": suggested_comp,
        "suggested_isin": suggested_isin,
        "evidence": json.dumps(per_source, ensure_ascii=False, default=str),
        "sources": sources,
    }


def _s(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass
class ReconcileOutputs:
    """Paths written by :func:`reconcile_files` and the in-memory result."""

    result: ReconcileResult
    universe_path: Path
    review_path: Path | None = None
    report_path: Path | None = None


def reconcile_files(
    universe_path: str | Path,
    map_paths: Sequence[str | Path],
    out: str | Path,
    *,
    settings: Settings,
    review: str | Path | None = None,
    report: str | Path | None = None,
    column: str | None = None,
    namespace: Namespace | None = None,
    offline: bool = False,
    progress: Progress | None = None,
) -> ReconcileOutputs:
    """Load the universe and maps, reconcile, and write the outputs atomically.

    Raises:
        InputError: an input file is unusable (named with line and column).
    """
    from tickermap.maps.load import load_map
    from tickermap.reconcile.html import write_report
    from tickermap.tables import read_table, write_table

    frame = read_table(universe_path)
    if frame.empty:
        raise TickermapInputError("the universe has no rows", path=universe_path, line=2)
    maps = [load_map(p) for p in map_paths]
    try:
        result = reconcile(
            frame,
            maps,
            settings=settings,
            column=column,
            namespace=namespace,
            offline=offline,
            progress=progress,
        )
    except TickermapInputError as exc:
        exc.locate(universe_path)
        raise
    outputs = ReconcileOutputs(result, write_table(result.universe, out))
    if review is not None:
        outputs.review_path = write_table(result.review, review)
    if report is not None:
        outputs.report_path = write_report(
            report, result.universe, result.review, result.disagreements
        )
    return outputs
