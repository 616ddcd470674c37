"""Segment operations over rows sorted by date, and least squares per date in batched blocks.

Rows are sorted by date code; ``starts`` is the first row of each date (every date of a block has
at least one row). A *mask* picks the rows a metric may use on each date; values outside it are
NaN. :class:`Design` neutralises many vectors at once against a per-date matrix (neutralizers
or features) the way numerai-tools ``neutralize`` does (least squares with an intercept,
``lstsq(rcond=1e-6)``): one Gram matrix per date for the rows that have the whole matrix, the
rows a metric leaves out subtracted from it, then a batched Cholesky solve; dates whose Gram
matrix is singular or ill-conditioned (collinear columns) get the pseudo-inverse from a batched
eigendecomposition instead, which is what ``lstsq`` returns. No Python loop runs over dates.
"""

from __future__ import annotations

import numpy as np

from tickermap.exposure.per_date import grouped_stats, numerai_transform

__all__ = [
    "MAX_FILTERED_RATIO",
    "Design",
    "enough_overlap",
    "gcount",
    "gmean",
    "gsum",
    "pearson",
    "pow15",
    "rank_gauss",
]

MAX_FILTERED_RATIO = 0.2
"""numerai-tools ``DEFAULT_MAX_FILTERED_INDEX_RATIO``."""
_RCOND2 = 1e-12  # lstsq rcond=1e-6 on singular values, squared for the Gram eigenvalues
_COND_LIMIT = 1e-9  # (min/max Cholesky pivot)^2 below this: use the eigen path


