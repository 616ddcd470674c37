"""Tests for tickermap.tickers.exchanges and mappings/exchanges.csv (checked against OpenFIGI's
table)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from tickermap.errors import InputError
from tickermap.resources import mappings_path
from tickermap.tickers.exchanges import Exchange, exchange_for_venue, load_exchanges, read_exchanges
from tickermap.tickers.parse import BLOOMBERG_TO_ISO, LEGACY_CODES

REPO = Path(__file__).resolve().parents[1]


def _openfigi_rows(shared_data: Path) -> list[dict[str, str]]:
    lines = (shared_data / "openfigi_exchange_codes.csv").read_text(encoding="utf-8").splitlines()
    return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(lines[2:])]


def _guillem_codes(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        tickers = [row["bloomberg_ticker"] for row in csv.DictReader(fh)]
    return {t.rsplit(" ", 1)[1] for t in tickers if " " in t}


def test_every_numerai_code_has_a_row() -> None:
    table = load_exchanges()
    assert set(BLOOMBERG_TO_ISO) <= set(table)
    for code, ex in table.items():
        assert isinstance(ex, Exchange)
        assert ex.code == code
        assert ex.numerai_code == BLOOMBERG_TO_ISO[code]
        assert len(ex.mic) == 4 and len(ex.currency) == 3
        assert all(s == "" or s.startswith(".") for s in ex.yahoo_suffixes)


@pytest.mark.shared_data
def test_all_guillem_suffixes_covered(guillem_map: Path) -> None:
    codes = _guillem_codes(guillem_map)
    assert len(codes) == 43  # the "44 suffixes" count bare values (1538, GR) as one more
    assert codes <= set(load_exchanges())


@pytest.mark.shared_data
def test_venues_match_openfigi(shared_data: Path) -> None:
    rows = _openfigi_rows(shared_data)
    composite_of = {r["Exchange Code"]: r["Composite Code"] for r in rows}
    for ex in load_exchanges().values():
        if ex.is_legacy:
            continue
        expected = {r["Exchange Code"] for r in rows if r["Composite Code"] == ex.figi_composite}
        assert set(ex.venues) == expected, ex.code
        for venue in ex.venues:
            assert composite_of[venue] == ex.figi_composite
            assert exchange_for_venue(venue) == ex.code


def test_venue_lookup() -> None:
    assert exchange_for_venue("KQ") == "KS"
    assert exchange_for_venue("kp ") == "KS"
    assert exchange_for_venue("UW") == "US"
    assert exchange_for_venue("GY") == "GR"  # never the legacy GY row
    assert exchange_for_venue("MU") == "MF"  # OpenFIGI's Mexico composite is MM
    assert exchange_for_venue("ZZ") is None


def test_legacy_codes_point_at_current_composites() -> None:
    table = load_exchanges()
    for legacy, current in LEGACY_CODES.items():
        assert table[legacy].is_legacy
        assert table[legacy].figi_composite == table[current].figi_composite
        assert table[legacy].country == table[current].country


def test_yahoo_markers() -> None:
    table = load_exchanges()
    assert table["US"].yahoo_suffixes == ("",)
    assert table["PM"].yahoo_suffixes == ()
    assert table["KS"].venue_hidden and table["TT"].venue_hidden
    assert table["KS"].yahoo_suffix_for_venue("KQ") == ".KQ"
    assert table["TT"].yahoo_suffix_for_venue("TT") is None  # TT covers TWSE and TPEx


@pytest.mark.shared_data
def test_build_script_regenerates_the_committed_table(shared_data: Path, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_exchanges", REPO / "scripts" / "build_exchanges.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "exchanges.csv"
    module.main(["--source", str(shared_data / "openfigi_exchange_codes.csv"), "--out", str(out)])
    assert out.read_text() == mappings_path("exchanges.csv").read_text()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("code,country\nUS,US\n", "missing column"),
        (
            "code,country,name,venue_codes,mic,yahoo_suffixes,currency,numerai_code\n"
            "US,US,x,UN,XNYS,,USD,US\nUS,US,x,UN,XNYS,,USD,US\n",
            "duplicated",
        ),
        (
            "code,country,name,venue_codes,mic,yahoo_suffixes,currency,numerai_code,yahoo_venues\n"
            "KS,KR,x,KP,XKRX,.KS,KRW,KR,KP\n",
            "VENUE=.SUFFIX",
        ),
    ],
)
def test_malformed_table_is_a_clear_error(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "ex.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=match) as info:
        read_exchanges(path)
    assert str(path) in str(info.value)
