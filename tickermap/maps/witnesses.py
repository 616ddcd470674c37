"""Presets for public witnesses that are not Bloomberg-keyed maps: FinanceDatabase and dsignals.

- ``financedatabase``: JerBouma/FinanceDatabase equities, one CSV per Yahoo exchange code, or a
  folder of them. Each listing's Yahoo ``symbol`` becomes a Bloomberg-style ticker by the string
  rules of :func:`tickermap.tickers.symbols.yahoo_to_bloomberg` (suffix -> exchange code from
  ``mappings/exchanges.csv``); markets where Yahoo uses another local code (MK, SP, ID) get no
  ticker, the listing is kept for identifier joins. The Yahoo symbol, ISIN and FIGIs are claims in
  the canonical frame; MIC, exchange, country, currency, CUSIP and the delisted flag are kept in
  :attr:`~tickermap.maps.load.LoadedMap.extra`.
- ``dsignals_eodhd``: degerhan/dsignals ``db/eodhd-map.csv``
  (``bloomberg_ticker,yahoo,data_provider,signals_ticker``); the EODHD symbol goes to ``extra``.
- ``dsignals_overrides``: its ``db/eodhd-overrides.csv`` (``old,new`` data-provider symbols): one
  row per override, ticker from ``new``, ``extra`` holds both symbols and ``renamed_from``.

Nothing is repaired: cells are normalised as in :mod:`tickermap.maps.load`. Never prints.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tickermap import columns as C
from tickermap.errors import ConfigError, MappingFileError
from tickermap.tickers.exchanges import load_exchanges
from tickermap.tickers.symbols import yahoo_to_bloomberg

__all__ = [
    "FINANCEDATABASE_COLUMNS",
    "WITNESS_PRESETS",
    "is_financedatabase_header",
    "load_witness",
    "load_witness_map",
    "read_header",
    "witness_preset",
]

if TYPE_CHECKING:
    from tickermap.maps.load import LoadedMap, Preset

logger = logging.getLogger(__name__)

WITNESS_PRESETS = ("financedatabase", "dsignals_eodhd", "dsignals_overrides")
FINANCEDATABASE_COLUMNS = (
    "symbol", "name", "currency", "exchange", "mic", "country", "isin", "cusip", "figi",
    "composite_figi", "shareclass_figi", "delisted",
)  # fmt: skip
"""The FinanceDatabase equities columns read (the descriptive ones are skipped)."""
_FD_SIGNATURE = frozenset({"symbol", "mic", "composite_figi", "shareclass_figi"})
_FD_EXTRA = ("mic", "exchange", "country", "currency", "cusip", "delisted")
_TRUE = frozenset({"TRUE", "1", "YES"})
_FALSE = frozenset({"FALSE", "0", "NO"})
# EODHD exchange suffixes whose Yahoo suffix differs (KO is KOSPI; LSE is London).
_EODHD_TO_YAHOO = {"KO": "KS", "LSE": "L", "US": ""}


def read_header(path: Path) -> list[str]:
    """The header row of a CSV file (first line), or raise naming the file and line 1."""
    gzipped = path.name.lower().endswith(".gz")
    try:
        with gzip.open(path, "rb") if gzipped else path.open("rb") as fh:
            first = fh.readline(1 << 20)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise MappingFileError(
            f"not a valid gzip file ({exc}); re-compress it with gzip, or drop the .gz suffix "
            "if it is plain CSV",
            path=path,
        ) from exc
    except OSError as exc:
        raise MappingFileError(f"cannot read the file: {exc.strerror}", path=path) from exc
    if first.startswith(b"PAR1"):
        raise MappingFileError(
            "this is a Parquet file with a CSV name; rename it to .parquet", path=path
        )
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MappingFileError(
            f"the header is not UTF-8 (byte {first[exc.start : exc.start + 1]!r}); re-save the "
            "file as UTF-8",
            path=path,
            line=1,
        ) from exc
    return [c.strip() for c in next(csv.reader(io.StringIO(text)), [])]


def is_financedatabase_header(header: Sequence[str]) -> bool:
    """Whether a header is FinanceDatabase's equities format."""
    return {c.strip().lower() for c in header} >= _FD_SIGNATURE


def _text(series: pd.Series) -> pd.Series:
    from tickermap.maps.load import _text as normalise

    return normalise(series)


def _line_numbers(path: Path, nrows: int) -> list[int]:
    """1-based line of each data row; fast when no record spans lines (FinanceDatabase's case)."""
    raw = path.read_bytes()
    if raw.count(b"\n") - (0 if raw.endswith(b"\n") else -1) == nrows + 1:
        return list(range(2, nrows + 2))
    from tickermap.maps.load import _source_rows

    return _source_rows(path, nrows)


def _delisted(listing: pd.DataFrame, root: Path) -> pd.Series:
    values = listing["delisted"].astype("object")
    upper = _text(values).str.upper()
    bad = upper.notna() & ~upper.isin(_TRUE | _FALSE)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        row = listing.iloc[i]
        raise MappingFileError(
            "delisted must be True or False (FinanceDatabase's format)",
            path=root / str(row["source_file"]) if root.is_dir() else root,
            line=int(row[C.SOURCE_ROW]),
            column="delisted",
            value=values.iloc[i],
        )
    return upper.isin(_TRUE).astype("boolean").mask(upper.isna())


