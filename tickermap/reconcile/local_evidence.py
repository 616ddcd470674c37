"""Evidence a community map gives about itself, without OpenFIGI.

Reconciliation prefers OpenFIGI's answers, but offline (or for what OpenFIGI cannot say) the map's
own consistency still speaks. This module turns the map's per-row facts
(:mod:`tickermap.maps.facts`, the same ones ``tickermap validate`` reports) into per-row evidence
for the verdicts:

- the ISIN country level of each row (``domestic`` / ``offshore`` / ``implausible``), using the
  validator's rules for offshore domiciles, US listings of foreign issuers and H shares;
- ``isin_conflict`` when a row carries an ISIN whose home-market row in the same map is another
  company (``BN US`` with Danone's ISIN, which ``BN FP`` carries), or an ISIN from another
  numeric market (``2395 JP`` with a Taiwanese ISIN);
- ``name_conflict`` when one company name sits on several unrelated tickers (the nine
  ``KYUNG NONG CORP`` rows).

Pure: maps in, a dict out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from tickermap import columns as C
from tickermap.maps.facts import isin_country_facts, map_facts, name_spread_facts
from tickermap.maps.load import LoadedMap
from tickermap.names.match import name_evidence
from tickermap.reasons import Reason

__all__ = ["LocalEvidence", "RowKey", "local_evidence"]

RowKey = tuple[str, int]
"""(source, source_row) of a map row."""


@dataclass
class LocalEvidence:
    """What one map row's own file says about it."""

    country_level: str = "unknown"
    reasons: dict[Reason, str] = field(default_factory=dict)


def _home_conflicts(frame: pd.DataFrame, countries: pd.Series) -> dict[int, str]:
    """Rows whose ISIN's home-country row in the same map names another company."""
    isin = frame[C.ISIN]
    home = isin.str[:2] == countries
    shared = isin.notna() & isin.duplicated(keep=False)
    if not shared.any():
        return {}
    homes = frame[shared & home].drop_duplicates(C.ISIN).set_index(C.ISIN)
    foreign = frame[shared & ~home & isin.isin(homes.index)]
    if foreign.empty:
        return {}
    owner = homes.loc[foreign[C.ISIN]]
    evidence = name_evidence(foreign[C.NAME], owner[C.NAME])
    out: dict[int, str] = {}
    for pos, ev in enumerate(evidence):
        if ev == "mismatch":
            row = foreign.iloc[pos]
            own = owner.iloc[pos]
            out[int(row[C.SOURCE_ROW])] = (
                f"ISIN {row[C.ISIN]} is the home listing of {own[C.BLOOMBERG_TICKER]} "
                f"({own[C.NAME]}), not {row[C.NAME]}"
            )
    return out


def _per_source(maps: Sequence[LoadedMap]) -> list[LoadedMap]:
    """One map per ``source`` value (a FinanceDatabase folder names each file its own source,
    so that ``(source, source_row)`` is one line of one file), and a listing file (one that
    gave each row's market: :mod:`tickermap.maps.local_tickers`) split by market, as a
    FinanceDatabase folder is by exchange: a listing file lists one company on many markets,
    so its own-consistency checks (one name on many tickers, an ISIN's home row naming
    another company) hold within one market, and the cross-market ones are the cross-witness
    checks' (:mod:`.blame`)."""
    out = []
    for m in maps:
        extra = m.extra
        if extra is not None and "listing_code" in extra.columns and len(extra) == len(m.frame):
            codes = extra["listing_code"].astype("object").fillna("").astype(str).to_numpy()
            for _, idx in m.frame.groupby(codes, sort=False).groups.items():
                out.append(replace(m, frame=m.frame.loc[idx]))
            continue
        sources = m.frame[C.SOURCE].astype(str)
        if sources.nunique() <= 1:
            out.append(m)
            continue
        for name, idx in sources.groupby(sources, sort=False).groups.items():
            out.append(replace(m, source=str(name), frame=m.frame.loc[idx]))
    return out


def local_evidence(maps: Sequence[LoadedMap]) -> dict[RowKey, LocalEvidence]:
    """Per-row evidence from each map's own consistency (see the module docstring)."""
    out: dict[RowKey, LocalEvidence] = {}
    for m in _per_source(maps):
        facts = map_facts(m)
        frame = m.frame
        countries = facts.frame["_country"]
        isin = frame[C.ISIN]
        domestic = isin.notna() & (isin.str[:2] == countries)
        for row in frame.loc[domestic, C.SOURCE_ROW].astype(int):
            out[(m.source, int(row))] = LocalEvidence("domestic")
        for fact in isin_country_facts(facts):
            ev = out.setdefault((m.source, fact.source_row), LocalEvidence())
            ev.country_level = "offshore" if fact.explainable else "implausible"
            if fact.collision:
                ev.reasons.setdefault(Reason.ISIN_CONFLICT, f"{fact.detail} ({fact.evidence})")
        for spread in name_spread_facts(facts):
            ev = out.setdefault((m.source, spread.source_row), LocalEvidence())
            ev.reasons.setdefault(Reason.NAME_CONFLICT, f"{spread.detail} ({spread.evidence})")
        for row, detail in _home_conflicts(frame, countries).items():
            ev = out.setdefault((m.source, row), LocalEvidence())
            ev.reasons.setdefault(Reason.ISIN_CONFLICT, detail)
    return out
