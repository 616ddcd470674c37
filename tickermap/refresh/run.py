"""Refresh a bloomberg_ticker-to-FIGI map for a new universe, and say what changed.

The new universe is reconciled (:func:`tickermap.reconcile.pipeline.reconcile`) against the
previous map plus the witnesses, offline from the witnesses alone or with OpenFIGI. The refreshed
map has one row per ticker of the new universe in the previous map's own columns (values from the
reconciled row; a renamed ticker keeps the identifiers and other columns of its old row when the
witnesses know none; a column the new universe has too, such as the official map's exchange-level
``ticker``, takes the universe's value), plus ``status``, ``confidence``, ``yahoo`` and
``yahoo_source`` (the universe's own ``yahoo`` when the evidence gives none). The diff
(:mod:`tickermap.refresh.diff`) has one row per change. Never prints.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tickermap import columns as C
from tickermap.config import Settings
from tickermap.errors import InputError, MappingFileError
from tickermap.maps.load import LoadedMap
from tickermap.maps.options import MapSpec
from tickermap.openfigi.client import OpenFigiClient
from tickermap.progress import Progress
from tickermap.reconcile.records import TickerRow
from tickermap.refresh.diff import Change, diff_frame, find_changes
from tickermap.refresh.facts import (
    add_symbol_facts,
    canonical_tickers,
    facts_from_maps,
    merge_into,
    table_facts,
    table_tickers,
)
from tickermap.tickers.parse import bloomberg_to_numerai

__all__ = ["RefreshOutputs", "RefreshResult", "refresh", "refresh_files"]

logger = logging.getLogger(__name__)

_CARRIED = (C.NAME, C.ISIN, C.FIGI, C.COMPOSITE_FIGI, C.SHARE_CLASS_FIGI, C.YAHOO)
_ADDED = ("status", "confidence", C.YAHOO, "yahoo_source")


@dataclass(frozen=True)
class RefreshResult:
    """The refreshed map (previous columns + status, confidence, yahoo), the diff, counts."""

    map: pd.DataFrame
    diff: pd.DataFrame
    changes: tuple[Change, ...]
    counts: dict[str, int]


def _chosen_rows(prev: LoadedMap) -> dict[str, int]:
    """Ticker -> the position in ``prev.frame`` of its row.

    A ticker written twice the same way must not carry two values of one field; rows that agree
    where both have a value are one ticker (the fuller row is used, so nothing is lost). Two
    spellings of one ticker (``A036710 KS`` and ``036710 KS``) are two rows the file meant:
    the canonical spelling's row is used, and a warning says how many were set aside.

    Raises:
        MappingFileError: one spelling listed twice with different values (names both lines).
    """
    frame = prev.frame
    cols = {c: frame[c].astype("object").where(frame[c].notna(), None).tolist() for c in _CARRIED}
    lines = frame[C.SOURCE_ROW].tolist()
    spelt = [str(t).strip().upper() for t in frame[C.BLOOMBERG_TICKER].tolist()]
    out: dict[str, int] = {}
    aside = 0
    for i, t in enumerate(canonical_tickers(frame[C.BLOOMBERG_TICKER])):
        j = out.setdefault(t, i) if t else i
        if j == i:
            continue
        full = [sum(bool(cols[c][k]) for c in _CARRIED) for k in (j, i)]
        if spelt[i] != spelt[j]:
            aside += 1
            if spelt[i] == t or (spelt[j] != t and full[1] > full[0]):
                out[str(t)] = i
            continue
        for c in _CARRIED:
            a, b = cols[c][j], cols[c][i]
            if a and b and str(a).strip().upper() != str(b).strip().upper():
                raise MappingFileError(
                    f"ticker {t!r} is listed twice with different {c} values ({a!r} on line "
                    f"{lines[j]}, {b!r} here); keep one row per ticker in the previous map",
                    path=prev.path, line=int(lines[i]), column=c, value=str(b),
                )  # fmt: skip
        if full[1] > full[0]:
            out[str(t)] = i
    if aside:
        logger.warning(
            "%s: %d ticker(s) written two ways (A036710 KS and 036710 KS); the row in the "
            "canonical spelling is used", prev.path, aside,
        )  # fmt: skip
    return out


def _old_records(prev: LoadedMap, chosen: dict[str, int]) -> dict[str, dict[str, str | None]]:
    frame = prev.frame
    cols = {c: frame[c].astype("object").where(frame[c].notna(), None).tolist() for c in _CARRIED}
    return {t: {c: cols[c][i] for c in _CARRIED} for t, i in chosen.items()}


def _new_record(row: TickerRow) -> dict[str, str | None]:
    return {
        C.NAME: row.name, C.ISIN: row.isin, C.FIGI: row.figi,
        C.COMPOSITE_FIGI: row.composite_figi, C.SHARE_CLASS_FIGI: row.share_class_figi,
        C.YAHOO: row.yahoo,
    }  # fmt: skip


def _renamed_from(maps: Sequence[LoadedMap]) -> dict[str, str]:
    """New ticker -> old ticker, from witnesses that record renames (dsignals overrides)."""
    out: dict[str, str] = {}
    for m in maps:
        if m.extra is None or "renamed_from" not in m.extra.columns:
            continue
        for new, old in zip(m.frame[C.BLOOMBERG_TICKER], m.extra["renamed_from"], strict=True):
            if isinstance(new, str) and isinstance(old, str) and new != old:
                out.setdefault(new, old)
    return out


def refresh(
    previous: LoadedMap,
    previous_table: pd.DataFrame,
    universe: pd.DataFrame,
    maps: Sequence[LoadedMap],
    *,
    settings: Settings,
    column: str | None = None,
    offline: bool = False,
    client: OpenFigiClient | None = None,
    fuzzy: bool = True,
    progress: Progress | None = None,
    columns: Mapping[str, str] | None = None,
) -> RefreshResult:
    """Refresh ``previous`` (loaded, plus its table as read) for the tickers of ``universe``.

    ``fuzzy=False`` links renames by exact keys only (the reference rules of
    :func:`tickermap.refresh.link.find_links`); ``progress`` receives the reconcile's steps;
    ``columns`` is the previous map's ``--map-columns`` description (its columns are written).
    """
    from tickermap.reconcile.pipeline import reconcile

    chosen = _chosen_rows(previous)  # a previous map that lists a ticker twice: before any work
    universe = _with_tickers(universe, column)
    result = reconcile(
        universe, [previous, *maps], settings=settings, column=column, offline=offline,
        client=client, progress=progress,
    )  # fmt: skip
    old = _old_records(previous, chosen)
    rows = {r.ticker: r for r in result.rows if r.ticker}
    new = {t: _new_record(r) for t, r in rows.items()}
    evidence = {t: r.sources() for t, r in rows.items()}
    unmatched = (old.keys() - new.keys()) | (new.keys() - old.keys())
    facts = facts_from_maps([previous, *maps], unmatched)
    own = table_facts(universe, column, "new universe")
    merge_into(facts, {t: f for t, f in own.items() if t in unmatched})
    add_symbol_facts(facts, maps)
    changes = find_changes(
        old, new, renamed_from=_renamed_from(maps), evidence=evidence, facts=facts, fuzzy=fuzzy
    )
    renamed = {c.new_ticker: c.old_ticker for c in changes if c.change == "renamed"}
    refreshed = _refreshed_table(
        previous, previous_table, result.rows, old, renamed, universe, column, chosen, columns
    )
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.change] = counts.get(c.change, 0) + 1
    return RefreshResult(refreshed, diff_frame(changes), tuple(changes), counts)


def _with_tickers(universe: pd.DataFrame, column: str | None) -> pd.DataFrame:
    """The universe without its rows that have no ticker, which are named in a warning: a
    refreshed map row needs a ticker (fill the cell in to keep the row)."""
    col, _ = table_tickers(universe, column)
    if col is None or col not in universe.columns:
        return universe
    cells = universe[col].astype("object")
    empty = (cells.isna() | (cells.astype(str).str.strip() == "")).to_numpy()
    if not empty.any():
        return universe
    lines = [str(i + 2) for i in empty.nonzero()[0][:10]]
    more = f" and {int(empty.sum()) - 10} more" if empty.sum() > 10 else ""
    logger.warning(
        "the universe has %d row(s) with an empty %s (line(s) %s%s): they are left out of the "
        "refreshed map; fill the ticker in to keep them",
        int(empty.sum()), col, ", ".join(lines), more,
    )  # fmt: skip
    return universe[~empty].reset_index(drop=True)


def _columns(
    previous: LoadedMap, header: Sequence[str], described: Mapping[str, str] | None
) -> dict[str, str]:
    """Canonical key -> the previous file's column (ticker column under ``bloomberg_ticker``)."""
    from tickermap.maps.load import header_lookup, preset_columns

    lookup = header_lookup(header)
    try:
        mapping = preset_columns(previous.preset, header, previous.path)
    except InputError:
        mapping = {}
    if C.NUMERAI_TICKER in mapping:
        mapping[C.BLOOMBERG_TICKER] = mapping.pop(C.NUMERAI_TICKER)
    for key in (C.BLOOMBERG_TICKER, *_CARRIED):
        if key not in mapping and key in lookup:
            mapping[key] = lookup[key]
    for key, col in (described or {}).items():  # --map-columns for the previous map
        k = key.strip().lower()
        k = C.BLOOMBERG_TICKER if k == C.NUMERAI_TICKER else k
        mapping[k] = lookup.get(col.strip().lower(), col)
    return mapping


