"""Tests for tickermap.tickers.parse: the ticker grammar, namespaces and their conversion."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from tickermap.errors import ConfigError
from tickermap.tickers.parse import (
    BLOOMBERG_TO_ISO,
    ISO_TO_BLOOMBERG,
    LEGACY_CODES,
    Ticker,
    bloomberg_to_numerai,
    namespace_for_column,
    numerai_to_bloomberg,
    parse_column,
    parse_ticker,
)

GRAMMAR = [
    pytest.param("AAPL US", "AAPL", "US", id="plain"),
    pytest.param("BRK/B US", "BRK/B", "US", id="share-class"),
    pytest.param("BP/ LN", "BP/", "LN", id="trailing-slash"),
    pytest.param("PRE// CN", "PRE//", "CN", id="double-slash"),
    pytest.param("WALMEX* MF", "WALMEX*", "MF", id="mexican-series"),
    pytest.param("PE&OLES* MF", "PE&OLES*", "MF", id="ampersand"),
    pytest.param("A003480 KS", "003480", "KS", id="korean-a-prefix"),
    pytest.param("BEP-U CN", "BEP-U", "CN", id="canadian-unit"),
    pytest.param("000660 KS", "000660", "KS", id="korean-numeric"),
    pytest.param("1 HK", "1", "HK", id="hk-unpadded"),
    pytest.param("AAPL US Equity", "AAPL", "US", id="yellow-key"),
    pytest.param("AAPL US EQUITY", "AAPL", "US", id="yellow-key-upper"),
    pytest.param("  AAPL\t  US  ", "AAPL", "US", id="odd-spacing"),
    pytest.param("AAPL\u00a0US", "AAPL", "US", id="nbsp"),
    pytest.param("MCOV B SS", "MCOV B", "SS", id="space-in-root"),
    pytest.param("MCOV  B  SS", "MCOV B", "SS", id="space-in-root-doubled"),
    pytest.param("aapl us", "AAPL", "US", id="lower-case"),
    pytest.param("CB_old US", "CB_old", "US", id="old-marker"),
    pytest.param("WMGIold US", "WMGIold", "US", id="old-marker-no-underscore"),
    pytest.param("GOLD US", "GOLD", "US", id="old-not-a-marker"),
    pytest.param("ATD/SV/B CN", "ATD/SV/B", "CN", id="multi-slash"),
    pytest.param("DRI GY", "DRI", "GY", id="legacy-venue-code"),
]


@pytest.mark.parametrize(("raw", "root", "code"), GRAMMAR)
def test_grammar(raw: str, root: str, code: str) -> None:
    parsed = parse_ticker(raw)
    assert parsed.error is None, parsed.message
    assert parsed.ticker == Ticker(root, code, "bloomberg")
    assert parsed.raw == raw
    assert str(parsed.ticker) == f"{root} {code}"


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        pytest.param("1538", "no_exchange_code", id="bare-number"),
        pytest.param("GR", "no_exchange_code", id="bare-code"),
        pytest.param("AAPL Equity", "no_exchange_code", id="yellow-key-only"),
        pytest.param("", "empty", id="empty"),
        pytest.param("   ", "empty", id="blank"),
        pytest.param(None, "empty", id="none"),
        pytest.param(float("nan"), "empty", id="nan"),
        pytest.param(pd.NA, "empty", id="pd-na"),
        pytest.param("AAPL ZZ", "unknown_exchange", id="unknown-code"),
        pytest.param("AAPL U1", "unknown_exchange", id="code-with-digit"),
        pytest.param("AAPL USA", "unknown_exchange", id="three-letter-code"),
        pytest.param("SPX Index", "not_equity", id="index-yellow-key"),
        pytest.param("AB$ US", "bad_root", id="dollar-in-root"),
    ],
)
def test_rejections_are_findings(raw: object, error: str) -> None:
    parsed = parse_ticker(raw)
    assert parsed.ticker is None
    assert parsed.error == error
    assert parsed.message


def test_notes_say_what_was_normalised() -> None:
    assert "Korean" in parse_ticker("A003480 KS").message
    assert "Equity" in parse_ticker("AAPL US Equity").message
    assert parse_ticker("AAPL US").message == ""
    # The A prefix is Korean only: a root like A123456 elsewhere is kept.
    assert parse_ticker("A123456 US").ticker == Ticker("A123456", "US", "bloomberg")


@pytest.mark.parametrize("code", ["CH", "CN", "GR", "ID", "IT", "PL"])
def test_colliding_codes_differ_by_namespace(code: str) -> None:
    as_bbg = BLOOMBERG_TO_ISO[code]  # the country the Bloomberg code means
    as_iso = code  # the country the ISO code means
    assert as_bbg != as_iso
    # Same string, two meanings: each conversion goes the namespace's way.
    assert bloomberg_to_numerai(f"X {code}") == f"X {as_bbg}"
    back = numerai_to_bloomberg(f"X {code}")
    assert back is not None
    assert BLOOMBERG_TO_ISO[back.split(" ")[1]] == as_iso
    assert back != f"X {code}"


def test_namespace_from_column_name_only() -> None:
    assert namespace_for_column("numerai_ticker") == "numerai"
    assert namespace_for_column("bloomberg_ticker") == "bloomberg"
    assert namespace_for_column(" Numerai_Ticker ") == "numerai"
    assert namespace_for_column("ticker", override="numerai") == "numerai"
    assert namespace_for_column("numerai_ticker", override="bloomberg") == "bloomberg"
    with pytest.raises(ConfigError, match="bloomberg_ticker or numerai_ticker"):
        namespace_for_column("ticker")


def test_wrong_namespace_hint() -> None:
    parsed = parse_ticker("D05 SP", namespace="numerai")
    assert parsed.error == "unknown_exchange"
    assert "bloomberg" in parsed.message
    assert parse_ticker("SAP DE", namespace="bloomberg").error == "unknown_exchange"


def test_conversion_examples() -> None:
    assert numerai_to_bloomberg("000660 KR") == "000660 KS"
    assert bloomberg_to_numerai("000660 KS") == "000660 KR"
    assert numerai_to_bloomberg("ABBN CH") == "ABBN SW"
    assert numerai_to_bloomberg("SAP DE") == "SAP GR"  # never the legacy GY
    assert numerai_to_bloomberg("ACO/X CA") == "ACO/X CN"  # never the legacy CA
    assert bloomberg_to_numerai("DRI GY") == "DRI DE"
    assert numerai_to_bloomberg("1538") is None
    assert numerai_to_bloomberg("X ZZ") is None
    assert bloomberg_to_numerai("X DE") is None


@pytest.mark.parametrize("code", sorted(BLOOMBERG_TO_ISO))
def test_round_trip_every_code(code: str) -> None:
    bbg = f"ROOT/B {code}"
    iso = bloomberg_to_numerai(bbg)
    assert iso == f"ROOT/B {BLOOMBERG_TO_ISO[code]}"
    back = numerai_to_bloomberg(iso)
    assert back == f"ROOT/B {LEGACY_CODES.get(code, code)}"
    assert bloomberg_to_numerai(back) == iso


def test_inverse_table_is_consistent() -> None:
    for iso, code in ISO_TO_BLOOMBERG.items():
        assert BLOOMBERG_TO_ISO[code] == iso
        assert code not in LEGACY_CODES
    assert set(ISO_TO_BLOOMBERG) == set(BLOOMBERG_TO_ISO.values())
    for legacy, current in LEGACY_CODES.items():
        assert BLOOMBERG_TO_ISO[legacy] == BLOOMBERG_TO_ISO[current]


def test_parse_column_matches_scalar_and_keeps_index() -> None:
    values = pd.Series(
        ["AAPL US", None, "1538", "AAPL US", "A003480 KS", "X ZZ", "BP/ LN"],
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    frame = parse_column(values, namespace="bloomberg")
    assert list(frame.columns) == ["root", "code", "bloomberg_ticker", "error", "message"]
    assert frame.index.equals(values.index)
    for idx, value in values.items():
        parsed = parse_ticker(value)
        row = frame.loc[idx]
        if parsed.ticker is None:
            assert row["error"] == parsed.error
            assert pd.isna(row["bloomberg_ticker"])
        else:
            assert row["bloomberg_ticker"] == str(parsed.ticker)
            assert (row["root"], row["code"]) == (parsed.ticker.root, parsed.ticker.code)
            assert pd.isna(row["error"])


def test_parse_column_numerai_gives_bloomberg_key() -> None:
    frame = parse_column(pd.Series(["ABBN CH", "SAP DE", "D05 SP"]), namespace="numerai")
    assert frame["code"].tolist()[:2] == ["CH", "DE"]
    assert frame["bloomberg_ticker"].tolist()[:2] == ["ABBN SW", "SAP GR"]
    assert frame["error"].tolist()[2] == "unknown_exchange"


def test_parse_column_empty() -> None:
    frame = parse_column(pd.Series([], dtype="str"), namespace="numerai")
    assert frame.empty
    assert list(frame.columns) == ["root", "code", "bloomberg_ticker", "error", "message"]


def _guillem_tickers(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [row["bloomberg_ticker"] for row in csv.DictReader(fh)]


@pytest.mark.shared_data
def test_real_guillem_tickers(guillem_map: Path) -> None:
    raw = _guillem_tickers(guillem_map)
    series = pd.Series(raw)
    frame = parse_column(series, namespace="bloomberg")
    # Vectorised == scalar on every real value.
    for value, (_, row) in zip(raw, frame.iterrows(), strict=True):
        parsed = parse_ticker(value)
        expected = None if parsed.ticker is None else str(parsed.ticker)
        got = row["bloomberg_ticker"]
        assert (None if pd.isna(got) else got) == expected
    errors = frame.loc[frame["error"].notna()]
    assert sorted(series[errors.index]) == ["1538", "GR"]
    assert set(errors["error"]) == {"no_exchange_code"}
    # An independent naive parser (rsplit on the last space) agrees on the plain rows.
    plain = [v for v in raw if re.fullmatch(r"[A-Z0-9/*&-]+ [A-Z]{2}", v)]
    plain = [v for v in plain if not re.fullmatch(r"A\d{6} KS", v)]
    assert len(plain) > 14_000
    naive = {v: tuple(v.rsplit(" ", 1)) for v in plain}
    for v, (root, code) in naive.items():
        t = parse_ticker(v).ticker
        assert t is not None
        assert (t.root, t.code) == (root, code)
