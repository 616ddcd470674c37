"""Spreadsheet damage in identifier columns: what it looks like and what the value used to be.

A spreadsheet that opened a CSV "helpfully" turns numeric-looking identifiers into numbers:
leading zeros vanish (CUSIP ``037833100`` -> ``37833100``), integers gain a ``.0``
(``12345.0``), and long ones collapse into scientific notation (``1.23E+05``). This module
recognises those three shapes and proposes the original value when it can be recovered and
passes its check digit. It never decides that a value *is* the original: repairing needs another
column to corroborate (see :func:`tickermap.identifiers.checks.repair`).

It must not import :mod:`tickermap.identifiers.checks` (that module imports this one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from tickermap.identifiers._core import EXPECTED_LENGTH, IdKind, core_check

__all__ = ["Damage", "DamageKind", "detect_damage"]

DamageKind = Literal["lost_leading_zeros", "dot_zero", "scientific"]

# Excel shows large numbers as one digit, optional decimals, then E+nn: "1.23457E+14".
# Requiring the sign keeps real CUSIPs such as "12345E109" out of this pattern.
_SCIENTIFIC = re.compile(r"^[0-9](?:\.[0-9]+)?[eE][+-][0-9]{1,3}$")
_DOT_ZERO = re.compile(r"^([0-9]+)\.0+$")
_DIGITS = re.compile(r"^[0-9]+$")
# Real identifiers rarely start with more than three zeros (CUSIP 000360206 does); a 1-digit
# "CUSIP" padded to 9 characters would pass some check digit by chance, so cap the padding.
MAX_LOST_ZEROS = 4


@dataclass(frozen=True, slots=True)
class Damage:
    """A value that looks like a spreadsheet mangled it.

    Attributes:
        kind: the identifier kind of the column.
        value: the value as found (stripped).
        damage: which kind of damage.
        candidate: the value it most likely was, when that can be rebuilt and passes the
            check digit; ``None`` when the digits are lost (scientific notation usually).
    """

    kind: IdKind
    value: str
    damage: DamageKind
    candidate: str | None


def _plausible(kind: IdKind, digits: str) -> str | None:
    """Zero-pad ``digits`` to the kind's length; return it when it is a valid identifier."""
    length = EXPECTED_LENGTH[kind]
    if not digits or len(digits) > length or length - len(digits) > MAX_LOST_ZEROS:
        return None
    padded = digits.zfill(length)
    return padded if core_check(kind, padded).valid else None


def detect_damage(value: str, kind: IdKind) -> Damage | None:
    """Recognise spreadsheet damage in one identifier value.

    Only call it on values that failed validation: a valid identifier is never "damaged".

    Args:
        value: the raw cell text.
        kind: the identifier kind the column holds.

    Returns:
        A :class:`Damage` when the value has one of the three shapes (for lost leading zeros
        only when zero-padding yields a valid identifier, since any short number could simply
        be truncated), else ``None``.

    >>> detect_damage("37833100", "cusip")
    Damage(kind='cusip', value='37833100', damage='lost_leading_zeros', candidate='037833100')
    >>> detect_damage("1.23E+05", "sedol").damage
    'scientific'
    """
    text = str(value).strip()
    if kind not in EXPECTED_LENGTH:
        raise ValueError(f"unknown identifier kind {kind!r}")
    match = _DOT_ZERO.match(text)
    if match:
        return Damage(kind, text, "dot_zero", _plausible(kind, match.group(1)))
    if _SCIENTIFIC.match(text):
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex only admits valid decimals
            return None
        candidate = None
        if number == number.to_integral_value():
            candidate = _plausible(kind, str(int(number)))
        return Damage(kind, text, "scientific", candidate)
    missing = EXPECTED_LENGTH[kind] - len(text)
    if _DIGITS.match(text) and 0 < missing <= MAX_LOST_ZEROS:
        candidate = _plausible(kind, text)
        if candidate is not None:
            return Damage(kind, text, "lost_leading_zeros", candidate)
    return None
