"""Yahoo symbols from evidence: witnesses' listings by ISIN/FIGI/ticker/name, rules as fallback."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.maps.load import load_map
from tickermap.maps.yahoo_evidence import TickerFacts, YahooEvidence
from tickermap.testing.synthetic import isin_with_check, random_figi
from tickermap.tickers.symbols import bloomberg_to_yahoo, convert_table

FD_HEADER = (
    "symbol,name,currency,exchange,mic,country,isin,cusip,figi,composite_figi,shareclass_figi,"
    "delisted\n"
)
RNG = random.Random(7)
F = [random_figi(RNG) for _ in range(6)]
BUFAB = isin_with_check("SE000760442")
GENMAB = isin_with_check("DK000305550")
SAP = isin_with_check("DE000716460")


def _fd(tmp: Path) -> Path:
    rows = [
        f"BUFAB.ST,Bufab AB,SEK,STO,XSTO,Sweden,{BUFAB},,,{F[0]},{F[1]},False",
        f"GMAB.CO,Genmab A/S,DKK,CPH,XCSE,Denmark,{GENMAB},,,,,False",
        "5099.KL,Capital A Berhad,MYR,KLS,XKLS,Malaysia,,,,,,False",
        "035720.KQ,Kakao Corp,KRW,KOE,XKOS,South Korea,,,,,,False",
        f"SAP.DE,SAP SE,EUR,GER,XETR,Germany,{SAP},,,{F[2]},{F[3]},False",
        f"SAP.BE,SAP SE,EUR,BER,XBER,Germany,{SAP},,,,{F[3]},False",
        "ABC.OL,Abc ASA,NOK,OSL,XOSL,Norway,,,,,,False",
    ]
    path = tmp / "fd.csv"
    path.write_text(FD_HEADER + "\n".join(rows) + "\n")
    return path


def _signals(tmp: Path) -> Path:
    path = tmp / "signals.csv"
    path.write_text(
        "bloomberg_ticker,name_ticker,isin,figi,share_class_figi,composite_figi\n"
        f"BUFAB SS,BUFAB AB,{BUFAB},,,\n"
        f"GMAB DC,GENMAB A/S,{GENMAB},,,\n"
        "AAGB MK,CAPITAL A BERHAD,,,,\n"
        f"SAP GR,SAP SE,,,,{F[2]}\n"
    )
    return path


def _claims(tmp: Path) -> Path:
    path = tmp / "claims.csv"
    path.write_text(
        "bloomberg,yahoo\nBUFAB SS,BUFA-B.ST\nNHFI US,SYMBOL_NOT_FOUND\nXYZ NO,XYZ.OL\n"
    )
    return path


@pytest.fixture
def evidence(tmp_path: Path) -> YahooEvidence:
    maps = [load_map(p) for p in (_signals(tmp_path), _fd(tmp_path), _claims(tmp_path))]
    return YahooEvidence.from_maps(maps)


def test_nordic_class_letter_that_is_part_of_the_name(evidence: YahooEvidence) -> None:
    assert bloomberg_to_yahoo("BUFAB SS").symbol == "BUFA-B.ST"  # the rule guesses a class
    pick = evidence.pick("BUFAB SS")
    # the ISIN-linked listing beats the witness that claims the rule's spelling
    assert (pick.symbol, pick.source) == ("BUFAB.ST", "financedatabase:isin")
    assert "financedatabase:ticker" in pick.links
    assert evidence.pick("GMAB DC").symbol == "GMAB.CO"


def test_local_codes_by_name_and_venues(evidence: YahooEvidence) -> None:
    assert bloomberg_to_yahoo("AAGB MK").symbol is None
    pick = evidence.pick("AAGB MK")
    assert (pick.symbol, pick.source) == ("5099.KL", "financedatabase:name")
    kakao = evidence.pick("035720 KS")
    assert (kakao.symbol, kakao.source, kakao.ambiguous) == (
        "035720.KQ", "financedatabase:ticker", False,
    )  # fmt: skip
    sap = evidence.pick("SAP GR")  # .DE and .BE share the ISIN; the composite FIGI is .DE's
    assert (sap.symbol, sap.source) == ("SAP.DE", "financedatabase:figi")


def test_openfigi_venue_restricts_the_suffix(evidence: YahooEvidence) -> None:
    pick = evidence.pick("035720 KS", TickerFacts(venue="KP"))
    assert (pick.symbol, pick.source) == ("035720.KS", "openfigi:venue")


def test_rules_are_the_fallback_and_say_so(evidence: YahooEvidence) -> None:
    assert evidence.pick("AAPL US").source == "rule"
    amb = evidence.pick("000660 KS")
    assert (amb.symbol, amb.source, amb.ambiguous) == ("000660.KS", "rule:ambiguous", True)
    # a sentinel is not a symbol; a claim without identifiers still counts
    assert evidence.pick("NHFI US").symbol == "NHFI"
    assert evidence.pick("XYZ NO").source == "claims.csv:claim"
    assert evidence.pick("1538").symbol is None


def test_cross_market_isin_is_not_used(tmp_path: Path) -> None:
    # a ticker carrying another market's ISIN (BN CN with Danone's) never gets that listing
    danone = isin_with_check("FR000012064")
    fd = tmp_path / "fd.csv"
    fd.write_text(FD_HEADER + f"BN.PA,Danone,EUR,PAR,XPAR,France,{danone},,,,,False\n")
    sig = tmp_path / "s.csv"
    sig.write_text(f"bloomberg_ticker,name_ticker,isin\nBN CN,BROOKFIELD CORP,{danone}\n")
    pick = YahooEvidence.from_maps([load_map(sig), load_map(fd)]).pick("BN CN")
    assert (pick.symbol, pick.source) == ("BN.TO", "rule")


def test_symbols_with_maps(tmp_path: Path) -> None:
    frame = pd.DataFrame({"numerai_ticker": ["BUFAB SE", "AAGB MY", "AAPL US"]})
    maps = [load_map(_signals(tmp_path)), load_map(_fd(tmp_path))]
    out, summary = convert_table(frame, to="yahoo", maps=maps)
    assert out["yahoo"].tolist() == ["BUFAB.ST", "5099.KL", "AAPL"]
    assert out["yahoo_source"].tolist() == [
        "financedatabase:isin", "financedatabase:name", "rule",
    ]  # fmt: skip
    assert summary.converted == 3


def test_symbols_cli_map(tmp_path: Path) -> None:
    src = tmp_path / "u.csv"
    src.write_text(f"bloomberg_ticker,isin\nBUFAB SS,{BUFAB}\nGMAB DC,\n")
    out = tmp_path / "out.csv"
    fd = _fd(tmp_path)
    args = ["symbols", str(src), "--map", f"{fd}:financedatabase", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert table["yahoo"].tolist() == ["BUFAB.ST", "GMAB.CO"]
    assert table["yahoo_source"].tolist() == ["financedatabase:isin", "financedatabase:ticker"]
    same = CliRunner().invoke(app, ["symbols", str(src), "--map", str(fd), "--out", str(fd)])
    assert same.exit_code != 0 and "input" in same.output


@pytest.mark.shared_data
def test_labelled_yahoo_set(shared_data: Path) -> None:
    labels = pd.read_csv(Path(__file__).parent / "data" / "labels" / "yahoo_symbols.csv",
                         dtype=str, keep_default_na=False)  # fmt: skip
    maps = [load_map(shared_data / "signals_map_guillem.csv"),
            load_map(shared_data / "financedatabase" / "equities"),
            load_map(shared_data / "dsignals" / "eodhd-map.csv")]  # fmt: skip
    ev = YahooEvidence.from_maps(maps)
    picks = [ev.pick(t) for t in labels["bloomberg_ticker"]]
    agree = sum(p.symbol == y for p, y in zip(picks, labels["yahoo"], strict=True))
    assert agree / len(labels) >= 0.985
    assert sum(p.symbol is None or p.ambiguous for p in picks) / len(labels) <= 0.02
