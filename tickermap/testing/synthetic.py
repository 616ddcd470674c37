"""Valid synthetic identifiers (FIGI, CUSIP, SEDOL, ISIN), in one place.

Used by the test bed, the sample-data scripts and the benchmarks: every value has a correct check
digit (python-stdnum computes it) and belongs to nobody. All draws come from the ``random.Random``
given, so a seed gives the same identifiers.

>>> ids = SyntheticIds(random.Random(0))
>>> from tickermap.identifiers import check_figi, check_isin
>>> check_figi(ids.figi()).valid, check_isin(ids.isin("US")).valid
(True, True)
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from stdnum import cusip as std_cusip
from stdnum import figi as std_figi
from stdnum import isin as std_isin
from stdnum.gb import sedol as std_sedol

from tickermap.identifiers import FIGI_ALPHABET

__all__ = [
    "SyntheticIds",
    "corrupt_figi",
    "isin_with_check",
    "random_cusip",
    "random_figi",
    "random_sedol",
]


def random_figi(rng: random.Random) -> str:
    """``BBG`` + 8 FIGI characters + the check digit."""
    body = "BBG" + "".join(rng.choice(FIGI_ALPHABET) for _ in range(8))
    return body + std_figi.calc_check_digit(body)


def random_cusip(rng: random.Random, *, issue: str | None = None) -> str:
    """6-digit issuer + 2-character issue (``issue``, or random from 0-9 A B) + check digit."""
    base = "".join(rng.choice(string.digits) for _ in range(6))
    base += (
        issue if issue is not None else "".join(rng.choice(string.digits + "AB") for _ in range(2))
    )
    return base + std_cusip.calc_check_digit(base)


def random_sedol(rng: random.Random) -> str:
    """A new-style SEDOL: ``B`` + 5 FIGI characters + check digit.

    (stdnum: a SEDOL that starts with a digit must be all digits; new ones start with ``B``.)
    """
    base = "B" + "".join(rng.choice(FIGI_ALPHABET) for _ in range(5))
    return base + std_sedol.calc_check_digit(base)


def isin_with_check(body: str) -> str:
    """``body`` (country + 9-character national code) + its ISIN check digit."""
    return body + std_isin.calc_check_digit(body)


def corrupt_figi(figi: str, rng: random.Random) -> str:
    """Change one character after ``BBG`` so the check digit fails (a typo, not another FIGI)."""
    while True:
        pos = rng.randint(3, 10)
        new = figi[:pos] + rng.choice(FIGI_ALPHABET) + figi[pos + 1 :]
        if new != figi and not std_figi.is_valid(new):
            return new


class SyntheticIds:
    """Unique synthetic identifiers: no value is handed out twice by one instance."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def unique(self, make: Callable[[], str]) -> str:
        """Call ``make`` until it gives a value not handed out before."""
        while (value := make()) in self.seen:
            pass
        self.seen.add(value)
        return value

    def figi(self) -> str:
        """A fresh FIGI."""
        return self.unique(lambda: random_figi(self.rng))

    def cusip(self, *, issue: str | None = None) -> str:
        """A fresh CUSIP (see :func:`random_cusip`)."""
        return self.unique(lambda: random_cusip(self.rng, issue=issue))

    def sedol(self) -> str:
        """A fresh SEDOL (see :func:`random_sedol`)."""
        return self.unique(lambda: random_sedol(self.rng))

    def isin(self, country: str, body: str | None = None) -> str:
        """A fresh ISIN of ``country``.

        With ``body`` (country + national code) only the check digit is added. Otherwise the
        national code is a new valid CUSIP (US, CA), ``00`` + a new SEDOL (GB), or 9 random
        characters of 0-9 A-F.
        """
        if body is not None:
            return self.unique(lambda: isin_with_check(body))
        return self.unique(lambda: isin_with_check(country + self._national(country)))

    def _national(self, country: str) -> str:
        if country in ("US", "CA"):
            return random_cusip(self.rng)
        if country == "GB":
            return "00" + random_sedol(self.rng)
        return "".join(
            self.rng.choice(string.digits + string.ascii_uppercase[:6]) for _ in range(9)
        )
