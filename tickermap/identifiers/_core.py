"""Core of identifier checking: the records, the structural guards and fast check digits.

Private: :mod:`tickermap.identifiers.checks` is the public face (it adds spreadsheet-damage
detection,
caching, consistency checks and column-wise checking). This module holds the rules of
docs/identifiers-and-matching.md §3 for one compact value and never looks at other columns.

Check digits are computed twice over: a table-driven fast path here (written from the
published algorithms) accepts valid values, and any value it rejects is re-validated by
python-stdnum, whose exception decides the reason. ``tests/test_identifiers.py`` proves the
fast path agrees with stdnum on random strings, so stdnum remains the authority while a
14k-row map checks in a fraction of a second.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from stdnum import cusip as _cusip
from stdnum import figi as _figi
from stdnum import isin as _isin
from stdnum import lei as _lei
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.gb import sedol as _sedol
from stdnum.iso7064 import mod_97_10

from tickermap.identifiers._checkdigits import valid_many, valid_one

IdKind = Literal["isin", "cusip", "sedol", "figi", "lei"]
Reason = Literal[
    "empty",
    "bad_length",
    "bad_characters",
    "bad_check_digit",
    "reserved_prefix",
    "bad_third_char",
    "bad_country",
    "inconsistent",
    "spreadsheet_damage",
]
ID_KINDS: tuple[IdKind, ...] = get_args(IdKind)

FIGI_RESERVED_PREFIXES = frozenset({"BS", "BM", "GG", "GB", "GH", "KY", "VG"})
"""OMG FIGI 1.0 reserves BS BM GG GB VG; later texts add GH and KY (stdnum checks only five)."""

# ISINs of these countries are built from a CUSIP/CINS (CUSIP Global Services numbers them);
# in the real Signals map every such ISIN but one typo embeds a valid CUSIP.
CUSIP_ISIN_COUNTRIES = frozenset({"US", "CA", "KY", "BM", "VG", "MH", "PR", "BS"})
# "GB00" + SEDOL + check; Irish ISINs only for new-style (letter-first) SEDOLs, since
# the newer "IE000..." numbers are not SEDOL-based.
SEDOL_ISIN_COUNTRIES = frozenset({"GB", "JE", "GG", "IM", "IE"})

LABEL = {"isin": "ISIN", "cusip": "CUSIP", "sedol": "SEDOL", "figi": "FIGI", "lei": "LEI"}
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"
FIGI_ALPHABET = _DIGITS + _CONSONANTS
"""The characters of a FIGI (and of a SEDOL): digits and consonants, never vowels."""
_ALLOWED = {
    "isin": frozenset(_DIGITS + _UPPER),
    "cusip": frozenset(_DIGITS + _UPPER + "*@#"),
    "sedol": frozenset(_DIGITS + _CONSONANTS),
    "figi": frozenset(_DIGITS + _CONSONANTS),
    "lei": frozenset(_DIGITS + _UPPER),
}
_ALPHABET_NOTE = {
    "isin": "A-Z and 0-9",
    "cusip": "A-Z, 0-9 and * @ #",
    "sedol": "0-9 and consonants (never vowels)",
    "figi": "0-9 and consonants (never vowels)",
    "lei": "A-Z and 0-9",
}
_MODULES = {"isin": _isin, "cusip": _cusip, "sedol": _sedol, "figi": _figi, "lei": _lei}

EXPECTED_LENGTH: dict[str, int] = {"isin": 12, "cusip": 9, "sedol": 7, "figi": 12, "lei": 20}
"""Length of each identifier kind (ISO 6166, CUSIP, SEDOL, OMG FIGI 1.0, ISO 17442)."""


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of checking one identifier value.

    Attributes:
        kind: which identifier the value was checked as.
        value: the value as given (stripped; ``""`` for a missing value).
        valid: whether it is usable as a join key.
        reason: ``None`` for a clean valid value; why it failed otherwise. A value repaired
            with corroboration is valid with reason ``"spreadsheet_damage"``.
        detail: one human sentence saying what was found.
        normalized: the compact upper-case form when valid (or repaired), else ``None``.
    """

    kind: IdKind
    value: str
    valid: bool
    reason: Reason | None
    detail: str
    normalized: str | None