def _universe_values(
    universe: pd.DataFrame, column: str | None, wanted: Sequence[str]
) -> dict[str, dict[str, object]]:
    """Ticker -> the universe's own values of the previous map's other columns, and ``yahoo``.

    The official map's exchange-level ``ticker`` column comes from the new universe when it has
    one: the old row's value is stale after a rename.
    """
    col, tickers = table_tickers(universe, column)
    cols = [c for c in dict.fromkeys([*wanted, C.YAHOO]) if c in universe.columns and c != col]
    data = {c: universe[c].astype("object").where(universe[c].notna(), None).tolist() for c in cols}
    out: dict[str, dict[str, object]] = {}
    for i, t in enumerate(tickers):
        if t and t not in out:
            out[t] = {c: data[c][i] for c in cols if data[c][i] not in (None, "")}
    return out


def _refreshed_table(
    previous: LoadedMap,
    table: pd.DataFrame,
    rows: Sequence[TickerRow],
    old: dict[str, dict[str, str | None]],
    renamed: dict[str | None, str | None],
    universe: pd.DataFrame,
    column: str | None,
    chosen: dict[str, int],
    described: Mapping[str, str] | None,
) -> pd.DataFrame:
    header = [str(c) for c in table.columns]
    mapping = _columns(previous, header, described)
    ticker_col = mapping.get(C.BLOOMBERG_TICKER, C.BLOOMBERG_TICKER)
    own = _universe_values(universe, column, [c for c in header if c not in mapping.values()])
    from tickermap.tables import table_format

    first = 1 if previous.path.is_file() and table_format(previous.path) == "parquet" else 2
    lines = previous.frame[C.SOURCE_ROW].tolist()
    raw: dict[str | None, int] = {t: int(lines[i]) - first for t, i in chosen.items()}
    out = []
    for r in rows:
        source = r.ticker if r.ticker in old else renamed.get(r.ticker)
        at = int(raw[source]) if source in raw else -1
        base = table.iloc[at].to_dict() if 0 <= at < len(table) else {}
        rec = {c: base.get(c) for c in header}
        numerai = previous.namespace == "numerai"
        ticker = (bloomberg_to_numerai(r.ticker) or r.ticker) if numerai else r.ticker
        if "ticker" in mapping and "exchange" in mapping:  # a root column and a code column
            root, _, code = (ticker or "").rpartition(" ")
            rec[mapping["ticker"]], rec[mapping["exchange"]] = root, code
        else:
            rec[ticker_col] = ticker
        values = _new_record(r)
        kept = old.get(source or "", {})
        for key in _CARRIED:
            if key in mapping:
                rec[mapping[key]] = values[key] or kept.get(key)
        mine = own.get(r.ticker or "", {})
        rec.update({c: v for c, v in mine.items() if c != C.YAHOO})
        yahoo, how = r.yahoo, r.yahoo_source
        if not yahoo and mine.get(C.YAHOO):
            yahoo, how = str(mine[C.YAHOO]), "new universe"
        rec.update(status=str(r.status), confidence=r.confidence, yahoo=yahoo, yahoo_source=how)
        out.append(rec)
    extra = [c for c in _ADDED if c not in header]
    return pd.DataFrame(out, columns=[*header, *extra])


