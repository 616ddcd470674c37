"""Convert between Bloomberg tickers, Numerai ISO tickers and Yahoo symbols, by string rules.

Rules (docs/numerai-signals.md §1.3-1.5, judgement calls in mappings/EXCHANGES.md): a Yahoo suffix
per exchange; Hong Kong roots zero-padded to four digits; share classes ``/B`` -> ``-B`` and a
trailing ``/`` dropped; Canadian units ``-U`` -> ``-UN``; Mexican ``*`` dropped; Swedish class
letters split off (``ATCOA`` -> ``ATCO-A``). Where the composite hides the venue that decides the
suffix (KS: KOSPI/KOSDAQ, TT: TWSE/TPEx, CH: Shanghai/Shenzhen) a known venue decides; otherwise
the default suffix is returned and marked ambiguous. Markets where Yahoo uses another local code
(MK, SP, ID) give no symbol unless the root already is that code.

String rules only: no network, no identifier lookups (those live in ``resolve``/``reconcile``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tickermap import columns as C
from tickermap.errors import InputError
from tickermap.tickers.exchanges import Exchange, load_exchanges
from tickermap.tickers.parse import (
    Namespace,
    Ticker,
    bloomberg_to_numerai,
    namespace_for_column,
    numerai_to_bloomberg,
    parse_ticker,
)

if TYPE_CHECKING:  # pandas is imported where a table is converted: small CSVs never need it
    from collections.abc import Sequence

    import pandas as pd

    from tickermap.maps.load import LoadedMap
    from tickermap.maps.options import MapSpec

__all__ = [
    "NO_ROWS",
    "Source",
    "SymbolResult",
    "SymbolSummary",
    "Target",
    "bloomberg_to_yahoo",
    "convert_column",
    "convert_file",
    "convert_table",
    "output_names",
    "pick_column",
    "target_column",
    "yahoo_to_bloomberg",
]

Target = Literal["yahoo", "bloomberg", "numerai"]
Source = Literal["bloomberg", "numerai", "yahoo"]
AMBIGUOUS = "symbol_ambiguous"
ERROR = "symbol_error"
YAHOO_SOURCE = "yahoo_source"
_TARGET_COLUMNS: dict[str, str] = {
    "yahoo": C.YAHOO,
    "bloomberg": C.BLOOMBERG_TICKER,
    "numerai": C.NUMERAI_TICKER,
}
# Canadian share designations Yahoo omits: subordinate / limited / restricted voting.
_CN_DESIGNATION = re.compile(r"/(?:SV|LV|RV)(?=/|$)")
_CN_UNIT = re.compile(r"(?:-U|/U|/UN)$")
_NORDIC_CLASS = re.compile(r"^(.{2,})([ABC])$")
_OLD = re.compile(r"_?old$")


@dataclass(frozen=True, slots=True)
class SymbolResult:
    """One converted symbol.

    Attributes:
        symbol: the converted value, or ``None`` when there is none.
        ambiguous: the string rules could not decide; ``symbol`` is the most common choice.
        error: ``None``, or why there is no symbol (a reason code such as ``no_exchange_code``,
            ``unknown_exchange``, ``no_yahoo_market``, ``yahoo_code_differs``, ``retired_ticker``,
            ``unknown_yahoo_suffix``).
    """

    symbol: str | None
    ambiguous: bool
    error: str | None


def _fail(error: str | None) -> SymbolResult:
    return SymbolResult(symbol=None, ambiguous=False, error=error or "unparseable")


def _yahoo_root(root: str, ex: Exchange) -> tuple[str, bool]:
    """The Yahoo form of a Bloomberg root, and whether the rule is a guess."""
    code = ex.figi_composite if ex.is_legacy else ex.code
    if code == "HK" and root.isdigit():
        return root.lstrip("0").zfill(4), False
    if code == "MF":
        return root.replace("*", "").replace(" ", ""), False
    if code in ("SS", "DC"):
        # Stockholm and Copenhagen: Bloomberg glues the class letter on, Yahoo hyphenates it.
        if " " in root:
            return root.replace(" ", "-"), False
        m = _NORDIC_CLASS.match(root)
        if m and "/" not in root:
            # "ADDTB" is ADDT-B.ST; a trailing A or C is often part of the name (ALFA, AMBEA).
            return f"{m.group(1)}-{m.group(2)}", m.group(2) != "B"
    if code == "CN":
        root = _CN_DESIGNATION.sub("", root)
        if _CN_UNIT.search(root):
            root = _CN_UNIT.sub("-UN", root)
    root = root.rstrip("/")
    return root.replace("/", "-").replace(".", "-").replace(" ", "-"), False


def _suffix(ex: Exchange, venue: str | None) -> tuple[str, bool]:
    """The Yahoo suffix for an exchange and optional venue, and whether it is ambiguous."""
    if venue:
        by_venue = ex.yahoo_suffix_for_venue(venue)
        if by_venue is not None:
            return by_venue, False
    return ex.yahoo_suffixes[0], ex.venue_hidden


def bloomberg_to_yahoo(ticker: str | Ticker, *, venue: str | None = None) -> SymbolResult:
    """Convert a Bloomberg ticker to a Yahoo symbol.

    Args:
        ticker: a ``bloomberg_ticker`` value or a parsed Bloomberg-namespace :class:`Ticker`.
        venue: the OpenFIGI exchange code of the listing (``KQ``), when known.

    Returns:
        A :class:`SymbolResult`.

    >>> bloomberg_to_yahoo("1 HK").symbol
    '0001.HK'
    >>> bloomberg_to_yahoo("000660 KS")
    SymbolResult(symbol='000660.KS', ambiguous=True, error=None)
    >>> bloomberg_to_yahoo("035720 KS", venue="KQ")
    SymbolResult(symbol='035720.KQ', ambiguous=False, error=None)
    """
    if isinstance(ticker, Ticker):
        if ticker.namespace != "bloomberg":
            converted = numerai_to_bloomberg(str(ticker))
            return bloomberg_to_yahoo(converted, venue=venue) if converted else _fail(None)
        parsed_ticker = ticker
    else:
        parsed = parse_ticker(ticker)
        if parsed.ticker is None:
            return _fail(parsed.error)
        parsed_ticker = parsed.ticker
    root, code = parsed_ticker.root, parsed_ticker.code
    ex = load_exchanges().get(code)
    if ex is None:
        return _fail("unknown_exchange")
    if not ex.yahoo_suffixes:
        return _fail("no_yahoo_market")
    if _OLD.search(root):
        return _fail("retired_ticker")
    if ex.yahoo_root == "lookup" and not any(ch.isdigit() for ch in root):
        # Bursa Malaysia, SGX and Euronext Dublin codes differ from Bloomberg's root (AAGB MK is
        # 5099.KL); only an identifier join can find them (docs/numerai-signals.md §1.5).
        return _fail("yahoo_code_differs")
    yroot, guessed = _yahoo_root(root, ex)
    suffix, hidden = _suffix(ex, venue)
    return SymbolResult(symbol=yroot + suffix, ambiguous=guessed or hidden, error=None)


@lru_cache(maxsize=1)
def _suffix_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for ex in load_exchanges().values():
        if ex.is_legacy:
            continue
        for suffix in ex.yahoo_suffixes:
            table.setdefault(suffix, ex.code)
    return table


def yahoo_to_bloomberg(symbol: str) -> SymbolResult:
    """Convert a Yahoo symbol to a Bloomberg ticker.

    Returns:
        A :class:`SymbolResult`; ``ambiguous`` where Bloomberg's root cannot be derived (the
        Mexican ``*``, Swedish classes, and the MK/SP/ID local codes).

    >>> yahoo_to_bloomberg("BRK-B").symbol
    'BRK/B US'
    >>> yahoo_to_bloomberg("0001.HK").symbol
    '1 HK'
    """
    text = str(symbol).strip().upper()
    if not text:
        return _fail("empty")
    stem, dot, tail = text.rpartition(".")
    table = _suffix_table()
    if not dot:
        stem, suffix = text, ""
    elif "." + tail in table:
        suffix = "." + tail
    else:
        return _fail("unknown_yahoo_suffix")
    if not stem:
        return _fail("empty")
    code = table[suffix]
    ex = load_exchanges()[code]
    ambiguous = ex.yahoo_root == "lookup" or code == "MF"
    if code == "HK" and stem.isdigit():
        root = stem.lstrip("0") or "0"
    elif code == "CN" and stem.endswith("-UN"):
        root = stem[:-3] + "-U"
    elif code in ("SS", "DC") and re.fullmatch(r".+-[A-Z]", stem):
        root = stem.replace("-", "")
    else:
        root = stem.replace("-", "/")
        if code == "LN" and len(root) <= 2:
            root += "/"  # Bloomberg pads two-letter LSE roots with "/" (BP/ LN).
    parsed = parse_ticker(f"{root} {code}")
    if parsed.ticker is None:
        return _fail(parsed.error)
    return SymbolResult(symbol=str(parsed.ticker), ambiguous=ambiguous, error=None)


def target_column(to: Target) -> str:
    """The output column name for a conversion target (``yahoo``, ``bloomberg_ticker``, ...)."""
    return _TARGET_COLUMNS[to]


def output_names(existing: Sequence[str], to: Target) -> tuple[str, str, str]:
    """The names of the three added columns (target, ambiguous, error) for a table.

    A name the table already has gets ``_converted`` (then ``_converted2``, ...), so converting
    an output again never overwrites or repeats a column the user supplied.

    >>> output_names(["yahoo", "symbol_ambiguous", "symbol_error"], "bloomberg")
    ('bloomberg_ticker', 'symbol_ambiguous_converted', 'symbol_error_converted')
    """
    taken = set(existing)
    names = []
    for base in (target_column(to), AMBIGUOUS, ERROR):
        name, n = base, 1
        while name in taken:
            name = f"{base}_converted" + (str(n) if n > 1 else "")
            n += 1
        taken.add(name)
        names.append(name)
    return names[0], names[1], names[2]


def _to_bloomberg(value: object, source: Source) -> SymbolResult:
    if source == "yahoo":
        if value is None or (isinstance(value, float) and value != value):
            return _fail("empty")
        return yahoo_to_bloomberg(str(value))
    parsed = parse_ticker(value, namespace=source)
    if parsed.ticker is None:
        return _fail(parsed.error)
    if source == "numerai":
        converted = numerai_to_bloomberg(str(parsed.ticker))
        return SymbolResult(converted, False, None) if converted else _fail("unknown_exchange")
    return SymbolResult(str(parsed.ticker), False, None)


def _convert_one(value: object, venue: object, source: Source, to: Target) -> SymbolResult:
    bbg = _to_bloomberg(value, source)
    if bbg.symbol is None or to == "bloomberg":
        return bbg
    if to == "numerai":
        iso = bloomberg_to_numerai(bbg.symbol)
        return SymbolResult(iso, bbg.ambiguous, None) if iso else _fail("unknown_exchange")
    v = venue if isinstance(venue, str) and venue.strip() else None
    out = bloomberg_to_yahoo(bbg.symbol, venue=v)
    return SymbolResult(out.symbol, out.ambiguous or bbg.ambiguous, out.error)


def convert_column(
    values: pd.Series,
    *,
    namespace: Namespace | Source,
    to: Target,
    venues: pd.Series | None = None,
) -> pd.DataFrame:
    """Convert a whole column, once per distinct (value, venue) pair.

    Args:
        values: the input column.
        namespace: what the input holds: ``bloomberg``, ``numerai`` (ISO) or ``yahoo``.
        to: the target: ``yahoo``, ``bloomberg`` or ``numerai``.
        venues: optional OpenFIGI exchange codes, aligned with ``values`` (decide KS/TT/CH).

    Returns:
        A frame index-aligned with ``values``: the target column (``yahoo``,
        ``bloomberg_ticker`` or ``numerai_ticker``), ``symbol_ambiguous`` (bool) and
        ``symbol_error`` (reason code or missing).
    """
    import pandas as pd

    keys = values.astype("object").where(values.notna(), None).to_numpy()
    if venues is None:
        vens = [None] * len(keys)
    else:
        vens = list(venues.astype("object").where(venues.notna(), None).to_numpy())
    pairs = list(zip(keys, vens, strict=True))
    cache = {pair: _convert_one(pair[0], pair[1], namespace, to) for pair in dict.fromkeys(pairs)}
    results = [cache[pair] for pair in pairs]
    frame = pd.DataFrame(
        {
            target_column(to): pd.Series([r.symbol for r in results], dtype="str"),
            AMBIGUOUS: pd.Series([r.ambiguous for r in results], dtype="bool"),
            ERROR: pd.Series([r.error for r in results], dtype="str"),
        }
    )
    frame.index = values.index
    return frame


@dataclass(frozen=True, slots=True)
class SymbolSummary:
    """What :func:`convert_file` did: counts for the CLI summary.

    Attributes:
        rows: rows read.
        converted: rows with a symbol.
        ambiguous: rows whose symbol is marked ambiguous.
        errors: reason code -> number of rows without a symbol.
        column: the input column; ``source``: its namespace; ``output``: the added column.
    """

    rows: int
    converted: int
    ambiguous: int
    errors: dict[str, int]
    column: str
    source: Source
    output: str


def pick_column(
    columns: Sequence[str], column: str | None, source: Source | None, venue_column: str | None
) -> tuple[str, Source]:
    """The input column of :func:`convert_table` and its namespace (see there).

    Raises:
        InputError: a named column is missing.
        ConfigError: the namespace cannot be told from the column name.
    """
    candidates = (*C.TICKER_COLUMNS, C.YAHOO)
    col = column or next((c for c in candidates if c in columns), None)
    if col is None or col not in columns:
        raise InputError(
            f"no column {column or ' / '.join(candidates)!r}; name the ticker column with --column",
            line=1,
        )
    if venue_column is not None and venue_column not in columns:
        raise InputError(f"no venue column {venue_column!r}", line=1, column=venue_column)
    ns: Source = source or (
        "yahoo" if col.strip().lower() == C.YAHOO else namespace_for_column(col)
    )
    return col, ns


def convert_table(
    frame: pd.DataFrame,
    *,
    column: str | None = None,
    to: Target = "yahoo",
    source: Source | None = None,
    venue_column: str | None = None,
    maps: Sequence[LoadedMap] = (),
) -> tuple[pd.DataFrame, SymbolSummary]:
    """Add the converted column plus ``symbol_ambiguous`` and ``symbol_error`` to a table.

    For ``to="yahoo"`` it also adds ``yahoo_source``: which evidence gave the symbol
    (:mod:`tickermap.maps.yahoo_evidence`; ``rule``/``rule:ambiguous`` without witnesses).

    Args:
        frame: the input table.
        column: the input column; default the first of bloomberg_ticker, numerai_ticker, yahoo.
        to: the target namespace.
        source: override the input namespace (otherwise from the column name).
        venue_column: optional column of OpenFIGI exchange codes deciding KS/TT/CH suffixes.
        maps: witnesses (loaded maps) whose listings give Yahoo symbols by ISIN, FIGI, ticker
            and name; the table's own isin/figi/name columns count as facts about its tickers.

    Raises:
        InputError: a named column is missing.
        ConfigError: the namespace cannot be told from the column name.
    """
    import pandas as pd

    col, ns = pick_column(list(frame.columns), column, source, venue_column)
    venues = frame[venue_column] if venue_column else None
    if to == "yahoo":
        from tickermap.tickers.symbols_evidence import yahoo_column

        converted = yahoo_column(frame, col, ns, venues, maps)
    else:
        converted = convert_column(frame[col], namespace=ns, to=to, venues=venues)
    names = output_names(list(frame.columns), to)
    base = (target_column(to), AMBIGUOUS, ERROR)
    converted = converted.rename(columns=dict(zip(base, names, strict=True)))
    name = names[0]
    out = pd.concat([frame, converted], axis=1)
    errors = converted[names[2]].dropna().value_counts()
    summary = SymbolSummary(
        rows=len(frame),
        converted=int(converted[name].notna().sum()),
        ambiguous=int(converted[names[1]].sum()),
        errors={str(k): int(v) for k, v in errors.items()},
        column=col,
        source=ns,
        output=name,
    )
    return out, summary


NO_ROWS = "there is nothing to convert"
"""What a header-only file means to ``symbols`` (:func:`tickermap.tables.no_rows_error`)."""


def convert_file(
    path: Path,
    out: Path,
    *,
    column: str | None = None,
    to: Target = "yahoo",
    source: Source | None = None,
    venue_column: str | None = None,
    maps: Sequence[MapSpec | str | Path] = (),
) -> SymbolSummary:
    """Read a CSV/Parquet table, convert its ticker column, write the result atomically.

    See :func:`convert_table` for the arguments (``maps`` are ``--map`` values, loaded here);
    errors name the file. A small plain CSV without maps (``tickermap.tables.rows``) is
    converted without pandas, to the same bytes.
    """
    from tickermap.tables.rows import is_small_csv

    if not maps and is_small_csv(path, out):
        from tickermap.tickers.symbols_csv import convert_small_csv

        summary = convert_small_csv(
            path, out, column=column, to=to, source=source, venue_column=venue_column
        )
        if summary is not None:
            return summary
    from tickermap.maps.options import load_map_spec
    from tickermap.tables import no_rows_error, read_table, write_table

    frame = read_table(path)
    if frame.empty:
        raise no_rows_error(path, NO_ROWS)
    loaded = [load_map_spec(m) for m in maps]
    try:
        table, summary = convert_table(
            frame, column=column, to=to, source=source, venue_column=venue_column, maps=loaded
        )
    except InputError as exc:
        raise InputError(exc.message, path=path, line=exc.line, column=exc.column) from exc
    write_table(table, out)
    return summary