def cell_text(value: object) -> str:
    """The cell as stripped text; missing values (None, NaN, pd.NA) become ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if not isinstance(value, str):
        try:
            if pd.isna(value) is True:  # type: ignore[call-overload]
                return ""
        except (TypeError, ValueError):
            pass
    return str(value).strip()


def fail(kind: IdKind, text: str, reason: Reason, detail: str) -> Check:
    return Check(kind, text, False, reason, detail, None)


def _expected_check(kind: IdKind, number: str) -> str:
    if kind == "lei":
        return str(mod_97_10.calc_check_digits(number[:-2]))
    return str(_MODULES[kind].calc_check_digit(number[:-1]))


def _figi_component(text: str, number: str) -> Check:
    if number[:2] in FIGI_RESERVED_PREFIXES:
        return fail(
            "figi", text, "reserved_prefix",
            f"FIGI {text!r} starts with {number[:2]!r}, a prefix reserved so that FIGIs never "
            "look like ISINs (is this an ISIN in the FIGI column?)",
        )  # fmt: skip
    return fail(
        "figi", text, "bad_third_char",
        f"FIGI {text!r} has {number[2]!r} as third character; every FIGI has 'G' there",
    )  # fmt: skip


def _structure(kind: IdKind, text: str, number: str) -> Check | None:
    """Characters, length and the kind-specific guards; ``None`` when all pass."""
    if set(number) <= _ALLOWED[kind] and len(number) == EXPECTED_LENGTH[kind]:
        return _guards(kind, text, number)
    label = LABEL[kind]
    for pos, char in enumerate(number, start=1):
        if char not in _ALLOWED[kind]:  # only reached for a bad value: see the subset test
            return fail(
                kind, text, "bad_characters",
                f"{label} {text!r} has {char!r} at position {pos}; only "
                f"{_ALPHABET_NOTE[kind]} are allowed",
            )  # fmt: skip
    if len(number) != EXPECTED_LENGTH[kind]:
        return fail(
            kind, text, "bad_length",
            f"{label} {text!r} has {len(number)} characters; a {label} has "
            f"{EXPECTED_LENGTH[kind]}",
        )  # fmt: skip
    return _guards(kind, text, number)


def _guards(kind: IdKind, text: str, number: str) -> Check | None:
    if kind == "figi":
        if number[0] in _DIGITS or number[1] in _DIGITS:
            return fail(kind, text, "bad_characters", f"FIGI {text!r} must start with two letters")
        if number[:2] in FIGI_RESERVED_PREFIXES or number[2] != "G":
            return _figi_component(text, number)
    if kind == "lei" and not (number[-2] in _DIGITS and number[-1] in _DIGITS):
        return fail(kind, text, "bad_characters", f"LEI {text!r} must end in two check digits")
    if kind == "lei" and not 2 <= int(number[-2:]) <= 98:
        # ISO 7064 MOD 97-10 check digits are 98 - (n mod 97), so 02..98; stdnum also
        # accepts 00, 01 and 99 because they leave the same remainder.
        return fail(
            kind, text, "bad_check_digit",
            f"LEI {text!r} ends in {number[-2:]}; LEI check digits run from 02 to 98",
        )  # fmt: skip
    if kind == "isin" and not (number[0] in _UPPER and number[1] in _UPPER):
        return fail(kind, text, "bad_country", f"ISIN {text!r} must start with a country code")
    return None


def _stdnum(kind: IdKind, text: str, number: str) -> Check | None:
    """Run stdnum's validate and map its exceptions to reasons; ``None`` when it passes."""
    label = LABEL[kind]
    try:
        _MODULES[kind].validate(number)
    except InvalidLength:  # a subclass of InvalidFormat: catch it first
        return fail(kind, text, "bad_length", f"{label} {text!r} has the wrong length")
    except InvalidChecksum:
        expected = _expected_check(kind, number)
        return fail(
            kind, text, "bad_check_digit",
            f"{label} {text!r} has a bad check digit: expected {expected}",
        )  # fmt: skip
    except InvalidComponent:
        if kind == "isin":
            return fail(
                kind, text, "bad_country",
                f"ISIN {text!r} starts with {number[:2]!r}, which is not a country code "
                "ISINs use",
            )  # fmt: skip
        if kind == "figi":
            return _figi_component(text, number)
        return fail(kind, text, "bad_characters", f"{label} {text!r} has an invalid part")
    except InvalidFormat:
        note = " (an old-style SEDOL that starts with a digit is all digits)" * (kind == "sedol")
        return fail(kind, text, "bad_characters", f"{label} {text!r} is malformed{note}")
    except ValidationError:
        return fail(kind, text, "bad_characters", f"{label} {text!r} is not valid")
    return None


