"""The README's main job: `tickermap demo` runs the whole chain offline on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.resources import sample_path


def test_demo_runs_the_whole_chain_offline(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in (
        "findings.csv",
        "universe.csv",
        "review.csv",
        "report.html",
        "events.csv",
        "features.parquet",
        "exposure.csv",
        "exposure.png",
        "exposure.html",
        "history.csv",
        "history.events.csv",
        "history.findings.csv",
    ):
        assert (out / name).stat().st_size > 0, name
    universe = pd.read_csv(out / "universe.csv")
    assert len(universe) == len(pd.read_csv(sample_path("universe.csv")))
    # every deliberately damaged sample row is caught with the reason it was damaged for
    injected = pd.read_csv(sample_path("community_map_errors.csv"))
    got = universe.set_index("bloomberg_ticker")["reasons"]
    for ticker, kind in zip(injected["bloomberg_ticker"], injected["injected"], strict=True):
        assert kind in got[ticker].split(";"), (ticker, kind, got[ticker])
    flagged = set(injected["bloomberg_ticker"]) | {"DUAL US", "ZZZQ US"}
    assert (universe.loc[~universe["bloomberg_ticker"].isin(flagged), "status"] == "ok").all()
    # review: flagged claims first; a claim without identifiers (the Yahoo map) is scored on
    # nothing it does not claim, so an ok one never looks more suspicious than the prior
    review = pd.read_csv(out / "review.csv", dtype={"isin": str})
    tier = review["status"].map(lambda s: 0 if s not in ("ok", "unverified") else 1)
    assert tier.is_monotonic_increasing
    bare = review[review[["figi", "composite_figi", "share_class_figi", "isin"]].isna().all(axis=1)]
    assert len(bare) > 50 and (bare.loc[bare["status"] == "ok", "p_wrong"] <= 0.2).all()
    zzzq = universe.set_index("bloomberg_ticker").loc["ZZZQ US"]
    assert zzzq["status"] == "no_data" and zzzq["confidence"] == 0  # only a Yahoo claim
    events = pd.read_csv(out / "events.csv")
    assert set(events["event"]) == {"delisted", "renamed", "ticker_reused"}
    coverage = pd.read_csv(out / "exposure.coverage.csv")
    assert (coverage["coverage"] > 0.9).all()
    assert "joined through universe.csv" in " ".join(result.output.split())
    history = pd.read_csv(out / "history.events.csv")
    assert history[["event", "numerai_ticker", "date"]].to_numpy().tolist() == [
        ["renamed", "NEWN US", "2023-02-03"],
        ["ticker_reused", "RUSE US", "2023-08-04"],
        ["exited", "GONE US", "2023-10-27"],
    ]
    last = " ".join(result.output.split()).split("6. history")[1]
    assert "RUSE US ticker_reused 2023-08-04" in last and "0 findings" in last
