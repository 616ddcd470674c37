"""Parse the distinct values of a universe file's date column, strictly, one format per file.

Numerai's files carry dates three ways: a Parquet date/timestamp column (v2.x ``date``), ISO text
(``2024-01-05``) or the old ``friday_date`` integer ``YYYYMMDD``. Values are parsed once per
distinct value (a universe file has a few hundred dates and millions of rows). A value in none of
these shapes, or a file mixing two shapes, is an :class:`~tickermap.errors.InputError` naming the
row: a date is never guessed.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["DateFormat", "parse_date_value", "parse_user_date"]

DateFormat = str
"""``"date type"``, ``"YYYY-MM-DD"`` or ``"YYYYMMDD"``."""

_EPOCH = dt.date(1970, 1, 1)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _days(year: int, month: int, day: int) -> int | None:
    try:
        return (dt.date(year, month, day) - _EPOCH).days
    except ValueError:
        return None


def parse_date_value(value: object) -> tuple[int, DateFormat] | None:
    """Return (days since 1970-01-01, format) for one date value, or None if it is not a date.

    >>> parse_date_value("2024-01-05"), parse_date_value(20240105), parse_date_value("5/1/24")
    ((19727, 'YYYY-MM-DD'), (19727, 'YYYYMMDD'), None)
    """
    if isinstance(value, dt.datetime):
        return (value.date() - _EPOCH).days, "date type"
    if isinstance(value, dt.date):
        return (value - _EPOCH).days, "date type"
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        text, fmt = str(value), "YYYYMMDD"
        found = _COMPACT.fullmatch(text)
    elif isinstance(value, str):
        text = value.strip()
        found = _ISO.fullmatch(text)
        fmt = "YYYY-MM-DD"
        if found is None:
            found, fmt = _COMPACT.fullmatch(text), "YYYYMMDD"
    else:
        return None
    if found is None:
        return None
    days = _days(*(int(g) for g in found.groups()))
    return None if days is None else (days, fmt)


def parse_user_date(text: str) -> int | None:
    """Days since 1970-01-01 of a date typed by a user (``YYYY-MM-DD`` or ``YYYYMMDD``)."""
    parsed = parse_date_value(text)
    return None if parsed is None else parsed[0]


def days_to_date(days: int) -> dt.date:
    """The calendar date of a day number."""
    return _EPOCH + dt.timedelta(days=int(days))
