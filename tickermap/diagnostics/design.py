"""Least squares against a per-date matrix, for many vectors and masks in two batched products.

:class:`Design` holds a per-date regressor matrix (neutralizers or features) on a padded
``(dates, rows, K)`` grid, each column shifted by its per-date mean (same span once the
intercept is there, and a well-conditioned Gram matrix for columns like 0..1 ranks). The
intercept column is not stored: its products are the per-date sums and row counts.

:meth:`Design.solve` takes every :class:`Job` of a block at once: residuals after least squares
with an intercept (numerai-tools ``neutralize``: ``lstsq(rcond=1e-6)``) or the raw projection
``N (N^T y)`` (``generate_neutralized_weights``). All their vectors go through one ``Z^T Y`` and
one ``Z B`` batched product, whatever their masks (rows outside a mask are zero in ``Y``). The
solve uses one Gram matrix per date for the rows that have the whole matrix, the rows a mask
leaves out subtracted from it, then a Cholesky-checked inverse; dates whose Gram matrix is
singular or ill-conditioned (collinear columns) get the pseudo-inverse from a batched
eigendecomposition instead, which is what ``lstsq`` returns. No Python loop runs over dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Design", "Job"]

_RCOND2 = 1e-12  # lstsq rcond=1e-6 on singular values, squared for the Gram eigenvalues
_COND_LIMIT = 1e-9  # (min/max Cholesky pivot)^2 below this: use the eigen path


@dataclass
class Job:
    """Vectors to project on a design over the rows of ``mask`` (a subset of its complete rows).

    ``min_rows`` set: residuals after least squares with an intercept; dates with fewer masked
    rows (or not more than the design's columns) give NaN and are flagged. ``min_rows`` None:
    the raw projection ``N_i . (N_S^T y_S)`` (no shift, no intercept, nothing flagged).
    """

    mask: np.ndarray
    vectors: list[np.ndarray]
    min_rows: int | None = None


class Design:
    """A per-date regressor matrix (plus intercept) to neutralise vectors against.

    Args:
        matrix: ``(rows, K)`` float64 values aligned to the block's rows (NaN: missing).
        complete: rows that have every column (only those can be used).
        codes: date code of each row (non-decreasing), 0..n_dates-1.
        n_dates: dates in the block.
        overwrite: the matrix may be centred in place (it is not read afterwards).
    """

    def __init__(
        self,
        matrix: np.ndarray,
        complete: np.ndarray,
        codes: np.ndarray,
        n_dates: int,
        *,
        overwrite: bool = False,
    ) -> None:
        rows = np.flatnonzero(complete)
        n_k = matrix.shape[1]
        self.k = n_k + 1
        self.n_dates = n_dates
        self.rows = rows
        self.counts = counts = np.bincount(codes[rows], minlength=n_dates)
        first = np.r_[0, np.cumsum(counts)[:-1]]
        self.date = codes[rows]
        self.slot = np.arange(len(rows)) - first[self.date]
        self.width = w = max(int(counts.max()) if len(counts) else 0, 1)
        self.pos = np.full(len(codes), -1, dtype=np.int64)
        self.pos[rows] = np.arange(len(rows))
        self._filled: np.ndarray | None = None
        dense = len(rows) == len(matrix) == n_dates * w
        if dense:  # every row complete, every date the same rows: a view, no padding
            src = matrix.astype(np.float64, copy=False).reshape(n_dates, w, n_k)
            mine = overwrite or not np.may_share_memory(src, matrix)
            z = src if mine and src.flags.writeable else src.copy()
            sums = z.sum(axis=1)
        else:
            z = np.zeros((n_dates, w, n_k))
            z.reshape(n_dates * w, n_k)[self.date * w + self.slot] = matrix[rows]
            sums = z.sum(axis=1)  # the padding is zero
        with np.errstate(invalid="ignore", divide="ignore"):
            self.means = np.nan_to_num(sums / np.maximum(counts, 1)[:, None])
        if dense:
            z -= self.means[:, None, :]
        else:
            np.subtract(z, self.means[:, None, :], out=z, where=self.filled()[:, :, None])
        self.z = z
        # the Gram matrix of [Z, 1]: Z^T Z, the column sums (zero up to rounding: centred) and
        # the row count
        gram = np.empty((n_dates, self.k, self.k))
        np.matmul(z.transpose(0, 2, 1), z, out=gram[:, :n_k, :n_k])
        edge = sums - self.means * counts[:, None]
        gram[:, :n_k, n_k] = edge
        gram[:, n_k, :n_k] = edge
        gram[:, n_k, n_k] = counts
        self.gram = gram
        self._pinv: np.ndarray | None = None

    def filled(self) -> np.ndarray:
        """``(dates, width)``: which slots of the padded grid hold a complete row."""
        if self._filled is None:
            self._filled = np.arange(self.width)[None, :] < self.counts[:, None]
        return self._filled

    def solve(self, jobs: list[Job]) -> list[tuple[list[np.ndarray], np.ndarray]]:
        """Every job's outputs: (one array per vector, per block row, NaN outside the mask or
        on flagged dates; per-date flag of the dates left out for too few rows)."""
        n_k = self.k - 1
        sels = [self._select(job.mask) for job in jobs]
        n_cols = sum(len(job.vectors) for job in jobs)
        y = np.zeros((self.n_dates, self.width, n_cols))
        col = 0
        for job, (d, sl, rows) in zip(jobs, sels, strict=True):
            for v in job.vectors:
                y[d, sl, col] = v[rows]
                col += 1
        zty = np.matmul(self.z.transpose(0, 2, 1), y)  # (dates, K, columns): one pass over Z
        ysum = y.sum(axis=1)
        beta = np.empty((self.n_dates, n_k, n_cols))
        icpt = np.empty((self.n_dates, n_cols))
        flags = []
        col = 0
        for job, sel in zip(jobs, sels, strict=True):
            cs = slice(col, col + len(job.vectors))
            col = cs.stop
            if job.min_rows is None:  # raw N^T y, shifted back by the means
                u = zty[:, :, cs] + self.means[:, :, None] * ysum[:, None, cs]
                beta[:, :, cs] = u
                icpt[:, cs] = np.einsum("dk,dkm->dm", self.means, u)
                flags.append(np.zeros(self.n_dates, dtype=bool))
                continue
            rhs = np.concatenate([zty[:, :, cs], ysum[:, None, cs]], axis=1)
            coef, few = self._least_squares(job.min_rows, sel, rhs)
            beta[:, :, cs] = coef[:, :n_k]
            icpt[:, cs] = coef[:, n_k]
            flags.append(few)
        fit = np.matmul(self.z, beta)  # (dates, width, columns): one pass over Z
        fit += icpt[:, None, :]
        out = []
        col = 0
        for job, (d, sl, rows), few in zip(jobs, sels, flags, strict=True):
            arrays = []
            bad = rows[few[d]]
            for v in job.vectors:
                r = np.full(len(v), np.nan)
                f = fit[d, sl, col]
                r[rows] = f if job.min_rows is None else y[d, sl, col] - f
                r[bad] = np.nan
                arrays.append(r)
                col += 1
            out.append((arrays, few))
        return out

    def residuals(
        self, mask: np.ndarray, vectors: list[np.ndarray], min_rows: int
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Residuals of each vector after least squares on the design, per date over ``mask``
        (one :class:`Job`; see :meth:`solve`)."""
        return self.solve([Job(mask, vectors, min_rows)])[0]

    def raw_projection(self, mask: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``N_i . (N_S^T y_S)`` per masked row, ``N`` the raw matrix (one :class:`Job`)."""
        return self.solve([Job(mask, [y])])[0][0][0]

    def _select(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sel = self.pos[np.flatnonzero(mask)]
        return self.date[sel], self.slot[sel], self.rows[sel]

    def _least_squares(
        self, min_rows: int, sel: tuple[np.ndarray, np.ndarray, np.ndarray], rhs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        d, sl, _ = sel
        n_use = np.bincount(d, minlength=self.n_dates)
        few = n_use < max(min_rows, self.k + 1)
        coef = np.zeros_like(rhs)
        whole = np.flatnonzero(~few & (n_use == self.counts))  # the cached pseudo-inverse
        if len(whole):
            if self._pinv is None:
                self._pinv = _pinv(self.gram)
            coef[whole] = np.matmul(self._pinv[whole], rhs[whole])
        part = np.flatnonzero(~few & (n_use != self.counts))  # rows left out: downdate
        if len(part):
            use = np.zeros((self.n_dates, self.width), dtype=bool)
            use[d, sl] = True
            gram = self._gram_without((~use & self.filled())[part], part)
            coef[part] = np.matmul(_pinv(gram), rhs[part])
        return coef, few

    def _gram_without(self, drop: np.ndarray, part: np.ndarray) -> np.ndarray:
        """The Gram matrices of dates ``part`` without their rows flagged in ``drop``."""
        n_drop = drop.sum(axis=1)
        z = self.z[part]
        width = int(n_drop.max())
        gram = np.empty((len(part), self.k, self.k))
        if width * 2 > self.width:  # many rows left out: the direct product is cheaper
            keep = ~drop & self.filled()[part]
            zm = z * keep[:, :, None]
            n_k = self.k - 1
            np.matmul(zm.transpose(0, 2, 1), zm, out=gram[:, :n_k, :n_k])
            edge = zm.sum(axis=1)
            gram[:, :n_k, n_k] = edge
            gram[:, n_k, :n_k] = edge
            gram[:, n_k, n_k] = keep.sum(axis=1)
            return gram
        d_idx, s_idx = np.nonzero(drop)
        first = np.r_[0, np.cumsum(n_drop)[:-1]]
        slot = np.arange(len(d_idx)) - first[d_idx]
        ze = np.zeros((len(part), width, self.k))
        ze[d_idx, slot, :-1] = z[d_idx, s_idx]
        ze[d_idx, slot, -1] = 1.0
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
