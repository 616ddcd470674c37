"""Parse Numerai tickers (``AAPL US``, ``000660 KR``) and convert between the two namespaces.

A Numerai ticker is ``<root> <code>``. In a ``bloomberg_ticker`` column the code is a Bloomberg
*composite* code (``KS``, ``GR``, ``CN``); in a current ``numerai_ticker`` column it is an ISO
3166 country (``KR``, ``DE``, ``CA``). Six codes (CH CN GR ID IT PL) mean different countries in
the two namespaces, so the namespace always comes from the column name
(:func:`namespace_for_column`), never from the values (docs/numerai-signals.md §0.3, §1.4).

A bad value is data: :func:`parse_ticker` returns a :class:`TickerParse` with a reason code
(``empty``, ``no_exchange_code``, ``unknown_exchange``, ``bad_root``, ``not_equity``), it never
raises. This module knows codes and grammar only; exchange facts live in
:mod:`tickermap.tickers.exchanges` and vendor symbols in :mod:`tickermap.tickers.symbols`. No I/O
here.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from tickermap import columns as C
from tickermap.errors import ConfigError

if TYPE_CHECKING:  # imported by the column functions only: single values never need pandas
    import pandas as pd

__all__ = [
    "BLOOMBERG_TO_ISO",
    "ISO_TO_BLOOMBERG",
    "LEGACY_CODES",
    "Namespace",
    "Ticker",
    "TickerParse",
    "bloomberg_to_numerai",
    "exchange_code",
    "namespace_for_column",
    "numerai_to_bloomberg",
    "parse_column",
    "parse_ticker",
]

Namespace = Literal["bloomberg", "numerai"]
ErrorCode = Literal["empty", "no_exchange_code", "unknown_exchange", "bad_root", "not_equity"]

# This is a NAMESPACE table, not the exchange facts: the token Numerai writes in numerai_ticker
# for each Bloomberg code (many-to-one, legacy codes included). It stays hand-written here because
# parsing needs it at import time; the facts about each exchange (its country, venues, MIC,
# currency) come only from mappings/exchanges.csv (tickers.exchanges.load_exchanges), and
# tests/test_exchanges.py checks that the table's numerai_code column agrees with this one.
# Numerai's own converter, TICKER_CTRY_MAP from numerai/example-scripts:signals/example_model.ipynb
# (docs/numerai-signals.md §1.4), plus the two legacy codes seen in community maps that it lacks:
# JX (Hercules, a Japanese venue) and TW (Taiwan in early universes; OpenFIGI's TW is a Canadian
# venue, but every TW row in the guillem map carries a Taiwanese ISIN). See mappings/EXCHANGES.md.
BLOOMBERG_TO_ISO: dict[str, str] = {
    "AU": "AU", "AV": "AT", "BB": "BE", "BZ": "BR", "CA": "CA", "CB": "CO", "CH": "CN",
    "CI": "CL", "CN": "CA", "CP": "CZ", "DC": "DK", "EY": "EG", "FH": "FI", "FP": "FR",
    "GA": "GR", "GR": "DE", "GY": "DE", "HB": "HU", "HK": "HK", "ID": "IE", "IJ": "ID",
    "IM": "IT", "IN": "IN", "IT": "IL", "JP": "JP", "KS": "KR", "LN": "GB", "MF": "MX",
    "MK": "MY", "NA": "NL", "NO": "NO", "NZ": "NZ", "PE": "PE", "PL": "PT", "PM": "PH",
    "PW": "PL", "QD": "QA", "RM": "RU", "SJ": "ZA", "SM": "ES", "SP": "SG", "SS": "SE",
    "SW": "CH", "TB": "TH", "TI": "TR", "TT": "TW", "UH": "AE", "US": "US", "UQ": "US",
    "JX": "JP", "TW": "TW",
}  # fmt: skip

LEGACY_CODES: dict[str, str] = {"CA": "CN", "GY": "GR", "UQ": "US", "JX": "JP", "TW": "TT"}
"""Legacy or venue-level codes found in Numerai files -> the composite code used today."""

ISO_TO_BLOOMBERG: dict[str, str] = {
    iso: code for code, iso in BLOOMBERG_TO_ISO.items() if code not in LEGACY_CODES
}
"""ISO country -> the current Bloomberg composite (DE -> GR, not GY; CA -> CN, not CA)."""

_KNOWN: dict[Namespace, frozenset[str]] = {
    "bloomberg": frozenset(BLOOMBERG_TO_ISO),
    "numerai": frozenset(ISO_TO_BLOOMBERG),
}
_COLUMN_NAMESPACE: dict[str, Namespace] = {
    C.BLOOMBERG_TICKER: "bloomberg",
    C.NUMERAI_TICKER: "numerai",
}
# Bloomberg "yellow keys"; only Equity is meaningful for a Signals universe.
_YELLOW_KEYS = frozenset(
    {"EQUITY", "CORP", "GOVT", "INDEX", "COMDTY", "CURNCY", "MTGE", "MUNI", "PFD", "M-MKT"}
)
_CODE = re.compile(r"[A-Z]{2}")
# Root characters observed in real files (§1.3): letters, digits, / * & - _ and '.' (LEAN's
# dotted classes); internal spaces are allowed (``MCOV B SS``).
_ROOT = re.compile(r"[A-Za-z0-9/*&._-]+(?: [A-Za-z0-9/*&._-]+)*")
# Numerai's retired-ticker marker (``CB_old US``, ``WMGIold US``) keeps its lower case.
_OLD_MARKER = re.compile(r"(_?old)$")
# KRX short codes are six characters; Korean data vendors prefix them with "A" (A003480).
_KOREAN_A = re.compile(r"A([0-9]{5}[0-9A-Z])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Ticker:
    """A parsed Numerai ticker.

    Attributes:
        root: the symbol, upper case, internal spaces kept (``BRK/B``, ``MCOV B``).
        code: the Bloomberg composite code, or the ISO country in the numerai namespace.
        namespace: which of the two the code belongs to.

    >>> str(Ticker("AAPL", "US", "bloomberg"))
    'AAPL US'
    """

    root: str
    code: str
    namespace: Namespace

    def __str__(self) -> str:
        return f"{self.root} {self.code}"


@dataclass(frozen=True, slots=True)
class TickerParse:
    """The result of parsing one value.

    Attributes:
        raw: the value as given (``""`` for a missing value).
        ticker: the parsed ticker, or ``None`` when the value is unusable.
        error: ``None``, or a reason code: ``empty``, ``no_exchange_code``, ``unknown_exchange``,
            ``bad_root``, ``not_equity``.
        message: why it failed, or which normalisations were applied (``""`` when none).
    """

    raw: str
    ticker: Ticker | None
    error: str | None
    message: str


def namespace_for_column(column: str, *, override: Namespace | None = None) -> Namespace:
    """Choose the code namespace from a column name (the override wins).

    Args:
        column: the ticker column's name, e.g. ``numerai_ticker``.
        override: force a namespace, for files with a non-standard column name.

    Returns:
        ``"numerai"`` for ``numerai_ticker``, ``"bloomberg"`` for ``bloomberg_ticker``.

    Raises:
        ConfigError: the column name implies no namespace and no override was given.

    >>> namespace_for_column("numerai_ticker")
    'numerai'
    """
    if override is not None:
        if override not in _KNOWN:
            raise ConfigError(f"unknown ticker namespace {override!r}; use bloomberg or numerai")
        return override
    found = _COLUMN_NAMESPACE.get(column.strip().lower())
    if found is None:
        raise ConfigError(
            f"cannot tell whether column {column!r} holds Bloomberg codes or ISO countries "
            "(CH CN GR ID IT PL differ); name it bloomberg_ticker or numerai_ticker, or pass "
            "the namespace explicitly"
        )
    return found


def _fail(raw: str, error: ErrorCode, message: str) -> TickerParse:
    return TickerParse(raw=raw, ticker=None, error=error, message=message)


def _normalise_root(root: str) -> str:
    old = _OLD_MARKER.search(root)
    if old is None or old.start() == 0 or root[: old.start()] != root[: old.start()].upper():
        return root.upper()
    return root[: old.start()].upper() + old.group(1).lower()


def _split(raw: str) -> tuple[str, str, list[str], TickerParse | None]:
    """Split into (root, code, notes) or return the failure."""
    text = _SPACES.sub(" ", raw.replace("\u00a0", " ")).strip()
    notes: list[str] = []
    if text != raw:
        notes.append("whitespace normalised")
    if not text:
        return "", "", notes, _fail(raw, "empty", "empty ticker")
    tokens = text.split(" ")
    if len(tokens) >= 2 and tokens[-1].upper() in _YELLOW_KEYS:
        key = tokens.pop()
        if key.upper() != "EQUITY":
            return (
                "",
                "",
                notes,
                _fail(raw, "not_equity", f"{raw!r} is a Bloomberg {key} security, not an equity"),
            )
        notes.append(f"yellow key {key!r} dropped")
    if len(tokens) < 2:
        return (
            "",
            "",
            notes,
            _fail(
                raw,
                "no_exchange_code",
                f"{raw!r} has no exchange code; expected '<root> <code>' such as 'AAPL US'",
            ),
        )
    return " ".join(tokens[:-1]), tokens[-1], notes, None


def parse_ticker(value: object, *, namespace: Namespace = "bloomberg") -> TickerParse:
    """Parse one ``bloomberg_ticker`` or ``numerai_ticker`` value; never raises on bad data.

    The last token is the code (so ``MCOV B SS`` has root ``MCOV B``); a trailing ``Equity``
    yellow key is dropped; whitespace is normalised; roots are upper-cased except Numerai's
    ``old`` marker (``CB_old US``); the Korean ``A`` prefix is stripped (``A003480 KS`` is
    ``003480 KS``, see mappings/EXCHANGES.md). Trailing slashes (``BP/ LN``) are kept: they are
    part of the Bloomberg ticker.

    Args:
        value: the cell value (``None``/NaN give ``error="empty"``).
        namespace: ``"bloomberg"`` (composite codes) or ``"numerai"`` (ISO countries).

    Returns:
        A :class:`TickerParse`; ``ticker`` is ``None`` exactly when ``error`` is set.

    >>> parse_ticker("brk/b  us Equity").ticker
    Ticker(root='BRK/B', code='US', namespace='bloomberg')
    >>> parse_ticker("1538").error
    'no_exchange_code'
    """
    if value is None or (isinstance(value, float) and value != value) or _is_pd_na(value):
        return _fail("", "empty", "missing ticker")
    return _parse_text(str(value), namespace)


def _is_pd_na(value: object) -> bool:
    """``value is pandas.NA``, without importing pandas (no pandas loaded: no ``pd.NA``)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is getattr(pandas, "NA", None)


