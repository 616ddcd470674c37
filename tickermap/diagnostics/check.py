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

__all__ = [
    "ALLOWED_ID_COLUMNS",
    "MIN_LIVE_TICKERS",
    "CheckReport",
    "CheckResult",
    "check_submission",
    "coverage_by_country",
    "fix_submission",
    "run_check",
]

ALLOWED_ID_COLUMNS = ("ticker", "sedol", "bloomberg_ticker", "composite_figi", "numerai_ticker")
"""numerai-tools ``SIGNALS_ALLOWED_ID_COLS`` (the docs say ``cusip`` where this says ``ticker``)."""
MIN_LIVE_TICKERS = 100


@dataclass
class CheckResult:
    """The verdict, the first failing check, and what the submission covers."""

    accepted: bool
    problem: str = ""
    rows: list[int] = field(default_factory=list)
    id_col: str | None = None
    signal_col: str | None = None
    n_rows: int = 0
    n_live: int = 0
    not_in_universe: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _lines(mask: np.ndarray | pd.Series, limit: int = 10) -> list[int]:
    """CSV line numbers (header is line 1) of the first rows where ``mask`` holds."""
    return [int(i) + 2 for i in np.flatnonzero(np.asarray(mask))[:limit]]


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
    return None


def check_submission(submission: pd.DataFrame, universe: pd.DataFrame) -> CheckResult:
    """numerai-tools' verdict on ``submission`` against the live ``universe``, explained.

    Args:
        submission: the submission as read (CSV strings or Parquet values).
        universe: the live universe (a column per ID type, e.g. ``numerai_ticker``).
    """
    result = CheckResult(accepted=False, n_rows=len(submission))
    sub = _headers(submission, result)
    if sub is None:
        return result
    idc, sigc = str(result.id_col), str(result.signal_col)
    if idc not in universe.columns:
        result.problem = (
            f"the universe has no {idc!r} column (it has {list(universe.columns)[:8]!r}); "
            "submit in an ID column the universe has"
        )
        return result
    ids = sub[idc]
    if ids.isna().any():
        result.problem = f"invalid_submission_ids: empty {idc} values"
        result.rows = _lines(ids.isna())
        return result
    text = ids.astype(str)
    live_ids = set(universe[idc].dropna().astype(str))
    live = text.isin(live_ids).to_numpy()
    result.n_live = int(live.sum())
    result.not_in_universe = sorted(set(text[~live]))
    dup = text.duplicated(keep=False).to_numpy() & live
    if dup.any():
        result.problem = f"invalid_submission_ids: duplicate {idc} among the live rows"
        result.rows = _lines(dup)
        return result
    if result.n_live < MIN_LIVE_TICKERS:
        result.problem = (
            f"invalid_submission_ids: only {result.n_live} tickers are in the live universe "
            f"(at least {MIN_LIVE_TICKERS} needed); are you using the latest live universe?"
        )
        return result
    return _values(sub, sigc, live, result)


def _values(sub: pd.DataFrame, sigc: str, live: np.ndarray, result: CheckResult) -> CheckResult:
    raw = sub[sigc]
    values = pd.to_numeric(raw, errors="coerce")
    text = (~values.notna() & raw.notna()).to_numpy() & live
    if text.any():
        result.problem = f"invalid_submission_values: {sigc} values that are not numbers"
        result.rows = _lines(text)
        return result
    v = values[live]
    if v.isna().any():
        result.problem = "invalid_submission_values: NaN (empty) signals among the live rows"
        result.rows = _lines(values.isna().to_numpy() & live)
        return result
    lo, hi = float(v.min()), float(v.max())
    ok = (
        v.between(0, 1).all()
        or (np.isclose(lo, 0) and v.le(1).all())
        or (v.ge(0).all() and np.isclose(hi, 1))
        or (np.isclose(lo, 0) and np.isclose(hi, 1))
    )
    if not ok:
        result.problem = (
            f"invalid_submission_values: values must be in [0, 1]; found {lo:g} .. {hi:g} "
            "(rank them, or use --fix)"
        )
        result.rows = _lines(((values < 0) | (values > 1)).to_numpy() & live)
        return result
    if np.isclose(0, v.std()):
        result.problem = "invalid_submission_values: the live signals are constant (std 0)"
        return result
    result.accepted = True
    return result


def fix_submission(
    submission: pd.DataFrame, universe: pd.DataFrame, id_col: str, signal_col: str
) -> pd.DataFrame:
    """numerai-tools ``clean_submission(rank_and_fill=True)`` as a two-column table.

    Rows whose signal is not a number count as NaN (filled with 0.5).
    """
    sub = submission[[id_col, signal_col]].copy()
    sub[id_col] = sub[id_col].astype(str)
    sub[signal_col] = pd.to_numeric(sub[signal_col], errors="coerce")
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
    from tickermap.tables import read_table, write_table

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
    result = check_submission(submission.copy(), universe)
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
