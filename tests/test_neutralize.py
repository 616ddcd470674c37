"""Per-date neutralisation, checked against numerai-tools ``neutralize``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numerai_tools import scoring

from tickermap.errors import AnalysisError
from tickermap.exposure.neutralize import neutralize


def frames(seed=0, n_dates=4, n=60):
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_dates):
        for i in rng.permutation(n):
            rows.append((f"2024-02-{d + 1:02d}", f"K{i:03d}"))
    base = pd.DataFrame(rows, columns=["date", "k"])
    size = np.exp(rng.normal(20, 2, len(base)))
    sig = base.assign(signal=np.round(np.log(size) + rng.normal(size=len(base)), 1))
    feat = base.assign(
        mcap=size,
        mom=rng.normal(size=len(base)),
        dummy=(rng.random(len(base)) < 0.5).astype(float),
    )
    feat.loc[rng.random(len(feat)) < 0.05, "mom"] = np.nan
    return sig, feat


def reference(sig, feat, cols, proportion, transform, log_cols=()):
    merged = sig.merge(feat, on=["date", "k"]).dropna(subset=cols)
    parts = []
    for d, g in merged.groupby("date"):
        g = g.set_index("k").sort_index()
        x = g[cols].copy()
        for c in log_cols:
            x[c] = np.log(x[c])
        s = g[["signal"]]
        if transform == "rank_gauss":
            s = scoring.gaussian(scoring.tie_kept_rank(s))
        parts.append(scoring.neutralize(s, x, proportion)["signal"].rename(d))
    return pd.concat(parts, keys=[p.name for p in parts], names=["date", "k"])


@pytest.mark.parametrize("proportion", [1.0, 0.5])
@pytest.mark.parametrize("transform", ["rank_gauss", "none"])
def test_matches_numerai_tools(proportion, transform):
    sig, feat = frames()
    cols = ["mcap", "mom", "dummy"]
    got = neutralize(
        sig, feat, columns=cols, proportion=proportion, transform=transform, log_columns=["mcap"]
    ).set_index(["date", "k"])["signal"]
    ref = reference(sig, feat, cols, proportion, transform, log_cols=["mcap"])
    assert len(got) == len(ref)
    np.testing.assert_allclose(got.reindex(ref.index).to_numpy(), ref.to_numpy(), atol=1e-9)


def test_full_neutralisation_removes_linear_exposure():
    sig, feat = frames(1)
    out = neutralize(sig, feat, columns=["mcap"], log_columns=["mcap"])
    merged = out.merge(feat, on=["date", "k"])
    for _, g in merged.groupby("date"):
        assert abs(np.corrcoef(g["signal"], np.log(g["mcap"]))[0, 1]) < 1e-9
    before = sig.merge(feat, on=["date", "k"])
    assert np.corrcoef(before["signal"], np.log(before["mcap"]))[0, 1] > 0.5


def test_collinear_dummies_are_handled_like_numerai_tools():
    sig, feat = frames(2)
    feat["other"] = 1.0 - feat["dummy"]  # collinear with the intercept
    got = neutralize(sig, feat, columns=["dummy", "other"]).set_index(["date", "k"])["signal"]
    ref = reference(sig, feat, ["dummy", "other"], 1.0, "rank_gauss")
    np.testing.assert_allclose(got.reindex(ref.index).to_numpy(), ref.to_numpy(), atol=1e-9)


def test_constant_signal_date_is_nan():
    sig, feat = frames(3, n_dates=2)
    sig.loc[sig["date"] == "2024-02-01", "signal"] = 1.0
    out = neutralize(sig, feat, columns=["mom"])
    assert out.loc[out["date"] == "2024-02-01", "signal"].isna().all()
    assert out.loc[out["date"] == "2024-02-02", "signal"].notna().all()


def test_bad_options_raise():
    sig, feat = frames()
    with pytest.raises(AnalysisError, match="no such column"):
        neutralize(sig, feat, columns=["nope"])
    with pytest.raises(AnalysisError, match="proportion"):
        neutralize(sig, feat, columns=["mom"], proportion=1.5)
    with pytest.raises(AnalysisError, match="at least one"):
        neutralize(sig, feat, columns=[])