def exchange_code(value: object) -> str | None:
    """The exchange code of a ticker value, for grouping and display.

    The parsed code when the value parses; otherwise the last token as written (an unknown code
    is still the row's code); ``None`` when there is no second token.

    >>> exchange_code("brk/b us"), exchange_code("FOO ZZ"), exchange_code("1538")
    ('US', 'ZZ', None)
    """
    parsed = parse_ticker(value)
    if parsed.ticker is not None:
        return parsed.ticker.code
    return parsed.raw.rsplit(" ", 1)[-1] if " " in parsed.raw else None


@lru_cache(maxsize=1 << 16)
def _parse_text(raw: str, namespace: Namespace) -> TickerParse:
    # Memoised: reconciliation parses each ticker once per claim and per lookup; the result
    # is a frozen record, so sharing it between callers is safe.
    root, code, notes, failure = _split(raw)
    if failure is not None:
        return failure
    code_up = code.upper()
    if not _CODE.fullmatch(code_up) or code_up not in _KNOWN[namespace]:
        other: Namespace = "numerai" if namespace == "bloomberg" else "bloomberg"
        hint = (
            f"; {code_up!r} is a valid {other} code: is the column's namespace right?"
            if code_up in _KNOWN[other]
            else ""
        )
        kind = "Bloomberg composite code" if namespace == "bloomberg" else "ISO country code"
        return _fail(raw, "unknown_exchange", f"{code!r} in {raw!r} is not a known {kind}{hint}")
    if not _ROOT.fullmatch(root):
        return _fail(raw, "bad_root", f"root {root!r} of {raw!r} has unexpected characters")
    root = _normalise_root(root)
    korean = code_up == ("KS" if namespace == "bloomberg" else "KR")
    if korean and (m := _KOREAN_A.fullmatch(root)):
        root = m.group(1)
        notes.append("Korean 'A' prefix stripped")
    ticker = Ticker(root=root, code=code_up, namespace=namespace)
    return TickerParse(raw=raw, ticker=ticker, error=None, message="; ".join(notes))


