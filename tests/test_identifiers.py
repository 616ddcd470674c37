"""Identifier checks: known-good/known-bad tables, naive re-implementations, damage and repair."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from stdnum import cusip as std_cusip
from stdnum import figi as std_figi
from stdnum import isin as std_isin
from stdnum import lei as std_lei
from stdnum.gb import sedol as std_sedol

from tickermap.errors import IdentifierError
from tickermap.identifiers import FIGI_ALPHABET
from tickermap.identifiers import checks as ids
from tickermap.identifiers.damage import detect_damage

# ---------------------------------------------------------------- naive reference algorithms
# Written straight from docs/identifiers-and-matching.md §3, deliberately slow and literal.

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def char_value(c: str) -> int:
    return {"*": 36, "@": 37, "#": 38}.get(c, ALNUM.index(c) if c in ALNUM else -1)


def naive_isin_digit(body: str) -> str:
    digits = "".join(str(char_value(c)) for c in body)
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return str((10 - total % 10) % 10)


def naive_double_every_second(body: str) -> str:  # CUSIP and FIGI
    total = 0
    for i, c in enumerate(body, start=1):
        v = char_value(c) * (2 if i % 2 == 0 else 1)
        total += v // 10 + v % 10
    return str((10 - total % 10) % 10)


def naive_sedol_digit(body: str) -> str:
    total = sum(w * char_value(c) for w, c in zip((1, 3, 1, 7, 3, 9), body, strict=True))
    return str((10 - total % 10) % 10)


def naive_lei_digits(body: str) -> str:
    n = int("".join(str(char_value(c)) for c in body + "00"))
    return f"{98 - n % 97:02d}"


NAIVE = {
    "isin": (naive_isin_digit, 1),
    "cusip": (naive_double_every_second, 1),
    "figi": (naive_double_every_second, 1),
    "sedol": (naive_sedol_digit, 1),
    "lei": (naive_lei_digits, 2),
}

# ---------------------------------------------------------------- tables of known values

GOOD = [
    pytest.param("isin", "US0378331005", id="isin-apple"),
    pytest.param("isin", " us0378331005 ", id="isin-lowercase-spaces"),
    pytest.param("isin", "KYG875721634", id="isin-tencent-cayman-cins"),
    pytest.param("isin", "BMG0112X1056", id="isin-aegon-bermuda"),
    pytest.param("isin", "GB00B15KXQ89", id="isin-gb-embedded-sedol"),
    pytest.param("isin", "FR0000120644", id="isin-danone"),
    pytest.param("isin", "JP3633400001", id="isin-toyota"),
    pytest.param("isin", "IE000S9YS762", id="isin-new-irish-not-sedol"),
    pytest.param("cusip", "037833100", id="cusip-apple"),
    pytest.param("cusip", "G87572163", id="cusip-cins"),
    pytest.param("sedol", "0263494", id="sedol-old-style"),
    pytest.param("sedol", "B0YBKJ7", id="sedol-new-style"),
    pytest.param("figi", "BBG000BLNQ16", id="figi-doc-example"),
    pytest.param("figi", "BBG000B9XRY4", id="figi-apple-composite"),
    pytest.param("figi", "BBG001S5N8V8", id="figi-apple-share-class"),
    pytest.param("lei", "HWUPKR0MPOU8FGXBT394", id="lei-apple"),
    pytest.param("lei", "HWUP-KR0M-POU8-FGXB-T394", id="lei-hyphenated"),
]

BAD = [
    pytest.param("isin", "", "empty", id="isin-empty"),
    pytest.param("isin", None, "empty", id="isin-none"),
    pytest.param("isin", float("nan"), "empty", id="isin-nan"),
    pytest.param("isin", pd.NA, "empty", id="isin-pd-na"),
    pytest.param("isin", "US0378331006", "bad_check_digit", id="isin-check-digit"),
    pytest.param("isin", "US037833100", "bad_length", id="isin-short"),
    pytest.param("isin", "US-378331005", "bad_characters", id="isin-hyphen"),
    pytest.param("isin", "ÜS0378331005", "bad_characters", id="isin-non-ascii"),
    pytest.param("isin", "ZZ0378331000", "bad_country", id="isin-unknown-country"),
    pytest.param("isin", "120378331005", "bad_country", id="isin-digit-country"),
    pytest.param("isin", "US7997OY1051", "bad_check_digit", id="isin-embedded-cusip-bad"),
    pytest.param("isin", "BRNTCOACNOR6", "bad_check_digit", id="isin-real-invalid-guillem"),
    pytest.param("isin", "1.23E+05", "spreadsheet_damage", id="isin-scientific"),
    pytest.param("cusip", "037833101", "bad_check_digit", id="cusip-check-digit"),
    pytest.param("cusip", "0378331000", "bad_length", id="cusip-long"),
    pytest.param("cusip", "03783310!", "bad_characters", id="cusip-bang"),
    pytest.param("cusip", "37833100", "spreadsheet_damage", id="cusip-lost-zero"),
    pytest.param("cusip", 37833100, "spreadsheet_damage", id="cusip-as-int"),
    pytest.param("cusip", "12345.0", "spreadsheet_damage", id="cusip-dot-zero"),
    pytest.param("sedol", "0263495", "bad_check_digit", id="sedol-check-digit"),
    pytest.param("sedol", "B0YBKJ", "bad_length", id="sedol-short"),
    pytest.param("sedol", "B0YBAJ7", "bad_characters", id="sedol-vowel"),
    pytest.param("sedol", "1B2C3D4", "bad_characters", id="sedol-mixed-old-style"),
    pytest.param("sedol", "263494", "spreadsheet_damage", id="sedol-lost-zero"),
    pytest.param("figi", "KYG875721634", "reserved_prefix", id="figi-ky-stdnum-accepts"),
    pytest.param("figi", "BMG0112X1056", "reserved_prefix", id="figi-bm-prefix"),
    pytest.param("figi", "BBB000BLNQ16", "bad_third_char", id="figi-third-char"),
    pytest.param("figi", "BBG000BLNQ17", "bad_check_digit", id="figi-check-digit"),
    pytest.param("figi", "BBG000BLNQ1", "bad_length", id="figi-short"),
    pytest.param("figi", "BBG000BLNA16", "bad_characters", id="figi-vowel"),
    pytest.param("figi", "12G000BLNQ16", "bad_characters", id="figi-digit-prefix"),
    pytest.param("lei", "1", "bad_length", id="lei-one-stdnum-accepts"),
    pytest.param("lei", "HWUPKR0MPOU8FGXBT395", "bad_check_digit", id="lei-check-digit"),
    pytest.param("lei", "HWUPKR0MPOU8FGXBT3AB", "bad_characters", id="lei-letter-check"),
    pytest.param("lei", "HWUPKR0MPOU8FGXBT39", "bad_length", id="lei-short"),
    pytest.param("lei", "OT3X9P9O190UY5ZWM800", "bad_check_digit", id="lei-00-stdnum-accepts"),
    pytest.param("lei", "HWUPKR0MPOU8FGXBT39é", "bad_characters", id="lei-accent"),
]


@pytest.mark.parametrize(("kind", "value"), GOOD)
def test_known_good(kind, value):
    result = ids.check(kind, value)
    assert result.valid, result.detail
    assert result.reason is None
    expected = "".join(str(value).split()).upper().replace("-", "")
    assert result.normalized == expected


@pytest.mark.parametrize(("kind", "value", "reason"), BAD)
def test_known_bad(kind, value, reason):
    result = ids.check(kind, value)
    assert not result.valid
    assert result.reason == reason, result.detail
    assert result.normalized is None
    assert result.detail  # a human sentence, never blank


def test_stdnum_traps_are_closed():
    # stdnum alone accepts both; we must not (docs §0 item 3).
    assert std_figi.is_valid("KYG875721634") and not ids.check_figi("KYG875721634").valid
    assert std_lei.is_valid("1") and not ids.check_lei("1").valid


def test_detail_names_the_expected_check_digit():
    detail = ids.check_isin("US0378331006").detail
    assert "expected 5" in detail and "US0378331006" in detail


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown identifier kind"):
        ids.check("wkn", "123456")  # type: ignore[arg-type]


# ---------------------------------------------------------------- differential tests


def random_body(rng: random.Random, kind: str) -> str:
    if kind == "isin":
        return rng.choice(["JP", "DE", "FR", "XS", "CH", "KR"]) + "".join(
            rng.choice(ALNUM) for _ in range(9)
        )
    if kind == "cusip":
        return "".join(rng.choice(ALNUM + "*@#") for _ in range(8))
    if kind == "figi":
        return "BBG" + "".join(rng.choice(FIGI_ALPHABET) for _ in range(8))
    if kind == "sedol":
        alphabet = FIGI_ALPHABET
        if rng.random() < 0.5:
            return "".join(rng.choice("0123456789") for _ in range(6))
        return rng.choice(alphabet[10:]) + "".join(rng.choice(alphabet) for _ in range(5))
    return "".join(rng.choice(ALNUM) for _ in range(18))


def random_values(kind: str, n: int, seed: int) -> list[tuple[str, bool]]:
    """Random values with a correct check digit about half the time, and the naive verdict."""
    rng = random.Random(seed)
    compute, width = NAIVE[kind]
    out = []
    for _ in range(n):
        body = random_body(rng, kind)
        digit = compute(body)
        if rng.random() < 0.5:
            digit = "".join(rng.choice("0123456789") for _ in range(width))
        out.append((body + digit, compute(body) == digit))
    return out


@pytest.mark.parametrize("kind", ["isin", "cusip", "figi", "sedol", "lei"])
def test_check_digits_agree_with_naive_and_stdnum(kind):
    stdnum_module = {
        "isin": std_isin,
        "cusip": std_cusip,
        "figi": std_figi,
        "sedol": std_sedol,
        "lei": std_lei,
    }[kind]
    values = random_values(kind, 3000, seed=len(kind) * 7 + ord(kind[0]))
    for value, naive_ok in values:
        if kind == "sedol" and value[0].isdigit() and not value[:6].isdigit():
            naive_ok = False  # old-style SEDOLs are all digits
        result = ids.check(kind, value)
        assert result.valid == naive_ok, (value, result.detail)
        # stdnum also accepts LEI check digits 00, 01 and 99 (same remainder as 97, 98, 02).
        lei_range_ok = kind != "lei" or 2 <= int(value[-2:]) <= 98
        assert result.valid == (stdnum_module.is_valid(value) and lei_range_ok), value
        if not naive_ok:
            assert result.reason == "bad_check_digit", (value, result.detail)
    assert 0.3 < np.mean([ok for _, ok in values]) < 0.7  # both branches exercised


def test_embedded_cusip_is_checked_for_us_isins():
    rng = random.Random(7)
    for _ in range(500):
        body = "".join(rng.choice("0123456789") for _ in range(8))
        good_cusip = body + naive_double_every_second(body)
        bad_cusip = body + str((int(good_cusip[-1]) + 1) % 10)
        for cusip, cusip_ok in ((good_cusip, True), (bad_cusip, False)):
            isin = "US" + cusip
            isin += naive_isin_digit(isin)
            assert ids.check_isin(isin).valid == cusip_ok, isin


def test_check_column_matches_one_by_one_on_mixed_values():
    rng = random.Random(3)
    for kind in ("isin", "cusip", "figi", "sedol", "lei"):
        values: list[object] = [v for v, _ in random_values(kind, 400, seed=11)]
        values += [None, "", "  ", pd.NA, "12345.0", "1.23E+05", "KYG875721634", "37833100"]
        values += [values[0], " " + str(values[1]).lower() + " "]
        rng.shuffle(values)
        series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
        frame = ids.check_column(series, kind)
        assert list(frame.index) == list(series.index)
        expected = [ids.check(kind, v) for v in values]
        assert frame["valid"].tolist() == [c.valid for c in expected]
        assert frame["detail"].tolist() == [c.detail for c in expected]
        reasons = [None if pd.isna(r) else r for r in frame["reason"]]
        assert reasons == [c.reason for c in expected]
        normalized = [None if pd.isna(r) else r for r in frame["normalized"]]
        assert normalized == [c.normalized for c in expected]
        assert frame["valid"].dtype == bool


def test_check_column_on_str_dtype_with_na():
    series = pd.Series(["US0378331005", None, "US0378331006"], dtype="str")
    frame = ids.check_column(series, "isin")
    assert frame["valid"].tolist() == [True, False, False]
    assert frame["reason"].isna().tolist() == [True, False, False]
    assert frame.loc[1, "reason"] == "empty"


# ---------------------------------------------------------------- damage and repair


@pytest.mark.parametrize(
    ("kind", "value", "damage", "candidate"),
    [
        pytest.param("cusip", "37833100", "lost_leading_zeros", "037833100", id="cusip-zero"),
        pytest.param("cusip", "37833100.0", "dot_zero", "037833100", id="cusip-dot-zero"),
        pytest.param("sedol", "263494", "lost_leading_zeros", "0263494", id="sedol-zero"),
        pytest.param("cusip", "12345.0", "dot_zero", None, id="dot-zero-unrecoverable"),
        pytest.param("isin", "1.23E+05", "scientific", None, id="scientific"),
        pytest.param("sedol", "2.63494E+05", "scientific", "0263494", id="scientific-exact"),
    ],
)
def test_detect_damage(kind, value, damage, candidate):
    found = detect_damage(value, kind)
    assert found is not None
    assert (found.damage, found.candidate) == (damage, candidate)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        pytest.param("isin", "US0378331005", id="clean-isin"),
        pytest.param("cusip", "1", id="too-many-zeros-lost"),
        pytest.param("cusip", "12345E109", id="cusip-with-E-is-not-scientific"),
        pytest.param("figi", "BBG000BLNQ17", id="typo"),
    ],
)
def test_no_damage(kind, value):
    assert detect_damage(value, kind) is None


def test_repair_needs_corroboration():
    assert not ids.repair("37833100", "cusip", corroborated_by=None).valid
    wrong = ids.repair("37833100", "cusip", corroborated_by="US38259P5089")
    assert not wrong.valid and "does not confirm" in wrong.detail
    fixed = ids.repair("37833100", "cusip", corroborated_by="US0378331005")
    assert fixed.valid and fixed.normalized == "037833100"
    assert fixed.reason == "spreadsheet_damage"
    same = ids.repair(37833100.0, "cusip", corroborated_by="037833100")
    assert same.valid and same.normalized == "037833100"
    sedol = ids.repair("263494", "sedol", corroborated_by="GB0002634946")
    assert sedol.valid and sedol.normalized == "0263494"


def test_repair_leaves_valid_and_unrecoverable_values_alone():
    assert ids.repair("037833100", "cusip", corroborated_by="x").reason is None
    assert not ids.repair("1.23E+05", "isin", corroborated_by="US0378331005").valid


# ---------------------------------------------------------------- consistency, country, strict


@pytest.mark.parametrize(
    ("isin", "cusip", "sedol", "reason"),
    [
        pytest.param("US0378331005", "037833100", None, None, id="us-match"),
        pytest.param("US0378331005", "38259P508", None, "inconsistent", id="us-mismatch"),
        pytest.param("GB0002634946", None, "0263494", None, id="gb-sedol-match"),
        pytest.param("GB0002634946", None, "B0YBKJ7", "inconsistent", id="gb-sedol-mismatch"),
        pytest.param("FR0000120644", "037833100", None, "inconsistent", id="us-cusip-fr-isin"),
        pytest.param("FR0000120644", "F12345103", None, None, id="cins-not-comparable"),
        pytest.param("JP3633400001", None, "6900643", None, id="jp-sedol-not-comparable"),
        pytest.param("US0378331005", "nonsense", None, None, id="invalid-cusip-not-compared"),
        pytest.param("US0378331006", "037833100", None, "bad_check_digit", id="bad-isin"),
    ],
)
def test_isin_consistency(isin, cusip, sedol, reason):
    result = ids.check_isin_consistency(isin, cusip=cusip, sedol=sedol)
    assert result.reason == reason, result.detail


def test_isin_country():
    assert ids.isin_country("KYG875721634") == "KY"
    assert ids.isin_country("us0378331005") == "US"
    assert ids.isin_country("US0378331006") is None


@pytest.mark.parametrize(
    ("validate", "good", "bad"),
    [
        pytest.param(ids.validate_isin, "US0378331005", "US0378331006", id="isin"),
        pytest.param(ids.validate_cusip, "037833100", "37833100", id="cusip"),
        pytest.param(ids.validate_sedol, "b0ybkj7", "B0YBKJ8", id="sedol"),
        pytest.param(ids.validate_figi, "BBG000B9XRY4", "KYG875721634", id="figi"),
        pytest.param(ids.validate_lei, "HWUPKR0MPOU8FGXBT394", "1", id="lei"),
    ],
)
def test_strict_validators(validate, good, bad):
    assert validate(good) == good.upper()
    with pytest.raises(IdentifierError) as info:
        validate(bad)
    assert isinstance(info.value, ValueError)
    assert repr(bad) in str(info.value)