def embedded_code(isin: str) -> tuple[Literal["cusip", "sedol"], str] | None:
    """The CUSIP or SEDOL inside a (compact) ISIN, for the countries that embed one.

    >>> embedded_code("US0378331005"), embedded_code("GB00B15KXQ89"), embedded_code("JP3633400001")
    (('cusip', '037833100'), ('sedol', 'B15KXQ8'), None)
    """
    country, nsin = isin[:2], isin[2:11]
    if country in CUSIP_ISIN_COUNTRIES:
        return "cusip", nsin
    if country in SEDOL_ISIN_COUNTRIES and nsin.startswith("00"):
        if country == "IE" and nsin[2] in _DIGITS:
            return None
        return "sedol", nsin[2:]
    return None


def _embedded(text: str, number: str) -> Check | None:
    found = embedded_code(number)
    if found is None:
        return None
    kind, code = found
    if set(code) <= _ALLOWED[kind] and valid_one(kind, code):
        return None
    return fail(
        "isin", text, "bad_check_digit",
        f"ISIN {text!r} embeds {LABEL[kind]} {code!r}, which is not a valid {LABEL[kind]} "
        f"({number[:2]} ISINs are built from one); the ISIN is probably mistyped",
    )  # fmt: skip


def compact(kind: str, text: str) -> str:
    """Remove spaces (and hyphens in an LEI) and upper-case, as stdnum's ``compact`` does.

    Non-ASCII input goes through stdnum, which also folds full-width digits and the like.
    """
    if text.isascii():
        out = text.replace(" ", "").upper()
        return out.replace("-", "") if kind == "lei" else out
    return str(_MODULES[kind].compact(text))


def core_check(kind: IdKind, text: str) -> Check:
    """Check one stripped, non-empty cell as ``kind`` (no damage detection, no cache)."""
    number = compact(kind, text)
    failed = _structure(kind, text, number)
    if failed is None and not valid_one(kind, number):
        # stdnum decides why (its exception names the reason); it never passes a value the
        # fast path rejects (a test proves it), but trust it if it ever does.
        failed = _stdnum(kind, text, number)
    if failed is None and kind == "isin":
        failed = _embedded(text, number)
    if failed is not None:
        return failed
    detail = f"valid {LABEL[kind]}"
    if kind == "figi" and not number.startswith("BBG"):
        detail += "; unusual: every FIGI issued so far starts with BBG"
    return Check(kind, text, True, None, detail, number)


# A value matching these, with a right check digit, is valid with the plain detail; anything
# else (including a FIGI that does not start with BBG) takes the one-by-one path for its detail.
_PLAIN = {
    "isin": re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]"),
    "cusip": re.compile(r"[A-Z0-9*@#]{8}[0-9]"),
    "sedol": re.compile(r"[0-9BCDFGHJ-NP-TV-Z]{6}[0-9]"),
    "figi": re.compile(r"BBG[0-9BCDFGHJ-NP-TV-Z]{8}[0-9]"),
    "lei": re.compile(r"[A-Z0-9]{18}(?:0[2-9]|[1-8][0-9]|9[0-8])"),
}


def plain_valid_many(kind: IdKind, texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """Find the values that :func:`core_check` would call plainly valid, vectorised.

    Args:
        kind: the identifier kind.
        texts: stripped, non-empty cells.

    Returns:
        A boolean mask and the compact form of every value; where the mask is ``True`` the
        value is valid with detail ``"valid <KIND>"`` and the compact form as normalized.
    """
    compacted = [compact(kind, t) for t in texts]
    pattern = _PLAIN[kind]
    candidates = [i for i, c in enumerate(compacted) if pattern.fullmatch(c)]
    mask = np.zeros(len(texts), dtype=bool)
    ok = valid_many(kind, [compacted[i] for i in candidates])
    if kind == "isin":
        # The embedded CUSIP must be valid too; SEDOL-based countries take the slow path.
        for j, i in enumerate(candidates):
            country = compacted[i][:2]
            ok[j] = ok[j] and country not in SEDOL_ISIN_COUNTRIES
        cusip_rows = [
            j for j, i in enumerate(candidates) if compacted[i][:2] in CUSIP_ISIN_COUNTRIES
        ]
        nsins = [compacted[candidates[j]][2:11] for j in cusip_rows]
        ok[cusip_rows] &= valid_many("cusip", nsins)
    mask[candidates] = ok
    return mask, compacted
