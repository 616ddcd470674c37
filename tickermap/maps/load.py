"""Community mapping files: load any known format into the canonical map table.

Holds the presets for the known public formats, header-based auto-detection, the ``--columns``
spec parser and :func:`load_map`, which returns exactly :data:`~tickermap.columns.
CANONICAL_MAP_COLUMNS`. Cells are only *normalised* (whitespace stripped and collapsed,
identifiers upper-cased, known "missing" sentinels turned into NA). Nothing here validates or
repairs an identifier: a damaged value (``1.23E+11``, a lost leading zero) is kept as it was so
the validator can report it. Files are read through :mod:`tickermap.tables`; this module never
downloads (see :mod:`tickermap.maps.sources`), prints or reads the environment.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import pandas as pd

from tickermap.columns import (
    BLOOMBERG_TICKER,
    CANONICAL_MAP_COLUMNS,
    COMPOSITE_FIGI,
    FIGI,
    ISIN,
    NAME,
    NUMERAI_TICKER,
    SHARE_CLASS_FIGI,
    SOURCE,
    SOURCE_ROW,
    YAHOO,
)
from tickermap.errors import ConfigError, InputError, MappingFileError
from tickermap.maps.local_tickers import COUNTRY, MARKET_KEYS, MIC, local_tickers, yahoo_listings
from tickermap.maps.witnesses import load_witness_map, read_header, witness_preset
from tickermap.tables import read_table, table_format
from tickermap.tickers.parse import (
    Namespace,
    namespace_for_column,
    numerai_to_bloomberg,
)

__all__ = [
    "COLUMN_KEYS",
    "EXCHANGE",
    "PRESETS",
    "TICKER",
    "LoadedMap",
    "Namespace",
    "Preset",
    "detect_preset",
    "header_lookup",
    "load_map",
    "parse_columns_option",
    "preset_columns",
    "read_header",
]

logger = logging.getLogger(__name__)

Preset = Literal[
    "signals_map",
    "bloomberg_yahoo_av",
    "numerai",
    "generic",
    "financedatabase",
    "dsignals_eodhd",
    "dsignals_overrides",
]
PRESETS: tuple[Preset, ...] = get_args(Preset)
NAMESPACES: tuple[Namespace, ...] = get_args(Namespace)

TICKER = "ticker"
"""Generic-mode key: a column holding the ticker root only (``AAPL``), paired with ``exchange``."""
EXCHANGE = "exchange"
"""Generic-mode key: a column holding the exchange code (``US``) for the ``ticker`` column."""

COLUMN_KEYS = (
    BLOOMBERG_TICKER,
    NUMERAI_TICKER,
    NAME,
    ISIN,
    FIGI,
    COMPOSITE_FIGI,
    SHARE_CLASS_FIGI,
    YAHOO,
    TICKER,
    EXCHANGE,
    MIC,
    COUNTRY,
)
"""The keys ``--columns`` accepts: canonical columns, plus ``ticker`` with ``exchange``, ``mic``
or ``country`` (:mod:`tickermap.maps.local_tickers`) to build one."""

_IDENTIFIER_KEYS = (ISIN, FIGI, COMPOSITE_FIGI, SHARE_CLASS_FIGI, YAHOO)
_OPTIONAL_CANONICAL = (NAME, ISIN, FIGI, COMPOSITE_FIGI, SHARE_CLASS_FIGI, YAHOO)

# Cells that mean "no value" in real community files: hellno's map writes SYMBOL_NOT_FOUND
# (docs/numerai-signals.md 1.6), Excel and Bloomberg exports write #N/A. The literal "NA" is NOT
# here: it is a real ticker root and the Netherlands code.
_SENTINELS = frozenset({"SYMBOL_NOT_FOUND", "#N/A", "#N/A N/A"})

# Header names of the fixed presets (canonical key -> column in the file).
_SIGNALS_MAP_REQUIRED = {BLOOMBERG_TICKER: "bloomberg_ticker", NAME: "name_ticker"}
_SIGNALS_MAP_OPTIONAL = {
    ISIN: "isin",
    FIGI: "figi",
    SHARE_CLASS_FIGI: "share_class_figi",
    COMPOSITE_FIGI: "composite_figi",
}
_BYA_REQUIRED = {BLOOMBERG_TICKER: "bloomberg", YAHOO: "yahoo"}


@dataclass(frozen=True, slots=True)
class LoadedMap:
    """A community mapping file turned into the canonical table.

    Attributes:
        frame: exactly ``CANONICAL_MAP_COLUMNS``; str values or NA, ``source_row`` int (the
            1-based line in the file, header = line 1; for Parquet the row position + 1).
        preset: the preset used.
        namespace: the namespace of the file's ticker column (``numerai`` values were converted
            to Bloomberg form where possible).
        path: the file read.
        source: the source name written in the ``source`` column.
        detected: True when the preset was auto-detected from the header.
        extra: for the witness presets (FinanceDatabase, dsignals), the claims that have no
            canonical column (MIC, exchange, country, delisted flag, EODHD symbol, ...); for a
            generic file with a local ticker, each row's market
            (:data:`~tickermap.maps.local_tickers.LISTING_COLUMNS`); one row per row of
            ``frame`` (same index); None otherwise.
    """

    frame: pd.DataFrame
    preset: Preset
    namespace: Namespace
    path: Path
    source: str
    detected: bool
    extra: pd.DataFrame | None = None


def header_lookup(header: Sequence[str]) -> dict[str, str]:
    """Lower-cased, stripped name -> actual header name (first spelling wins).

    >>> header_lookup(["Bloomberg_Ticker", " ISIN ", "isin"])
    {'bloomberg_ticker': 'Bloomberg_Ticker', 'isin': ' ISIN '}
    """
    lookup: dict[str, str] = {}
    for col in header:
        lookup.setdefault(str(col).strip().lower(), str(col))
    return lookup


_header_lookup = header_lookup  # the maps modules' older spelling


def preset_columns(preset: Preset, header: Sequence[str], path: str | Path) -> dict[str, str]:
    """Canonical key -> the file's column, for a fixed-column preset; ``{}`` for the others.

    For ``numerai`` the ticker key is ``bloomberg_ticker`` or ``numerai_ticker``, as the header
    has it. Witness and ``generic`` presets have no fixed canonical columns (``{}``).

    >>> preset_columns("signals_map", ["bloomberg_ticker", "name_ticker", "ISIN"], "m.csv")
    {'bloomberg_ticker': 'bloomberg_ticker', 'name': 'name_ticker', 'isin': 'ISIN'}

    Raises:
        MappingFileError: the header lacks a column the preset requires (names ``path``).
    """
    header = [str(c) for c in header]
    return _preset_columns(preset, header_lookup(header), Path(path), header)


def detect_preset(header: Sequence[str]) -> Preset | None:
    """Guess the preset from a header (case-insensitive); None when no preset fits.

    >>> detect_preset(["bloomberg_ticker", "name_ticker", "isin", "figi"])
    'signals_map'
    >>> detect_preset(["bloomberg", "yahoo", "alpha_vantage"])
    'bloomberg_yahoo_av'
    >>> detect_preset(["numerai_ticker", "yahoo"]), detect_preset(["company", "ISIN"])
    ('numerai', None)
    """
    names = set(header_lookup(header))
    if {"symbol", "mic", "composite_figi", "shareclass_figi"} <= names:
        return "financedatabase"
    if {"bloomberg_ticker", "data_provider", "signals_ticker"} <= names:
        return "dsignals_eodhd"
    if names == {"old", "new"}:
        return "dsignals_overrides"
    if {"bloomberg_ticker", "name_ticker"} <= names:
        return "signals_map"
    if {"bloomberg", "yahoo"} <= names:
        return "bloomberg_yahoo_av"
    if names & {BLOOMBERG_TICKER, NUMERAI_TICKER}:
        return "numerai"
    return None


def parse_columns_option(text: str) -> dict[str, str]:
    """Parse ``--columns`` (``key=column,key=column``) into ``{key: column}``.

    Keys are :data:`COLUMN_KEYS` (case-insensitive); column names keep their spelling.

    >>> parse_columns_option("name=company, isin=ISIN,ticker=sym,exchange=exch")
    {'name': 'company', 'isin': 'ISIN', 'ticker': 'sym', 'exchange': 'exch'}

    Raises:
        ConfigError: empty spec, an item without ``=``, an empty side, an unknown or repeated key.
    """
    spec: dict[str, str] = {}
    if not text.strip():
        raise ConfigError(_columns_help("--columns is empty"))
    for item in text.split(","):
        key, sep, column = item.partition("=")
        key, column = key.strip().lower(), column.strip()
        if not sep or not key or not column:
            raise ConfigError(_columns_help(f"--columns item {item.strip()!r} is not key=column"))
        if key in spec:
            raise ConfigError(_columns_help(f"--columns names {key!r} twice"))
        spec[key] = column
    _check_keys(spec)
    return spec


def _columns_help(problem: str) -> str:
    return (
        f"{problem}; write e.g. --columns name=company,isin=ISIN,ticker=sym,exchange=exch "
        f"(keys: {', '.join(COLUMN_KEYS)})"
    )


def _check_keys(spec: Mapping[str, str]) -> None:
    unknown = [k for k in spec if k not in COLUMN_KEYS]
    if unknown:
        close = [m for k in unknown for m in difflib.get_close_matches(k, COLUMN_KEYS, n=1)]
        names = ", ".join(map(repr, unknown)) + (f" (did you mean {close[0]!r}?)" if close else "")
        raise ConfigError(_columns_help(f"unknown --columns key(s) {names}"))
    if (TICKER in spec) != any(k in spec for k in MARKET_KEYS):
        raise ConfigError(
            "--columns ticker=... and exchange=... (or mic=..., country=...) go together (the "
            "local ticker and where it trades); if one column already holds 'ROOT CODE' values, "
            "use bloomberg_ticker=... or numerai_ticker=... instead"
        )
    ticker_ways = [k for k in (BLOOMBERG_TICKER, NUMERAI_TICKER, TICKER) if k in spec]
    if len(ticker_ways) > 1:
        raise ConfigError(
            f"--columns gives the ticker twice ({', '.join(ticker_ways)}); keep exactly one of "
            "bloomberg_ticker=..., numerai_ticker=..., or ticker=...+exchange=..."
        )


def _read(path: Path) -> pd.DataFrame:
    try:
        return read_table(path)
    except MappingFileError:
        raise
    except InputError as exc:  # re-raise under the mapping-file branch, same location details
        raise MappingFileError(
            exc.message, path=exc.path, line=exc.line, column=exc.column, value=exc.value
        ) from exc


def _missing(path: Path, header: Sequence[str], what: str, preset: str | None) -> MappingFileError:
    present = ", ".join(map(repr, list(header)[:20]))
    more = f" (+{len(header) - 20} more)" if len(header) > 20 else ""
    from tickermap.maps.suggest import suggest_columns

    suggested = suggest_columns(header)
    if suggested:
        hint = (
            f"the header suggests --map-columns {path.name}={suggested} (reconcile) or "
            f"--columns {suggested} (validate, mappings show); check it names the right columns"
        )
    else:
        hint = (
            "pass a preset (FILE:PRESET for reconcile, --preset for validate; presets: "
            f"{', '.join(PRESETS)}) if the file is in a known format, or describe the columns "
            "(--map-columns FILE=bloomberg_ticker=Ticker,isin=ISIN,name=Company for reconcile, "
            "--columns bloomberg_ticker=Ticker,isin=ISIN,name=Company for validate)"
        )
    if len(header) == 1 and any(d in str(header[0]) for d in ";\t| "):
        hint = f"the header has a single column: check the delimiter (save as CSV); {hint}"
    which = f"for preset {preset!r} " if preset else ""
    return MappingFileError(
        f"{what} {which}; the header has {present}{more}; {hint}".replace(" ;", ";"),
        path=path,
        line=1,
    )


def _preset_columns(
    preset: Preset, lookup: Mapping[str, str], path: Path, header: Sequence[str]
) -> dict[str, str]:
    """Canonical key -> header column for a fixed preset; raises when required ones are absent."""
    if preset in ("generic", "financedatabase", "dsignals_eodhd", "dsignals_overrides"):
        return {}
    if preset == "numerai":
        ticker_col = BLOOMBERG_TICKER if BLOOMBERG_TICKER in lookup else NUMERAI_TICKER
        if ticker_col not in lookup:
            raise _missing(path, header, "no 'bloomberg_ticker' or 'numerai_ticker' column", preset)
        mapping = {ticker_col: lookup[ticker_col]}
        mapping.update({k: lookup[k] for k in _OPTIONAL_CANONICAL if k in lookup})
        return mapping
    if preset == "signals_map":
        required, optional = _SIGNALS_MAP_REQUIRED, _SIGNALS_MAP_OPTIONAL
    else:
        required, optional = _BYA_REQUIRED, {}
    absent = [col for col in required.values() if col not in lookup]
    if absent:
        raise _missing(path, header, f"missing column(s) {', '.join(map(repr, absent))}", preset)
    mapping = {key: lookup[col] for key, col in required.items()}
    mapping.update({key: lookup[col] for key, col in optional.items() if col in lookup})
    return mapping


def _user_columns(
    spec: Mapping[str, str], lookup: Mapping[str, str], header: Sequence[str], path: Path
) -> dict[str, str]:
    resolved: dict[str, str] = {}
    for key, col in spec.items():
        actual = col if col in header else lookup.get(col.strip().lower())
        if actual is None:
            present = ", ".join(map(repr, list(header)[:20]))
            raise MappingFileError(
                f"--columns {key}={col} names a column the file does not have; the header has "
                f"{present}",
                path=path,
                line=1,
                column=col,
            )
        resolved[key] = actual
    return resolved


def _text(series: pd.Series) -> pd.Series:
    """As str dtype, whitespace stripped and collapsed, empty and sentinels -> NA."""
    s = series.astype("str").str.strip()
    # Collapsing runs of whitespace is slow per element, and few cells need it: find them first.
    messy = s.str.contains(r"\s\s|[^\S ]", regex=True).fillna(False).astype(bool)
    if messy.any():
        s = s.where(~messy, s[messy].str.replace(r"\s+", " ", regex=True))
    return s.mask(s.eq("") | s.isin(_SENTINELS))


def _ticker_series(
    frame: pd.DataFrame, mapping: Mapping[str, str]
) -> tuple[pd.Series, str, pd.DataFrame | None]:
    """The raw (normalised) ticker column, the key it came from, and the listings' markets
    (a local ticker and its market; a Yahoo column alone)."""
    if TICKER in mapping:
        tickers, markets = local_tickers(frame, mapping, _text)
        return tickers, TICKER, markets
    if not {BLOOMBERG_TICKER, NUMERAI_TICKER} & set(mapping):
        tickers, markets = yahoo_listings(_text(frame[mapping[YAHOO]]).str.upper())
        return tickers, YAHOO, markets
    key = BLOOMBERG_TICKER if BLOOMBERG_TICKER in mapping else NUMERAI_TICKER
    return _text(frame[mapping[key]]).str.upper(), key, None


def _to_bloomberg(tickers: pd.Series) -> pd.Series:
    """Convert numerai_ticker (ISO country) values; unconvertible values are kept as read."""
    uniques = tickers.dropna().unique()
    converted = {v: numerai_to_bloomberg(v) for v in uniques}
    table = {k: v for k, v in converted.items() if v is not None}
    unconvertible = len(converted) - len(table)
    if unconvertible:
        logger.info("%d numerai_ticker value(s) not convertible; kept as read", unconvertible)
    return tickers.map(table).fillna(tickers).astype("str")


def _csv_text(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes()) if path.name.lower().endswith(".gz") else None
    return (raw if raw is not None else path.read_bytes()).decode("utf-8-sig")


def _source_rows(path: Path, nrows: int) -> list[int]:
    """1-based line where each data row starts, skipping blank lines as pandas does."""
    fallback = list(range(2, nrows + 2))
    if table_format(path) == "parquet":
        return fallback
    text = _csv_text(path)
    if '"' not in text:  # no quoting: one physical line per record
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        starts = [i + 1 for i, line in enumerate(lines) if line.strip()]
    else:
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t|", key=first.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        starts, previous = [], 0
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if row and not (len(row) == 1 and not row[0].strip()):
                starts.append(start)
    if len(starts) != nrows + 1:
        logger.debug("could not align line numbers in %s; using row positions", path)
        return fallback
    return starts[1:]


def _resolve_preset(
    preset: Preset | None, columns: Mapping[str, str] | None, header: Sequence[str], path: Path
) -> tuple[Preset, bool]:
    if preset is not None:
        return preset, False
    if columns:
        return "generic", False
    found = detect_preset(header)
    if found is None:
        raise _missing(path, header, "cannot recognise the format: no known ticker column", None)
    return found, True


def load_map(
    path: str | Path,
    *,
    preset: Preset | None = None,
    columns: Mapping[str, str] | None = None,
    source: str | None = None,
    namespace: Namespace | None = None,
) -> LoadedMap:
    """Load a community mapping file (CSV or Parquet) into the canonical table.

    Args:
        path: the file.
        preset: the file's format; auto-detected from the header when None (and ``columns`` is
            not given, which means ``generic``).
        columns: ``{key: column}`` as from :func:`parse_columns_option`; required for
            ``generic``, and overrides a preset's choice of column otherwise.
        source: the name written in the ``source`` column (default: the file name).
        namespace: force the namespace of the ticker column; by default it follows the column's
            name (``numerai_ticker`` -> numerai, anything else -> bloomberg), never the values.

    Returns:
        The :class:`LoadedMap`.

    Raises:
        ConfigError: unknown preset or namespace, bad ``columns`` keys.
        MappingFileError: unreadable file, no data rows, missing or absent columns.
    """
    if preset is not None and preset not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if namespace is not None and namespace not in NAMESPACES:
        raise ConfigError(f"unknown namespace {namespace!r}; choose bloomberg or numerai")
    spec = {k.strip().lower(): v for k, v in (columns or {}).items()}
    _check_keys(spec)
    p = Path(path)
    witness = witness_preset(p, preset, spec)
    if witness is not None:
        return load_witness_map(p, witness, source=source, detected=preset is None)
    frame = _read(p)
    header = [str(c) for c in frame.columns]
    lookup = header_lookup(header)
    used, detected = _resolve_preset(preset, spec, header, p)
    mapping = _preset_columns(used, lookup, p, header)
    if spec:
        if {BLOOMBERG_TICKER, NUMERAI_TICKER, TICKER} & set(spec):  # user's ticker wins
            mapping.pop(BLOOMBERG_TICKER, None)
            mapping.pop(NUMERAI_TICKER, None)
        mapping.update(_user_columns(spec, lookup, header, p))
    if not {BLOOMBERG_TICKER, NUMERAI_TICKER, TICKER, YAHOO} & set(mapping):
        raise _missing(p, header, "--columns names no ticker column (nor a yahoo one)", used)
    if frame.empty:
        raise MappingFileError(
            "the file has a header but no data rows; an empty map cannot be used", path=p, line=1
        )
    tickers, ticker_key, markets = _ticker_series(frame, mapping)
    # The namespace follows the column's name, never the values; a root+exchange pair is read as
    # Bloomberg exchange codes unless the caller says otherwise.
    ns = namespace_for_column(
        NUMERAI_TICKER if ticker_key == NUMERAI_TICKER else BLOOMBERG_TICKER, override=namespace
    )
    if ns == "numerai":
        tickers = _to_bloomberg(tickers)
    out = pd.DataFrame({BLOOMBERG_TICKER: tickers})
    for key in _OPTIONAL_CANONICAL:
        if key in mapping:
            values = _text(frame[mapping[key]])
            out[key] = values.str.upper() if key in _IDENTIFIER_KEYS else values
        else:
            out[key] = pd.Series(pd.NA, index=frame.index, dtype="str")
    name = source or p.name
    out[SOURCE] = name
    out[SOURCE_ROW] = pd.Series(_source_rows(p, len(frame)), index=frame.index, dtype="int64")
    out = out[list(CANONICAL_MAP_COLUMNS)]
    empty = out[list(CANONICAL_MAP_COLUMNS[:-2])].isna().all(axis=1)
    if empty.all():
        raise MappingFileError("every data row is empty; an empty map cannot be used", path=p)
    if empty.any():
        logger.info("%s: skipped %d empty row(s)", p, int(empty.sum()))
    out = out[~empty].reset_index(drop=True)
    extra = None if markets is None else markets[~empty.to_numpy()].reset_index(drop=True)
    logger.info("%s: %d rows, preset %s (%s)", p, len(out), used, ns)
    return LoadedMap(out, used, ns, p, name, detected, extra)
