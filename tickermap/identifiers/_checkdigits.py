"""Fast check digits for ISIN, CUSIP, SEDOL, FIGI and LEI: one value, or a whole column at once.

Private helper of :mod:`tickermap.identifiers._core`. Written from the published algorithms
(docs/identifiers-and-matching.md §3.1-3.5), not from stdnum's code. These functions only
*accept* values: anything they reject is re-validated by python-stdnum, whose exception names
the reason, and ``tests/test_identifiers.py`` proves both agree on random strings. Callers
pass compact, upper-case values of the right length and alphabet; nothing here checks that.
"""

from __future__ import annotations

import numpy as np
from stdnum import isin as _isin

__all__ = ["ISIN_COUNTRIES", "valid_many", "valid_one"]

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Character values: 0-9 -> 0-9, A-Z -> 10-35, CUSIP's * @ # -> 36-38.
_VALUE = {c: i for i, c in enumerate(_DIGITS + _UPPER + "*@#")}
_DIGIT_SUM = {c: v // 10 + v % 10 for c, v in _VALUE.items()}
_DOUBLE_SUM = {c: (2 * v) // 10 + (2 * v) % 10 for c, v in _VALUE.items()}
_TO_DIGITS = str.maketrans({c: str(v) for c, v in _VALUE.items()})
_LUHN_DOUBLE = {str(d): (2 * d) // 10 + (2 * d) % 10 for d in range(10)}
_SEDOL_WEIGHTS = (1, 3, 1, 7, 3, 9)

ISIN_COUNTRIES = frozenset(
    a + b
    for a in _UPPER
    for b in _UPPER
    if _isin.is_valid(a + b + "000000000" + _isin.calc_check_digit(a + b + "000000000"))
)
"""The prefixes stdnum accepts (ISO 3166 plus XS, EU, QS...), asked once through its public API."""

# Byte -> character value, for the vectorised path.
_TABLE = np.zeros(256, dtype=np.int64)
for _char, _val in _VALUE.items():
    _TABLE[ord(_char)] = _val


def _doubling_check(body: str) -> int:
    """CUSIP and FIGI: double every second character from the left, sum the digits."""
    total = sum(map(_DIGIT_SUM.__getitem__, body[0::2]))
    total += sum(map(_DOUBLE_SUM.__getitem__, body[1::2]))
    return (10 - total % 10) % 10


def _luhn_check(body: str) -> int:
    """ISIN: letters become two digits, then Luhn with the rightmost digit doubled."""
    digits = body.translate(_TO_DIGITS)[::-1]
    total = sum(map(_LUHN_DOUBLE.__getitem__, digits[0::2])) + sum(map(int, digits[1::2]))
    return (10 - total % 10) % 10


def valid_one(kind: str, number: str) -> bool:
    """Whether one value has a correct check digit (and, for an ISIN, a known country).

    >>> valid_one("figi", "BBG000B9XRY4"), valid_one("isin", "US0378331006")
    (True, False)
    """
    if kind == "isin":
        return number[:2] in ISIN_COUNTRIES and _luhn_check(number[:-1]) == _VALUE[number[-1]]
    if kind in ("cusip", "figi"):
        return _doubling_check(number[:-1]) == _VALUE[number[-1]]
    if kind == "sedol":
        if number[0] in _DIGITS and not number.isdigit():
            return False  # old-style SEDOLs are all digits (stdnum's InvalidFormat)
        total = sum(w * _VALUE[c] for w, c in zip(_SEDOL_WEIGHTS, number[:6], strict=True))
        return (10 - total % 10) % 10 == _VALUE[number[-1]]
    return int(number.translate(_TO_DIGITS)) % 97 == 1


def _digit_sum(x: np.ndarray) -> np.ndarray:
    return x // 10 + x % 10


def _luhn_many(vals: np.ndarray) -> np.ndarray:
    """Luhn over the digit expansion, walking characters right to left (letters = 2 digits)."""
    total = np.zeros(len(vals), dtype=np.int64)
    pos = np.zeros(len(vals), dtype=np.int64)  # index of the next digit, from the right
    for col in range(vals.shape[1] - 1, -1, -1):
        v = vals[:, col]
        two = v >= 10
        for digit, offset in ((np.where(two, v % 10, v), 0), (v // 10, 1)):
            doubled = (pos + offset) % 2 == 0
            part = np.where(doubled, _digit_sum(2 * digit), digit)
            total += np.where(two | (offset == 0), part, 0)
        pos += np.where(two, 2, 1)
    return (10 - total % 10) % 10


def valid_many(kind: str, numbers: list[str]) -> np.ndarray:
    """:func:`valid_one` for many values of the kind's length at once (numpy, no Python loop).

    Args:
        kind: the identifier kind.
        numbers: compact values, all of the kind's length and alphabet.

    Returns:
        A boolean array, ``True`` where the check digit is right.
    """
    if not numbers:
        return np.zeros(0, dtype=bool)
    raw = np.array(numbers, dtype=f"S{len(numbers[0])}")
    chars = raw.view(np.uint8).reshape(len(numbers), -1)
    vals = _TABLE[chars]
    body, last = vals[:, :-1], vals[:, -1]
    if kind in ("cusip", "figi"):
        weights = np.tile([1, 2], body.shape[1] // 2 + 1)[: body.shape[1]]
        total = _digit_sum(body * weights).sum(axis=1)
        return np.asarray((10 - total % 10) % 10 == last)
    if kind == "sedol":
        total = (vals[:, :6] * np.array(_SEDOL_WEIGHTS)).sum(axis=1)
        digit_first = vals[:, 0] < 10
        mixed = digit_first & (vals >= 10).any(axis=1)
        return np.asarray(((10 - total % 10) % 10 == last) & ~mixed)
    if kind == "isin":
        known = np.isin(raw.astype("U2"), sorted(ISIN_COUNTRIES))
        return np.asarray(known & (_luhn_many(body) == last))
    remainder = np.zeros(len(numbers), dtype=np.int64)
    for col in range(vals.shape[1]):  # LEI: the digit expansion as an integer, mod 97
        v = vals[:, col]
        remainder = (remainder * np.where(v >= 10, 100, 10) + v) % 97
    return np.asarray(remainder == 1)
