"""``churn``, ``turnover`` and ``neutral_churn`` of a diagnostics run, as numerai-tools gives them.

numerai-tools' ``calculate_max_churn_and_turnover`` and ``calculate_mean_neutral_churn`` with the
previous date as the one previous submission. Each date's signal is first validated and cleaned
against that date's sample-weight universe (``validate_submission_signals`` then
``clean_submission(rank_and_fill=True)``: tie-kept rank over the live rows, 0.5 for the universe
tickers the signal lacks). Then, between a date and the previous one:

* ``churn`` = 1 - Spearman of the cleaned signals over the tickers of both universes;
* ``turnover`` = sum |w_t - w_{t-1}| / 2 of ``generate_neutralized_weights(...,
  center_and_normalize=True)``;
* ``neutral_churn`` = 1 - Spearman of the signals ranked, gaussianised and neutralised (least
  squares with intercept) against each date's own neutralizers; ``neutral_churn_penalty`` the
  retained payout fraction ``min(1, 2 / (1 + exp(10 (nc - 0.1))))``.

When a pair keeps under 80% of either side, numerai-tools skips it, and with no comparison left
returns 1.0: so does this module (reason ``no_comparison``). Where numerai-tools raises (the
signal is not a valid submission on a date, the neutralizers cover too little of the universe, a
constant signal), the value is NaN with the reason. The first date has no previous date (NaN).
"""

from __future__ import annotations

from math import exp
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tickermap.diagnostics.grouped import enough_overlap, gcount, gsum, pearson
from tickermap.exposure.per_date import group_rank

if TYPE_CHECKING:
    from collections.abc import Generator

    from tickermap.diagnostics.scoring import Answers, Asked, _Context, _Out

__all__ = ["churn_pairs", "churn_state", "neutral_churn_penalty", "submission_problems"]

STATE_COLUMNS = ("date", "ticker", "clean", "weight", "neutral")


