"""A seeded, labelled test bed for reconciliation: a synthetic world plus community maps with
injected errors of every kind the reconcile step must detect.

Everything here is SYNTHETIC: company names, tickers, FIGIs and ISINs are generated (with valid
check digits) and only look like real ones. The world is in the emulator's JSON format
(``tickermap.emulator.world``); the maps use the ``signals_map`` preset columns. ``labels`` says,
per
ticker, which error was injected into which map, so precision and recall can be measured per
reason code (``scripts/bench_reconcile.py``, ``tests/test_reconcile.py``).

This module must not do I/O except in :func:`write_testbed`, and must not touch the network.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tickermap.tables import write_table
from tickermap.testing.synthetic import SyntheticIds, corrupt_figi

__all__ = ["INJECTABLE", "Testbed", "make_testbed", "write_testbed"]

# Composite code -> (ISIN country, venue exchange codes, ticker style). Venue codes follow
# OpenFIGI's exchange-code table (KS has KOSPI "KP"/"KS"? venues; we use the codes the
# exchanges table lists when they exist, the style only shapes the synthetic roots).
_EXCHANGES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "US": ("US", ("UN", "UW"), "alpha"),
    "LN": ("GB", ("LN",), "alpha"),
    "CN": ("CA", ("CT", "CV"), "alpha"),
    "GR": ("DE", ("GY", "GF"), "alpha"),
    "FP": ("FR", ("FP",), "alpha"),
    "AU": ("AU", ("AT",), "alpha"),
    "SS": ("SE", ("SS",), "alpha"),
    "JP": ("JP", ("JT",), "num4"),
    "TT": ("TW", ("TT",), "num4"),
    "HK": ("HK", ("HK",), "num_hk"),
    "KS": ("KR", ("KP", "KQ"), "num6"),
}

_WORDS_A = [
    "ALPINE",
    "BOREAL",
    "CEDAR",
    "DELTA",
    "EMBER",
    "FJORD",
    "GRANITE",
    "HARBOR",
    "IVORY",
    "JUNIPER",
    "KESTREL",
    "LUMEN",
    "MERIDIAN",
    "NORTHSTAR",
    "ONYX",
    "PINNACLE",
    "QUARRY",
    "RIVERSIDE",
    "SUMMIT",
    "TIDEWATER",
    "UPLAND",
    "VERTEX",
    "WILLOW",
    "XENON",
    "YARROW",
    "ZEPHYR",
    "AURORA",
    "BEACON",
    "CITADEL",
    "DYNAMO",
    "ECLIPSE",
    "FALCON",
    "GALAXY",
    "HORIZON",
    "ISLAND",
    "JASPER",
    "KEYSTONE",
    "LIBERTY",
    "MONARCH",
    "NEBULA",
    "ORCHID",
    "PRAIRIE",
    "QUASAR",
    "REDWOOD",
    "SAPPHIRE",
    "TUNDRA",
    "UNITY",
    "VALOR",
    "WESTGATE",
    "ZENITH",
]
_WORDS_B = [
    "MINING",
    "ENERGY",
    "BANK",
    "PHARMA",
    "FOODS",
    "MOTORS",
    "STEEL",
    "TELECOM",
    "RETAIL",
    "CHEMICAL",
    "SHIPPING",
    "SOFTWARE",
    "INSURANCE",
    "PAPER",
    "TEXTILES",
    "POWER",
    "LOGISTICS",
    "BREWERIES",
    "CEMENT",
    "ELECTRONICS",
]
_MIDDLE = ["", "", "", "HOLDINGS", "INTERNATIONAL", "GROUP", "TECHNOLOGIES", "INDUSTRIES"]
_ABBREVIATIONS = {
    "HOLDINGS": "HLDGS",
    "INTERNATIONAL": "INTL",
    "GROUP": "GRP",
    "TECHNOLOGIES": "TECH",
    "INDUSTRIES": "INDS",
    "CORPORATION": "CORP",
}
_FORMS = {
    "US": ["INC", "CORP", "CO"],
    "LN": ["PLC"],
    "CN": ["INC", "LTD", "CORP"],
    "GR": ["AG", "SE"],
    "FP": ["SA"],
    "AU": ["LTD"],
    "SS": ["AB"],
    "JP": ["CO LTD", "CORP", "KK"],
    "TT": ["CO LTD", "CORP"],
    "HK": ["LTD", "HOLDINGS LTD"],
    "KS": ["CO LTD", "CORP"],
}

INJECTABLE = (
    "figi_invalid",
    "figi_unknown",
    "figi_other_security",
    "wrong_listing",
    "wrong_share_class",
    "isin_conflict",
    "name_conflict",
    "renamed",
    "ticker_reused",
    "delisted",
    "ambiguous",
    "no_data",
)
"""Reason codes the test bed injects (one per affected ticker)."""


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
class _Listing:
    company: int
    code: str
    root: str
    composite: str
    venues: list[tuple[str, str]]  # (venue code, venue figi)
    share_class: str
    isin: str
    name: str
    ticker: str  # current ticker in the world (differs from root after rename/delisting)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = SyntheticIds(self.rng)
        self.records: list[dict[str, object]] = []
        self.used_roots: set[tuple[str, str]] = set()
        self.used_names: set[str] = set()
        self.company = 0

    def root(self, code: str) -> str:
        style = _EXCHANGES[code][2]
        while True:
            if style == "alpha":
                root = "".join(self.rng.choice(string.ascii_uppercase) for _ in range(3))
            elif style == "num4":
                root = str(self.rng.randint(1000, 9999))
            elif style == "num_hk":
                root = str(self.rng.randint(1, 3999))
            else:
                root = f"{self.rng.randint(1, 999999):06d}"
            if (root, code) not in self.used_roots:
                self.used_roots.add((root, code))
                return root

    def name(self, code: str) -> str:
        while True:
            words = [self.rng.choice(_WORDS_A), self.rng.choice(_WORDS_B)]
            if len(self.used_names) > 600 or self.rng.random() < 0.3:
                words.insert(1, self.rng.choice(_WORDS_A))  # 50 x 50 x 20 more names
            base = " ".join(words)
            if base not in self.used_names:
                self.used_names.add(base)
                middle = self.rng.choice(_MIDDLE)
                return " ".join(x for x in (base, middle, self.rng.choice(_FORMS[code])) if x)

    def variant(self, name: str) -> str:
        """How a community map might write the same company (abbreviated, no legal form)."""
        roll = self.rng.random()
        if roll < 0.25:
            for long, short in _ABBREVIATIONS.items():
                name = name.replace(long, short)
        elif roll < 0.4:
            name = name.rsplit(" ", 1)[0] if " " in name else name
        elif roll < 0.5:
            name = name.title()
        return name

    def listing(
        self,
        code: str,
        *,
        company: int | None = None,
        root: str | None = None,
        name: str | None = None,
        share_class: str | None = None,
        isin: str | None = None,
    ) -> _Listing:
        if company is None:
            self.company += 1
            company = self.company
        country, venue_codes, _ = _EXCHANGES[code]
        root = root or self.root(code)
        venues = [
            (v, self.ids.figi()) for v in venue_codes[: self.rng.randint(1, len(venue_codes))]
        ]
        return _Listing(
            company=company,
            code=code,
            root=root,
            composite=self.ids.figi(),
            venues=venues,
            share_class=share_class or self.ids.figi(),
            isin=isin or self.ids.isin(country),
            name=name or self.name(code),
            ticker=root,
        )

    def emit(self, lst: _Listing, *, isins: bool = True) -> None:
        """Write the listing's composite and venue rows into the world."""
        base = {
            "name": lst.name[:28].rstrip(),
            "ticker": lst.ticker,
            "shareClassFIGI": lst.share_class,
            "compositeFIGI": lst.composite,
            "securityType": "Common Stock",
            "securityType2": "Common Stock",
            "marketSector": "Equity",
            "securityDescription": lst.ticker,
            "isins": [lst.isin] if isins else [],
        }
        self.records.append({"figi": lst.composite, "exchCode": lst.code, **base})
        for venue, figi in lst.venues:
            if venue != lst.code:
                self.records.append({"figi": figi, "exchCode": venue, **base})


