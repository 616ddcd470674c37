"""Events read off the spells: ``ticker_reused``, ``renamed``, ``entered``, ``exited``.

* ``ticker_reused``: the ticker's entity changes and the new one persists; ``date`` is the first
  date of the new entity (the switch date), ``previous`` the old entity,
  ``previous_last_date`` the old entity's last date under the ticker.
* ``renamed``: an entity moves to a new ticker; ``previous`` is the old ticker.
* ``entered`` / ``exited``: the ticker's first / last date, when it is not the history's own first
  / last date and the entity did not come from (or go on to) another ticker (that is a rename).

Noise is handled, not guessed: a run of at most ``max_glitch`` dates between two runs of the same
other value (A, A, B, A, A), or inside another value's span, is a *glitch*: it is reported
(``flapping``) and makes no event. A long A, B, A gives events marked ``probable``. Spells without
an entity make no transition. Each event says ``confirmed`` or ``probable`` and why (``note``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tickermap.history._dates import days_to_date
from tickermap.history.findings import Finding
from tickermap.history.read import Observations
from tickermap.history.spells import Spells

__all__ = ["EVENT_COLUMNS", "find_events"]

EVENT_COLUMNS = ("event", "date", "ticker", "entity", "previous", "previous_last_date",
                 "confidence", "note")  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Item:
    index: int  # row in the spells frame
    value: int  # entity code (ticker sequences) or ticker code (entity sequences)
    first: int
    last: int
    n: int


@dataclass(frozen=True, slots=True)
class _Transition:
    old: int
    new: int
    switch: int
    old_last: int
    old_n: int
    new_n: int
    glitches: int
    flapping: bool
    overlap: bool


def _glitches(items: list[_Item], max_glitch: int) -> list[bool]:
    out = []
    for i, it in enumerate(items):
        short = it.n <= max_glitch
        between = 0 < i < len(items) - 1 and items[i - 1].value == items[i + 1].value != it.value
        inside = any(
            o.value != it.value and o.first <= it.first and it.last <= o.last and o.n > it.n
            for o in items[max(0, i - 2) : i + 3]
        )
        out.append(short and (between or inside))
    return out


def _transitions(items: list[_Item], max_glitch: int) -> tuple[list[_Transition], list[int]]:
    """Transitions between persistent runs of one sequence, and the glitch items."""
    glitch = _glitches(items, max_glitch)
    runs: list[list[int]] = []
    for i, it in enumerate(items):
        if glitch[i]:
            continue
        if runs and items[runs[-1][-1]].value == it.value:
            runs[-1].append(i)
        else:
            runs.append([i])
    values = [items[r[0]].value for r in runs]
    out = []
    for k in range(1, len(runs)):
        prev, cur = runs[k - 1], runs[k]
        old, new = values[k - 1], values[k]
        region = range(prev[-1] + 1, cur[0] + 1)
        switch = min(items[j].first for j in region if items[j].value == new)
        old_last = max(items[j].last for j in range(cur[0]) if items[j].value == old)
        out.append(
            _Transition(
                old=old,
                new=new,
                switch=switch,
                old_last=old_last,
                old_n=sum(items[j].n for j in prev),
                new_n=sum(items[j].n for j in cur),
                glitches=sum(glitch[j] for j in range(prev[-1] + 1, cur[0])),
                flapping=new in values[: k - 1] or old in values[k + 1 :],
                overlap=old_last >= switch,
            )
        )
    return out, [items[i].index for i, g in enumerate(glitch) if g]


def _confidence(tr: _Transition, confirm_dates: int, extra: list[str]) -> tuple[str, str]:
    notes = list(extra)
    if tr.old_n < confirm_dates or tr.new_n < confirm_dates:
        notes.append(f"seen on {tr.old_n} then {tr.new_n} date(s) (< {confirm_dates})")
    if tr.glitches:
        notes.append(f"{tr.glitches} glitch run(s) around the switch")
    if tr.flapping:
        notes.append("flapping: a value comes back (A, B, A)")
    if tr.overlap:
        notes.append("both listed on the same date(s)")
    return ("probable" if notes else "confirmed"), "; ".join(notes)


def _iso(days: int) -> str:
    return days_to_date(days).isoformat()


def _groups(frame: pd.DataFrame, by: str, value: str) -> dict[int, list[_Item]]:
    order = frame.sort_values([by, "first", "last"], kind="stable")
    out: dict[int, list[_Item]] = {}
    for idx, key, val, first, last, n in zip(
        order.index,
        order[by],
        order[value],
        order["first"],
        order["last"],
        order["n"],
        strict=True,
    ):
        out.setdefault(int(key), []).append(
            _Item(int(idx), int(val), int(first), int(last), int(n))
        )
    return out


def find_events(
    obs: Observations, spells: Spells, *, max_glitch: int = 2, confirm_dates: int = 3
) -> tuple[pd.DataFrame, list[Finding], set[int]]:
    """Events and flapping findings from the spells.

    Args:
        obs: the observations (for the text of codes).
        spells: from :func:`~tickermap.history.spells.build_spells`.
        max_glitch: runs of at most this many dates can be glitches.
        confirm_dates: both sides of a change must last this many dates to be ``confirmed``.

    Returns:
        (events with :data:`EVENT_COLUMNS`, findings, spell rows that are glitches).
    """
    sp = spells.frame
    named = sp[sp["e"] >= 0]
    # only tickers (entities) with two or more spells can change; the rest need no Python loop
    by_t = named[named.groupby("t")["t"].transform("size").to_numpy() > 1]
    by_e = named[named.groupby("e")["e"].transform("size").to_numpy() > 1]
    rows: list[dict[str, object]] = []
    findings: list[Finding] = []
    glitch_rows: set[int] = set()
    ent, tick = obs.entities, obs.tickers
    blank = sp[sp["e"] < 0]
    blank_by_t = blank.groupby("t")
    blank_ticks = set(blank["t"].tolist())
    for t, items in _groups(by_t, "t", "e").items():
        trans, glitches = _transitions(items, max_glitch)
        glitch_rows.update(glitches)
        for g in glitches:
            findings.append(_flap(obs, sp, g, "entity", ent[_at(sp, g, "e")], tick[t]))
        for tr in trans:
            extra = []
            if t in blank_ticks:
                b = blank_by_t.get_group(t)
                inside = b[(b["first"] > tr.old_last) & (b["last"] < tr.switch)]
                if len(inside):
                    extra.append(f"entity empty on {int(inside['n'].sum())} date(s) before")
            conf, note = _confidence(tr, confirm_dates, extra)
            rows.append(_event("ticker_reused", tr, tick[t], ent[tr.new], ent[tr.old], conf, note))
    renamed_in: set[tuple[int, int]] = set()
    renamed_out: set[tuple[int, int]] = set()
    for e, items in _groups(by_e, "e", "t").items():
        trans, glitches = _transitions(items, max_glitch)
        glitch_rows.update(glitches)
        for g in glitches:
            findings.append(_flap(obs, sp, g, "ticker", tick[_at(sp, g, "t")], ent[e]))
        for tr in trans:
            conf, note = _confidence(tr, confirm_dates, [])
            rows.append(_event("renamed", tr, tick[tr.new], ent[e], tick[tr.old], conf, note))
            renamed_in.add((tr.new, e))
            renamed_out.add((tr.old, e))
    rows += _entries_exits(obs, spells, renamed_in, renamed_out)
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame = frame.sort_values(["date", "event", "ticker"], kind="stable").reset_index(drop=True)
    return frame, findings, glitch_rows


def _event(kind: str, tr: _Transition, ticker: str, entity: str, previous: str,
           conf: str, note: str) -> dict[str, object]:  # fmt: skip
    return {
        "event": kind,
        "date": _iso(tr.switch),
        "ticker": ticker,
        "entity": entity,
        "previous": previous,
        "previous_last_date": _iso(tr.old_last),
        "confidence": conf,
        "note": note,
    }


def _at(sp: pd.DataFrame, g: int, column: str) -> int:
    """An integer cell of the spells frame (its index is a RangeIndex)."""
    return int(sp[column].to_numpy()[g])


def _flap(obs: Observations, sp: pd.DataFrame, g: int, what: str, value: str, key: str) -> Finding:
    ticker, entity = (key, value) if what == "entity" else (value, key)
    n = _at(sp, g, "n")
    return Finding(
        "flapping",
        str(obs.files[_at(sp, g, "f")]),
        _at(sp, g, "row"),
        _iso(_at(sp, g, "first")),
        ticker,
        entity,
        n,
        f"{what} {value} for {n} date(s) between runs of another {what}: treated as "
        "a glitch (no event); the spell is kept",
    )


def _entries_exits(
    obs: Observations,
    spells: Spells,
    renamed_in: set[tuple[int, int]],
    renamed_out: set[tuple[int, int]],
) -> list[dict[str, object]]:
    sp, dates = spells.frame, spells.dates
    if not len(sp):
        return []
    start, end = int(dates[0]), int(dates[-1])
    by_t = sp.groupby("t", sort=True)
    rows: list[dict[str, object]] = []
    first = sp.loc[by_t["first"].idxmin()]
    for t, e, day in zip(first["t"].tolist(), first["e"].tolist(), first["first"].tolist(),
                         strict=True):  # fmt: skip
        if day > start and (t, e) not in renamed_in:
            rows.append(_edge("entered", obs, t, e, day, "first date in the universe"))
    last = sp.loc[by_t["last"].idxmax()]
    for t, e, day in zip(last["t"].tolist(), last["e"].tolist(), last["last"].tolist(),
                         strict=True):  # fmt: skip
        if day < end and (t, e) not in renamed_out:
            later = int(len(dates) - np.searchsorted(dates, day, side="right"))
            rows.append(_edge("exited", obs, t, e, day, f"absent from the {later} later date(s)"))
    return rows


def _edge(kind: str, obs: Observations, t: int, e: int, day: int, note: str) -> dict[str, object]:
    return {
        "event": kind,
        "date": _iso(day),
        "ticker": obs.tickers[t],
        "entity": obs.entities[e] if e >= 0 else "",
        "previous": "",
        "previous_last_date": "",
        "confidence": "confirmed",
        "note": note,
    }