def submission_problems(
    values: np.ndarray, live: np.ndarray, codes: np.ndarray, starts: np.ndarray, min_n: int
) -> np.ndarray:
    """Per date, why the live rows are not a valid Signals submission ('' when valid).

    Mirrors numerai-tools ``validate_ids_signals`` + ``validate_values``, in that order.
    """
    n = gcount(live, starts)
    nan = gcount(live & np.isnan(values), starts) > 0
    ok = live & ~np.isnan(values)
    v = np.where(ok, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.minimum.reduceat(np.where(ok, values, np.inf), starts)
        hi = np.maximum.reduceat(np.where(ok, values, -np.inf), starts)
        mean = gsum(v, starts) / n
        std = np.sqrt(gsum(np.where(ok, (v - mean[codes]) ** 2, 0.0), starts) / (n - 1))
    near0, near1 = np.isclose(lo, 0), np.isclose(hi, 1)
    in_range = ((lo >= 0) & (hi <= 1)) | (near0 & (hi <= 1)) | ((lo >= 0) & near1) | (near0 & near1)
    out = np.full(len(starts), "", dtype=object)
    checks = [
        (n < min_n, f"invalid_submission: under {min_n} live tickers"),
        (nan, "invalid_submission: NaN signal"),
        (~in_range, "invalid_submission: values outside [0, 1]"),
        (np.isclose(0, std) | np.isnan(std), "invalid_submission: constant signal"),
    ]
    for bad, why in checks:
        out[(out == "") & bad] = why
    return out


def churn_state(ctx: _Context, out: _Out) -> Generator[Asked, Answers, pd.DataFrame]:
    """Per date and universe ticker: the cleaned signal, its neutral weight and neutral residual
    (a metric step, see :data:`tickermap.diagnostics.scoring.Step`: its two least-squares jobs
    are solved with the other metrics'; the frame is its return value).

    The per-date problems (invalid submission, neutralizers covering too little) are returned in
    the frame's ``attrs["problems"]`` (one string per date, '' when fine).
    """
    from tickermap.diagnostics.design import Job
    from tickermap.diagnostics.scoring import neutral_weights

    b = ctx.b
    st, codes = ctx.starts, ctx.codes
    universe = ctx.valid["sample_weights"]
    live = b.present["signal"] & universe
    problems = submission_problems(b.values["signal"], live, codes, st, ctx.min)
    n_live = gcount(live, st)
    ranks = group_rank(np.where(live, b.values["signal"], np.nan), codes, st)
    with np.errstate(invalid="ignore", divide="ignore"):
        clean = np.where(live, (ranks - 0.5) / n_live[codes], 0.5)
    clean = np.where(universe, clean, np.nan)
    s = universe & ctx.valid["neutralizers"]
    n_s = gcount(s, st)
    cover = enough_overlap(n_s, gcount(universe, st), ctx.rows["neutralizers_complete"])
    problems[(problems == "") & ~cover] = "neutralizers cover under 80% of the universe"
    sp = ctx.rg("cleaned signal", universe, power=True, values=clean)
    job, finish = neutral_weights(ctx, "signal", s, values=sp, ranked=True)
    g = ctx.rg("cleaned signal", s, power=False, values=clean)
    [((proj,), _), ((neutral,), few)] = yield [
        ("neutralizers", job),
        ("neutralizers", Job(s, [g], ctx.min)),
    ]
    w = finish(proj)
    with np.errstate(invalid="ignore", divide="ignore"):
        wc = w - (gsum(np.where(s, w, 0.0), st) / n_s)[codes]
        w = wc / gsum(np.where(s, np.abs(wc), 0.0), st)[codes]
    const = pearson(neutral, neutral, s, st)[1]
    neutral_problems = np.full(len(st), "", dtype=object)
    neutral_problems[few] = "too_few_tickers"
    neutral_problems[(neutral_problems == "") & const] = "constant after neutralisation"
    rows = np.flatnonzero(universe)
    state = pd.DataFrame(
        {
            "date": b.dates[codes[rows]],
            "ticker": b.tickers[rows],
            "clean": clean[rows],
            "weight": np.where(s, w, np.nan)[rows],
            "neutral": neutral[rows],
        }
    )
    state.attrs["problems"] = pd.Series(problems, index=pd.Index(b.dates))
    state.attrs["neutral_problems"] = pd.Series(neutral_problems, index=pd.Index(b.dates))
    del out
    return state


def neutral_churn_penalty(
    nc: np.ndarray, threshold: float = 0.1, scaling: float = 10.0
) -> np.ndarray:
    """numerai-tools ``neutral_churn_penalty`` elementwise (NaN stays NaN)."""
    out = np.full(len(nc), np.nan)
    for i, v in enumerate(nc):  # one value per date; the function is scalar in numerai-tools
        if np.isfinite(v) and 0 <= v <= 2:
            out[i] = (
                1.0
                if v <= threshold
                else 2 * exp(-scaling * (v - threshold)) / (1 + exp(-scaling * (v - threshold)))
            )
    return out


def _persist(n_common: np.ndarray, counts: np.ndarray) -> bool:
    """Whether every date after the first keeps exactly the previous date's tickers."""
    return bool((n_common[1:] == counts[1:]).all() and (n_common[1:] == counts[:-1]).all())


def churn_pairs(state: pd.DataFrame, dates: np.ndarray) -> pd.DataFrame:
    """``churn, turnover, neutral_churn, neutral_churn_penalty`` and reasons per date."""
    n_dates = len(dates)
    problems = state.attrs.get("problems", pd.Series(dtype=object))
    problems = problems.reindex(pd.Index(dates)).fillna("").to_numpy(dtype=object)
    neutral = state.attrs.get("neutral_problems", pd.Series(dtype=object))
    neutral = neutral.reindex(pd.Index(dates)).fillna("").to_numpy(dtype=object)
    dcode = pd.Index(dates).get_indexer(state["date"])
    tcode, keys = pd.factorize(state["ticker"], sort=True)
    n_t = max(len(keys), 1)
    comb = dcode.astype(np.int64) * n_t + tcode
    order = np.argsort(comb, kind="stable")
    comb, dcode = comb[order], dcode[order]
    cols = {c: state[c].to_numpy(dtype=np.float64)[order] for c in ("clean", "weight", "neutral")}
    prev = pd.Index(comb).get_indexer(comb - n_t)
    every = np.flatnonzero(np.r_[True, dcode[1:] != dcode[:-1]]) if len(dcode) else dcode
    result = {
        "churn": np.full(n_dates, np.nan),
        "turnover": np.full(n_dates, np.nan),
        "neutral_churn": np.full(n_dates, np.nan),
    }
    reasons = {k: np.full(n_dates, "", dtype=object) for k in result}

    def spearman_or_sum(col: str, spear: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        has = ~np.isnan(cols[col])
        counts = np.bincount(dcode[has], minlength=n_dates)
        pair = np.flatnonzero((prev >= 0) & has)
        pair = pair[has[prev[pair]]]
        pc = dcode[pair]
        n_common = np.bincount(pc, minlength=n_dates)
        value = np.full(n_dates, np.nan)
        const = np.zeros(n_dates, dtype=bool)
        if len(pair):
            starts = np.flatnonzero(np.r_[True, pc[1:] != pc[:-1]])
            present = pc[starts]
            if spear and _persist(n_common, counts):  # each date ranked once, for both pairs
                ranks = group_rank(np.where(has, cols[col], np.nan), dcode, every)
                x, y = ranks[prev[pair]], ranks[pair]
            elif spear:
                x = group_rank(cols[col][prev[pair]], pc, starts)
                y = group_rank(cols[col][pair], pc, starts)
            if spear:
                r, c = pearson(x, y, np.ones(len(x), dtype=bool), starts)
                value[present] = 1 - r
                const[present] = c
            else:
                diff = np.abs(cols[col][pair] - cols[col][prev[pair]])
                value[present] = np.add.reduceat(diff, starts) / 2
        prev_counts = np.r_[0, counts[:-1]]
        ok = enough_overlap(n_common, counts, prev_counts)
        return np.abs(value), ok, const

    churn_v, churn_ok, churn_const = spearman_or_sum("clean", True)
    turn_v, turn_ok, _ = spearman_or_sum("weight", False)
    nc_v, nc_ok, nc_const = spearman_or_sum("neutral", True)
    compared = churn_ok & turn_ok
    nc_compared = nc_ok & ~nc_const
    result["churn"] = np.where(compared, churn_v, 1.0)
    result["turnover"] = np.where(compared, turn_v, 1.0)
    result["neutral_churn"] = np.where(nc_compared, nc_v, 1.0)
    skipped = "no_comparison (numerai-tools gives 1.0)"
    for k in ("churn", "turnover"):
        reasons[k][~compared] = skipped
        reasons[k][compared & churn_const] = "constant_signal"
    reasons["neutral_churn"][~nc_compared] = skipped
    prev_problem = np.r_[[""], problems[:-1]].astype(object) if n_dates else problems
    for k in result:
        fatal = [(neutral != "", "", neutral)] if k == "neutral_churn" else []
        fatal += [
            (prev_problem != "", "previous date: ", prev_problem),
            (problems != "", "", problems),
        ]
        for bad, prefix, text in fatal:
            reasons[k][bad] = prefix + text[bad]
        if n_dates:
            reasons[k][0] = "first_date"
        keep = (reasons[k] == "") | (reasons[k] == skipped)
        result[k] = np.where(keep, result[k], np.nan)
    result["neutral_churn_penalty"] = neutral_churn_penalty(result["neutral_churn"])
    reasons["neutral_churn_penalty"] = reasons["neutral_churn"].copy()
    frame = pd.DataFrame({"date": dates, **result})
    frame.attrs["reasons"] = reasons
    return frame
