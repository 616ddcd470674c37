"""Tests for tickermap.names.normalize: the normalisation table, scripts, tables and the column
helper."""

from __future__ import annotations

import csv
import random

import pandas as pd
import pytest

from tickermap.names.normalize import (
    abbreviations,
    detect_script,
    legal_forms,
    normalize_name,
    normalize_names,
)
from tickermap.resources import mappings_path

# (raw, expected text, expected share class); expectations written by hand from doc §2.1-2.5.
CASES = [
    pytest.param("BERKSHIRE HATHAWAY INC-CL B", "berkshire hathaway", "B", id="class-b"),
    pytest.param("ALPHABET INC-CL A", "alphabet", "A", id="class-a"),
    pytest.param("NESTLE SA-REG", "nestle", "REG", id="reg"),
    pytest.param("Nestlé S.A.", "nestle", None, id="accent-dots"),
    pytest.param("BANK OF CHINA LTD-H", "bank of china", "H", id="h-share"),
    pytest.param("ALIBABA GROUP HOLDING-SP ADR", "alibaba group holdings", "ADR", id="sp-adr"),
    pytest.param("TEVA PHARMACEUTICAL-SPON ADR", "teva pharmaceuticals", "ADR", id="spon-adr"),
    pytest.param("ROYAL BANK OF CANADA PFD C", "royal bank of canada", "PREF C", id="pfd"),
    pytest.param("BAYER AG-PREF", "bayer", "PREF", id="pref"),
    pytest.param("TELEFONICA SA-RTS", "telefonica", "RTS", id="rights"),
    pytest.param("NEWCO INC-W/I", "newco", "WI", id="when-issued"),
    pytest.param("VOLVO AB-B SHS", "volvo", "B", id="b-shs"),
    pytest.param("SSAB AB SERIES A", "ssab", "A", id="series-a"),
    pytest.param("GRUPO TELEVISA SAB-SER CPO", "grupo televisa", "CPO", id="cpo"),
    pytest.param("SAMSUNG ELECTRONICS CO LTD", "samsung electronics", None, id="co-ltd-fixpoint"),
    pytest.param("PT BANK CENTRAL ASIA TBK", "bank central asia", None, id="pt-tbk"),
    pytest.param("THE COCA-COLA CO", "coca cola", None, id="the-hyphen"),
    pytest.param("CEMEX SAB DE CV", "cemex", None, id="sab-de-cv"),
    pytest.param("PTT PUBLIC COMPANY LIMITED", "ptt", None, id="thai-pcl"),
    pytest.param("NOVO NORDISK A/S-B", "novo nordisk", "B", id="a-s"),
    pytest.param("ØRSTED A/S", "orsted", None, id="nordic-o"),
    pytest.param("HSBC HLDGS PLC", "hsbc holdings", None, id="hldgs"),
    pytest.param("INTL BUSINESS MACHINES CORP", "international business machines", None, id="intl"),
    pytest.param("APPLIED INDUSTRIAL TECH", "applied industrial technologies", None, id="tech"),
    pytest.param("CORE & MAIN INC", "core main", None, id="ampersand"),
    pytest.param("JOHNSON AND JOHNSON", "johnson johnson", None, id="and"),
    pytest.param("AT&T INC", "att", None, id="glued-ampersand"),
    pytest.param("L'OREAL", "loreal", None, id="apostrophe"),
    pytest.param("SIEMENS AKTIENGESELLSCHAFT", "siemens", None, id="aktiengesellschaft"),
    pytest.param("AS ONE CORP", "as one", None, id="as-kept-inside"),
    pytest.param("SA", "sa", None, id="only-legal-form-fallback"),
    pytest.param("IKS APS", "iks", None, id="aps"),
    pytest.param("ＴＯＹＯＴＡ　ＭＯＴＯＲ", "toyota motor", None, id="full-width-nfkc"),
    pytest.param("STRASSE GMBH", "strasse", None, id="eszett-ascii"),
    pytest.param("Straße GmbH", "strasse", None, id="eszett-fold"),
    pytest.param("三星電子股份有限公司", "三星電子", None, id="cjk-legal-glued"),
    pytest.param("삼성전자 주식회사", "삼성전자", None, id="hangul-legal"),
    pytest.param("COCA-COLA", "coca cola", None, id="inner-hyphen-not-class"),
]