def _convert(value: str, source: Namespace, table: dict[str, str]) -> str | None:
    parsed = parse_ticker(value, namespace=source)
    if parsed.ticker is None:
        return None
    code = table.get(parsed.ticker.code)
    return None if code is None else f"{parsed.ticker.root} {code}"


def numerai_to_bloomberg(value: str) -> str | None:
    """Convert a ``numerai_ticker`` (ISO country) to the current Bloomberg composite form.

    Returns:
        The canonical Bloomberg ticker, or ``None`` when the value does not parse.

    >>> numerai_to_bloomberg("000660 KR")
    '000660 KS'
    >>> numerai_to_bloomberg("ABBN CH")
    'ABBN SW'
    """
    return _convert(value, "numerai", ISO_TO_BLOOMBERG)


def bloomberg_to_numerai(value: str) -> str | None:
    """Convert a ``bloomberg_ticker`` to the ``numerai_ticker`` (ISO country) form.

    Uses Numerai's own ``TICKER_CTRY_MAP``; it is many-to-one (GR and GY both give DE).

    Returns:
        The numerai ticker, or ``None`` when the value does not parse.

    >>> bloomberg_to_numerai("000660 KS")
    '000660 KR'
    """
    return _convert(value, "bloomberg", BLOOMBERG_TO_ISO)


