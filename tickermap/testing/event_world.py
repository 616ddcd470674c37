"""An independent, seeded world of corporate events for measuring the event verdicts.

Written apart from the labelled test bed (:mod:`tickermap.testing.testbed`): its own company
names (syllables, not word lists), tickers and listing layout, and the events are applied through
the emulator's world ``events`` option (:func:`tickermap.emulator.world.apply_events`) rather than
by editing records. The maps describe the world as it was BEFORE the events (two witnesses that
agree, as stale community maps do); the world answers as it is after them.

Kinds (``kind`` label / ``variant``):

- ``delisted`` / ``nothing``: the FIGIs answer nothing (the observed OpenFIGI behaviour);
- ``delisted`` / ``placeholder``: the FIGIs answer with a ``1234567D``-style ticker (assumed);
- ``renamed`` / ``ticker``: same FIGI and name, new ticker;
- ``renamed`` / ``full_isin`` and ``full_no_isin``: new ticker and new name; the map row with or
  without its ISIN;
- ``ticker_reused`` / ``nothing`` and ``placeholder``: the old holder delisted (either way), the
  ticker reissued to another company;
- ``error`` / ``figi_unknown`` and ``other_security``: map A (only) is wrong: a random valid FIGI,
  or another company's FIGIs; these must stay map errors, never events;
- ``ok``: a clean listing.

Everything is SYNTHETIC (valid check digits, owned by nobody). No I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tickermap.testing.synthetic import isin_with_check, random_cusip, random_figi, random_sedol

__all__ = ["EVENT_KINDS", "EventWorld", "make_event_world", "score_events"]

EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "delisted": ("nothing", "placeholder"),
    "renamed": ("ticker", "full_isin", "full_no_isin"),
    "ticker_reused": ("nothing", "placeholder"),
}
"""Each event label and its variants (module docstring)."""

_MARKETS = {  # composite code: (ISIN country, venue codes, numeric tickers)
    "US": ("US", ("UN", "UW", "UQ"), False),
    "LN": ("GB", (), False),
    "JP": ("JP", ("JT",), True),
    "GR": ("DE", ("GY", "GF"), False),
    "CN": ("CA", ("CT",), False),
}
_SUFFIX = {"US": "INC", "LN": "PLC", "JP": "CORP", "GR": "AG", "CN": "LTD"}
_SECTORS = ("MOTORS", "FOODS", "ENERGY", "CAPITAL", "MINING", "LABS", "RETAIL", "SYSTEMS")
_CONS = "BDFGKLMNPRSTVZ"
_VOWELS = "AEIOU"
_COLUMNS = ["bloomberg_ticker", "name_ticker", "isin", "figi", "share_class_figi", "composite_figi"]


@dataclass
class EventWorld:
    """The world file, the universe, two maps and the labels.

    Attributes:
        world: ``{"synthetic", "note", "records", "events"}`` (emulator world format).
        universe: ``bloomberg_ticker``.
        maps: ``map_a`` (every ticker) and ``map_b`` (about 75%), ``signals_map`` columns.
        labels: ``bloomberg_ticker, kind, variant`` (``kind`` is ``ok`` for clean tickers).
    """

    world: dict[str, Any]
    universe: pd.DataFrame
    maps: dict[str, pd.DataFrame]
    labels: pd.DataFrame


@dataclass
class _Gen:
    rng: random.Random
    used_tickers: set[tuple[str, str]] = field(default_factory=set)
    used_names: set[str] = field(default_factory=set)
    used_ids: set[str] = field(default_factory=set)
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def uid(self, make: Any) -> str:
        while True:
            value = str(make())
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def name(self, market: str) -> str:
        while True:
            word = "".join(
                self.rng.choice(_CONS) + self.rng.choice(_VOWELS)
                for _ in range(self.rng.randint(2, 3))
            ) + self.rng.choice(_CONS)
            name = f"{word} {self.rng.choice(_SECTORS)} {_SUFFIX[market]}"
            if word not in self.used_names:
                self.used_names.add(word)
                return name

    def ticker(self, market: str) -> str:
        while True:
            if _MARKETS[market][2]:
                t = str(self.rng.randint(1000, 9999))
            else:
                t = "".join(self.rng.choice(_CONS + _VOWELS) for _ in range(self.rng.randint(2, 4)))
            if (t, market) not in self.used_tickers:
                self.used_tickers.add((t, market))
                return t

    def listing(self, market: str, ticker: str, name: str) -> dict[str, Any]:
        """Emit a composite row and its venue rows; return the composite row."""
        country, venues, _ = _MARKETS[market]
        if country in ("US", "CA"):
            cusip = self.uid(lambda: random_cusip(self.rng, issue="10"))
            isin = isin_with_check(country + cusip)
        elif country == "GB":  # GB ISINs embed the SEDOL
            cusip = ""
            isin = self.uid(lambda: isin_with_check("GB00" + random_sedol(self.rng)))
        else:
            cusip = ""
            isin = self.uid(lambda: isin_with_check(country + f"{self.rng.randrange(10**9):09d}"))
        composite = self.uid(lambda: random_figi(self.rng))
        base = {
            "name": name,
            "ticker": ticker,
            "compositeFIGI": composite,
            "securityType": "Common Stock",
            "marketSector": "Equity",
            "shareClassFIGI": self.uid(lambda: random_figi(self.rng)),
            "securityType2": "Common Stock",
            "securityDescription": ticker,
            "isins": [isin],
            "cusips": [cusip] if cusip else [],
        }
        comp = {"figi": composite, "exchCode": market, **base}
        self.records.append(comp)
        for code in self.rng.sample(venues, self.rng.randint(0, len(venues))):
            self.records.append(
                {"figi": self.uid(lambda: random_figi(self.rng)), "exchCode": code, **base}
            )
        return comp


def _variant(rng: random.Random, name: str) -> str:
    """How a community map spells a name: case, punctuation, a dropped legal suffix."""
    words = name.split()
    roll = rng.random()
    if roll < 0.3:
        return " ".join(words).title()
    if roll < 0.5:
        return " ".join(words[:-1]).title()
    if roll < 0.6:
        return " ".join(words[:-1]) + f" {words[-1].title()}."
    return name


def _row(rec: dict[str, Any], ticker: str, name: str, *, isin: bool = True) -> dict[str, Any]:
    return {
        "bloomberg_ticker": ticker,
        "name_ticker": name,
        "isin": rec["isins"][0] if isin else None,
        "figi": rec["figi"],
        "share_class_figi": rec["shareClassFIGI"],
        "composite_figi": rec["compositeFIGI"],
    }


def _case(g: _Gen, kind: str, variant: str) -> tuple[str, dict[str, Any], bool]:
    """Build one ticker; returns the ticker, the (pre-event) map row and whether it has an ISIN."""
    market = g.rng.choice(list(_MARKETS))
    root = g.ticker(market)
    rec = g.listing(market, root, g.name(market))
    ticker = f"{root} {market}"
    has_isin = variant != "full_no_isin" and (kind != "ok" or g.rng.random() < 0.85)
    if kind == "delisted":
        g.events.append({"event": "delisted", "figi": rec["figi"], "answer": variant})
    elif kind == "renamed":
        ev = {"event": "renamed", "figi": rec["figi"], "ticker": g.ticker(market)}
        if variant != "ticker":
            ev["name"] = g.name(market)
        g.events.append(ev)
    elif kind == "ticker_reused":
        g.events.append({"event": "delisted", "figi": rec["figi"], "answer": variant})
        g.listing(market, root, g.name(market))
    return ticker, rec, has_isin


def _damage(g: _Gen, row: dict[str, Any], variant: str) -> dict[str, Any]:
    """Map A's wrong row for an ``error`` ticker."""
    bad = dict(row)
    if variant == "figi_unknown":
        bad["figi"] = bad["composite_figi"] = g.uid(lambda: random_figi(g.rng))
    else:
        other = g.rng.choice([r for r in g.records if r["figi"] != row["figi"]])
        bad["figi"] = bad["composite_figi"] = other["compositeFIGI"]
        bad["share_class_figi"] = other["shareClassFIGI"]
    return bad


