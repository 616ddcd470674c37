"""tickermap's numpy ndtri (AS241) equals scipy.special.ndtri, which numerai-tools uses."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri as scipy_ndtri

from tickermap.exposure.gauss import ndtri


def test_ndtri_equals_scipy_over_the_whole_range() -> None:
    p = np.r_[
        np.linspace(0, 1, 200_001),
        np.logspace(-300, -1, 3_000),
        1 - np.logspace(-16, -1, 500),
        [np.nan, -0.1, 1.1],
    ]
    want, got = scipy_ndtri(p), ndtri(p)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)])
    np.testing.assert_allclose(got[finite], want[finite], rtol=2e-15, atol=3e-15)


def test_ndtri_on_rank_percentiles() -> None:
    """(rank - 0.5) / n, what the gaussianisation feeds it (1 - p is inexact: no symmetry)."""
    for n in (100, 4999, 5000):
        pct = (np.arange(1, n + 1) - 0.5) / n
        g = ndtri(pct)
        np.testing.assert_allclose(g, scipy_ndtri(pct), rtol=0, atol=3e-15)
        assert (np.diff(g) > 0).all()
    assert ndtri(np.array([0.5]))[0] == 0.0
