"""Spells: maximal runs of dates on which one ticker belonged to one entity.

A (ticker, entity) spell continues while every date on which the ticker is in the universe has
that entity; dates the ticker is absent from do not break it (they are counted in ``gaps``). So
A, A, (absent), A is one spell with one gap, and A, B, A is three spells. Rows with an empty
entity form their own spells (entity empty): they are never merged into a neighbour.

Before the spells are cut the rows are cleaned, and everything cleaned is reported:
duplicate (date, ticker, entity) rows are counted once (``duplicate_row``); a row with an empty
entity on a (date, ticker) that also has an entity adds nothing (``duplicate_row``); a ticker with
two entities on one date keeps both (``overlap``: two spells then overlap in time); rows with an
empty entity on dates when other rows have one are ``entity_missing``; dates on which no row has
an entity are ``entity_unavailable``. Everything is vectorised over the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tickermap.history._dates import days_to_date
from tickermap.history.findings import Finding
from tickermap.history.read import Observations

__all__ = ["SPELL_STATS", "Spells", "build_spells"]

SPELL_STATS = ("first_date", "last_date", "n_dates", "gaps", "flags")
"""Spell columns after the ticker and entity columns."""


@dataclass(frozen=True, slots=True)
class Spells:
    """Spells as integer codes (see :class:`~tickermap.history.read.Observations` for codes).

    Attributes:
        frame: ``t, e, first, last`` (days), ``n`` dates, ``gaps``, ``f``/``row`` of the first
            row, sorted by ticker then first date.
        dates: every date of the universe (days, sorted).
        findings: what was cleaned while cutting spells.
    """

    frame: pd.DataFrame
    dates: np.ndarray
    findings: tuple[Finding, ...]


def _iso(days: int) -> str:
    return days_to_date(days).isoformat()


def _order(*keys: np.ndarray) -> np.ndarray:
    """Stable sort order by ``keys`` (most significant first): one int64 argsort when the
    keys fit in 63 bits (several times faster than ``np.lexsort``), else ``np.lexsort``."""
    shifted = [k.astype(np.int64) - (int(k.min()) if len(k) else 0) for k in keys]
    bits = [max(int(k.max()).bit_length(), 1) if len(k) else 1 for k in shifted]
    if sum(bits) > 63:
        return np.lexsort(tuple(reversed(shifted)))
    combined = np.zeros(len(shifted[0]), dtype=np.int64)
    for k, b in zip(shifted, bits, strict=True):
        combined = (combined << b) | k
    return np.argsort(combined, kind="stable")


def _dedupe(obs: Observations, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """Sort by (t, d, e) and drop repeated rows, reporting them per file."""
    # np.lexsort is stable and rows arrive in (file, row) order: the first of a repeat is kept
    order = _order(frame["t"].to_numpy(), frame["d"].to_numpy(), frame["e"].to_numpy())
    s = frame.iloc[order].reset_index(drop=True)
    t, d, e = s["t"].to_numpy(), s["d"].to_numpy(), s["e"].to_numpy()
    same_td = np.r_[False, (t[1:] == t[:-1]) & (d[1:] == d[:-1])]
    same = same_td & np.r_[False, e[1:] == e[:-1]]
    # an empty entity (-1) is redundant when the same (t, d) also has an entity
    group = np.cumsum(~same_td) - 1
    starts = np.flatnonzero(~same_td)
    group_max = np.maximum.reduceat(e, starts)[group] if len(e) else e
    redundant_empty = (e == -1) & (group_max >= 0)
    drop = same | redundant_empty
    findings = []
    if drop.any():
        gone = s[drop]
        for f, group in gone.groupby("f", sort=True):
            first = group.sort_values("row").iloc[0]
            findings.append(
                Finding(
                    "duplicate_row",
                    str(obs.files[int(f)]),
                    int(first["row"]),
                    _iso(int(first["d"])),
                    obs.tickers[int(first["t"])],
                    "",
                    len(group),
                    f"{len(group)} row(s) repeat a (date, ticker) already seen with the same "
                    "entity, or have an empty entity where another row has one; counted once",
                )
            )
    return s[~drop].reset_index(drop=True), findings


def _overlaps(obs: Observations, s: pd.DataFrame) -> list[Finding]:
    t, d = s["t"].to_numpy(), s["d"].to_numpy()
    same_td = np.r_[False, (t[1:] == t[:-1]) & (d[1:] == d[:-1])]
    mask = same_td | np.r_[same_td[1:], False]
    out = []
    for _, group in s[mask].groupby("t", sort=True):
        code = int(group["t"].iloc[0])
        ents = sorted({obs.entities[int(x)] for x in group["e"] if x >= 0})
        first = group.iloc[0]
        out.append(
            Finding(
                "overlap",
                str(obs.files[int(first["f"])]),
                int(first["row"]),
                _iso(int(first["d"])),
                obs.tickers[code],
                ";".join(ents),
                int(group["d"].nunique()),
                f"the ticker has {len(ents)} entities on {group['d'].nunique()} date(s) "
                f"({', '.join(ents)}); both spells are kept and the point-in-time map marks "
                "those dates ambiguous",
            )
        )
    return out


def _entity_overlaps(obs: Observations, s: pd.DataFrame) -> list[Finding]:
    named = s[s["e"].to_numpy() >= 0]
    e, d = named["e"].to_numpy(), named["d"].to_numpy()
    order = _order(e, d)
    es, ds = e[order], d[order]
    same = np.r_[False, (es[1:] == es[:-1]) & (ds[1:] == ds[:-1])]
    involved = order[same | np.r_[same[1:], False]]
    out = []
    for _, group in named.iloc[np.sort(involved)].groupby("e", sort=True):
        first = group.sort_values(["d", "row"]).iloc[0]
        code = int(first["e"])
        ticks = sorted({obs.tickers[int(x)] for x in group["t"]})
        out.append(
            Finding(
                "entity_overlap",
                str(obs.files[int(first["f"])]),
                int(first["row"]),
                _iso(int(first["d"])),
                ";".join(ticks),
                obs.entities[code],
                int(group["d"].nunique()),
                f"the entity is under {len(ticks)} tickers on {group['d'].nunique()} date(s) "
                f"({', '.join(ticks)}); a rename with both tickers listed, or a data error",
            )
        )
    return out


def _missing_entities(obs: Observations, s: pd.DataFrame) -> list[Finding]:
    has = s["e"].to_numpy() >= 0
    if not has.any():
        return []
    entity_dates = np.unique(s["d"].to_numpy()[has])
    all_dates = np.unique(s["d"].to_numpy())
    out = []
    blank_dates = np.setdiff1d(all_dates, entity_dates)
    if len(blank_dates):
        out.append(
            Finding(
                "entity_unavailable",
                "",
                None,
                _iso(int(blank_dates[0])),
                "",
                "",
                len(blank_dates),
                f"no row has {obs.entity_column!r} on {len(blank_dates)} date(s) "
                f"({_iso(int(blank_dates[0]))} .. {_iso(int(blank_dates[-1]))}); spells on "
                "those dates have no entity and no reuse or rename can be seen there",
            )
        )
    empty = s[(~has) & np.isin(s["d"].to_numpy(), entity_dates)]  # sorted by ticker, date
    counts = empty["t"].value_counts()
    firsts = empty.drop_duplicates("t")
    cols = (
        firsts["t"].tolist(),
        firsts["f"].tolist(),
        firsts["row"].tolist(),
        firsts["d"].tolist(),
    )
    for code, f, row, day in zip(*cols, strict=True):
        n = int(counts[code])
        out.append(
            Finding(
                "entity_missing",
                str(obs.files[f]),
                row,
                _iso(day),
                obs.tickers[code],
                "",
                n,
                f"{obs.entity_column!r} is empty on {n} date(s) when other rows have "
                "one; those dates form a spell without entity (not filled from neighbours)",
            )
        )
    return out


def build_spells(obs: Observations) -> Spells:
    """Cut the observations into spells, reporting what was cleaned.

    Returns:
        The :class:`Spells`.
    """
    s, findings = _dedupe(obs, obs.frame)
    findings += _overlaps(obs, s)
    findings += _entity_overlaps(obs, s)
    findings += _missing_entities(obs, s)
    dates = np.unique(s["d"].to_numpy()).astype(np.int32)
    t, d = s["t"].to_numpy(), s["d"].to_numpy()
    new_td = np.r_[True, (t[1:] != t[:-1]) | (d[1:] != d[:-1])]
    s["g"] = np.cumsum(new_td)  # index of the ticker-date: a jump > 1 means another entity held it
    s = s.iloc[_order(s["t"].to_numpy(), s["e"].to_numpy(), s["d"].to_numpy())]
    s = s.reset_index(drop=True)
    t, e, g = s["t"].to_numpy(), s["e"].to_numpy(), s["g"].to_numpy()
    brk = np.r_[True, (t[1:] != t[:-1]) | (e[1:] != e[:-1]) | (g[1:] - g[:-1] > 1)]
    starts = np.flatnonzero(brk)
    ends = np.r_[starts[1:], len(t)] - 1  # rows are sorted by (t, e, d): first row = first date
    d = s["d"].to_numpy()
    agg = pd.DataFrame(
        {
            "t": t[starts],
            "e": e[starts],
            "first": d[starts],
            "last": d[ends],
            "n": ends - starts + 1,
            "f": s["f"].to_numpy()[starts],
            "row": s["row"].to_numpy()[starts],
        }
    )
    span = np.searchsorted(dates, agg["last"]) - np.searchsorted(dates, agg["first"]) + 1
    agg["gaps"] = span - agg["n"]
    frame = agg.sort_values(["t", "first", "last"], kind="stable").reset_index(drop=True)
    return Spells(frame=frame, dates=dates, findings=tuple(findings))