def exchange_codes(values: pd.Series) -> pd.Series:
    """The last space-separated token of each ticker (``"AAPL US"`` -> ``"US"``), vectorised.

    NaN where the value is missing or has no space (no exchange code). No check that the code is
    known: :func:`parse_ticker` does that, one value at a time.

    >>> exchange_codes(pd.Series(["AAPL US", " 7203  JP ", "BRK/B", None])).tolist()
    ['US', 'JP', nan, nan]
    """
    text = values.astype("str").str.strip().where(values.notna())
    spaced = text.str.contains(" ", regex=False).fillna(False).astype(bool)
    return text.str.rsplit(n=1).str[-1].where(spaced)


_PARSE_COLUMNS = ("root", "code", C.BLOOMBERG_TICKER, "error", "message")


def _row(value: object, namespace: Namespace) -> tuple[object, ...]:
    parsed = parse_ticker(value, namespace=namespace)
    t = parsed.ticker
    if t is None:
        return (None, None, None, parsed.error, parsed.message)
    bbg = str(t) if namespace == "bloomberg" else f"{t.root} {ISO_TO_BLOOMBERG[t.code]}"
    return (t.root, t.code, bbg, None, parsed.message)


def parse_column(values: pd.Series, *, namespace: Namespace) -> pd.DataFrame:
    """Parse a whole ticker column, once per distinct value.

    Args:
        values: the column (any dtype; missing values give ``error="empty"``).
        namespace: the namespace of the column (see :func:`namespace_for_column`).

    Returns:
        A frame index-aligned with ``values``: ``root``, ``code`` (in the input namespace),
        ``bloomberg_ticker`` (canonical, Bloomberg namespace), ``error``, ``message``. The first
        three are missing on rows with an error.
    """
    import pandas as pd

    keys = values.astype("object").where(values.notna(), None)
    uniques = pd.unique(keys.to_numpy())
    table = {v: _row(v, namespace) for v in uniques}
    rows = [table[v] for v in keys.to_numpy()]
    frame = pd.DataFrame.from_records(rows, columns=list(_PARSE_COLUMNS), index=values.index)
    for col in _PARSE_COLUMNS:
        frame[col] = frame[col].astype("str")
    return frame
