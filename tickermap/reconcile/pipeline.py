"""Reconcile a universe against community maps and OpenFIGI; write the cleaned universe.

Data flow (each arrow a function of its own module)::

    universe tickers --tickers.parse_column--> canonical Bloomberg tickers
    maps --linking.link_by_name--> unticketed listings linked to tickers by name + market
    maps --claims.claims_table--> claims (one per ticker x witness row)
    claims --lookups.gather_lookups--> OpenFIGI answers (batched, cached, offline-capable)
    claims + answers --verdicts.judge_claims--> a Verdict per claim (reasons, evidence, suspicion)
    verdicts + all listings --entities/blame/corroborate/consensus--> the witnesses' vote
    verdicts --rows.universe_rows--> a TickerRow per ticker with its join keys

The records are typed (:mod:`tickermap.reconcile.records`) and serialised once, into the
``universe`` (:data:`UNIVERSE_COLUMNS`) and ``review`` frames of the :class:`ReconcileResult`;
``review`` holds every claim with its evidence, most suspicious first. Nothing a witness said is
overwritten silently: a corrected value appears in ``suggested_*`` only when two independent keys
agree on it, and the original stays in ``evidence``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import cast

import pandas as pd

from tickermap import columns as C
from tickermap.config import Settings
from tickermap.errors import InputError as TickermapInputError
from tickermap.maps.load import LoadedMap
from tickermap.maps.options import MapSpec
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.client import OpenFigiClient
from tickermap.progress import Progress
from tickermap.reconcile.blame import blame_listings
from tickermap.reconcile.claims import claims_table, disagreements
from tickermap.reconcile.consensus import Consensus, apply_consensus
from tickermap.reconcile.corroborate import check_names
from tickermap.reconcile.entities import listings_for, with_markets
from tickermap.reconcile.linking import link_by_name, note_links
from tickermap.reconcile.local_evidence import local_evidence
from tickermap.reconcile.lookups import Lookups, gather_lookups
from tickermap.reconcile.records import (
    UNIVERSE_COLUMNS,
    ReconcileResult,
    Verdict,
    claim_records,
)
from tickermap.reconcile.rows import universe_rows, with_agreeing
from tickermap.reconcile.verdicts import judge_claims
from tickermap.reconcile.yahoo import with_yahoo
from tickermap.tickers.parse import Namespace, namespace_for_column, parse_column

__all__ = [
    "UNIVERSE_COLUMNS",
    "ReconcileOutputs",
    "ReconcileResult",
    "reconcile",
    "reconcile_files",
]

log = logging.getLogger(__name__)


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
    return _first_of_each(tickers, col), ns


def _first_of_each(tickers: list[str], col: str) -> list[str]:
    """The tickers once each, in first-seen order; repeats are logged with their lines."""
    first: dict[str, int] = {}
    out: list[str] = []
    repeats: list[str] = []
    for i, t in enumerate(tickers):
        if t and t in first:
            repeats.append(f"line {i + 2} ({t}, first on line {first[t] + 2})")
            continue
        if t:
            first[t] = i
        out.append(t)
    if repeats:
        more = f" and {len(repeats) - 5} more" if len(repeats) > 5 else ""
        log.warning(
            "the universe repeats %d ticker(s) in column %s: %s%s; each is judged and written "
            "once",
            len(repeats), col, ", ".join(repeats[:5]), more,
        )  # fmt: skip
    return out


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
    maps, witness_of = _file_sources(_unique_sources(maps))
    frames, links = link_by_name([with_markets(m) for m in maps], witness_of, tickers)
    claims = claims_table(tickers, frames)
    _warn_silent_witnesses(maps, claims, witness_of)
    if client is not None:
        lookups = gather_lookups(tickers, claims, client=client, progress=progress)
    else:
        with (
            OutcomeCache.for_settings(settings) as cache,
            OpenFigiClient(settings, cache=cache, offline=offline) as own,
        ):
            lookups = gather_lookups(tickers, claims, client=own, progress=progress)
    verdicts = judge_claims(claim_records(claims), lookups, local=local_evidence(maps))
    voted, off_universe = _vote(claims, frames, verdicts, lookups, witness_of, links)
    verdicts = note_links(voted.verdicts, links)
    stats: dict[str, object] = {
        "tickers": len(tickers),
        "claims": len(claims),
        "maps": [m.source for m in maps],
        "requests_sent": lookups.requests_sent,
        "linked_by_name": len(links),
        "namespace": ns,
        "witnesses": {w: asdict(st) for w, st in sorted(voted.witnesses.items())},
        "unreliable_witnesses": voted.unreliable,
        "blamed_listings": off_universe,
    }
    for w in voted.unreliable:
        st = voted.witnesses[w]
        log.warning(
            "witness %s disagrees with the others on most of the %d items they share "
            "(reliability %.2f, by field %s): treat it as unreliable",
            w, st.items, st.reliability, st.by_field,
        )  # fmt: skip
    return ReconcileResult(
        rows=with_yahoo(
            universe_rows(
                tickers,
                verdicts,
                lookups,
                outvoted=voted.outvoted,
                offline_confidence=voted.confidence,
            ),
            maps,
        ),
        verdicts=verdicts,
        disagreements=with_agreeing(disagreements(claims), verdicts),
        namespace=ns,
        stats=stats,
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


def _file_sources(maps: Sequence[LoadedMap]) -> tuple[list[LoadedMap], dict[str, str]]:
    """Name each file of a folder witness ``witness/file`` (so a claim's ``source:row`` is one
    line of one file); returns the maps and claim source -> witness."""
    witness_of: dict[str, str] = {}
    out = []
    for m in maps:
        files = m.extra.get("source_file") if m.extra is not None else None
        if files is None or not m.frame[C.SOURCE_ROW].duplicated().any():
            witness_of[m.source] = m.source
            out.append(m)
            continue
        names = (m.source + "/" + files.astype(str)).to_numpy()
        witness_of.update({str(n): m.source for n in set(names)})
        out.append(replace(m, frame=m.frame.assign(**{C.SOURCE: names})))
    return out, witness_of


def _vote(
    claims: pd.DataFrame,
    frames: Sequence[pd.DataFrame],
    verdicts: list[Verdict],
    lookups: Lookups,
    witness_of: dict[str, str],
    linked: Collection[tuple[str, int]],
) -> tuple[Consensus, list[dict[str, object]]]:
    """Entity resolution across the witnesses, which file is wrong, the per-field vote, and
    corroboration by ticker+name (:mod:`.corroborate`; not by claims linked by name); also the
    blamed listings that are no claim of the universe (a witness row known only by its Yahoo
    symbol or ISIN), each with the sentence saying which file is wrong."""
    keys = {
        v
        for col in (C.ISIN, C.SHARE_CLASS_FIGI, C.COMPOSITE_FIGI)
        for v in claims[col].dropna().astype(str)
    }
    tickers = set(claims[C.BLOOMBERG_TICKER].astype(str))
    listings = listings_for(frames, witness_of, keys, tickers)
    findings = blame_listings(listings)
    fits = {x.key: x.fit for x in listings}
    claimed = {(v.claim.source, v.claim.source_row) for v in verdicts}
    off_universe: list[dict[str, object]] = [
        {
            C.SOURCE: x.source,
            C.SOURCE_ROW: x.source_row,
            "ticker": x.ticker,
            C.YAHOO: x.yahoo,
            C.ISIN: x.isin,
            C.NAME: x.name,
            "blamed": findings[x.key].blamed,
        }
        for x in listings
        if x.key not in claimed and x.key in findings and findings[x.key].blamed
    ]
    names = check_names(verdicts, witness_of, linked)
    return apply_consensus(verdicts, lookups, findings, fits, witness_of, names), off_universe


def _warn_silent_witnesses(
    maps: Sequence[LoadedMap], claims: pd.DataFrame, witness_of: dict[str, str]
) -> None:
    """A witness that holds no row of the universe says nothing: warn (a wrong --map-columns,
    another namespace or the wrong file), never fatal."""
    sources = claims[C.SOURCE].astype(str) if len(claims) else pd.Series([], dtype=str)
    heard = {witness_of.get(s, s) for s in set(sources)}
    rows: dict[str, int] = {}
    for m in maps:
        w = witness_of.get(m.source, m.source)
        rows[w] = rows.get(w, 0) + len(m.frame)
    for w, n in rows.items():
        if w not in heard:
            log.warning(
                "map %s (%d rows) has no row for any ticker of the universe: check its ticker "
                "column (--map-columns) and that it is in the universe's namespace",
                w, n,
            )  # fmt: skip


@dataclass
class ReconcileOutputs:
    """Paths written by :func:`reconcile_files` and the in-memory result."""

    result: ReconcileResult
    universe_path: Path
    review_path: Path | None = None
    report_path: Path | None = None


def reconcile_files(
    universe_path: str | Path,
    map_paths: Sequence[str | Path | MapSpec],
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
    from tickermap.maps.options import load_map_spec
    from tickermap.reconcile.html import write_report
    from tickermap.tables import read_table, write_table

    frame = read_table(universe_path)
    if frame.empty:
        raise TickermapInputError("the universe has no rows", path=universe_path, line=2)
    maps = [load_map_spec(p) for p in map_paths]
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
        from tickermap.reconcile.run_info import run_info

        sources = cast("list[str]", result.stats["maps"])  # the witnesses' unique names
        info = run_info(
            Path(universe_path), maps, sources=sources, settings=settings, offline=offline
        )
        outputs.report_path = write_report(report, result, run=info)
    return outputs
