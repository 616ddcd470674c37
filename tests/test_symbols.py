"""Tests for tickermap.tickers.symbols and the ``tickermap symbols`` command."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.tickers.parse import parse_ticker
from tickermap.tickers.symbols import (
    bloomberg_to_yahoo,
    convert_column,
    convert_table,
    yahoo_to_bloomberg,
)

# (bloomberg_ticker, yahoo) pairs from docs/numerai-signals.md §1.3-1.6 and from Numerai's
# published signals_ticker_map_w_bbg.csv (2025 copy in regonn/numerai-open-models).
OFFICIAL = [
    ("AAPL US", "AAPL"), ("BRK/B US", "BRK-B"), ("LGF/B US", "LGF-B"), ("MOG/A US", "MOG-A"),
    ("BP/ LN", "BP.L"), ("JD/ LN", "JD.L"), ("HL/ LN", "HL.L"), ("BT/A LN", "BT-A.L"),
    ("GSK LN", "GSK.L"), ("WALMEX* MF", "WALMEX.MX"), ("ELEKTRA* MF", "ELEKTRA.MX"),
    ("GRUMAB MF", "GRUMAB.MX"), ("KIMBERA MF", "KIMBERA.MX"), ("BEP-U CN", "BEP-UN.TO"),
    ("GOOS CN", "GOOS.TO"), ("1 HK", "0001.HK"), ("101 HK", "0101.HK"), ("1038 HK", "1038.HK"),
    ("1332 JP", "1332.T"), ("LLB SW", "LLB.SW"), ("DRAK NA", "DRAK.AS"),
    ("HEXAB SS", "HEXA-B.ST"), ("HMB SS", "HM-B.ST"), ("HUSQB SS", "HUSQ-B.ST"),
    ("MCOVB SS", "MCOV-B.ST"), ("MAERSKB DC", "MAERSK-B.CO"), ("HLUNB DC", "HLUN-B.CO"),
    ("KESKOB FH", "KESKOB.HE"), ("GRND3 BZ", "GRND3.SA"), ("GOTO IJ", "GOTO.JK"),
    ("GVOLT PL", "GVOLT.LS"), ("HTO GA", "HTO.AT"), ("ICL IT", "ICL.TA"), ("MOL HB", "MOL.BD"),
    ("KOMB CP", "KOMB.PR"), ("KRU PW", "KRU.WA"), ("ISCTR TI", "ISCTR.IS"), ("KBC BB", "KBC.BR"),
    ("IFT NZ", "IFT.NZ"), ("HAR SJ", "HAR.JO"), ("HAFNI NO", "HAFNI.OL"), ("GRE SM", "GRE.MC"),
    ("GTT FP", "GTT.PA"), ("HER IM", "HER.MI"), ("GOR AU", "GOR.AX"), ("MOH GA", "MOH.AT"),
]  # fmt: skip


@pytest.mark.parametrize(("bbg", "yahoo"), OFFICIAL, ids=[b for b, _ in OFFICIAL])
def test_agrees_with_official_map(bbg: str, yahoo: str) -> None:
    result = bloomberg_to_yahoo(bbg)
    assert (result.symbol, result.ambiguous, result.error) == (yahoo, False, None)


@pytest.mark.parametrize(("bbg", "yahoo"), OFFICIAL, ids=[b for b, _ in OFFICIAL])
def test_round_trip(bbg: str, yahoo: str) -> None:
    back = yahoo_to_bloomberg(yahoo)
    assert back.error is None
    if back.ambiguous:  # Mexican '*' cannot be recovered from Yahoo
        assert back.symbol is not None and back.symbol.split(" ")[1] == bbg.split(" ")[1]
    else:
        assert back.symbol == bbg


@pytest.mark.parametrize(
    ("bbg", "venue", "yahoo", "ambiguous"),
    [
        ("000660 KS", None, "000660.KS", True),
        ("000660 KS", "KP", "000660.KS", False),
        ("035720 KS", "KQ", "035720.KQ", False),
        ("A003480 KS", "KQ", "003480.KQ", False),
        ("035720 KS", "KE", "035720.KS", True),  # KONEX: no Yahoo rule, default kept
        ("2330 TT", None, "2330.TW", True),
        ("2330 TT", "TT", "2330.TW", True),  # OpenFIGI's TT covers both TWSE and TPEx
        ("600000 CH", "CG", "600000.SS", False),
        ("000001 CH", "CS", "000001.SZ", False),
        ("HAG GR", None, "HAG.DE", True),
        ("HAG GR", "GB", "HAG.BE", False),
        ("SAP GR", "GY", "SAP.DE", False),
    ],
)
def test_venue_decides(bbg: str, venue: str | None, yahoo: str, ambiguous: bool) -> None:
    result = bloomberg_to_yahoo(bbg, venue=venue)
    assert (result.symbol, result.ambiguous) == (yahoo, ambiguous)


@pytest.mark.parametrize(
    ("bbg", "error"),
    [
        ("1538", "no_exchange_code"),
        ("X ZZ", "unknown_exchange"),
        ("AAGB MK", "yahoo_code_differs"),  # 5099.KL on Yahoo
        ("DBS SP", "yahoo_code_differs"),  # D05.SI on Yahoo
        ("CRH ID", "yahoo_code_differs"),  # CRG.IR on Yahoo
        ("BPI PM", "no_yahoo_market"),
        ("CB_old US", "retired_ticker"),
    ],
)
def test_no_symbol_reasons(bbg: str, error: str) -> None:
    assert bloomberg_to_yahoo(bbg) == bloomberg_to_yahoo(bbg)  # deterministic
    result = bloomberg_to_yahoo(bbg)
    assert (result.symbol, result.error) == (None, error)


def test_grammar_cases_convert() -> None:
    assert bloomberg_to_yahoo("AAPL US Equity").symbol == "AAPL"
    assert bloomberg_to_yahoo("MCOV B SS").symbol == "MCOV-B.ST"
    assert bloomberg_to_yahoo("BEP/UN CA").symbol == "BEP-UN.TO"  # legacy Canada code
    assert bloomberg_to_yahoo("ATD/SV/B CN").symbol == "ATD-B.TO"
    assert bloomberg_to_yahoo("C31 SP").symbol == "C31.SI"  # already the SGX code
    assert bloomberg_to_yahoo(parse_ticker("ABBN CH", namespace="numerai").ticker).symbol == (
        "ABBN.SW"
    )


def test_yahoo_to_bloomberg_rules() -> None:
    assert yahoo_to_bloomberg("0001.HK").symbol == "1 HK"
    assert yahoo_to_bloomberg("BEP-UN.TO").symbol == "BEP-U CN"
    assert yahoo_to_bloomberg("ATD-B.TO").symbol == "ATD/B CN"
    assert yahoo_to_bloomberg("035720.KQ").symbol == "035720 KS"
    assert yahoo_to_bloomberg("3081.TWO").symbol == "3081 TT"
    assert yahoo_to_bloomberg("5099.KL").ambiguous
    assert yahoo_to_bloomberg("FOO.XX").error == "unknown_yahoo_suffix"
    assert yahoo_to_bloomberg(" ").error == "empty"


@pytest.mark.parametrize("to", ["yahoo", "bloomberg", "numerai"])
def test_convert_column_matches_scalar(to: str) -> None:
    values = pd.Series(
        ["AAPL US", None, "1538", "000660 KS", "AAPL US", "BP/ LN"], index=list("abcdef")
    )
    venues = pd.Series([None, None, None, "KQ", "UW", None], index=values.index)
    frame = convert_column(values, namespace="bloomberg", to=to, venues=venues)  # type: ignore[arg-type]
    assert frame.index.equals(values.index)
    column = {"yahoo": "yahoo", "bloomberg": "bloomberg_ticker", "numerai": "numerai_ticker"}[to]
    assert list(frame.columns) == [column, "symbol_ambiguous", "symbol_error"]
    assert frame.loc["d", column] == {"yahoo": "000660.KQ", "bloomberg": "000660 KS",
                                       "numerai": "000660 KR"}[to]  # fmt: skip
    assert frame.loc["c", "symbol_error"] == "no_exchange_code"
    assert frame.loc["b", "symbol_error"] == "empty" or pd.isna(frame.loc["b", column])


def test_numerai_input_to_yahoo() -> None:
    values = pd.Series(["000660 KR", "ABBN CH", "SAP DE", "D05 SG"])
    frame = convert_column(values, namespace="numerai", to="yahoo")
    assert frame["yahoo"].tolist()[:3] == ["000660.KS", "ABBN.SW", "SAP.DE"]
    assert frame["symbol_ambiguous"].tolist()[:3] == [True, False, True]


def test_convert_table_keeps_user_columns() -> None:
    frame = pd.DataFrame({"bloomberg_ticker": ["AAPL US"], "yahoo": ["OLD"]})
    out, summary = convert_table(frame, to="yahoo")
    assert out["yahoo"].tolist() == ["OLD"]
    assert out["yahoo_converted"].tolist() == ["AAPL"]
    assert summary.output == "yahoo_converted"


@pytest.mark.shared_data
def test_vectorised_equals_scalar_on_guillem(guillem_map: Path) -> None:
    with guillem_map.open(newline="", encoding="utf-8") as fh:
        tickers = [row["bloomberg_ticker"] for row in csv.DictReader(fh)]
    frame = convert_column(pd.Series(tickers), namespace="bloomberg", to="yahoo")
    for value, sym, amb, err in zip(
        tickers, frame["yahoo"], frame["symbol_ambiguous"], frame["symbol_error"], strict=True
    ):
        r = bloomberg_to_yahoo(value)
        assert (None if pd.isna(sym) else sym) == r.symbol
        assert bool(amb) == r.ambiguous
        assert (None if pd.isna(err) else err) == r.error


def test_cli(tmp_path: Path) -> None:
    src = tmp_path / "u.csv"
    src.write_text("bloomberg_ticker,name\nAAPL US,Apple\n000660 KS,SK\n1538,bad\n")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app,
        ["symbols", str(src), "--column", "bloomberg_ticker", "--to", "yahoo", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert table["yahoo"].tolist() == ["AAPL", "000660.KS", ""]
    assert table["symbol_ambiguous"].tolist() == ["False", "True", "False"]
    assert table["symbol_error"].tolist() == ["", "", "no_exchange_code"]


def test_cli_bad_column(tmp_path: Path) -> None:
    src = tmp_path / "u.csv"
    src.write_text("ticker\nAAPL US\n")
    result = CliRunner().invoke(app, ["symbols", str(src), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 3
    assert "u.csv" in result.output and "--column" in result.output
    result = CliRunner().invoke(
        app, ["symbols", str(src), "--column", "ticker", "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2
