"""SYNTHETIC dated universes with known corporate events, for tests, the sample and the benchmark.

:func:`synthetic_universe` makes a weekly (Friday) v2.x-shaped universe (``date``,
``numerai_ticker``, ``composite_figi``) where some tickers are reused by a new entity (after a
gap of 0-8 weeks), some entities are renamed to a new ticker, some exit, and noise is added on
purpose: one-date entity glitches, empty entity cells and tickers absent for a few weeks. The
truth is returned beside the rows. Identifiers are random look-alikes that belong to nobody.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SyntheticTruth", "synthetic_universe"]

_FIGI_CHARS = np.array(list("BCDFGHJKLMNPQRSTVWXYZ0123456789"))


@dataclass
class SyntheticTruth:
    """What was put into a synthetic universe.

    Attributes:
        reuses: (ticker, old entity, new entity, switch date ISO).
        renames: (entity, old ticker, new ticker, switch date ISO).
        exits: (ticker, last date ISO).
        glitches: (ticker, date ISO) of one-date entity glitches.
        dates: every date (ISO).
    """

    reuses: list[tuple[str, str, str, str]] = field(default_factory=list)
    renames: list[tuple[str, str, str, str]] = field(default_factory=list)
    exits: list[tuple[str, str]] = field(default_factory=list)
    glitches: list[tuple[str, str]] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)


def _figis(rng: np.random.Generator, n: int) -> list[str]:
    body = rng.choice(_FIGI_CHARS, size=(n, 9))
    return ["BBG" + "".join(row) for row in body]


def _tickers(rng: np.random.Generator, n: int) -> list[str]:
    out: set[str] = set()
    letters = list(string.ascii_uppercase)
    while len(out) < n:
        out.add("".join(rng.choice(letters, size=int(rng.integers(2, 5)))))
    return sorted(out)


def synthetic_universe(
    *,
    n_tickers: int = 200,
    n_dates: int = 150,
    start: str = "2022-09-02",
    reuses: int = 10,
    renames: int = 5,
    exits: int = 5,
    glitches: int = 5,
    missing_share: float = 0.0,
    absent_share: float = 0.0,
    seed: int = 0,
) -> tuple[pd.DataFrame, SyntheticTruth]:
    """Rows ``date, numerai_ticker, composite_figi`` (one per ticker and date) and the truth.

    Args:
        n_tickers: tickers at the start.
        n_dates: weekly dates from ``start`` (a Friday).
        reuses, renames, exits: events of each kind (on distinct tickers).
        glitches: one-date entity glitches (on other tickers).
        missing_share: share of rows whose entity is left empty (noise; never a glitch row).
        absent_share: share of tickers absent for 1-3 weeks somewhere (gaps).
        seed: the random seed.
    """
    if reuses + renames + exits + glitches > n_tickers:
        raise ValueError("reuses + renames + exits + glitches must not exceed n_tickers")
    rng = np.random.default_rng(seed)
    day0 = dt.date.fromisoformat(start)
    dates = [day0 + dt.timedelta(weeks=i) for i in range(n_dates)]
    iso = [d.isoformat() for d in dates]
    names = _tickers(rng, n_tickers + renames)
    tickers, spare = names[:n_tickers], names[n_tickers:]
    ent = dict(zip(tickers, _figis(rng, n_tickers), strict=True))
    # per ticker: list of (entity, first index, last index inclusive)
    plan: dict[str, list[tuple[str, int, int]]] = {t: [(ent[t], 0, n_dates - 1)] for t in tickers}
    chosen = rng.permutation(n_tickers)
    k = 0
    truth = SyntheticTruth(dates=iso)
    lo, hi = n_dates // 5, n_dates - n_dates // 5
    for _ in range(reuses):
        t = tickers[chosen[k]]
        k += 1
        cut, gap = int(rng.integers(lo, hi)), int(rng.integers(0, 9))
        new = _figis(rng, 1)[0]
        plan[t] = [(ent[t], 0, cut - 1), (new, min(cut + gap, n_dates - 1), n_dates - 1)]
        truth.reuses.append((t, ent[t], new, iso[min(cut + gap, n_dates - 1)]))
    for i in range(renames):
        t = tickers[chosen[k]]
        k += 1
        cut = int(rng.integers(lo, hi))
        plan[t] = [(ent[t], 0, cut - 1)]
        plan[spare[i]] = [(ent[t], cut, n_dates - 1)]
        truth.renames.append((ent[t], t, spare[i], iso[cut]))
    for _ in range(exits):
        t = tickers[chosen[k]]
        k += 1
        cut = int(rng.integers(lo, hi))
        plan[t] = [(ent[t], 0, cut)]
        truth.exits.append((t, iso[cut]))
    glitch_at: dict[str, int] = {}
    for _ in range(glitches):
        t = tickers[chosen[k]]
        k += 1
        glitch_at[t] = int(rng.integers(2, n_dates - 2))
        truth.glitches.append((t, iso[glitch_at[t]]))
    absent: dict[str, range] = {}
    for j in chosen[k:]:
        if rng.random() < absent_share:
            s = int(rng.integers(1, n_dates - 4))
            absent[tickers[j]] = range(s, s + int(rng.integers(1, 4)))
    col_d, col_t, col_e, col_g = [], [], [], []
    for t, spells in plan.items():
        for entity, a, b in spells:
            for i in range(a, b + 1):
                if i in absent.get(t, ()):
                    continue
                col_d.append(iso[i])
                col_t.append(f"{t} US")
                col_g.append(glitch_at.get(t) == i)
                col_e.append(_figis(rng, 1)[0] if col_g[-1] else entity)
    frame = pd.DataFrame({"date": col_d, "numerai_ticker": col_t, "composite_figi": col_e})
    if missing_share > 0:
        blank = (rng.random(len(frame)) < missing_share) & ~np.array(col_g, dtype=bool)
        frame.loc[blank, "composite_figi"] = None
    truth.reuses = [(f"{t} US", a, b, d) for t, a, b, d in truth.reuses]
    truth.renames = [(e, f"{a} US", f"{b} US", d) for e, a, b, d in truth.renames]
    truth.exits = [(f"{t} US", d) for t, d in truth.exits]
    truth.glitches = [(f"{t} US", d) for t, d in truth.glitches]
    frame = frame.sort_values(["date", "numerai_ticker"], kind="stable").reset_index(drop=True)
    return frame, truth
