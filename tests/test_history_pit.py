"""Point-in-time map and join: a reused ticker never joins another company's rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.errors import AnalysisError
from tickermap.exposure.joins import join_through_universe
from tickermap.history import build_history, load_history, map_at, write_history
from tickermap.resources import sample_path

OLD, NEW = "BBGHV938S6C1", "BBGM2V2XMRH4"  # RUSE US before / after the sample's reuse


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hist") / "history.csv"
    write_history(build_history([sample_path("history_universe.parquet")]), out)
    return out


def test_map_at_follows_the_reuse_and_the_rename(history_file: Path) -> None:
    h = load_history(history_file)
    before = map_at(h, "2023-06-30").set_index("numerai_ticker")
    after = map_at(h, "2023-08-04").set_index("numerai_ticker")
    assert before.loc["RUSE US", "composite_figi"] == OLD
    assert after.loc["RUSE US", "composite_figi"] == NEW
    assert "RUSE US" not in map_at(h, "2023-07-14")["numerai_ticker"].tolist()
    assert "OLDN US" in before.index or "OLDN US" not in after.index
    assert "NEWN US" in after.index and "OLDN US" not in after.index
    assert "GONE US" in before.index and "GONE US" not in map_at(h, "2023-11-03").values
    late = map_at(h, "2030-01-04")
    assert (late["status"] == "after_history").all() and "GONE US" not in late.values


def test_cli_at_prints_the_map_and_writes_it(history_file: Path, tmp_path: Path) -> None:
    run = CliRunner().invoke(app, ["history", str(history_file), "--at", "2023-08-04"])
    assert run.exit_code == 0, run.output
    printed = [line.split(",") for line in run.output.strip().splitlines()]
    assert printed[0] == ["date", "numerai_ticker", "composite_figi", "first_date", "last_date",
                          "status"]  # fmt: skip
    assert ["2023-08-04", "RUSE US", NEW, "2023-08-04", "2024-03-22", "in_force"] in printed
    out = tmp_path / "map.csv"
    run = CliRunner().invoke(app, ["history", str(history_file), "--at", "2023-08-04",
                                   "--out", str(out)])  # fmt: skip
    assert run.exit_code == 0, run.output
    assert pd.read_csv(out).shape[0] == len(printed) - 1


def _signal(dates: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"date": pd.to_datetime(dates), "bloomberg_ticker": "RUSE US", "signal": 0.5}
    )


def test_features_keyed_by_figi_get_the_entity_in_force(history_file: Path) -> None:
    h = load_history(history_file)
    dates = ["2023-06-30", "2023-07-14", "2023-08-04"]
    sig = _signal(dates)
    feats = pd.DataFrame(
        {"date": pd.to_datetime(dates * 2), "composite_figi": [OLD] * 3 + [NEW] * 3}
    )
    r = join_through_universe(sig, feats, signal_key="bloomberg_ticker",
                              features_key="composite_figi", history=h)  # fmt: skip
    assert r.frame["composite_figi"].tolist() == [OLD, NEW]
    assert r.unmatched["reason"].tolist() == ["history_no_spell"]
    assert r.coverage["kept_out_by_history"].tolist() == [0, 1, 0]


def test_ticker_keyed_features_only_join_the_current_company(history_file: Path) -> None:
    h = load_history(history_file)
    dates = ["2023-03-31", "2023-06-30", "2023-07-14", "2023-08-04", "2024-03-22"]
    sig = _signal(dates)
    feats = pd.DataFrame({"date": pd.to_datetime(dates), "bloomberg_ticker": "RUSE US"})
    plain = join_through_universe(sig, feats, signal_key="bloomberg_ticker",
                                  features_key="bloomberg_ticker")  # fmt: skip
    assert len(plain.frame) == 5  # without history the old company's dates join the new one
    r = join_through_universe(sig, feats, signal_key="bloomberg_ticker",
                              features_key="bloomberg_ticker", history=h)  # fmt: skip
    assert r.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-08-04", "2024-03-22"]
    assert r.unmatched["reason"].tolist() == [
        "history_other_entity",
        "history_other_entity",
        "history_no_spell",
    ]
    assert int(r.coverage["kept_out_by_history"].sum()) == 3
    assert int(r.coverage["signal_rows"].sum()) == 5  # kept-out rows still count as signal rows


def test_a_naive_loop_agrees_on_every_sample_row(history_file: Path) -> None:
    h = load_history(history_file)
    spells = pd.read_csv(history_file)
    uni = pd.read_parquet(sample_path("history_universe.parquet"))
    sig = uni[["date", "numerai_ticker"]]
    sig = sig.assign(signal=0.5, date=pd.to_datetime(sig["date"]))
    feats = uni.assign(date=pd.to_datetime(uni["date"]))[["date", "composite_figi"]]
    r = join_through_universe(sig, feats, signal_key="numerai_ticker",
                              features_key="composite_figi", history=h)  # fmt: skip
    # naive: for each universe row, the one spell whose dates contain it gives its own FIGI
    expect = []
    for day, ticker, figi in zip(uni["date"], uni["numerai_ticker"], uni["composite_figi"],
                                 strict=True):  # fmt: skip
        s = spells[(spells["numerai_ticker"] == ticker) & (spells["first_date"] <= day)
                   & (day <= spells["last_date"])]  # fmt: skip
        assert len(s) == 1 and s["composite_figi"].iloc[0] == figi
        expect.append(figi)
    assert r.frame["composite_figi"].tolist() == expect
    assert np.all(r.coverage["coverage"] == 1.0)


def test_unrelated_keys_are_an_error(history_file: Path) -> None:
    h = load_history(history_file)
    sig = pd.DataFrame({"date": pd.to_datetime(["2023-08-04"]), "yahoo": ["RUSE"],
                        "signal": [0.1]})  # fmt: skip
    feats = pd.DataFrame({"date": pd.to_datetime(["2023-08-04"]), "yahoo": ["RUSE"]})
    with pytest.raises(AnalysisError, match="keyed by 'yahoo'"):
        join_through_universe(sig, feats, signal_key="yahoo", features_key="yahoo", history=h)
    sig = _signal(["2023-08-04"]).assign(bloomberg_ticker="NOPE US")
    with pytest.raises(AnalysisError, match="no signal ticker is in the history"):
        join_through_universe(sig, feats.rename(columns={"yahoo": "bloomberg_ticker"}),
                              signal_key="bloomberg_ticker", features_key="bloomberg_ticker",
                              history=h)  # fmt: skip


def test_exposure_cli_counts_rows_kept_out_by_history(history_file: Path, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    assert CliRunner().invoke(app, ["demo", "--out", str(demo)]).exit_code == 0
    out = tmp_path / "exp.csv"
    run = CliRunner().invoke(app, [
        "exposure", "--signal", str(sample_path("signal.parquet")),
        "--features", str(demo / "features.parquet"), "--universe", str(demo / "universe.csv"),
        "--history", str(demo / "history.csv"), "--out", str(out),
    ])  # fmt: skip
    assert run.exit_code == 0, run.output
    cov = pd.read_csv(tmp_path / "exp.coverage.csv")
    unmatched = pd.read_csv(tmp_path / "exp.unmatched.csv")
    ruse = unmatched[unmatched["bloomberg_ticker"] == "RUSE US"]
    kept = ruse[ruse["reason"].str.startswith("history_")]
    assert int(cov["kept_out_by_history"].sum()) == len(kept) == 18
    assert (kept["date"] < "2023-08-04").all()
    assert "18 signal rows kept out" in " ".join(run.output.split())