def make_event_world(
    n_tickers: int = 600, *, seed: int = 0, event_share: float = 0.5, error_share: float = 0.05
) -> EventWorld:
    """Build a seeded :class:`EventWorld`.

    Args:
        n_tickers: universe size.
        seed: the random seed (same seed, same world).
        event_share: share of tickers with an event, spread evenly over every variant of
            :data:`EVENT_KINDS`.
        error_share: share of tickers whose map A row is damaged (``error`` kind).
    """
    rng = random.Random(seed)
    g = _Gen(rng)
    variants = [(k, v) for k, vs in EVENT_KINDS.items() for v in vs]
    n_events = round(n_tickers * event_share)
    plan = [variants[i % len(variants)] for i in range(n_events)]
    n_errors = round(n_tickers * error_share)
    plan += [("error", ("figi_unknown", "other_security")[i % 2]) for i in range(n_errors)]
    plan += [("ok", "")] * (n_tickers - n_events - n_errors)
    rng.shuffle(plan)
    universe, rows_a, rows_b, labels = [], [], [], []
    for kind, variant in plan:
        ticker, rec, has_isin = _case(g, kind, variant)
        universe.append(ticker)
        row = _row(rec, ticker, _variant(rng, rec["name"]), isin=has_isin)
        rows_a.append(_damage(g, row, variant) if kind == "error" else row)
        if rng.random() < 0.75:
            b_isin = has_isin and rng.random() < 0.8
            rows_b.append(_row(rec, ticker, _variant(rng, rec["name"]), isin=b_isin))
        labels.append({"bloomberg_ticker": ticker, "kind": kind, "variant": variant})
    world = {
        "synthetic": True,
        "note": f"SYNTHETIC event world (seed {seed}); names and identifiers are invented.",
        "records": g.records,
        "events": g.events,
    }
    return EventWorld(
        world=world,
        universe=pd.DataFrame({"bloomberg_ticker": universe}),
        maps={
            "map_a": pd.DataFrame(rows_a, columns=_COLUMNS),
            "map_b": pd.DataFrame(rows_b, columns=_COLUMNS),
        },
        labels=pd.DataFrame(labels),
    )


