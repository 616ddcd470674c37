"""A seeded, labelled test bed for reconciliation: a synthetic world plus community maps with
injected errors of every kind the reconcile step must detect.

Everything here is SYNTHETIC: company names, tickers, FIGIs and ISINs are generated (with valid
check digits) and only look like real ones. The world is in the emulator's JSON format
(``tickermap.emulator.world``, built by :mod:`tickermap.testing.world_builder`); the maps use the
``signals_map`` preset columns. ``labels`` says, per ticker, which error was injected into which
map, so precision and recall can be measured per reason code (``scripts/bench_reconcile.py``,
``tests/test_reconcile.py``). The injectable codes are :data:`tickermap.reasons.INJECTABLE`.

This module must not do I/O except in :func:`write_testbed`, and must not touch the network.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tickermap.reasons import INJECTABLE, Reason
from tickermap.tables import write_table
from tickermap.testing.world_builder import (
    EXCHANGES,
    Listing,
    WorldBuilder,
    corrupt_figi,
    map_row,
)

__all__ = ["INJECTABLE", "Testbed", "make_testbed", "write_testbed"]

_MAP_COLUMNS = [
    "bloomberg_ticker",
    "name_ticker",
    "isin",
    "figi",
    "share_class_figi",
    "composite_figi",
]
_EVENTS_KEPT_BY_B = (Reason.RENAMED, Reason.TICKER_REUSED, Reason.DELISTED, Reason.AMBIGUOUS)
"""Cases the second witness repeats as map A has them (the world changed, not the map)."""


@dataclass
class Testbed:
    """A synthetic world, a universe, two community maps and the ground truth.

    Attributes:
        world: emulator world (``{"synthetic": true, "records": [...]}``).
        universe: ``bloomberg_ticker`` per row.
        maps: name -> community map in the ``signals_map`` preset columns.
        labels: ``bloomberg_ticker, source, injected, detail``; one row per injected error,
            ``injected == "ok"`` rows for clean tickers.
        truth: ``bloomberg_ticker, composite_figi, share_class_figi, isin, name`` as the world
            holds them for the ticker's rightful security (empty when it has none).
    """

    __test__ = False  # not a pytest test class, despite its name

    world: dict[str, object]
    universe: pd.DataFrame
    maps: dict[str, pd.DataFrame]
    labels: pd.DataFrame
    truth: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class _Case:
    """One universe ticker being built: its listing, map A's row and what the world holds."""

    b: WorldBuilder
    pool: list[Listing]
    code: str
    lst: Listing
    ticker: str
    row: dict[str, object]
    world_lst: Listing | None
    detail: str = ""

    @property
    def rng(self) -> random.Random:
        return self.b.rng


def _figi_invalid(c: _Case) -> None:
    c.row["composite_figi"] = c.row["figi"] = corrupt_figi(c.lst.composite, c.rng)


def _figi_unknown(c: _Case) -> None:
    c.row["composite_figi"] = c.row["figi"] = c.b.ids.figi()


def _figi_other_security(c: _Case) -> None:
    other = c.rng.choice(c.pool)
    c.row.update(
        figi=other.composite, composite_figi=other.composite, share_class_figi=other.share_class
    )
    c.detail = f"FIGIs of {other.name}"


def _wrong_listing(c: _Case) -> None:
    abroad = c.b.listing(
        c.rng.choice([x for x in EXCHANGES if x != c.code]),
        company=c.lst.company,
        name=c.lst.name,
        share_class=c.lst.share_class,
        isin=c.lst.isin,
    )
    c.b.emit(abroad)
    c.row.update(figi=abroad.composite, composite_figi=abroad.composite)
    c.detail = f"composite of {abroad.root} {abroad.code}"


def _wrong_share_class(c: _Case) -> None:
    alpha = EXCHANGES[c.code][2] == "alpha"
    root = f"{c.lst.root}/B" if alpha else None
    cls_b = c.b.listing(c.code, company=c.lst.company, name=c.lst.name, root=root)
    c.b.emit(cls_b)
    c.row.update(
        figi=cls_b.composite,
        composite_figi=cls_b.composite,
        share_class_figi=cls_b.share_class,
        isin=cls_b.isin,
    )
    c.detail = f"class of {cls_b.root} {cls_b.code}"


def _isin_conflict(c: _Case) -> None:
    other = c.rng.choice([p for p in c.pool if p.code != c.code] or c.pool)
    c.row["isin"] = other.isin
    c.detail = f"ISIN of {other.name}"


def _name_conflict(c: _Case) -> None:
    other = c.rng.choice(c.pool)
    c.row["name_ticker"] = c.b.variant(other.name)
    c.detail = f"name of {other.root} {other.code}"


def _renamed(c: _Case) -> None:
    c.lst.ticker = c.b.root(c.code)
    c.lst.name = c.b.name(c.code)
    c.detail = f"now {c.lst.ticker} {c.code}"


def _ticker_reused(c: _Case) -> None:
    c.lst.ticker = f"{c.rng.randint(1000000, 9999999)}D"  # Bloomberg-style delisted re-tick
    c.b.emit(c.lst)
    new = c.b.listing(c.code, root=c.lst.root)
    c.world_lst = new
    c.detail = f"ticker now on {new.name}"


def _delisted(c: _Case) -> None:
    c.lst.ticker = f"{c.rng.randint(1000000, 9999999)}D"