def gsum(v: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum per date (axis 0)."""
    return np.add.reduceat(v, starts, axis=0) if len(v) else np.zeros((0, *v.shape[1:]))


def gcount(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Rows per date where ``mask`` holds."""
    return gsum(mask.astype(np.int64), starts)


def gmean(v: np.ndarray, mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Mean of ``v`` over the masked rows of each date (NaN for a date without rows)."""
    n = gcount(mask, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return gsum(np.where(mask, v, 0.0), starts) / n


def enough_overlap(kept: np.ndarray, *totals: np.ndarray) -> np.ndarray:
    """numerai-tools' filter check: ``kept / total >= 1 - 0.2`` for every input, per date."""
    ok = np.ones(len(kept), dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        for total in totals:
            ok &= kept / total >= (1 - MAX_FILTERED_RATIO)
    return ok


def rank_gauss(
    v: np.ndarray, mask: np.ndarray, codes: np.ndarray, starts: np.ndarray, *, power: bool
) -> np.ndarray:
    """Tie-kept rank over the masked rows of each date, gaussianise, optionally ^1.5."""
    return numerai_transform(np.where(mask, v, np.nan), codes, starts, pow15=power)


def pow15(v: np.ndarray) -> np.ndarray:
    """numerai-tools ``power(x, 1.5)``: ``sign(x) |x|^1.5``."""
    return np.sign(v) * np.abs(v) ** 1.5


def pearson(
    x: np.ndarray, y: np.ndarray, mask: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r per date over the masked rows, and whether x or y is constant there."""
    xm = np.where(mask, x, np.nan)
    ym = np.where(mask, y, np.nan)
    _, r, x_const, y_const, _ = grouped_stats(xm, ym, starts)
    return r, x_const | y_const


class Design:
    """A per-date regressor matrix (plus intercept) to neutralise vectors against.

    Args:
        matrix: ``(rows, K)`` values aligned to the block's rows (NaN: missing).
        complete: rows that have every column (only those can be used).
        codes: date code of each row (non-decreasing), 0..n_dates-1.
        n_dates: dates in the block.
    """

    def __init__(
        self, matrix: np.ndarray, complete: np.ndarray, codes: np.ndarray, n_dates: int
    ) -> None:
        rows = np.flatnonzero(complete)
        self.k = matrix.shape[1] + 1
        self.n_dates = n_dates
        self.rows = rows
        counts = np.bincount(codes[rows], minlength=n_dates)
        self.counts = counts
        first = np.r_[0, np.cumsum(counts)[:-1]]
        self.date = codes[rows]
        self.slot = np.arange(len(rows)) - first[self.date]
        self.width = int(counts.max()) if len(counts) else 0
        w = max(self.width, 1)
        x = matrix if len(rows) == len(matrix) else matrix[rows]
        x = x.astype(np.float64, copy=False)
        # shift each column by its per-date mean: same span (the intercept is there), and the
        # Gram matrix stays well conditioned for columns like 0..1 ranks
        sums = np.zeros((n_dates, x.shape[1]))
        if len(rows):
            starts = np.flatnonzero(np.r_[True, self.date[1:] != self.date[:-1]])
            sums[self.date[starts]] = np.add.reduceat(x, starts, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / np.maximum(counts, 1)[:, None]
        self.means = np.nan_to_num(means)
        z = np.zeros((n_dates, w, self.k))
        if len(rows) == n_dates * w:  # every date has the same rows: no padding, no gather
            np.subtract(x.reshape(n_dates, w, -1), means[:, None, :], out=z[:, :, :-1])
            z[:, :, -1] = 1.0
        else:
            flat = z.reshape(n_dates * w, self.k)
            at = self.date * w + self.slot
            flat[at, :-1] = x - means[self.date]
            flat[at, -1] = 1.0
        self.z = z
        self.gram = np.matmul(z.transpose(0, 2, 1), z)
        self.pos = np.full(len(codes), -1, dtype=np.int64)
        self.pos[rows] = np.arange(len(rows))
        self._pinv: np.ndarray | None = None

    def residuals(
        self, mask: np.ndarray, vectors: list[np.ndarray], min_rows: int
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Residuals of each vector after least squares on the design, per date over ``mask``.

        Args:
            mask: the rows to use (must be a subset of the complete rows).
            vectors: values per block row (only the masked rows are read).
            min_rows: dates with fewer masked rows give NaN (and are flagged).

        Returns:
            (residual per vector, NaN outside the mask or on flagged dates; per-date flag of
            dates left out because they have too few rows for the design's columns)
        """
        sel = self.pos[np.flatnonzero(mask)]
        d, sl, rows = self.date[sel], self.slot[sel], self.rows[sel]
        n_use = np.bincount(d, minlength=self.n_dates)
        few = n_use < max(min_rows, self.k + 1)
        y = np.zeros((self.n_dates, max(self.width, 1), len(vectors)))
        for j, v in enumerate(vectors):
            y[d, sl, j] = v[rows]
        rhs = np.matmul(self.z.transpose(0, 2, 1), y)
        beta = np.zeros_like(rhs)
        whole = np.flatnonzero(~few & (n_use == self.counts))  # the cached pseudo-inverse
        if len(whole):
            beta[whole] = np.matmul(self._full_pinv()[whole], rhs[whole])
        part = np.flatnonzero(~few & (n_use != self.counts))  # rows left out: downdate
        if len(part):
            use = np.zeros((self.n_dates, max(self.width, 1)), dtype=bool)
            use[d, sl] = True
            gram = self._gram_without((~use & self._filled())[part], part)
            beta[part] = np.matmul(_pinv(gram), rhs[part])
        fit = np.matmul(self.z, beta)
        out = []
        bad = few[d]
        for j, v in enumerate(vectors):
            r = np.full(len(v), np.nan)
            r[rows] = y[d, sl, j] - fit[d, sl, j]
            r[rows[bad]] = np.nan
            out.append(r)
        return out, few

    def _full_pinv(self) -> np.ndarray:
        """Pseudo-inverse of every date's whole Gram matrix, computed once and reused by every
        metric that neutralises against this design."""
        if self._pinv is None:
            self._pinv = _pinv(self.gram)
        return self._pinv

    def raw_projection(self, mask: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``N_i . (N_S^T y_S)`` per masked row, with ``N`` the raw matrix (no shift, no
        intercept) and ``S`` the date's masked rows, by batched products on the padded design
        (numerai-tools ``generate_neutralized_weights``' projection)."""
        sel = self.pos[np.flatnonzero(mask)]
        d, sl, rows = self.date[sel], self.slot[sel], self.rows[sel]
        yp = np.zeros((self.n_dates, max(self.width, 1), 1))
        yp[d, sl, 0] = y[rows]
        zty = np.matmul(self.z.transpose(0, 2, 1), yp)[:, :, 0]  # (dates, K + 1)
        u = zty[:, :-1] + self.means * zty[:, -1:]  # raw N^T y: shift back by the means
        u1 = np.concatenate([u, np.zeros((self.n_dates, 1))], axis=1)[:, :, None]
        fit = np.matmul(self.z, u1)[:, :, 0] + (self.means * u).sum(axis=1)[:, None]
        out = np.full(len(y), np.nan)
        out[rows] = fit[d, sl]
        return out

    def _filled(self) -> np.ndarray:
        filled = np.zeros((self.n_dates, max(self.width, 1)), dtype=bool)
        filled[self.date, self.slot] = True
        return filled

    def _gram_without(self, drop: np.ndarray, part: np.ndarray) -> np.ndarray:
        """The Gram matrices of dates ``part`` without their rows flagged in ``drop``."""
        n_drop = drop.sum(axis=1)
        z = self.z[part]
        width = int(n_drop.max())
        if width * 2 > self.width:  # many rows left out: the direct product is cheaper
            zm = z * (~drop & self._filled()[part])[:, :, None]
            return np.matmul(zm.transpose(0, 2, 1), zm)
        d_idx, s_idx = np.nonzero(drop)
        first = np.r_[0, np.cumsum(n_drop)[:-1]]
        slot = np.arange(len(d_idx)) - first[d_idx]
        ze = np.zeros((len(part), width, self.k))
        ze[d_idx, slot] = z[d_idx, s_idx]
        return self.gram[part] - np.matmul(ze.transpose(0, 2, 1), ze)


def _pinv(gram: np.ndarray) -> np.ndarray:
    """``pinv(gram)`` per date: a Cholesky-checked inverse where well conditioned, the
    eigendecomposition pseudo-inverse (``lstsq``'s answer) otherwise."""
    out = np.zeros_like(gram)
    if not len(gram):
        return out
    good = np.zeros(len(gram), dtype=bool)
    try:
        chol = np.linalg.cholesky(gram)
        piv = np.abs(np.diagonal(chol, axis1=1, axis2=2))
        with np.errstate(invalid="ignore", divide="ignore"):
            good = (piv.min(axis=1) / piv.max(axis=1)) ** 2 > _COND_LIMIT
    except np.linalg.LinAlgError:
        good[:] = False
    if good.any():
        out[good] = np.linalg.inv(gram[good])
    bad = np.flatnonzero(~good)
    if len(bad):
        w, vec = np.linalg.eigh(gram[bad])
        keep = w > _RCOND2 * w.max(axis=1, keepdims=True)
        inv = np.where(keep, 1.0 / np.where(keep, w, 1.0), 0.0)
        out[bad] = np.matmul(vec * inv[:, None, :], vec.transpose(0, 2, 1))
    return out
