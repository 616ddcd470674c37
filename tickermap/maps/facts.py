"""Per-row facts of a community map that the offline checks build on, as typed records.

:func:`map_facts` parses every ticker, looks up its exchange's country and checks every
identifier once; :func:`isin_country_facts` and :func:`name_spread_facts` turn two of the checks
into records. ``tickermap.maps.validate`` renders them as findings; reconcile's local evidence
(``tickermap.reconcile.local_evidence``) reads them directly. No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tickermap import columns as C
from tickermap.identifiers.checks import IdKind, check_column
from tickermap.maps._groups import names_on_many_tickers
from tickermap.maps.load import LoadedMap
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.parse import parse_column

__all__ = [
    "COUNTRY_TABLE_COLUMNS",
    "ID_COLUMNS",
    "OFFSHORE_DOMICILES",
    "IsinCountryFact",
    "MapFacts",
    "NameSpreadFact",
    "isin_country_facts",
    "isin_country_table",
    "map_facts",
    "name_spread_facts",
]

OFFSHORE_DOMICILES = frozenset(
    {"KY", "BM", "VG", "JE", "GG", "IM", "IE", "LU", "NL", "CW", "AN", "PA", "MH", "LR", "BS",
     "GI", "LI", "MT", "PR", "XS", "EU"}
)  # fmt: skip
"""ISIN prefixes routinely used by companies listed elsewhere (doc §3.8; XS/EU international)."""

_US_CODES = frozenset({"US", "UQ"})
# Markets with purely numeric tickers of the same shape: a numeric root listed under another of
# them with this market's ISIN is the "2395 JP carries Advantech's TW ISIN" collision.
_NUMERIC_MARKETS = frozenset({"JP", "TW", "HK", "KR"})
ID_COLUMNS: tuple[tuple[str, IdKind], ...] = (
    (C.ISIN, "isin"),
    (C.FIGI, "figi"),
    (C.COMPOSITE_FIGI, "figi"),
    (C.SHARE_CLASS_FIGI, "figi"),
)
"""Identifier columns and how each is checked."""

COUNTRY_TABLE_COLUMNS = (C.ISIN, "explainable", "collision", "severity", "detail", "evidence")
"""Columns of :func:`isin_country_table`."""


def isin_country_table(frame: pd.DataFrame, isin: pd.Series) -> pd.DataFrame:
    """Rows whose valid ISIN's country is not the exchange's: ``isin, explainable, collision,
    severity, detail, evidence`` (for an explainable row, ``evidence`` says why), indexed like
    ``frame``."""
    isin_cc = isin.str[:2]
    listed = frame["_country"]
    mask = isin.notna() & listed.notna() & (isin_cc != listed)
    if not mask.any():
        return pd.DataFrame(columns=list(COUNTRY_TABLE_COLUMNS))
    rows = frame[mask]
    cc, xc, code = isin_cc[mask], listed[mask], rows["_code"]
    offshore = cc.isin(list(OFFSHORE_DOMICILES))
    us_listed = code.isin(list(_US_CODES))
    h_share = (xc == "HK") & (cc == "CN")
    explainable = offshore | us_listed | h_share
    why = pd.Series("", index=rows.index, dtype="str")
    why[h_share] = "a Chinese H share listed in Hong Kong"
    why[us_listed] = "a foreign issuer listed in the US"
    why[offshore] = cc[offshore] + " is a common offshore domicile"
    numeric = rows["_root"].fillna("").str.fullmatch(r"[0-9]+")
    collision = (
        ~explainable & numeric & cc.isin(list(_NUMERIC_MARKETS)) & xc.isin(list(_NUMERIC_MARKETS))
    )
    # Name the other rows carrying the same ISIN: the home-market row is the usual witness.
    by_isin: dict[str, list[str]] = {}
    for value, ticker in zip(isin.tolist(), frame[C.BLOOMBERG_TICKER].tolist(), strict=True):
        if isinstance(value, str):
            by_isin.setdefault(value, []).append(str(ticker))
    others = [
        ", ".join(t for t in by_isin.get(i, []) if t != own)
        for i, own in zip(isin[mask], rows[C.BLOOMBERG_TICKER], strict=True)
    ]
    also = pd.Series(others, index=rows.index, dtype="str")
    also = ("ISIN also on: " + also).where(also != "", "no other row has this ISIN")
    detail = "ISIN " + isin[mask] + " is from " + cc + " but " + code + " trades in " + xc
    severity = pd.Series("warning", index=rows.index, dtype="str")
    severity[collision] = "error"
    severity[explainable] = "info"
    evidence = also.where(~collision, "numeric ticker collision across markets; " + also)
    evidence = evidence.where(~explainable, why)
    return pd.DataFrame(
        {
            C.ISIN: isin[mask],
            "explainable": explainable,
            "collision": collision,
            "severity": severity,
            "detail": detail,
            "evidence": evidence,
        }
    )


@dataclass(frozen=True, slots=True)
class MapFacts:
    """Per-row facts of one map that the checks, and reconcile's local evidence, build on.

    Attributes:
        frame: the map frame plus ``_code``/``_root`` (the parsed ticker, NA when it does not
            parse) and ``_country`` (the exchange's ISO country, NA when unknown).
        parsed: ``tickermap.tickers.parse.parse_column`` of the tickers.
        checks: ``check_column`` per identifier column (ISIN, FIGI, composite, share class).
    """

    frame: pd.DataFrame
    parsed: pd.DataFrame
    checks: dict[str, pd.DataFrame]

    @property
    def valid(self) -> dict[str, pd.Series]:
        """The normalised identifier per column, NA where missing or invalid."""
        return {col: self.checks[col]["normalized"] for col, _ in ID_COLUMNS}


def map_facts(loaded: LoadedMap) -> MapFacts:
    """Parse every ticker, find its exchange's country and check every identifier."""
    frame = loaded.frame.copy()
    parsed = parse_column(frame[C.BLOOMBERG_TICKER], namespace="bloomberg")
    exchanges = load_exchanges()
    frame["_code"] = parsed["code"]
    frame["_root"] = parsed["root"]
    frame["_country"] = (
        parsed["code"].map({code: ex.country for code, ex in exchanges.items()}).astype("str")
    )
    checks = {col: check_column(frame[col], kind) for col, kind in ID_COLUMNS}
    return MapFacts(frame, parsed, checks)


@dataclass(frozen=True, slots=True)
class IsinCountryFact:
    """A row whose ISIN's country is not its exchange's.

    Attributes:
        source_row: the map row.
        explainable: an offshore domicile, a US listing of a foreign issuer or an H share.
        collision: a numeric ticker carrying another numeric market's ISIN (an error).
        detail: what differs (``ISIN ... is from TW but JP trades in JP``).
        evidence: the other rows with the ISIN, or why the difference is explainable.
    """

    source_row: int
    explainable: bool
    collision: bool
    detail: str
    evidence: str


def isin_country_facts(facts: MapFacts) -> list[IsinCountryFact]:
    """Every row whose valid ISIN is from another country than its exchange, in row order."""
    table = isin_country_table(facts.frame, facts.valid[C.ISIN])
    rows = facts.frame.loc[table.index, C.SOURCE_ROW]
    return [
        IsinCountryFact(int(row), bool(expl), bool(coll), str(detail), str(evidence))
        for row, expl, coll, detail, evidence in zip(
            rows, table["explainable"], table["collision"], table["detail"], table["evidence"],
            strict=True,
        )
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class NameSpreadFact:
    """A row whose company name sits on many unrelated tickers (``detail``, ``evidence``)."""

    source_row: int
    detail: str
    evidence: str


def name_spread_facts(facts: MapFacts) -> list[NameSpreadFact]:
    """Rows whose exact name is on 3+ tickers sharing no identifier or root, in row order."""
    many = names_on_many_tickers(facts.frame, facts.valid)
    rows = facts.frame.loc[many.index, C.SOURCE_ROW] if len(many) else []
    return [
        NameSpreadFact(int(row), str(detail), str(evidence))
        for row, detail, evidence in zip(rows, many["detail"], many["evidence"], strict=True)
    ]