def _yahoo_tickers(symbols: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Bloomberg-style ticker per Yahoo symbol (NA where the string rules cannot tell)."""
    lookup = {ex.code for ex in load_exchanges().values() if ex.yahoo_root == "lookup"}
    table: dict[str, tuple[object, bool]] = {}
    for symbol in symbols.dropna().unique():
        result = yahoo_to_bloomberg(str(symbol))
        code = result.symbol.rsplit(" ", 1)[-1] if result.symbol else None
        if result.symbol is None or code in lookup:
            table[symbol] = (pd.NA, False)
        else:
            table[symbol] = (result.symbol, result.ambiguous)
    tickers = symbols.map(lambda s: table.get(s, (pd.NA, False))[0])
    ambiguous = symbols.map(lambda s: table.get(s, (pd.NA, False))[1]).astype("boolean")
    return tickers.astype("str"), ambiguous


def _financedatabase_file(path: Path) -> pd.DataFrame:
    """The FinanceDatabase columns of one file as read (not normalised), with line numbers."""
    from tickermap.maps.load import _read

    header = read_header(path)
    if not is_financedatabase_header(header):
        present = ", ".join(map(repr, header[:12]))
        raise MappingFileError(
            "not a FinanceDatabase equities file (needs symbol, mic, composite_figi, "
            f"shareclass_figi); the header has {present}; pass FILE:PRESET or --map-columns",
            path=path,
            line=1,
        )
    lower = {c.lower(): c for c in header}
    wanted = [lower[c] for c in FINANCEDATABASE_COLUMNS if c in lower]
    frame = _read_columns(path, wanted) if len(wanted) < len(header) else _read(path)
    frame = frame[wanted]
    frame.columns = [c.lower() for c in wanted]
    for c in FINANCEDATABASE_COLUMNS:
        if c not in frame:
            frame[c] = pd.NA
    frame[C.SOURCE_ROW] = _line_numbers(path, len(frame))
    frame["source_file"] = path.name
    return frame


def _read_columns(path: Path, wanted: Sequence[str]) -> pd.DataFrame:
    from tickermap.errors import InputError
    from tickermap.tables import read_table

    try:
        return read_table(path, columns=wanted)
    except MappingFileError:
        raise
    except InputError as exc:
        raise MappingFileError(
            exc.message, path=exc.path, line=exc.line, column=exc.column, value=exc.value
        ) from exc


def _check_duplicates(frame: pd.DataFrame, root: Path) -> None:
    keys = frame["symbol"]
    dup = keys.notna() & keys.duplicated(keep=False)
    if not dup.any():
        return
    first = frame[dup].sort_values(["symbol", "source_file", C.SOURCE_ROW]).head(2)
    records: list[dict[str, object]] = first.to_dict("records")  # type: ignore[assignment]
    a, b = records
    where = (
        f"{a['source_file']} line {a['source_row']} and {b['source_file']} line {b['source_row']}"
    )
    raise MappingFileError(
        f"Yahoo symbol {a['symbol']!r} is listed twice ({where}; {int(dup.sum())} rows share a "
        "symbol); a FinanceDatabase folder holds each listing once: remove the duplicate file or "
        "rows",
        path=root / str(b["source_file"]),
        line=int(str(b["source_row"])),
        column="symbol",
        value=a["symbol"],
    )


def _financedatabase(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise MappingFileError("the folder holds no .csv file", path=path)
    else:
        files = [path]
    listing = pd.concat([_financedatabase_file(f) for f in files], ignore_index=True)
    for col in FINANCEDATABASE_COLUMNS:
        if col != "delisted":
            listing[col] = _text(listing[col].astype("object"))
    listing["delisted"] = _delisted(listing, path)
    _check_duplicates(listing, path if path.is_dir() else path.parent)
    tickers, ambiguous = _yahoo_tickers(listing["symbol"])
    frame = pd.DataFrame(
        {
            C.BLOOMBERG_TICKER: tickers,
            C.NAME: listing["name"],
            C.ISIN: listing["isin"].str.upper(),
            C.FIGI: listing["figi"].str.upper(),
            C.COMPOSITE_FIGI: listing["composite_figi"].str.upper(),
            C.SHARE_CLASS_FIGI: listing["shareclass_figi"].str.upper(),
            C.YAHOO: listing["symbol"].str.upper(),
            C.SOURCE_ROW: listing[C.SOURCE_ROW],
        }
    )
    extra = listing[["source_file", *_FD_EXTRA]].assign(ticker_ambiguous=ambiguous)
    return frame, extra


def _eodhd_to_bloomberg(symbols: pd.Series) -> pd.Series:
    def convert(symbol: object) -> object:
        if not isinstance(symbol, str):
            return pd.NA
        stem, dot, suffix = symbol.upper().rpartition(".")
        if not dot:
            stem, suffix = symbol.upper(), "US"
        yahoo_suffix = _EODHD_TO_YAHOO.get(suffix, suffix)
        stem = stem.replace("//", "-").replace(" ", "-")
        if suffix == "KO" and stem[:1] == "A" and stem[1:].isdigit():
            stem = stem[1:]  # dsignals writes some KOSPI codes with Korea's "A" prefix
        result = yahoo_to_bloomberg(f"{stem}.{yahoo_suffix}" if yahoo_suffix else stem)
        return result.symbol if result.symbol is not None else pd.NA

    return symbols.map(convert).astype("str")


def _dsignals(path: Path, preset: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from tickermap.maps.load import _header_lookup, _missing, _read, _source_rows

    frame = _read(path)
    header = [str(c) for c in frame.columns]
    lookup = _header_lookup(header)
    need = ("bloomberg_ticker", "signals_ticker") if preset == "dsignals_eodhd" else ("old", "new")
    absent = [c for c in need if c not in lookup]
    if absent:
        raise _missing(path, header, f"missing column(s) {', '.join(map(repr, absent))}", preset)
    cols = {k: _text(frame[v]) for k, v in lookup.items()}
    rows = pd.Series(_source_rows(path, len(frame)), index=frame.index, dtype="int64")
    if preset == "dsignals_eodhd":
        out = pd.DataFrame(
            {
                C.BLOOMBERG_TICKER: cols["bloomberg_ticker"].str.upper(),
                C.YAHOO: cols["yahoo"].str.upper() if "yahoo" in cols else pd.NA,
                C.SOURCE_ROW: rows,
            }
        )
        extra = pd.DataFrame(
            {"eodhd": cols["signals_ticker"], "data_provider": cols.get("data_provider", pd.NA)}
        )
        return out, extra
    new = cols["new"].str.upper()
    out = pd.DataFrame({C.BLOOMBERG_TICKER: _eodhd_to_bloomberg(new), C.SOURCE_ROW: rows})
    extra = pd.DataFrame(
        {
            "old_symbol": cols["old"],
            "new_symbol": cols["new"],
            "renamed_from": _eodhd_to_bloomberg(cols["old"].str.upper()),
        }
    )
    return out, extra


def load_witness(path: Path, preset: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a witness file (or FinanceDatabase folder) into (canonical part, extra columns).

    The canonical part holds ``bloomberg_ticker``, ``source_row`` and the claims the format
    carries; :func:`tickermap.maps.load.load_map` completes it. Both frames share one index.

    Raises:
        MappingFileError: unreadable or undecodable file, not the format, duplicated listings,
            a bad delisted flag (each naming the file and line).
    """
    if preset == "financedatabase":
        return _financedatabase(path)
    if path.is_dir():
        raise MappingFileError(f"preset {preset} reads one file, not a folder", path=path)
    return _dsignals(path, preset)


def witness_preset(p: Path, preset: Preset | None, spec: Mapping[str, str]) -> Preset | None:
    """The witness preset that reads ``p`` (a folder is always FinanceDatabase), else None."""
    from tickermap.maps.load import detect_preset
    from tickermap.tables import table_format

    if p.is_dir():
        if preset not in (None, "financedatabase") or spec:
            raise ConfigError(
                f"{p} is a folder: only the financedatabase preset reads a folder (one CSV per "
                "exchange); give a single file for other presets and --columns"
            )
        return "financedatabase"
    if preset is not None:
        if preset in WITNESS_PRESETS and spec:
            raise ConfigError(f"preset {preset} has fixed columns; drop --columns/--map-columns")
        return preset if preset in WITNESS_PRESETS else None
    if spec or not p.is_file() or table_format(p) == "parquet":
        return None
    found = detect_preset(read_header(p))
    return found if found in WITNESS_PRESETS else None


def load_witness_map(p: Path, preset: Preset, *, source: str | None, detected: bool) -> LoadedMap:
    """Load a witness file or folder as a :class:`~tickermap.maps.load.LoadedMap`."""
    from tickermap.columns import CANONICAL_MAP_COLUMNS, SOURCE, SOURCE_ROW
    from tickermap.maps.load import LoadedMap

    part, extra = load_witness(p, preset)
    if part.empty:
        raise MappingFileError(
            "the file has a header but no data rows; an empty map cannot be used", path=p, line=1
        )
    out = pd.DataFrame(index=part.index)
    for col in CANONICAL_MAP_COLUMNS[:-2]:
        out[col] = part[col] if col in part else pd.Series(pd.NA, index=part.index, dtype="str")
    name = source or p.name
    out[SOURCE] = name
    out[SOURCE_ROW] = part[SOURCE_ROW].astype("int64")
    empty = out[list(CANONICAL_MAP_COLUMNS[:-2])].isna().all(axis=1)
    if empty.all():
        raise MappingFileError("every data row is empty; an empty map cannot be used", path=p)
    keep = ~empty
    out = out[keep].reset_index(drop=True)
    extra = extra[keep].reset_index(drop=True)
    logger.info("%s: %d rows, preset %s", p, len(out), preset)
    return LoadedMap(
        frame=out, preset=preset, namespace="bloomberg", path=p, source=name, detected=detected,
        extra=extra,
    )  # fmt: skip
