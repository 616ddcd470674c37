"""The standard normal quantile (``scipy.special.ndtri``) in numpy, without importing scipy.

Wichura's algorithm AS241 (PPND16, 1988), as in CPython's ``statistics.NormalDist.inv_cdf``:
three rational approximations, relative error about 1e-16, so the gaussianised ranks agree with
scipy's ``ndtri`` (and numerai-tools) to the last digits. Importing ``scipy.special`` costs
about a third of a second of every ``exposure`` and ``diagnostics`` run; this costs nothing.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ndtri"]

_CENTRAL = (
    (2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
     4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3,
     1.3314166789178437745e2, 3.3871328727963666080e0),
    (5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
     2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2,
     4.2313330701600911252e1, 1.0),
)  # fmt: skip
_NEAR = (
    (7.7454501427834140764e-4, 2.2723844989269184583e-2, 2.4178072517745061177e-1,
     1.2704582524523683826e0, 3.6478483247632046050e0, 5.7694972214606914055e0,
     4.6303378461565452959e0, 1.4234371107496835773e0),
    (1.0507500716444168432e-9, 5.4759380849953449460e-4, 1.5198666563616457197e-2,
     1.4810397642748007459e-1, 6.8976733498510000455e-1, 1.6763848301838038494e0,
     2.0531916266377588219e0, 1.0),
)  # fmt: skip
_TAIL = (
    (2.0103343992922881327e-7, 2.7115555687434875782e-5, 1.2426609473880784386e-3,
     2.6532189526576123093e-2, 2.9656057182850489123e-1, 1.7848265399172913358e0,
     5.4637849111641143699e0, 6.6579046435011037772e0),
    (2.0442631033899397856e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5,
     7.8686913114561325910e-4, 1.4875361290850614852e-2, 1.3692988092273580531e-1,
     5.9983220655588793769e-1, 1.0),
)  # fmt: skip


def _ratio(coefs: tuple[tuple[float, ...], tuple[float, ...]], r: np.ndarray) -> np.ndarray:
    num = np.full_like(r, coefs[0][0])
    den = np.full_like(r, coefs[1][0])
    for a, b in zip(coefs[0][1:], coefs[1][1:], strict=True):  # Horner, as AS241
        num = num * r + a
        den = den * r + b
    return num / den


def ndtri(p: np.ndarray) -> np.ndarray:
    """Quantile of the standard normal at ``p`` (0 -> -inf, 1 -> inf, NaN or outside [0, 1]
    -> NaN), elementwise.

    >>> [round(float(v), 12) for v in ndtri(np.array([0.5, 0.975, 0.025]))]
    [0.0, 1.95996398454, -1.95996398454]
    """
    p = np.asarray(p, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    q = p - 0.5
    central = np.abs(q) <= 0.425
    qc = q[central]
    out[central] = qc * _ratio(_CENTRAL, 0.180625 - qc * qc)
    outer = ~central & (p > 0) & (p < 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.sqrt(-np.log(np.where(q[outer] <= 0, p[outer], 1.0 - p[outer])))
    x = np.where(r <= 5.0, _ratio(_NEAR, r - 1.6), _ratio(_TAIL, r - 5.0))
    out[outer] = np.where(q[outer] < 0, -x, x)
    out[p == 0] = -np.inf
    out[p == 1] = np.inf
    return out
