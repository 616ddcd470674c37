"""Will Numerai accept this submission? numerai-tools' verdict, with rows, coverage and a fix.

:func:`check_submission` applies numerai-tools ``validate_submission_signals`` check by check, in
its order, and stops at the first failure as it does (so the verdict is the same), but says which
rows are at fault:

1. headers: after dropping ``data_type`` and the first date column (``friday_date``/``date``),
   the columns must be exactly ``[ID, signal]`` in that order, the ID one of
   ``SIGNALS_ALLOWED_ID_COLS`` (``ticker``, ``sedol``, ``bloomberg_ticker``, ``composite_figi``,
   ``numerai_ticker``) and the signal ``prediction`` or ``signal``. Numerai's docs list ``cusip``
   instead of ``ticker``; numerai-tools (what scores) does not accept ``cusip``;
2. the universe must have the submission's ID column; no empty IDs;
3. no duplicate IDs among the live rows; at least 100 live tickers;
4. live signals: no NaN, values in [0, 1] (with numerai-tools' ``isclose`` tolerance at the
   ends), non-zero standard deviation.

:func:`fix_submission` is ``clean_submission(rank_and_fill=True)``: join to the universe, drop
duplicates (first kept), tie-kept rank, fill the universe tickers the submission lacks with 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tickermap.columns import SIGNAL_COLUMNS
from tickermap.diagnostics.inputs import DATE_COLUMNS
from tickermap.tables import NA_TOKENS, parse_numbers

__all__ = [
    "ALLOWED_ID_COLUMNS",
    "MIN_LIVE_TICKERS",
    "PANDAS_NA",
    "BadCell",
    "CheckReport",
    "CheckResult",
    "check_submission",
    "coverage_by_country",
    "fix_submission",
    "read_signal",
    "run_check",
]

ALLOWED_ID_COLUMNS = ("ticker", "sedol", "bloomberg_ticker", "composite_figi", "numerai_ticker")
"""numerai-tools ``SIGNALS_ALLOWED_ID_COLS`` (the docs say ``cusip`` where this says ``ticker``)."""
MIN_LIVE_TICKERS = 100


@dataclass(frozen=True, slots=True)
class BadCell:
    """One cell at fault: its CSV line (the header is line 1) or Parquet row, column, value."""

    line: int
    column: str
    value: str


@dataclass
class CheckResult:
    """The verdict, the first failing check with the cells at fault, and what is covered.

    ``cells`` holds the first :data:`MAX_CELLS` cells at fault and ``n_cells`` how many there are
    in all; ``rows`` their lines; ``where`` is ``line`` (CSV) or ``row`` (Parquet); ``advice`` says
    what to do.
    """

    accepted: bool
    problem: str = ""
    rows: list[int] = field(default_factory=list)
    id_col: str | None = None
    signal_col: str | None = None
    n_rows: int = 0
    n_live: int = 0
    not_in_universe: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cells: list[BadCell] = field(default_factory=list)
    n_cells: int = 0
    where: str = "line"
    advice: str = ""


MAX_CELLS = 10
"""Cells listed per problem; the rest are counted (``and N more``)."""
PANDAS_NA = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN"}
    | {"<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)
"""``pandas.read_csv``'s default missing-value spellings (exact): how a CSV is read before
numerai-tools judges it, so a spelling only tickermap reads as missing is text there."""


def _lines(mask: np.ndarray | pd.Series, first: int = 2, limit: int = MAX_CELLS) -> list[int]:
    """File lines (or rows) of the first cells where ``mask`` holds."""
    return [int(i) + first for i in np.flatnonzero(np.asarray(mask))[:limit]]


def at_lines(lines: list[int], total: int, where: str = "line") -> str:
    """``line 6``, ``lines 6, 9``, ``rows 6, 9 and 3 more``.

    >>> at_lines([6], 1), at_lines([6, 9], 2), at_lines([6, 9], 5, "row")
    ('line 6', 'lines 6, 9', 'rows 6, 9 and 3 more')
    """
    shown = ", ".join(map(str, lines))
    more = f" and {total - len(lines)} more" if total > len(lines) else ""
    return f"{where}{'s' if total > 1 else ''} {shown}{more}"


def plural(n: int, word: str) -> str:
    """``1 value``, ``3 values``.

    >>> plural(1, "ticker"), plural(2, "ticker")
    ('1 ticker', '2 tickers')
    """
    return f"{n} {word}{'' if n == 1 else 's'}"


def _flag(
    result: CheckResult,
    problem: str,
    mask: np.ndarray | pd.Series,
    values: pd.Series,
    advice: str,
    first: int,
) -> CheckResult:
    """Reject with ``problem``, naming the cells of ``values`` where ``mask`` holds."""
    pos = np.flatnonzero(np.asarray(mask, dtype=bool))
    result.problem, result.advice, result.n_cells = problem, advice, len(pos)
    column = str(values.name)
    result.cells = [
        BadCell(int(i) + first, column, _shown(values.iloc[int(i)])) for i in pos[:MAX_CELLS]
    ]
    result.rows = [c.line for c in result.cells]
    return result


def _shown(value: object) -> str:
    """A cell as the message shows it: text quoted, a number as written, missing as (empty).

    >>> _shown("-"), _shown(float("inf")), _shown(None)
    ("'-'", 'inf', '(empty)')
    """
    if isinstance(value, str):
        return repr(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "(empty)"
    return str(value)


def _headers(sub: pd.DataFrame, result: CheckResult) -> pd.DataFrame | None:
    cols = [c for c in sub.columns if c != "data_type"]
    if "data_type" in sub.columns:
        result.warnings.append("data_type column is deprecated; numerai-tools drops it")
    date = next((c for c in cols if c in DATE_COLUMNS), None)
    rest = [c for c in cols if c != date]
    if len(rest) == 2 and rest[0] in ALLOWED_ID_COLUMNS and rest[1] in SIGNAL_COLUMNS:
        result.id_col, result.signal_col = rest
        return sub[rest]
    hint = ""
    if "cusip" in rest:
        hint = " (Numerai's docs list cusip, but numerai-tools, which scores, does not accept it)"
    elif len(rest) == 2 and rest[1] in ALLOWED_ID_COLUMNS and rest[0] in SIGNAL_COLUMNS:
        hint = " (the ID column must come first)"
    elif len(rest) > 2:
        hint = f" (drop the extra columns {rest[2:]!r} or the ones that are not ID and signal)"
    result.problem = (
        f"invalid_submission_headers: the columns are {rest!r}; they must be one of "
        f"{list(ALLOWED_ID_COLUMNS)} then one of {list(SIGNAL_COLUMNS)}, plus an optional date "
        f"column{hint}"
    )
    result.advice = "rename or reorder the columns on line 1 of the file"
    return None


def check_submission(
    submission: pd.DataFrame, universe: pd.DataFrame, *, first_line: int | None = 2
) -> CheckResult:
    """numerai-tools' verdict on ``submission`` against the live ``universe``, explained.

    Args:
        submission: the submission as read (CSV strings or Parquet values).
        universe: the live universe (a column per ID type, e.g. ``numerai_ticker``).
        first_line: the file line of the first row (2 for a CSV with a header); None for
            Parquet, whose rows are numbered from 1.
    """
    result = CheckResult(accepted=False, n_rows=len(submission))
    result.where = "line" if first_line is not None else "row"
    first = first_line if first_line is not None else 1
    sub = _headers(submission, result)
    if sub is None:
        return result
    idc, sigc = str(result.id_col), str(result.signal_col)
    if idc not in universe.columns:
        result.problem = (
            f"the universe has no {idc!r} column (it has {list(universe.columns)[:8]!r})"
        )
        result.advice = "submit in an ID column the universe has"
        return result
    ids = sub[idc]
    if ids.isna().any():
        n = int(ids.isna().sum())
        problem = f"invalid_submission_ids: {plural(n, f'empty {idc} value')}"
        return _flag(result, problem, ids.isna(), ids, "give every row an ID", first)
    text = ids.astype(str)
    live_ids = set(universe[idc].dropna().astype(str))
    live = text.isin(live_ids).to_numpy()
    result.n_live = int(live.sum())
    result.not_in_universe = sorted(set(text[~live]))
    dup = text.duplicated(keep=False).to_numpy() & live
    if dup.any():
        n = len(set(text[dup]))
        problem = f"invalid_submission_ids: {plural(n, f'live {idc}')} listed more than once"
        advice = "keep one row per ticker (--fix keeps the first)"
        return _flag(result, problem, dup, ids, advice, first)
    if result.n_live < MIN_LIVE_TICKERS:
        result.problem = (
            f"invalid_submission_ids: only {plural(result.n_live, 'ticker')} of the submission "
            f"are in the live universe (at least {MIN_LIVE_TICKERS} needed)"
        )
        result.advice = "use the latest live universe, or submit in the ID column it uses"
        return result
    return _values(sub[sigc], live, result, first)


def read_signal(raw: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """The signal column as numbers, with :func:`tickermap.tables.parse_numbers`' vocabulary.

    Returns ``(values, text, pandas_text)``: the numbers (NaN where missing or not a number;
    an infinity stays, for the caller to judge), the cells that are not numbers, and the cells
    tickermap reads as missing (``none``, ``NAN``, `` NA ``) but ``pandas.read_csv`` as text. A
    Parquet (number) column has no text.
    """
    none = np.zeros(len(raw), dtype=bool)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype(np.float64), none, none
    stripped = raw.astype("str").str.strip()
    ours = (raw.isna() | stripped.str.lower().isin(NA_TOKENS)).to_numpy()
    theirs = (raw.isna() | raw.isin(PANDAS_NA)).to_numpy()
    number = pd.to_numeric(stripped.where(~(ours | theirs)), errors="coerce").to_numpy()
    text = np.isnan(number) & ~(ours | theirs)
    infinite = np.isinf(number)
    finite = parse_numbers(raw.where(~(ours | theirs | text | infinite)), column=str(raw.name))
    values = np.where(infinite, number, finite.to_numpy())
    return pd.Series(values, index=raw.index, name=raw.name), text, ours & ~theirs


def _values(raw: pd.Series, live: np.ndarray, result: CheckResult, first: int) -> CheckResult:
    values, text, pandas_text = read_signal(raw)
    sigc = str(raw.name)
    if text.any():  # pandas reads the column as text: numerai-tools rejects, live rows or not
        n = int(text.sum())
        verb = "is not a number" if n == 1 else "are not numbers"
        problem = f"invalid_submission_values: {plural(n, f'{sigc} value')} {verb}"
        advice = "write a plain decimal in [0, 1] such as 0.25 (an empty cell or NA is missing)"
        return _flag(result, problem, text, raw, advice, first)
    if pandas_text.any():
        n = int(pandas_text.sum())
        problem = (
            f"invalid_submission_values: {plural(n, f'{sigc} value')} "
            f"{'is' if n == 1 else 'are'} text to pandas.read_csv (tickermap reads "
            f"{'it' if n == 1 else 'them'} as missing), so numerai-tools rejects the file"
        )
        advice = "leave the cell empty or write NA (and give every live ticker a value)"
        return _flag(result, problem, pandas_text, raw, advice, first)
    inf = np.isinf(values.to_numpy())
    if (inf & ~live).any():
        k = int((inf & ~live).sum())
        result.warnings.append(
            f"{plural(k, f'{sigc} value')} {'is' if k == 1 else 'are'} not finite "
            f"({at_lines(_lines(inf & ~live, first), k, result.where)}, tickers not live): "
            "numerai-tools ignores such rows, but a non-finite value is never a measurement"
        )
    # numerai-tools checks for NaN before the range: a live NaN is the reason it gives first
    nan_live = bool((values.isna().to_numpy() & live).any())
    if (inf & live).any() and not nan_live:
        n = int((inf & live).sum())
        verb = "is" if n == 1 else "are"
        problem = f"invalid_submission_values: {plural(n, f'live {sigc} value')} {verb} infinite"
        advice = "write a number in [0, 1] there (--fix reads a non-finite value as missing: 0.5)"
        return _flag(result, problem, inf & live, raw, advice, first)
    return _range(values, raw, live, result, first)


def _range(
    values: pd.Series, raw: pd.Series, live: np.ndarray, result: CheckResult, first: int
) -> CheckResult:
    v = values[live]
    nan = values.isna().to_numpy() & live
    if nan.any():
        n = int(nan.sum())
        problem = f"invalid_submission_values: {plural(n, 'live ticker')} without a value"
        advice = "give every live ticker a value in [0, 1], or --fix (fills 0.5)"
        return _flag(result, problem, nan, raw, advice, first)
    lo, hi = float(v.min()), float(v.max())
    ok = (
        v.between(0, 1).all()
        or (np.isclose(lo, 0) and v.le(1).all())
        or (v.ge(0).all() and np.isclose(hi, 1))
        or (np.isclose(lo, 0) and np.isclose(hi, 1))
    )
    if not ok:
        out = ((values < 0) | (values > 1)).to_numpy() & live
        problem = (
            f"invalid_submission_values: {plural(int(out.sum()), 'live value')} outside "
            f"[0, 1] (the live values run from {lo:.4g} to {hi:.4g})"
        )
        advice = "rank the signal into [0, 1], or --fix (rank, fill 0.5)"
        return _flag(result, problem, out, raw, advice, first)
    if np.isclose(0, v.std()):
        result.problem = "invalid_submission_values: the live signals are constant (std 0)"
        result.advice = "submit a signal that varies across tickers"
        return result
    result.accepted = True
    return result


def fix_submission(
    submission: pd.DataFrame, universe: pd.DataFrame, id_col: str, signal_col: str
) -> pd.DataFrame:
    """numerai-tools ``clean_submission(rank_and_fill=True)`` as a two-column table.

    The signal is read as :func:`read_signal` reads it; a cell that is missing, not a number
    or not finite counts as NaN (filled with 0.5, where ``clean_submission`` would rank an
    infinity first or last).
    """
    sub = submission[[id_col, signal_col]].copy()
    sub[id_col] = sub[id_col].astype(str)
    values = read_signal(sub[signal_col])[0].to_numpy()
    sub[signal_col] = np.where(np.isfinite(values), values, np.nan)
    uni = universe[[id_col]].dropna().astype(str).drop_duplicates()
    joined = uni.merge(sub.drop_duplicates(id_col, keep="first"), on=id_col, how="left")
    joined = joined.sort_values(id_col, kind="stable").reset_index(drop=True)
    s = joined[signal_col]
    ranked = (s.rank(method="average") - 0.5) / s.count()
    joined[signal_col] = ranked.fillna(0.5)
    return joined


def coverage_by_country(
    submission: pd.DataFrame, universe: pd.DataFrame, id_col: str, known: set[str] | None
) -> pd.DataFrame:
    """Share of the live universe the submission covers, by country (from the ticker suffix).

    ``known``: tickers of the cleaned universe; ``unknown_to_cleaned`` counts live tickers it
    lacks (None: not given).
    """
    uni = universe[[id_col]].dropna().astype(str).drop_duplicates()
    have = set(submission[id_col].dropna().astype(str))
    uni["covered"] = uni[id_col].isin(have)
    parts = uni[id_col].str.rsplit(" ", n=1)
    uni["country"] = [p[1] if len(p) == 2 else "?" for p in parts]
    if id_col not in ("numerai_ticker", "bloomberg_ticker"):
        uni["country"] = "all"
    if known is not None:
        uni["unknown"] = ~uni[id_col].isin(known)
    g = uni.groupby("country")
    out = pd.DataFrame({"universe": g.size(), "covered": g["covered"].sum()})
    out["share"] = out["covered"] / out["universe"]
    if known is not None:
        out["unknown_to_cleaned"] = g["unknown"].sum()
    out = out.sort_values("universe", ascending=False).reset_index()
    n_cov = int(uni["covered"].sum())
    total: dict[str, object] = {"country": "TOTAL", "universe": len(uni), "covered": n_cov}
    total["share"] = n_cov / max(len(uni), 1)
    if known is not None:
        total["unknown_to_cleaned"] = int(uni["unknown"].sum())
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


@dataclass
class CheckReport:
    """``tickermap check``: the verdict, coverage by country, and the fix (when asked)."""

    result: CheckResult
    coverage: pd.DataFrame | None
    fixed: CheckResult | None = None
    written: list[str] = field(default_factory=list)
    unknown_to_cleaned: list[str] = field(default_factory=list)
    """Live tickers the ``--cleaned`` universe does not have (sorted)."""


def _usable_universe(universe: pd.DataFrame, path: object) -> None:
    """Refuse a live universe file that cannot judge any submission (its fault, not the
    submission's): no rows, or none of the ID columns numerai-tools accepts."""
    from tickermap.errors import InputError

    if not any(c in universe.columns for c in ALLOWED_ID_COLUMNS):
        raise InputError(
            f"the live universe has none of the ID columns {list(ALLOWED_ID_COLUMNS)} (it has "
            f"{list(universe.columns)[:8]!r}); give Numerai's live universe file",
            path=str(path),
            line=1,
        )
    if universe.empty:
        raise InputError("the live universe has no rows", path=str(path), line=2)


def run_check(
    submission_path: str | object,
    universe_path: str | object,
    *,
    cleaned_path: object | None = None,
    fix_path: object | None = None,
    coverage_path: object | None = None,
) -> CheckReport:
    """Read the files, check, report coverage, and write the fixed submission when asked.

    Raises:
        InputError: unreadable files. ConfigError: an output path that is an input.
    """
    from pathlib import Path

    from tickermap.errors import ConfigError, InputError
    from tickermap.tables import no_rows_error, read_table, table_format, write_table

    sub_p, uni_p = Path(str(submission_path)), Path(str(universe_path))
    inputs = {sub_p.resolve(), uni_p.resolve()}
    if cleaned_path is not None:
        inputs.add(Path(str(cleaned_path)).resolve())
    outs = [Path(str(p)) for p in (fix_path, coverage_path) if p is not None]
    for p in outs:
        if p.resolve() in inputs:
            raise ConfigError(f"output {str(p)!r} is one of the inputs; choose another path")
    if len(outs) == 2 and outs[0].resolve() == outs[1].resolve():
        raise ConfigError("--fix and --coverage name the same file; choose two paths")
    submission = read_table(sub_p)
    universe = read_table(uni_p)
    _usable_universe(universe, uni_p)
    if submission.empty:
        raise no_rows_error(sub_p, "write one row per live ticker")
    first_line = None if table_format(sub_p) == "parquet" else 2
    result = check_submission(submission.copy(), universe, first_line=first_line)
    idc = result.id_col or next((c for c in ALLOWED_ID_COLUMNS if c in submission.columns), None)
    sigc = result.signal_col or next((c for c in SIGNAL_COLUMNS if c in submission.columns), None)
    known = None
    if cleaned_path is not None and idc is not None:
        cleaned = read_table(Path(str(cleaned_path)))
        if idc not in cleaned.columns:
            raise InputError(f"the cleaned universe has no {idc!r} column", path=str(cleaned_path))
        known = set(cleaned[idc].dropna().astype(str))
    coverage = None
    if idc is not None and idc in universe.columns:
        coverage = coverage_by_country(submission, universe, idc, known)
        if coverage_path is not None:
            write_table(coverage, Path(str(coverage_path)))
    report = CheckReport(result=result, coverage=coverage)
    if known is not None and idc is not None and idc in universe.columns:
        live = set(universe[idc].dropna().astype(str))
        report.unknown_to_cleaned = sorted(live - known)
    if fix_path is not None:
        if idc is None or sigc is None or idc not in universe.columns:
            raise InputError(
                "cannot fix: the submission needs an ID column the universe has and a "
                "signal/prediction column",
                path=sub_p,
                line=1,
            )
        fixed = fix_submission(submission, universe, idc, sigc)
        write_table(fixed, Path(str(fix_path)))
        report.fixed = check_submission(fixed.copy(), universe)
        report.written.append(str(fix_path))
    if coverage_path is not None and coverage is not None:
        report.written.append(str(coverage_path))
    return report