def score_events(universe: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Recall and precision of each event per kind and variant, and the clean rows flagged.

    Args:
        universe: reconcile output (``bloomberg_ticker``, ``status``, ``reasons``).
        labels: :attr:`EventWorld.labels`.

    Returns:
        ``kind, variant, tickers, named, recall, flagged, precision, as_error`` where ``named``
        counts tickers whose reasons include the kind, ``flagged`` every ticker given the kind
        (the precision's denominator, per kind), ``as_error`` those given an ``error`` code; the
        ``ok`` rows count clean tickers whose status is not ``ok`` in ``named``, the ``error``
        rows damaged tickers called an event.
    """
    from tickermap.reasons import REASONS, Reason

    errors = {str(r) for r, info in REASONS.items() if info.kind == "error"}
    events = {str(r) for r, info in REASONS.items() if info.kind == "event"}
    got = dict(
        zip(
            universe["bloomberg_ticker"],
            universe["reasons"].astype(str).str.split(";"),
            strict=True,
        )
    )
    status = dict(zip(universe["bloomberg_ticker"], universe["status"], strict=True))
    rows = []
    for (kind, variant), grp in labels.groupby(["kind", "variant"], sort=False):
        tickers = list(grp["bloomberg_ticker"])
        if kind == "ok":
            named = sum(status[t] != str(Reason.OK) for t in tickers)
            flagged, precision = len(tickers), float("nan")
        elif kind == "error":  # named: called an event instead of an error
            named = sum(bool(events & set(got[t])) for t in tickers)
            flagged, precision = len(tickers), float("nan")
        else:
            named = sum(kind in got[t] for t in tickers)
            flagged = sum(kind in r for r in got.values())
            all_kind = set(labels.loc[labels["kind"] == kind, "bloomberg_ticker"])
            tp = sum(kind in got[t] for t in all_kind)
            precision = tp / flagged if flagged else float("nan")
        rows.append(
            {
                "kind": kind,
                "variant": variant,
                "tickers": len(tickers),
                "named": named,
                "recall": named / len(tickers),
                "flagged": flagged,
                "precision": precision,
                "as_error": sum(bool(errors & set(got[t])) for t in tickers),
            }
        )
    return pd.DataFrame(rows).sort_values(["kind", "variant"]).reset_index(drop=True)
