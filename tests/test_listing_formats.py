"""A listing file in any columns (issue 9, item 4): markets from a MIC, an exchange name, a
country or a Yahoo suffix, and the same "which file is wrong" whatever the file gives."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tickermap.config import Settings
from tickermap.errors import ConfigError
from tickermap.maps.load import load_map
from tickermap.maps.markets import country_market, resolve_market
from tickermap.maps.options import parse_map_options
from tickermap.reconcile.pipeline import reconcile_files


@pytest.mark.parametrize(
    ("value", "code", "country", "suffix"),
    [("XKOS", "KS", "KR", ".KQ"), ("XKRX", "KS", "KR", ".KS"), ("ROCO", "TT", "TW", ".TWO"),
     ("xetra", "GR", "DE", ".DE"), ("Börse München", "GR", "DE", ".MU"), ("TSE", "JP", "JP", ".T"),
     ("NASDAQ", "US", "US", ""), ("Euronext Paris", "FP", "FR", ".PA"), ("GY", "GR", "DE", ".DE"),
     ("UW", "US", "US", ""), ("XSAU", "", "SA", ".SR"), ("TSXV", "CN", "CA", ".V")],
)  # fmt: skip
def test_resolve_market(value: str, code: str, country: str, suffix: str) -> None:
    m = resolve_market(value)
    assert m is not None
    assert (m.code, m.country, m.yahoo_suffix) == (code, country, suffix)


def test_ambiguous_or_unknown_market_names_resolve_to_nothing() -> None:
    assert resolve_market("CSE") is None  # Canadian Securities Exchange, Colombo, Copenhagen
    assert resolve_market("NOWHERE") is None and resolve_market("") is None
    germany, korea = country_market("Germany"), country_market("KR")
    assert germany is not None and (germany.code, germany.country) == ("GR", "DE")
    assert korea is not None and korea.code == "KS" and korea.yahoo_suffix is None


def test_local_tickers_are_spelt_as_bloomberg_does(tmp_path: Path) -> None:
    path = tmp_path / "listings.csv"
    pd.DataFrame({
        "t": ["SAP", "0700", "ERIC B", "BRK.B", "035720", "1155", "2222", "AAPL US", "X"],
        "m": ["XETR", "XHKG", "XSTO", "XNYS", "XKOS", "XKLS", "XSAU", "XNAS", "ZZZZ"],
        "isin": ["DE0007164600"] * 9,
    }).to_csv(path, index=False)  # fmt: skip
    loaded = load_map(path, columns={"ticker": "t", "mic": "m", "isin": "isin"})
    got = loaded.frame["bloomberg_ticker"].astype("object").where(loaded.frame[
        "bloomberg_ticker"].notna(), None).tolist()  # fmt: skip
    assert got == ["SAP GR", "700 HK", "ERICB SS", "BRK/B US", "035720 KS", None, None,
                   "AAPL US", "X"]  # fmt: skip
    assert loaded.extra is not None
    # Bursa Malaysia and Tadawul: no Bloomberg ticker, the market kept for the ISIN checks
    assert loaded.extra.loc[5].tolist() == ["MK", "MY", "1155"]
    assert loaded.extra.loc[6].tolist() == [".SR", "SA", "2222"]
    assert loaded.extra["listing_code"].isna().iloc[8]  # an unknown MIC: no market


def test_market_keys_need_a_ticker_and_a_yahoo_column_alone_is_a_ticker(tmp_path: Path) -> None:
    path = tmp_path / "y.csv"
    pd.DataFrame({"sym": ["005930.KS", "1155.KL"], "isin": ["KR7005930003", "MYL1155OO000"]}
                 ).to_csv(path, index=False)  # fmt: skip
    loaded = load_map(path, columns={"yahoo": "sym", "isin": "isin"})
    assert loaded.frame["bloomberg_ticker"].iloc[0] == "005930 KS"
    assert pd.isna(loaded.frame["bloomberg_ticker"].iloc[1])
    with pytest.raises(ConfigError, match="go together"):
        load_map(path, columns={"mic": "sym", "isin": "isin"})
    spec = parse_map_options([str(path)], [f"{path}=ticker=sym,country=isin"])[0]
    assert spec.columns == {"ticker": "sym", "country": "isin"}


# Brookfield's Canadian ticker BN carrying Danone's ISIN (the real case in the Signals map), and
# the listing file naming Danone on Euronext Paris: the Signals row is the wrong one.
_DANONE = "FR0000120644"
_FORMATS = {
    "mic": ({"ticker": ["BN", "RY"], "mic": ["XPAR", "XTSE"]}, "ticker=ticker,mic=mic"),
    "exchange_name": ({"symbol": ["BN", "RY"], "exchange": ["Euronext Paris", "TSX"]},
                      "ticker=symbol,exchange=exchange"),
    "country": ({"ticker": ["BN", "RY"], "country": ["France", "CA"]},
                "ticker=ticker,country=country"),
    "yahoo": ({"yahoo": ["BN.PA", "RY.TO"]}, "yahoo=yahoo"),
}  # fmt: skip


@pytest.mark.parametrize("fmt", list(_FORMATS))
def test_which_file_is_wrong_does_not_depend_on_the_listing_columns(
    tmp_path: Path, fmt: str
) -> None:
    signals = tmp_path / "signals.csv"
    pd.DataFrame({
        "bloomberg_ticker": ["BN CN", "RY CN"],
        "name_ticker": ["BROOKFIELD CORP", "ROYAL BANK OF CANADA"],
        "isin": [_DANONE, "CA7800871021"],
    }).to_csv(signals, index=False)  # fmt: skip
    columns, described = _FORMATS[fmt]
    listing = tmp_path / f"listing_{fmt}.csv"
    pd.DataFrame({**columns, "name": ["Danone S.A.", "Royal Bank of Canada"],
                  "isin": [_DANONE, "CA7800871021"]}).to_csv(listing, index=False)  # fmt: skip
    universe = tmp_path / "u.csv"
    pd.DataFrame({"bloomberg_ticker": ["BN CN", "RY CN", "BN FP"]}).to_csv(universe, index=False)
    maps = parse_map_options([str(signals), str(listing)], [f"{listing}={described},name=name,"
                                                            "isin=isin"])  # fmt: skip
    done = reconcile_files(universe, maps, tmp_path / "out.csv",
                           settings=Settings(cache_dir=tmp_path / "c"), offline=True)  # fmt: skip
    status = dict(zip(done.result.universe["bloomberg_ticker"], done.result.universe["status"],
                      strict=True))  # fmt: skip
    assert status["BN CN"] == "isin_conflict"
    assert status["RY CN"] in ("corroborated", "unverified", "ok")
    review = done.result.review
    bn = review[(review["bloomberg_ticker"] == "BN CN") & (review["source"] == "signals.csv")]
    assert "signals.csv is wrong about BN CN" in " ".join(bn["details"])


def test_a_listing_file_lists_one_company_on_many_markets_without_a_name_conflict(
    tmp_path: Path,
) -> None:
    """E.ON on Xetra, Brussels and Mexico under three roots, no identifiers: a listing file's
    own-consistency checks run per market (a FinanceDatabase folder's are per file)."""
    listing = tmp_path / "listing.csv"
    pd.DataFrame({"ticker": ["EOAN", "EON", "EOANN"], "mic": ["XETR", "XBRU", "XMEX"],
                  "name": ["E.ON SE"] * 3}).to_csv(listing, index=False)  # fmt: skip
    universe = tmp_path / "u.csv"
    pd.DataFrame({"bloomberg_ticker": ["EOAN GR"]}).to_csv(universe, index=False)
    maps = parse_map_options([str(listing)], [f"{listing}=ticker=ticker,mic=mic,name=name"])
    done = reconcile_files(universe, maps, tmp_path / "out.csv",
                           settings=Settings(cache_dir=tmp_path / "c"), offline=True)  # fmt: skip
    assert "name_conflict" not in set(done.result.review["status"])


def test_blamed_rows_outside_the_universe_are_review_rows(tmp_path: Path) -> None:
    """Dallah's Tadawul line holding Showa Denko's ISIN (FinanceDatabase's real ``4004.SR``): no
    universe ticker claims it, so it is a review row of its own, after the flagged claims."""
    from tickermap.reconcile.pipeline import reconcile

    (tmp_path / "a.csv").write_text(
        "bloomberg_ticker,name,isin\n4004 JP,SHOWA DENKO KK,JP3368000000\nXYZ US,Xyz Corp,\n"
    )
    (tmp_path / "b.csv").write_text(
        "bloomberg_ticker,name,isin,yahoo\n4004 JP,Showa Denko K.K.,JP3368000000,4004.T\n"
        ",Dallah Healthcare Company,JP3368000000,4004.SR\n"
    )
    maps = [load_map(tmp_path / "a.csv", source="a"), load_map(tmp_path / "b.csv", source="b")]
    universe = pd.DataFrame({"bloomberg_ticker": ["4004 JP", "XYZ US"]})
    result = reconcile(universe, maps, settings=Settings(cache_dir=tmp_path / "c"), offline=True)
    review = result.review
    off = review[review["bloomberg_ticker"] == "4004.SR"]
    assert off[["source", "source_row", "status", "yahoo"]].values.tolist() == [
        ["b", 3, "isin_conflict", "4004.SR"]
    ]
    assert "b is wrong about 4004.SR" in off["details"].iloc[0]
    assert off["suspicion_bits"].isna().all()
    statuses = review["status"].tolist()
    assert statuses.index("unverified") > int(off.index[0])  # after the flagged, before the rest
    assert len(review) == result.stats["claims"] + 1


def test_markets_table_agrees_with_the_exchanges_table() -> None:
    """Every MIC with a Bloomberg code is in that code's country; every main MIC of
    ``exchanges.csv`` is in the table and resolves to its own code (legacy codes aside)."""
    from tickermap.maps.markets import market_table
    from tickermap.tickers.exchanges import load_exchanges
    from tickermap.tickers.parse import LEGACY_CODES

    by_mic, by_alias = market_table()
    exchanges = load_exchanges()
    for mic, m in by_mic.items():
        assert not m.code or exchanges[m.code].country == m.country, mic
    for code, ex in exchanges.items():
        if code in LEGACY_CODES or code == "UQ":
            continue
        got = resolve_market(ex.mic)
        assert got is not None and got.code == code, (code, ex.mic)
    assert len(by_alias) > 150


def test_rows_whose_market_cannot_be_read_are_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    listing = tmp_path / "lbad.csv"
    listing.write_text("ticker,mic\nSAP,XETR\n0700,XHKX\nBN,\n")
    loaded = load_map(listing, columns={"ticker": "ticker", "mic": "mic"})
    assert loaded.frame["bloomberg_ticker"].tolist() == ["SAP GR", "0700", "BN"]  # bare roots
    assert "2 listing row(s) name a market" in caplog.text and "'XHKX', 1 empty" in caplog.text
