"""Numerai's scoring functions for every date of a block at once, equal to numerai-tools 0.7.2.

Each metric is named after the numerai-tools function it equals, called once per date on that
date's inputs (``numerai_corr(signal, targets)``, ``alpha(signal, neutralizers, sample_weights,
targets)``, ...). The tickers a metric uses on a date are those numerai-tools' index filtering
keeps: present, non-NaN, in every input of that metric. Where numerai-tools would refuse a date
(an ``AssertionError``), the metric is NaN and the date's reason says why:

* ``low_overlap``: an input keeps under 80% of its rows after the filtering;
* ``too_few_tickers``: under ``min_tickers`` rows (default 100, the Signals minimum), or not more
  rows than the neutraliser columns (the residual would be zero);
* ``constant_signal`` / ``constant_targets`` / ``constant_meta_model``: nothing to correlate.

Two documented departures, where numerai-tools raises instead of scoring: ``alpha`` first
restricts the signal to the tickers that have neutralizers and sample weights (numerai-tools
raises "matrices are not aligned" otherwise), and rows with a NaN neutralizer or sample weight
are left out of ``alpha`` and the churn family (numerai-tools refuses NaN there).
No I/O, no printing.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

import numpy as np
import pandas as pd

from tickermap.diagnostics.block import Block, make_block
from tickermap.diagnostics.design import Design, Job
from tickermap.diagnostics.grouped import (
    enough_overlap,
    gcount,
    gmean,
    gsum,
    pearson,
    pow15,
    rank_gauss,
)

__all__ = [
    "INPUTS", "METRICS", "MIN_TICKERS", "Answers", "Asked", "Block", "Step", "make_block",
    "score_block",
]  # fmt: skip

MIN_TICKERS = 100
"""numerai-tools ``SIGNALS_MIN_TICKERS``: fewer rows on a date give NaN (``too_few_tickers``)."""
INPUTS = ("signal", "targets", "meta_model", "sample_weights")
METRICS = (
    "numerai_corr",
    "neutral_correlation",
    "alpha",
    "correlation_contribution",
    "neutral_contribution",
    "feature_neutral_corr",
    "max_feature_correlation",
    "churn",
    "neutral_churn",
    "neutral_churn_penalty",
    "turnover",
)
"""Per-date columns, in output order; each only when its inputs were given."""
Asked = list[tuple[str, Job]]
Answers = list[tuple[list[np.ndarray], np.ndarray]]
Step = Generator[Asked, Answers, None]
"""A metric: yields the least-squares jobs it needs (design name, job), receives their answers
(:meth:`Design.solve`), then stores its values; every metric's jobs are solved together."""


class _Out:
    """Per-date metric values and the reasons of the NaN ones."""

    def __init__(self, n_dates: int) -> None:
        self.n = n_dates
        self.columns: dict[str, np.ndarray] = {}
        self.reasons: dict[str, np.ndarray] = {}

    def put(self, name: str, value: np.ndarray, checks: list[tuple[np.ndarray, str]]) -> None:
        """Store ``value``; the first failing check (in order) gives the reason and a NaN."""
        reason = np.full(self.n, "", dtype=object)
        for bad, why in checks:
            reason[(reason == "") & bad] = why
        nan = np.isnan(value) & (reason == "")
        reason[nan] = "undefined"
        self.columns[name] = np.where(reason == "", value, np.nan)
        self.reasons[name] = reason