@pytest.mark.parametrize(("raw", "text", "share_class"), CASES)
def test_normalisation_table(raw: str, text: str, share_class: str | None) -> None:
    got = normalize_name(raw)
    assert (got.text, got.share_class) == (text, share_class)
    assert got.tokens == tuple(text.split())
    assert got.raw == raw


@pytest.mark.parametrize(
    ("raw", "script"),
    [
        pytest.param("APPLE INC", "latin", id="latin"),
        pytest.param("3M", "latin", id="digits"),
        pytest.param("トヨタ自動車", "cjk", id="japanese"),
        pytest.param("腾讯控股", "cjk", id="chinese"),
        pytest.param("삼성전자", "hangul", id="hangul"),
        pytest.param("ปตท", "thai", id="thai"),
        pytest.param("أرامكو السعودية", "arabic", id="arabic"),
        pytest.param("Сбербанк", "cyrillic", id="cyrillic"),
        pytest.param("Όμιλος ΟΠΑΠ", "greek", id="greek"),
        pytest.param("טבע", "hebrew", id="hebrew"),
        pytest.param("देवनागरी", "other", id="devanagari"),
        pytest.param("  -- ", "empty", id="punctuation"),
    ],
)
def test_script(raw: str, script: str) -> None:
    assert detect_script(raw) == script
    assert normalize_name(raw).script == script


def test_cjk_is_not_ascii_folded() -> None:
    assert normalize_name("トヨタ自動車").text == "トヨタ自動車"


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, "", "   "])
def test_missing_values_are_empty(value: object) -> None:
    got = normalize_name(value)
    assert (got.text, got.tokens, got.share_class, got.script) == ("", (), None, "empty")


def test_non_string_values_use_str() -> None:
    assert normalize_name(3).text == "3"


def _alnum(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def test_never_empty_for_a_name_with_letters() -> None:
    rng = random.Random(7)
    forms = [" ".join(f) for f in legal_forms().suffixes.values() for f in f]
    words = ["ACME", "CO", "LTD", "INC", "THE", "&", "AND", "SA", "-CL A", "-REG", "A/S", "PT"]
    for _ in range(500):
        raw = " ".join(rng.choice(words + forms).upper() for _ in range(rng.randint(1, 4)))
        if _alnum(raw):
            assert normalize_name(raw).text, raw


def test_tables_are_well_formed() -> None:
    for name, key in (("legal_forms.csv", "form"), ("abbreviations.csv", "abbreviation")):
        with mappings_path(name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, name
        keys = [r[key] for r in rows]
        assert len(keys) == len(set(keys)), f"duplicate entries in {name}"
        assert all(r["source"].strip() for r in rows), f"every row of {name} names its source"
    table = abbreviations()
    # Expansions are canonical: expanding twice changes nothing (both sides meet in one token).
    assert all(table.get(v, v) == v for v in table.values())


def test_normalize_names_matches_scalar() -> None:
    values = ["HSBC HLDGS PLC", None, "HSBC HLDGS PLC", "BANK OF CHINA LTD-H", float("nan"), 5]
    series = pd.Series(values, index=[10, 11, 12, 13, 14, 15])
    frame = normalize_names(series)
    assert list(frame.columns) == ["text", "share_class", "script"]
    assert frame.index.equals(series.index)
    for label, value in series.items():
        expected = normalize_name(value)
        row = frame.loc[label]
        assert (row["text"], row["share_class"], row["script"]) == (
            expected.text,
            expected.share_class,
            expected.script,
        )


def test_normalize_names_on_guillem(guillem_map) -> None:  # type: ignore[no-untyped-def]
    frame = pd.read_csv(guillem_map, dtype=str)
    out = normalize_names(frame["name_ticker"])
    named = frame["name_ticker"].fillna("").str.contains(r"[A-Za-z0-9]")
    assert (out.loc[named, "text"] != "").all()
    assert set(out["script"]) <= {"latin", "empty", "cjk", "hangul"}