def _map_row(lst: _Listing, ticker: str, name: str | None = None) -> dict[str, object]:
    return {
        "bloomberg_ticker": ticker,
        "name_ticker": name or lst.name,
        "isin": lst.isin,
        "figi": lst.composite,
        "share_class_figi": lst.share_class,
        "composite_figi": lst.composite,
    }


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
    b = _Builder(seed)
    rng = b.rng
    codes = list(_EXCHANGES)
    n_err = max(len(INJECTABLE), round(n_tickers * error_rate))
    plan = [INJECTABLE[i % len(INJECTABLE)] for i in range(n_err)]
    plan += ["ok"] * max(0, n_tickers - n_err)
    rng.shuffle(plan)

    # A pool of clean listings that injected errors can borrow identifiers from.
    pool = [b.listing(rng.choice(codes)) for _ in range(max(50, n_tickers // 4))]
    for lst in pool:
        b.emit(lst)

    universe: list[str] = []
    rows_a: list[dict[str, object]] = []
    rows_b: list[dict[str, object]] = []
    labels: list[dict[str, str]] = []
    truth: list[dict[str, str]] = []

    for kind in plan:
        code = rng.choice(codes)
        lst = b.listing(code)
        ticker = f"{lst.root} {code}"
        row = _map_row(lst, ticker, b.variant(lst.name))
        good = dict(row)
        detail = ""
        world_lst: _Listing | None = lst
        if kind == "figi_invalid":
            row["composite_figi"] = row["figi"] = corrupt_figi(lst.composite, rng)
        elif kind == "figi_unknown":
            row["composite_figi"] = row["figi"] = b.ids.figi()
        elif kind == "figi_other_security":
            other = rng.choice(pool)
            row.update(
                figi=other.composite,
                composite_figi=other.composite,
                share_class_figi=other.share_class,
            )
            detail = f"FIGIs of {other.name}"
        elif kind == "wrong_listing":
            abroad = b.listing(
                rng.choice([c for c in codes if c != code]),
                company=lst.company,
                name=lst.name,
                share_class=lst.share_class,
                isin=lst.isin,
            )
            b.emit(abroad)
            row.update(figi=abroad.composite, composite_figi=abroad.composite)
            detail = f"composite of {abroad.root} {abroad.code}"
        elif kind == "wrong_share_class":
            alpha = _EXCHANGES[code][2] == "alpha"
            cls_b = b.listing(
                code, company=lst.company, name=lst.name, root=f"{lst.root}/B" if alpha else None
            )
            b.emit(cls_b)
            row.update(
                figi=cls_b.composite,
                composite_figi=cls_b.composite,
                share_class_figi=cls_b.share_class,
                isin=cls_b.isin,
            )
            detail = f"class of {cls_b.root} {cls_b.code}"
        elif kind == "isin_conflict":
            other = rng.choice([p for p in pool if p.code != code] or pool)
            row["isin"] = other.isin
            detail = f"ISIN of {other.name}"
        elif kind == "name_conflict":
            other = rng.choice(pool)
            row["name_ticker"] = b.variant(other.name)
            detail = f"name of {other.root} {other.code}"
        elif kind == "renamed":
            lst.ticker = b.root(code)
            lst.name = b.name(code)
            detail = f"now {lst.ticker} {code}"
        elif kind == "ticker_reused":
            old = lst
            old.ticker = f"{rng.randint(1000000, 9999999)}D"  # Bloomberg-style delisted re-tick
            b.emit(old)
            new = b.listing(code, root=lst.root)
            world_lst = new
            detail = f"ticker now on {new.name}"
        elif kind == "delisted":
            lst.ticker = f"{rng.randint(1000000, 9999999)}D"
        elif kind == "ambiguous":
            twin = b.listing(code, root=lst.root, name=lst.name + " PFD")
            b.emit(twin)
        elif kind == "no_data":
            world_lst = None
            row = {}
        if world_lst is not None:
            b.emit(world_lst)
        universe.append(ticker)
        if row:
            rows_a.append(row)
        # The second witness is clean (but covers only ~70% of tickers): it agrees with the
        # truth where map A was damaged, so witness disagreement is visible.
        if kind != "no_data" and rng.random() < 0.7:
            events = ("renamed", "ticker_reused", "delisted", "ambiguous")
            rows_b.append(dict(row) if kind in events else good)
        labels.append(
            {"bloomberg_ticker": ticker, "source": "map_a", "injected": kind, "detail": detail}
        )
        truth.append(
            {
                "bloomberg_ticker": ticker,
                "composite_figi": world_lst.composite if world_lst else "",
                "share_class_figi": world_lst.share_class if world_lst else "",
                "isin": world_lst.isin if world_lst else "",
                "name": world_lst.name if world_lst else "",
            }
        )

    world: dict[str, object] = {
        "synthetic": True,
        "note": f"SYNTHETIC test bed (seed {seed}); names and identifiers are invented.",
        "records": b.records,
    }
    cols = ["bloomberg_ticker", "name_ticker", "isin", "figi", "share_class_figi", "composite_figi"]
    return Testbed(
        world=world,
        universe=pd.DataFrame({"bloomberg_ticker": universe}),
        maps={
            "map_a": pd.DataFrame(rows_a, columns=cols),
            "map_b": pd.DataFrame(rows_b, columns=cols),
        },
        labels=pd.DataFrame(labels),
        truth=pd.DataFrame(truth),
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