def score_block(
    block: Block, *, min_tickers: int = MIN_TICKERS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every metric whose inputs the block has, for each of its dates.

    Returns:
        (per-date table: ``date``, row counts, metrics, ``reasons``; the per-ticker state the
        churn family compares between consecutive dates, see :mod:`tickermap.diagnostics.churn`)
    """
    from tickermap.diagnostics.churn import churn_state

    out = _Out(len(block.dates))
    ctx = _Context(block, min_tickers)
    steps: list[Generator[Asked, Answers, object]] = []
    if "targets" in block.values:
        steps.append(_numerai_corr(ctx, out))
        if block.neutralizers is not None:
            steps.append(_neutral_correlation(ctx, out))
            if "sample_weights" in block.values:
                steps.append(_alpha(ctx, out))
        if "meta_model" in block.values:
            steps.append(_correlation_contribution(ctx, out))
            if block.neutralizers is not None:
                steps.append(_neutral_contribution(ctx, out))
        if block.features is not None:
            steps.append(_feature_neutral_corr(ctx, out))
    if block.features is not None:
        steps.append(_max_feature_correlation(ctx, out))
    if block.neutralizers is not None and "sample_weights" in block.values:
        steps.append(churn_state(ctx, out))
    results = _drive(ctx, steps)
    state = results[-1] if steps and isinstance(results[-1], pd.DataFrame) else pd.DataFrame()
    columns: dict[str, object] = {"date": block.dates}
    for name in INPUTS:
        if name in block.present:
            columns[f"n_{name}"] = gcount(block.present[name], block.starts)
    for name in ("neutralizers", "features"):
        if getattr(block, name) is not None:
            columns[f"n_{name}"] = gcount(getattr(block, f"{name}_present"), block.starts)
    signal_ok = ctx.valid["signal"]
    for name in ("targets", "meta_model", "sample_weights", "neutralizers", "features"):
        if name in ctx.valid:
            columns[f"missing_{name}"] = gcount(signal_ok & ~ctx.valid[name], block.starts)
    for name in METRICS:
        if name in out.columns:
            columns[name] = out.columns[name]
    if "max_feature" in out.columns:
        columns["max_feature"] = out.columns["max_feature"]
    columns["reasons"] = _join_reasons(out, len(block.dates))
    return pd.DataFrame(columns), state


def _drive(ctx: _Context, steps: Sequence[Generator[Asked, Answers, object]]) -> list[object]:
    """Run every step to its jobs, solve each design's jobs in one batch, finish the steps in
    order (so the reasons keep the metrics' order); the steps' return values."""
    asked = [next(step) for step in steps]
    solved: dict[tuple[int, int], tuple[list[np.ndarray], np.ndarray]] = {}
    for name, design in ctx.designs.items():
        mine = [
            ((i, j), job) for i, jobs in enumerate(asked) for j, (n, job) in enumerate(jobs)
            if n == name
        ]  # fmt: skip
        if mine:
            answers = design.solve([job for _, job in mine])
            solved.update(zip([key for key, _ in mine], answers, strict=True))
    results: list[object] = []
    for i, step in enumerate(steps):
        try:
            step.send([solved[i, j] for j in range(len(asked[i]))])
        except StopIteration as stop:
            results.append(stop.value)
        else:
            raise RuntimeError("a metric step yielded twice")
    return results


def _join_reasons(out: _Out, n: int) -> list[str]:
    texts = []
    for i in range(n):
        parts = [f"{m}: {r[i]}" for m, r in out.reasons.items() if r[i]]
        texts.append("; ".join(parts) if parts else "ok")
    return texts


class _Context:
    """Masks and per-date counts shared by the metrics of one block."""

    def __init__(self, block: Block, min_tickers: int) -> None:
        self.b = block
        self.min = min_tickers
        self.codes, self.starts = block.codes, block.starts
        self.valid = {k: block.present[k] & ~np.isnan(v) for k, v in block.values.items()}
        self.rows = {k: gcount(p, block.starts) for k, p in block.present.items()}
        self.designs: dict[str, Design] = {}
        self._gauss: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        for name in ("neutralizers", "features"):
            mat = getattr(block, name)
            if mat is not None:
                present = getattr(block, f"{name}_present")
                complete = present & ~np.isnan(mat).any(axis=1)
                self.valid[name] = complete
                self.rows[name] = gcount(present, block.starts)
                self.rows[f"{name}_complete"] = gcount(complete, block.starts)
                # the neutralizer matrix is read by nothing else: centred in place
                self.designs[name] = Design(
                    mat,
                    complete,
                    block.codes,
                    len(block.dates),
                    overwrite=name == "neutralizers",
                )

    def n(self, mask: np.ndarray) -> np.ndarray:
        return gcount(mask, self.starts)

    def centered_targets(self) -> np.ndarray:
        """Targets minus their mean over the date's non-NaN targets (numerai-tools ``center``)."""
        t = self.b.values["targets"]
        return t - gmean(t, self.valid["targets"], self.starts)[self.codes]

    def rg(
        self, name: str, mask: np.ndarray, *, power: bool, values: np.ndarray | None = None
    ) -> np.ndarray:
        """Rank, gaussianise (and ^1.5) the values of input ``name`` (or ``values``, cached
        under ``name``) over ``mask``; reused by every metric that asks for the same rows."""
        cached = self._gauss.setdefault(name, [])
        gauss = next((g for m, g in cached if np.array_equal(m, mask)), None)
        if gauss is None:
            src = self.b.values[name] if values is None else values
            gauss = rank_gauss(src, mask, self.codes, self.starts, power=False)
            cached.append((mask, gauss))
        return pow15(gauss) if power else gauss


def _numerai_corr(ctx: _Context, out: _Out) -> Step:
    yield []
    s = ctx.valid["signal"] & ctx.valid["targets"]
    n = ctx.n(s)
    x = ctx.rg("signal", s, power=True)
    y = pow15(ctx.centered_targets())
    r, const = pearson(x, y, s, ctx.starts)
    out.put(
        "numerai_corr",
        r,
        [
            (n < ctx.min, "too_few_tickers"),
            (~enough_overlap(n, ctx.rows["targets"], ctx.rows["signal"]), "low_overlap"),
            (const, "constant_signal_or_targets"),
        ],
    )


def _neutral_correlation(ctx: _Context, out: _Out) -> Step:
    s = ctx.valid["signal"] & ctx.valid["targets"] & ctx.valid["neutralizers"]
    n = ctx.n(s)
    g = ctx.rg("signal", s, power=False)
    [((res,), few)] = yield [("neutralizers", Job(s, [g], ctx.min))]
    r, const = pearson(res, ctx.centered_targets(), s, ctx.starts)
    rows = [ctx.rows[k] for k in ("targets", "signal", "neutralizers")]
    out.put(
        "neutral_correlation",
        r,
        [
            (few, "too_few_tickers"),
            (~enough_overlap(n, *rows), "low_overlap"),
            (const, "constant_signal_or_targets"),
        ],
    )


def _alpha(ctx: _Context, out: _Out) -> Step:
    b = ctx.b
    covered = ctx.valid["neutralizers"] & ctx.valid["sample_weights"]
    pf_rows = ctx.n(b.present["signal"] & covered)
    s = ctx.valid["signal"] & ctx.valid["targets"] & covered
    n = ctx.n(s)
    job, finish = neutral_weights(ctx, "signal", s)
    [((proj,), _)] = yield [("neutralizers", job)]
    w = finish(proj)
    tc = ctx.centered_targets()
    with np.errstate(invalid="ignore", divide="ignore"):
        value = gsum(np.where(s, w * tc, 0.0), ctx.starts) / n
    checks = [
        (n < ctx.min, "too_few_tickers"),
        (~enough_overlap(n, pf_rows, ctx.rows["targets"]), "low_overlap"),
        (
            ~enough_overlap(
                n, ctx.rows["neutralizers_complete"], ctx.n(ctx.valid["sample_weights"])
            ),
            "low_overlap",
        ),
    ]
    out.put("alpha", value, checks)


def neutral_weights(
    ctx: _Context, name: str, s: np.ndarray, values: np.ndarray | None = None, ranked: bool = False
) -> tuple[Job, Callable[[np.ndarray], np.ndarray]]:
    """numerai-tools ``generate_neutralized_weights`` (not centred) over the masked rows:
    ``(s' - N (N^T (v s'))) v`` with ``s'`` = rank, gaussianise, ^1.5 of the values (or the
    given ``values`` themselves when ``ranked``): the projection job on the neutralizers, and
    the function that turns its answer into the weights."""
    b = ctx.b
    assert b.neutralizers is not None
    v = np.where(s, b.values["sample_weights"], 0.0)
    if values is None:
        sp = ctx.rg(name, s, power=True)
    else:
        sp = values if ranked else rank_gauss(values, s, ctx.codes, ctx.starts, power=True)
    sp0 = np.where(s, sp, 0.0)

    def finish(proj: np.ndarray) -> np.ndarray:
        return np.where(s, (sp0 - proj) * v, np.nan)

    return Job(s, [v * sp0]), finish


def _contribution(
    ctx: _Context, s: np.ndarray, p: np.ndarray, m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """numerai-tools ``orthogonalize`` + ``contribution_scores`` over the masked rows."""
    st = ctx.starts
    p0, m0 = np.where(s, p, 0.0), np.where(s, m, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = gsum(p0 * m0, st) / gsum(m0 * m0, st)
        neutral = p0 - m0 * coef[ctx.codes]
        t = ctx.b.values["targets"]
        lo = gsum(np.where(s, t < 0, False), st) == 0
        hi = gsum(np.where(s, t > 1, False), st) == 0
        t = np.where((lo & hi)[ctx.codes], t * 4, t)
        n = ctx.n(s)
        tc = t - (gsum(np.where(s, t, 0.0), st) / n)[ctx.codes]
        value = gsum(np.where(s, tc * neutral, 0.0), st) / n
    m_const = ~(gsum(m0 * m0, st) > 0)
    return value, m_const


def _correlation_contribution(ctx: _Context, out: _Out) -> Step:
    yield []
    v = ctx.valid
    mp = v["signal"] & v["meta_model"]
    n_mp = ctx.n(mp)
    s = mp & v["targets"]
    n = ctx.n(s)
    p = ctx.rg("signal", s, power=False)
    m = ctx.rg("meta_model", s, power=False)
    value, m_const = _contribution(ctx, s, p, m)
    checks = [
        (n < ctx.min, "too_few_tickers"),
        (~enough_overlap(n_mp, ctx.rows["meta_model"], ctx.rows["signal"]), "low_overlap"),
        (~enough_overlap(n, ctx.rows["targets"], n_mp), "low_overlap"),
        (m_const, "constant_meta_model"),
    ]
    out.put("correlation_contribution", value, checks)


def _neutral_contribution(ctx: _Context, out: _Out) -> Step:
    v = ctx.valid
    s = v["signal"] & v["meta_model"] & v["targets"] & v["neutralizers"]
    n = ctx.n(s)
    g = [ctx.rg("signal", s, power=False), ctx.rg("meta_model", s, power=False)]
    [((p, m), few)] = yield [("neutralizers", Job(s, g, ctx.min))]
    value, m_const = _contribution(ctx, s, p, m)
    rows = [ctx.rows[k] for k in ("targets", "signal", "meta_model", "neutralizers")]
    checks = [
        (few, "too_few_tickers"),
        (~enough_overlap(n, *rows), "low_overlap"),
        (m_const, "constant_meta_model"),
    ]
    out.put("neutral_contribution", value, checks)


def _feature_neutral_corr(ctx: _Context, out: _Out) -> Step:
    v = ctx.valid
    s1 = v["signal"] & v["features"]
    g = ctx.rg("signal", s1, power=False)
    [((res,), few)] = yield [("features", Job(s1, [g], ctx.min))]
    s = s1 & v["targets"] & ~np.isnan(res)
    n1, n = ctx.n(s1), ctx.n(s)
    x = rank_gauss(res, s, ctx.codes, ctx.starts, power=True)
    r, const = pearson(x, pow15(ctx.centered_targets()), s, ctx.starts)
    checks = [
        (few, "too_few_tickers"),
        (~enough_overlap(n, n1, ctx.rows["targets"]), "low_overlap"),
        (const, "constant_signal_or_targets"),
    ]
    out.put("feature_neutral_corr", r, checks)


def _max_feature_correlation(ctx: _Context, out: _Out) -> Step:
    yield []
    b = ctx.b
    assert b.features is not None
    s = ctx.valid["signal"] & ctx.valid["features"]
    n = ctx.n(s)
    best = np.full(len(b.dates), np.nan)
    name = np.full(len(b.dates), "", dtype=object)
    for j, col in enumerate(b.feature_names):
        r, _ = pearson(b.values["signal"], b.features[:, j], s, ctx.starts)
        r = np.abs(r)
        better = r > best
        better |= np.isnan(best) & ~np.isnan(r)
        best = np.where(better, r, best)
        name[better] = col
    out.put("max_feature_correlation", best, [(n < ctx.min, "too_few_tickers")])
    out.columns["max_feature"] = np.where(
        np.isnan(out.columns["max_feature_correlation"]), "", name
    )