def _ambiguous(c: _Case) -> None:
    twin = c.b.listing(c.code, root=c.lst.root, name=c.lst.name + " PFD")
    c.b.emit(twin)


def _no_data(c: _Case) -> None:
    c.world_lst = None
    c.row = {}


_INJECT: dict[Reason, Callable[[_Case], None]] = {
    Reason.FIGI_INVALID: _figi_invalid,
    Reason.FIGI_UNKNOWN: _figi_unknown,
    Reason.FIGI_OTHER_SECURITY: _figi_other_security,
    Reason.WRONG_LISTING: _wrong_listing,
    Reason.WRONG_SHARE_CLASS: _wrong_share_class,
    Reason.ISIN_CONFLICT: _isin_conflict,
    Reason.NAME_CONFLICT: _name_conflict,
    Reason.RENAMED: _renamed,
    Reason.TICKER_REUSED: _ticker_reused,
    Reason.DELISTED: _delisted,
    Reason.AMBIGUOUS: _ambiguous,
    Reason.NO_DATA: _no_data,
}
"""How each injectable code damages map A or changes the world (keys: :data:`INJECTABLE`)."""


def _plan(rng: random.Random, n_tickers: int, error_rate: float) -> list[Reason]:
    """Which code each ticker gets (``ok`` for clean ones), spread evenly and shuffled."""
    n_err = max(len(INJECTABLE), round(n_tickers * error_rate))
    plan = [INJECTABLE[i % len(INJECTABLE)] for i in range(n_err)]
    plan += [Reason.OK] * max(0, n_tickers - n_err)
    rng.shuffle(plan)
    return plan


@dataclass
class _Parts:
    universe: list[str] = field(default_factory=list)
    rows_a: list[dict[str, object]] = field(default_factory=list)
    rows_b: list[dict[str, object]] = field(default_factory=list)
    labels: list[dict[str, str]] = field(default_factory=list)
    truth: list[dict[str, str]] = field(default_factory=list)


def _add_ticker(b: WorldBuilder, pool: list[Listing], kind: Reason, out: _Parts) -> None:
    """Build one universe ticker with ``kind`` injected; append its rows, label and truth."""
    code = b.rng.choice(list(EXCHANGES))
    lst = b.listing(code)
    ticker = f"{lst.root} {code}"
    row = map_row(lst, ticker, b.variant(lst.name))
    good = dict(row)
    case = _Case(b, pool, code, lst, ticker, row, lst)
    if kind in _INJECT:
        _INJECT[kind](case)
    if case.world_lst is not None:
        b.emit(case.world_lst)
    out.universe.append(ticker)
    if case.row:
        out.rows_a.append(case.row)
    # The second witness is clean (but covers only ~70% of tickers): it agrees with the
    # truth where map A was damaged, so witness disagreement is visible.
    if kind != Reason.NO_DATA and b.rng.random() < 0.7:
        out.rows_b.append(dict(case.row) if kind in _EVENTS_KEPT_BY_B else good)
    out.labels.append(
        {
            "bloomberg_ticker": ticker,
            "source": "map_a",
            "injected": str(kind),
            "detail": case.detail,
        }
    )
    w = case.world_lst
    out.truth.append(
        {
            "bloomberg_ticker": ticker,
            "composite_figi": w.composite if w else "",
            "share_class_figi": w.share_class if w else "",
            "isin": w.isin if w else "",
            "name": w.name if w else "",
        }
    )


def make_testbed(n_tickers: int = 400, *, seed: int = 0, error_rate: float = 0.25) -> Testbed:
    """Build a labelled test bed.

    Args:
        n_tickers: approximate number of universe tickers.
        seed: the random seed; the same seed gives the same test bed.
        error_rate: share of tickers that receive an injected error (spread evenly over
            :data:`INJECTABLE`).

    Returns:
        The :class:`Testbed`.
    """
    b = WorldBuilder(seed)
    plan = _plan(b.rng, n_tickers, error_rate)
    # A pool of clean listings that injected errors can borrow identifiers from.
    pool = [b.listing(b.rng.choice(list(EXCHANGES))) for _ in range(max(50, n_tickers // 4))]
    for lst in pool:
        b.emit(lst)
    parts = _Parts()
    for kind in plan:
        _add_ticker(b, pool, kind, parts)
    world: dict[str, object] = {
        "synthetic": True,
        "note": f"SYNTHETIC test bed (seed {seed}); names and identifiers are invented.",
        "records": b.records,
    }
    return Testbed(
        world=world,
        universe=pd.DataFrame({"bloomberg_ticker": parts.universe}),
        maps={
            "map_a": pd.DataFrame(parts.rows_a, columns=_MAP_COLUMNS),
            "map_b": pd.DataFrame(parts.rows_b, columns=_MAP_COLUMNS),
        },
        labels=pd.DataFrame(parts.labels),
        truth=pd.DataFrame(parts.truth),
    )


def write_testbed(tb: Testbed, folder: str | Path) -> dict[str, Path]:
    """Write the test bed's files into ``folder``; return their paths by role."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "world": out / "world.json",
        "universe": out / "universe.csv",
        "labels": out / "labels.csv",
        "truth": out / "truth.csv",
    }
    paths["world"].write_text(json.dumps(tb.world, indent=1))
    write_table(tb.universe, paths["universe"])
    write_table(tb.labels, paths["labels"])
    write_table(tb.truth, paths["truth"])
    for name, frame in tb.maps.items():
        paths[name] = write_table(frame, out / f"{name}.csv")
    return paths
