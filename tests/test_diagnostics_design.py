"""The batched least-squares solver equals a naive per-date numpy.linalg.lstsq loop and
numerai-tools ``neutralize``: padded dates, masks leaving rows out (downdate and direct paths),
rank-deficient matrices, dates with too few rows, several jobs solved together."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numerai_tools import scoring

from tickermap.diagnostics.design import Design, Job


def _data(seed: int, sizes: list[int], k: int, *, collinear: bool = False):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(len(sizes)), sizes)
    x = rng.standard_normal((len(codes), k)) * 0.1 + rng.random(k)  # means away from zero
    if collinear:
        x[:, -1] = 2 * x[:, 0] - x[:, 1]  # rank deficient: lstsq's minimum-norm answer
    return codes, x, rng


def _naive_residual(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    a = np.hstack([x, np.ones((len(x), 1))])
    return y - a @ np.linalg.lstsq(a, y, rcond=1e-6)[0]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("collinear", [False, True])
def test_residuals_equal_per_date_lstsq_with_left_out_rows(seed: int, collinear: bool) -> None:
    sizes = [50, 37, 50, 8, 44]  # padded grid; date 3 has too few rows for 6 columns + 1
    codes, x, rng = _data(seed, sizes, 6, collinear=collinear)
    complete = rng.random(len(codes)) > 0.05
    x[~complete, 2] = np.nan
    design = Design(x.copy(), complete, codes, len(sizes))
    few_out = complete & (rng.random(len(codes)) > 0.1)  # a few rows left out: downdate
    many_out = complete & (rng.random(len(codes)) > 0.7)  # most left out: direct product
    vec = [rng.standard_normal(len(codes)) for _ in range(3)]
    jobs = [Job(complete, vec[:2], 10), Job(few_out, [vec[2]], 10), Job(many_out, [vec[0]], 10)]
    answers = design.solve(jobs)
    for job, (arrays, few) in zip(jobs, answers, strict=True):
        for v, got in zip(job.vectors, arrays, strict=True):
            assert np.isnan(got[~job.mask]).all()
            for d in range(len(sizes)):
                rows = np.flatnonzero(job.mask & (codes == d))
                if len(rows) < 10:  # min_rows
                    assert few[d] and np.isnan(got[rows]).all()
                    continue
                assert not few[d]
                want = _naive_residual(x[rows], v[rows])
                np.testing.assert_allclose(got[rows], want, rtol=0, atol=1e-10)


def test_residuals_equal_numerai_tools_neutralize() -> None:
    sizes = [300, 280, 300]
    codes, x, rng = _data(5, sizes, 12, collinear=True)
    complete = np.ones(len(codes), dtype=bool)
    y = rng.random(len(codes))
    (got,), _ = Design(x.copy(), complete, codes, 3, overwrite=True).residuals(complete, [y], 100)
    for d in range(3):
        rows = codes == d
        ref = scoring.neutralize(pd.DataFrame({"s": y[rows]}), pd.DataFrame(x[rows]))
        np.testing.assert_allclose(got[rows], ref["s"].to_numpy(), rtol=0, atol=1e-10)


def test_raw_projection_and_dense_in_place_path() -> None:
    sizes = [40, 40, 40]  # every date the same rows: the matrix itself is centred in place
    codes, x, rng = _data(2, sizes, 5)
    raw = x.copy()
    mask = rng.random(len(codes)) > 0.2
    y = rng.standard_normal(len(codes))
    design = Design(x, np.ones(len(codes), dtype=bool), codes, 3, overwrite=True)
    assert not np.allclose(x, raw)  # overwritten: centred per date
    [((proj,), few), ((res,), _)] = design.solve([Job(mask, [y]), Job(mask, [y], 5)])
    assert not few.any()
    for d in range(3):
        rows = np.flatnonzero(mask & (codes == d))
        n = raw[rows]
        np.testing.assert_allclose(proj[rows], n @ (n.T @ y[rows]), rtol=0, atol=1e-10)
        np.testing.assert_allclose(res[rows], _naive_residual(n, y[rows]), rtol=0, atol=1e-10)
    untouched = x.copy()
    Design(x, np.ones(len(codes), dtype=bool), codes, 3)  # overwrite=False: a copy
    np.testing.assert_array_equal(x, untouched)
