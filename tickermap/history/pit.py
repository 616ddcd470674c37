"""The point-in-time map: which entity a ticker meant on a date, and the join that uses it.

A history file (``tickermap history ... --out HISTORY``) has one row per spell:
``<ticker column>, <entity column>, first_date, last_date, n_dates, gaps, flags``. A spell is *in
force* on date ``d`` when ``first_date <= d <= last_date``; a spell still alive on the history's
last date stays in force after it (nothing says the ticker changed hands since). Two spells of one
ticker in force on one date make that (date, ticker) ``ambiguous``.

:func:`point_in_time` maps each (date, ticker) of a signal through the spell in force, so that a
reused ticker never joins another company's rows:

* features keyed by the history's entity column (e.g. ``composite_figi``): the row is re-keyed to
  the entity in force on its date;
* features keyed by a ticker (or through a universe): the row joins only when the entity in force
  is the ticker's *current* entity (that of its latest spell), i.e. the company whose data the
  features hold today.

Rows kept out get a reason: ``history_other_entity`` (the ticker belonged to another entity on
that date), ``history_no_spell`` (the ticker was not in the universe on that date),
``history_ambiguous`` (two entities in force), ``history_no_entity`` (re-keying needs an entity
and the spell has none), ``history_unknown_ticker`` (re-keying, and the history does not know the
ticker). Otherwise tickers the history does not know pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tickermap.columns import BLOOMBERG_TICKER, DATE, NUMERAI_TICKER
from tickermap.errors import AnalysisError, InputError
from tickermap.history._dates import days_to_date, parse_date_value
from tickermap.history.spells import SPELL_STATS
from tickermap.tables import read_table
from tickermap.tickers.parse import bloomberg_to_numerai, numerai_to_bloomberg

__all__ = ["History", "PointInTime", "load_history", "map_at", "point_in_time"]


@dataclass(frozen=True, slots=True)
class History:
    """A loaded history file.

    Attributes:
        ticker_column: e.g. ``numerai_ticker``.
        entity_column: e.g. ``composite_figi`` (``entity`` when the inputs had none).
        spells: ``ticker, entity`` (text, entity NA when empty), ``first``, ``last`` (days since
            1970-01-01), ``flags``.
        end: the history's last date (days).
    """

    ticker_column: str
    entity_column: str
    spells: pd.DataFrame
    end: int


def _days_column(values: pd.Series, path: Path, column: str) -> np.ndarray:
    uniques = pd.unique(values.astype(str))
    table: dict[str, int] = {}
    for value in uniques:
        parsed = parse_date_value(value)
        if parsed is None:
            pos = int(np.flatnonzero(values.astype(str).to_numpy() == value)[0])
            raise InputError(
                "not a date in a history file; rebuild it with `tickermap history`",
                path=path, line=pos + 2, column=column, value=value,
            )  # fmt: skip
        table[value] = parsed[0]
    return values.astype(str).map(table).to_numpy(dtype=np.int64)


def load_history(path: str | Path) -> History:
    """Read a history file written by ``tickermap history``.

    Raises:
        InputError: unreadable, or not a history file (the spell columns are missing).
    """
    p = Path(path)
    frame = read_table(p)
    cols = list(frame.columns)
    if len(cols) < 4 or any(c not in cols for c in SPELL_STATS[:2]) or cols[2] != SPELL_STATS[0]:
        raise InputError(
            "not a history file: expected <ticker>, <entity>, first_date, last_date, ...; "
            "write one with `tickermap history FILE... --out HISTORY`",
            path=p,
            line=1,
        )
    ticker, entity = cols[0], cols[1]
    ent = frame[entity].astype("string").str.strip()
    spells = pd.DataFrame(
        {
            "ticker": frame[ticker].astype(str).str.strip(),
            "entity": ent.where(ent != ""),
            "first": _days_column(frame["first_date"], p, "first_date"),
            "last": _days_column(frame["last_date"], p, "last_date"),
            "flags": frame["flags"].fillna("").astype(str) if "flags" in cols else "",
        }
    )
    end = int(spells["last"].max()) if len(spells) else 0
    return History(ticker, entity, spells, end)


def _in_force(history: History, tickers: pd.Series, days: np.ndarray) -> pd.DataFrame:
    """(row i, spell entity) for every spell of the row's ticker in force on the row's date."""
    sp = history.spells
    upto = np.where(sp["last"].to_numpy() >= history.end, np.iinfo(np.int64).max, sp["last"])
    spells = pd.DataFrame(
        {"tk": sp["ticker"], "ent": sp["entity"], "first": sp["first"], "upto": upto}
    )
    rows = pd.DataFrame({"i": np.arange(len(days)), "tk": tickers.to_numpy(), "day": days})
    m = rows.merge(spells, on="tk", how="inner")
    return m[(m["first"] <= m["day"]) & (m["day"] <= m["upto"])]


def map_at(history: History, date: str) -> pd.DataFrame:
    """The point-in-time map on ``date``: one row per ticker in force (two when ambiguous).

    Columns: ``date, <ticker>, <entity>, first_date, last_date, status`` where ``status`` is
    ``in_force``, ``after_history`` (date after the history's last date, spell still alive) or
    ``ambiguous``.

    Raises:
        ConfigError: ``date`` is not YYYY-MM-DD.
    """
    from tickermap.errors import ConfigError

    parsed = parse_date_value(date)
    if parsed is None:
        raise ConfigError(f"--at {date!r}: not a date; use YYYY-MM-DD")
    day = parsed[0]
    sp = history.spells
    alive = sp["last"] >= history.end
    mask = (sp["first"] <= day) & ((day <= sp["last"]) | alive)
    got = sp[mask]
    status = np.where(day > history.end, "after_history", "in_force")
    out = pd.DataFrame(
        {
            DATE: days_to_date(day).isoformat(),
            history.ticker_column: got["ticker"].to_numpy(),
            history.entity_column: got["entity"].to_numpy(),
            "first_date": [days_to_date(int(d)).isoformat() for d in got["first"]],
            "last_date": [days_to_date(int(d)).isoformat() for d in got["last"]],
            "status": status,
        }
    )
    dup = out[history.ticker_column].duplicated(keep=False)
    out.loc[dup.to_numpy(), "status"] = "ambiguous"
    return out.sort_values(history.ticker_column, kind="stable").reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class PointInTime:
    """The signal rows seen through the history (index-aligned with the signal).

    Attributes:
        entity: the entity in force (NA when none or ambiguous).
        reason: why the row is kept out (NA when it may join).
        keyed_by_entity: the features are keyed by the history's entity column, so ``entity`` is
            the join key.
        unknown: rows whose ticker the history does not know (passed through).
    """

    entity: pd.Series
    reason: pd.Series
    keyed_by_entity: bool
    unknown: int


def _convert_keys(keys: pd.Series, key: str, history: History) -> pd.Series:
    if key == history.ticker_column:
        return keys.astype("string").str.strip()
    pair = (key, history.ticker_column)
    funcs: dict[tuple[str, str], Callable[[str], str | None]] = {
        (BLOOMBERG_TICKER, NUMERAI_TICKER): bloomberg_to_numerai,
        (NUMERAI_TICKER, BLOOMBERG_TICKER): numerai_to_bloomberg,
    }
    if pair not in funcs:
        raise AnalysisError(
            f"the signal is keyed by {key!r} and the history by {history.ticker_column!r}; key "
            "the signal by the history's ticker column"
        )
    func = funcs[pair]
    table = {v: func(str(v)) for v in pd.unique(keys.dropna())}
    return keys.map(table).astype("string")


def _to_days(dates: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(dates.dtype):
        return dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    table: dict[object, int] = {}
    for value in pd.unique(dates):
        parsed = parse_date_value(value)
        if parsed is None:
            raise AnalysisError(f"signal date {value!r} is not a date; use YYYY-MM-DD")
        table[value] = parsed[0]
    return dates.map(table).to_numpy(dtype=np.int64)


def point_in_time(
    history: History, dates: pd.Series, keys: pd.Series, *, key: str, features_key: str
) -> PointInTime:
    """Map each (date, ticker) through the spell in force (see the module docstring).

    Args:
        history: from :func:`load_history`.
        dates: the signal's dates (datetime64, ISO text or YYYYMMDD).
        keys: the signal's tickers.
        key: the signal's key column (the history's ticker column, or the other of
            ``bloomberg_ticker``/``numerai_ticker``, converted).
        features_key: the features' key column.

    Raises:
        AnalysisError: the keys cannot be related, or no signal ticker is in the history.
    """
    tickers = _convert_keys(keys.reset_index(drop=True), key, history)
    days = _to_days(dates.reset_index(drop=True))
    n = len(days)
    known = tickers.isin(set(history.spells["ticker"])).to_numpy()
    if n and not known.any():
        raise AnalysisError(
            f"no signal ticker is in the history (keys {key!r} vs the history's "
            f"{history.ticker_column!r}); is it the history of this universe?"
        )
    hits = _in_force(history, tickers, days)
    count = np.bincount(hits["i"].to_numpy(), minlength=n)
    single = hits[count[hits["i"].to_numpy()] == 1]
    entity = pd.Series(pd.NA, index=range(n), dtype="string")
    entity.iloc[single["i"].to_numpy()] = single["ent"].to_numpy()
    reason = pd.Series(pd.NA, index=range(n), dtype=object)
    reason[known & (count == 0)] = "history_no_spell"
    reason[count > 1] = "history_ambiguous"
    by_entity = features_key == history.entity_column
    one = count == 1
    if by_entity:
        reason[one & entity.isna().to_numpy()] = "history_no_entity"
        reason[~known] = "history_unknown_ticker"
    else:
        sp = history.spells.sort_values(["ticker", "last", "first"], kind="stable")
        current = sp.drop_duplicates("ticker", keep="last").set_index("ticker")["entity"]
        now = tickers.map(current).astype("string")
        differs = (entity != now).fillna(False).to_numpy(dtype=bool)
        reason[one & differs] = "history_other_entity"
    return PointInTime(entity, reason, by_entity, int((~known).sum()))
