"""Yahoo symbols from evidence: which line of a security (venues, one ISIN with two lines,
renames), dsignals' EODHD symbols as claims, and universes in the numerai_ticker namespace."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.maps.load import load_map
from tickermap.maps.yahoo_evidence import YahooEvidence
from tickermap.testing.synthetic import isin_with_check, random_figi
from tickermap.tickers.symbols import convert_table

FD_HEADER = (
    "symbol,name,currency,exchange,mic,country,isin,cusip,figi,composite_figi,shareclass_figi,"
    "delisted\n"
)
RNG = random.Random(11)
F = [random_figi(RNG) for _ in range(6)]
BEI = isin_with_check("DE000520000")
ARCHER = isin_with_check("BMG0451H117")
ORKLA = isin_with_check("NO000345733")
ABG = isin_with_check("NO000302190")
FILO = isin_with_check("CA31730E101")
SOLO = F[4]


def _fd(tmp: Path) -> Path:
    rows = [
        # Xetra line without identifiers; the regional lines carry the FIGI (FinanceDatabase)
        "BEI.DE,Beiersdorf AG,EUR,GER,XETR,Germany,,,,,,False",
        f"BEI.MU,Beiersdorf AG,EUR,MUN,XMUN,Germany,,,,{F[0]},,False",
        f"BEI.BE,Beiersdorf AG,EUR,BER,XBER,Germany,,,,{F[0]},,False",
        # one ISIN, two lines on Oslo
        f"ARCH.OL,Archer Limited,NOK,OSL,XOSL,Norway,{ARCHER},,,,,False",
        f"ARCHO.OL,Archer Limited,NOK,OSL,XOSL,Norway,{ARCHER},,,,,False",
        f"ABG.OL,ABG Sundal Collier Holding ASA,NOK,OSL,XOSL,Norway,{ABG},,,,,False",
        f"ABGO.OL,ABG Sundal Collier Holding ASA,NOK,OSL,XOSL,Norway,{ABG},,,,,False",
        # only the secondary line carries the identifiers
        "ORK.OL,Orkla ASA,NOK,OSL,XOSL,Norway,,,,,,False",
        f"ORKO.OL,Orkla ASA,NOK,OSL,XOSL,Norway,{ORKLA},,,{F[1]},,False",
        # FinanceDatabase still lists the TSXV line of a company that moved to the TSX
        f"FIL.V,Filo Mining Corp,CAD,VAN,XTSX,Canada,{FILO},,,,,False",
        # a stale symbol holding the FIGI after a ticker change
        f"SBDS,Solo Brands Inc,USD,NYQ,XNYS,United States,,,,{SOLO},,False",
    ]
    path = tmp / "fd.csv"
    path.write_text(FD_HEADER + "\n".join(rows) + "\n")
    return path


def _signals(tmp: Path) -> Path:
    path = tmp / "signals.csv"
    path.write_text(
        "bloomberg_ticker,name_ticker,isin,figi,share_class_figi,composite_figi\n"
        f"BEI GR,BEIERSDORF AG,,,,{F[0]}\n"
        f"ARCHER NO,ARCHER LIMITED,{ARCHER},,,\n"
        f"ASC NO,ABG SUNDAL COLLIER,{ABG},,,\n"
        f"ORK NO,ORKLA ASA,,,,{F[1]}\n"
        f"FIL CN,FILO MINING CORP,{FILO},,,\n"
        f"DTC US,,,,,{SOLO}\n"
    )
    return path


def _dsignals(tmp: Path) -> Path:
    path = tmp / "eodhd-map.csv"
    path.write_text(
        "bloomberg_ticker,yahoo,data_provider,signals_ticker\n"
        "KBX GR,KBX.F,eodhd,KBX.XETRA\n"  # the Yahoo map names the Frankfurt line
        "FIL CN,FIL.TO,eodhd,FIL.TO\n"
        "DTC US,DTC,eodhd,DTC.US\n"
        "AZTA US,BRKS,eodhd,AZTA.US\n"  # the Yahoo column kept the symbol from before a rename
        "AEM SP,,eodhd,AWX.SG\n"  # SGX local code
        "AAGB MK,,eodhd,AAGB.KLSE\n"  # a placeholder: Bursa Malaysia's code is 5099
        "041510 KS,,eodhd,041510.KO\n"  # EODHD's .KO does not tell KOSPI from KOSDAQ
    )
    return path


@pytest.fixture
def evidence(tmp_path: Path) -> YahooEvidence:
    paths = (_signals(tmp_path), _fd(tmp_path), _dsignals(tmp_path))
    return YahooEvidence.from_maps([load_map(p) for p in paths])


def test_lines_of_one_security_share_its_links(evidence: YahooEvidence) -> None:
    # the FIGI sits on the regional lines only; Xetra is the market's default venue
    bei = evidence.pick("BEI GR")
    assert (bei.symbol, bei.ambiguous) == ("BEI.DE", False)
    assert "financedatabase:figi" in bei.links
    # a claim names the venue
    assert evidence.pick("KBX GR").symbol == "KBX.F"
    # a company that moved venue: the claim beats the stale line that holds the ISIN
    fil = evidence.pick("FIL CN")
    assert (fil.symbol, fil.source) == ("FIL.TO", "financedatabase:isin")


def test_without_a_claim_the_stale_line_stays(tmp_path: Path) -> None:
    ev = YahooEvidence.from_maps([load_map(_signals(tmp_path)), load_map(_fd(tmp_path))])
    assert ev.pick("FIL CN").symbol == "FIL.V"
    assert ev.pick("DTC US").symbol == "SBDS"  # a lone FIGI link beats the bare rule


def test_one_isin_two_lines_on_one_venue(evidence: YahooEvidence) -> None:
    archer = evidence.pick("ARCHER NO")  # ARCH is a prefix of the Bloomberg root
    assert (archer.symbol, archer.source, archer.ambiguous) == (
        "ARCH.OL", "financedatabase:isin:root", False,
    )  # fmt: skip
    abg = evidence.pick("ASC NO")  # neither stem is the root: the line the other extends
    assert (abg.symbol, abg.source) == ("ABG.OL", "financedatabase:isin:base")
    orkla = evidence.pick("ORK NO")  # the identifiers sit on ORKO.OL only; same name
    assert (orkla.symbol, orkla.source) == ("ORK.OL", "financedatabase:ticker:root")


def test_one_isin_two_lines_claimed(tmp_path: Path) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text("bloomberg_ticker,yahoo\nASC NO,ABGO.OL\n")
    paths = (_signals(tmp_path), _fd(tmp_path), claims)
    pick = YahooEvidence.from_maps([load_map(p) for p in paths]).pick("ASC NO")
    assert (pick.symbol, pick.source) == ("ABGO.OL", "financedatabase:isin:claim")


def test_claim_agreeing_with_the_rules_beats_a_lone_figi(evidence: YahooEvidence) -> None:
    pick = evidence.pick("DTC US")
    assert (pick.symbol, pick.source) == ("DTC", "dsignals:claim")


def test_rename_keeps_the_previous_symbol(evidence: YahooEvidence) -> None:
    pick = evidence.pick("AZTA US")
    assert (pick.symbol, pick.previous) == ("AZTA", "BRKS")
    assert pick.source == "dsignals:claim;previous=BRKS"


def test_eodhd_symbols(evidence: YahooEvidence) -> None:
    aem = evidence.pick("AEM SP")
    assert (aem.symbol, aem.source) == ("AWX.SI", "dsignals:claim")
    assert evidence.pick("AAGB MK").symbol is None  # the placeholder is not evidence
    kr = evidence.pick("041510 KS")
    assert (kr.symbol, kr.ambiguous) == ("041510.KS", True)  # still the rules' guess


def test_numerai_namespace_with_maps(tmp_path: Path) -> None:
    frame = pd.DataFrame({"numerai_ticker": ["BEI DE", "ASC NO", "AEM SG", "AZTA US", "7203 JP"]})
    maps = [load_map(p) for p in (_signals(tmp_path), _fd(tmp_path), _dsignals(tmp_path))]
    out, summary = convert_table(frame, to="yahoo", maps=maps)
    assert out["yahoo"].tolist() == ["BEI.DE", "ABG.OL", "AWX.SI", "AZTA", "7203.T"]
    assert out["yahoo_source"].tolist()[-2:] == ["dsignals:claim;previous=BRKS", "rule"]
    assert summary.ambiguous == 0


def test_symbols_cli_numerai_with_maps(tmp_path: Path) -> None:
    src = tmp_path / "u.csv"
    src.write_text("numerai_ticker\nBEI DE\nORK NO\nAEM SG\n000660 KR\n")
    out = tmp_path / "out.csv"
    maps = [a for p in (_signals(tmp_path), _fd(tmp_path), _dsignals(tmp_path))
            for a in ("--map", str(p))]  # fmt: skip
    result = CliRunner().invoke(app, ["symbols", str(src), *maps, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert table["yahoo"].tolist() == ["BEI.DE", "ORK.OL", "AWX.SI", "000660.KS"]
    assert table["symbol_ambiguous"].tolist() == ["False", "False", "False", "True"]


@pytest.mark.shared_data
def test_breadth_set(shared_data: Path) -> None:
    labels = pd.read_csv(Path(__file__).parent / "data" / "labels" / "yahoo_breadth.csv",
                         dtype=str, keep_default_na=False)  # fmt: skip
    maps = [load_map(shared_data / "signals_map_guillem.csv"),
            load_map(shared_data / "financedatabase" / "equities"),
            load_map(shared_data / "dsignals" / "eodhd-map.csv")]  # fmt: skip
    ev = YahooEvidence.from_maps(maps)
    picks = [ev.pick(t) for t in labels["bloomberg_ticker"]]
    agree = sum(
        not p.ambiguous and p.symbol in {y, old} - {""}
        for p, y, old in zip(picks, labels["yahoo"], labels["yahoo_previous"], strict=True)
    )
    assert agree / len(labels) >= 0.985
    assert sum(p.symbol is None or p.ambiguous for p in picks) / len(labels) <= 0.01
    assert len(set(labels["market"])) >= 36


def test_reconcile_numerai_namespace_yahoo(tmp_path: Path) -> None:
    from tickermap.config import Settings
    from tickermap.reconcile.pipeline import reconcile

    maps = [load_map(p) for p in (_signals(tmp_path), _fd(tmp_path), _dsignals(tmp_path))]
    universe = pd.DataFrame({"numerai_ticker": ["BEI DE", "ARCHER NO", "AZTA US"]})
    result = reconcile(universe, maps, settings=Settings(cache_dir=tmp_path / "c"), offline=True)
    got = result.universe.set_index("bloomberg_ticker")
    assert got.loc[["BEI GR", "ARCHER NO", "AZTA US"], "yahoo"].tolist() == [
        "BEI.DE", "ARCH.OL", "AZTA",
    ]  # fmt: skip
    assert got.loc["ARCHER NO", "yahoo_source"] == "financedatabase:isin:root"
    assert got.loc["AZTA US", "yahoo_source"].endswith(";previous=BRKS")
