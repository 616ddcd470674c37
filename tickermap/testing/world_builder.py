"""The synthetic world behind the labelled test bed: companies, listings and their identifiers.

:class:`WorldBuilder` invents companies (names from word lists, legal forms per market), lists
them on exchanges with valid synthetic FIGIs and ISINs (:class:`SyntheticIds`) and writes their
records in the emulator's world format. Everything here is SYNTHETIC: names and identifiers only
look like real ones. Seeded: the same seed gives the same world. No I/O, no network.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from tickermap.testing.synthetic import SyntheticIds, corrupt_figi

__all__ = [
    "EXCHANGES",
    "Listing",
    "SyntheticIds",
    "WorldBuilder",
    "corrupt_figi",
    "map_row",
]

# Composite code -> (ISIN country, venue exchange codes, ticker style). Venue codes follow
# OpenFIGI's exchange-code table (KS has KOSPI "KP"/"KS"? venues; we use the codes the
# exchanges table lists when they exist, the style only shapes the synthetic roots).
EXCHANGES: dict[str, tuple[str, tuple[str, ...], str]] = {
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


@dataclass
class Listing:
    """One security on one exchange, as the world holds it."""

    company: int
    code: str
    root: str
    composite: str
    venues: list[tuple[str, str]]  # (venue code, venue figi)
    share_class: str
    isin: str
    name: str
    ticker: str  # current ticker in the world (differs from root after rename/delisting)


class WorldBuilder:
    """Invents companies and listings and collects their world records."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = SyntheticIds(self.rng)
        self.records: list[dict[str, object]] = []
        self.used_roots: set[tuple[str, str]] = set()
        self.used_names: set[str] = set()
        self.company = 0

    def root(self, code: str) -> str:
        style = EXCHANGES[code][2]
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
    ) -> Listing:
        if company is None:
            self.company += 1
            company = self.company
        country, venue_codes, _ = EXCHANGES[code]
        root = root or self.root(code)
        venues = [
            (v, self.ids.figi()) for v in venue_codes[: self.rng.randint(1, len(venue_codes))]
        ]
        return Listing(
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

    def emit(self, lst: Listing, *, isins: bool = True) -> None:
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


def map_row(lst: Listing, ticker: str, name: str | None = None) -> dict[str, object]:
    """A correct community-map row (``signals_map`` columns) for the listing."""
    return {
        "bloomberg_ticker": ticker,
        "name_ticker": name or lst.name,
        "isin": lst.isin,
        "figi": lst.composite,
        "share_class_figi": lst.share_class,
        "composite_figi": lst.composite,
    }