@dataclass(frozen=True)
class RefreshOutputs:
    """What :func:`refresh_files` wrote and computed."""

    result: RefreshResult
    map_path: Path
    diff_path: Path


def refresh_files(
    previous: MapSpec | str | Path,
    universe_path: str | Path,
    maps: Sequence[MapSpec | str | Path],
    out: str | Path,
    diff: str | Path,
    *,
    settings: Settings,
    column: str | None = None,
    offline: bool = False,
    fuzzy: bool = True,
    progress: Progress | None = None,
) -> RefreshOutputs:
    """Load the previous map, the new universe and the witnesses; refresh; write both outputs.

    Raises:
        InputError: an input is unusable (named with file, line and column).
    """
    from tickermap.maps.options import load_map_spec
    from tickermap.tables import read_table, write_table

    try:
        prev = load_map_spec(previous)
    except MappingFileError as exc:
        if "cannot recognise the format" not in exc.message:
            raise
        hint = "; for refresh: --previous FILE:PRESET, or --map-columns FILE=bloomberg_ticker=COL"
        raise MappingFileError(
            exc.message + hint, path=exc.path, line=exc.line, column=exc.column, value=exc.value
        ) from exc
    if prev.preset in ("financedatabase", "dsignals_overrides"):
        raise InputError(
            f"--previous must be a ticker map, not a {prev.preset} witness; pass it with --map",
            path=prev.path,
        )
    table = read_table(prev.path)
    frame = read_table(universe_path)
    if frame.empty:
        raise InputError("the universe has no rows", path=universe_path, line=2)
    loaded = [load_map_spec(m) for m in maps]
    try:
        result = refresh(
            prev, table, frame, loaded, settings=settings, column=column, offline=offline,
            fuzzy=fuzzy, progress=progress,
            columns=previous.columns if isinstance(previous, MapSpec) else None,
        )  # fmt: skip
    except InputError as exc:
        exc.locate(universe_path)
        raise
    map_path = write_table(result.map, out)
    return RefreshOutputs(result, map_path, write_table(result.diff, diff))
