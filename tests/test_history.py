"""History: spells and events from dated universes, against known truth and a naive loop."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tickermap.history import build_history, read_universe_files
from tickermap.history.spells import build_spells
from tickermap.history.synthetic import synthetic_universe


def _history(tmp_path: Path, frame: pd.DataFrame, name: str = "u.parquet", **kw: object):
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False, row_group_size=kw.pop("row_group_size", 5000))
    return build_history([path], **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_reuses_renames_exits_match_the_truth_under_noise(tmp_path: Path, seed: int) -> None:
    frame, truth = synthetic_universe(
        n_tickers=300,
        n_dates=120,
        reuses=15,
        renames=6,
        exits=6,
        glitches=10,
        missing_share=0.01,
        absent_share=0.25,
        seed=seed,
    )
    result = _history(tmp_path, frame)
    ev = result.events
    reused = ev[ev["event"] == "ticker_reused"]
    got = set(zip(reused["numerai_ticker"], reused["date"], strict=True))
    want = {(t, d) for t, _, _, d in truth.reuses}
    assert got == want
    assert set(reused["previous"]) == {a for _, a, _, _ in truth.reuses}
    renamed = ev[ev["event"] == "renamed"]
    got_r = set(zip(renamed["composite_figi"], renamed["previous"], renamed["numerai_ticker"],
                    renamed["date"], strict=True))  # fmt: skip
    assert got_r == set(truth.renames)
    exited = ev[ev["event"] == "exited"]
    assert set(zip(exited["numerai_ticker"], exited["date"], strict=True)) == set(truth.exits)
    # the renamed tickers neither "exit" nor "enter": the rename says it all
    assert (ev["event"] != "entered").all()
    # every glitch is reported, none makes an event
    flaps = result.findings[result.findings["kind"] == "flapping"]
    assert set(zip(flaps["ticker"], flaps["date"], strict=True)) == set(truth.glitches)
    glitch_tickers = {t for t, _ in truth.glitches}
    assert not glitch_tickers & set(ev["numerai_ticker"])
    assert (result.spells["flags"].str.contains("glitch")).sum() == len(truth.glitches)


def test_a_long_flap_gives_probable_events_and_a_short_one_none(tmp_path: Path) -> None:
    fridays = [dt.date(2023, 1, 6) + dt.timedelta(weeks=i) for i in range(30)]
    rows = []
    for i, day in enumerate(fridays):
        long_flap = "B1" if 10 <= i < 20 else "A1"
        short_flap = "B2" if i == 15 else "A2"
        rows += [(day.isoformat(), "LONG US", long_flap), (day.isoformat(), "SHRT US", short_flap)]
    frame = pd.DataFrame(rows, columns=["date", "numerai_ticker", "composite_figi"])
    result = _history(tmp_path, frame)
    ev = result.events
    assert (ev["numerai_ticker"] == "SHRT US").sum() == 0
    long = ev[ev["numerai_ticker"] == "LONG US"]
    assert list(long["previous"]) == ["A1", "B1"]
    assert list(long["date"]) == [fridays[10].isoformat(), fridays[20].isoformat()]
    assert (long["confidence"] == "probable").all()
    assert long["note"].str.contains("flapping").all()
    spells = result.spells[result.spells["numerai_ticker"] == "SHRT US"]
    assert list(spells["composite_figi"]) == ["A2", "B2", "A2"]  # kept, not merged


def test_switch_date_is_the_first_date_of_the_new_entity_through_a_noisy_transition(
    tmp_path: Path,
) -> None:
    seq = ["A"] * 6 + ["B", "A"] + ["B"] * 8  # B appears at 6, a one-date A glitch at 7
    days = [dt.date(2023, 1, 6) + dt.timedelta(weeks=i) for i in range(len(seq))]
    frame = pd.DataFrame({"date": [d.isoformat() for d in days], "numerai_ticker": "X US",
                          "composite_figi": seq})  # fmt: skip
    ev = _history(tmp_path, frame).events
    assert list(ev["event"]) == ["ticker_reused"]
    assert ev["date"].iloc[0] == days[6].isoformat()
    assert ev["previous_last_date"].iloc[0] == days[7].isoformat()
    assert ev["confidence"].iloc[0] == "probable"


def _naive_spells(frame: pd.DataFrame) -> list[tuple[str, str, str, str, int, int]]:
    """Per ticker, walk the dates in order; a spell ends when the entity changes."""
    dates = sorted(set(frame["date"]))
    rank = {d: i for i, d in enumerate(dates)}
    out = []
    rows = frame.drop_duplicates().sort_values(["numerai_ticker", "date"])
    for ticker, group in rows.groupby("numerai_ticker"):
        current = None
        for day, ent in zip(group["date"], group["composite_figi"].fillna(""), strict=True):
            if current is not None and current[1] == ent:
                current[3], current[4] = day, current[4] + 1
            else:
                if current is not None:
                    out.append(current)
                current = [ticker, ent, day, day, 1]
        assert current is not None
        out.append(current)
    return [(t, e, a, b, n, rank[b] - rank[a] + 1 - n) for t, e, a, b, n in out]


def test_spells_agree_with_a_naive_loop(tmp_path: Path) -> None:
    frame, _ = synthetic_universe(n_tickers=80, n_dates=60, glitches=6, missing_share=0.03,
                                  absent_share=0.5, seed=7)  # fmt: skip
    frame = pd.concat([frame, frame.sample(40, random_state=1)], ignore_index=True)  # dups
    result = _history(tmp_path, frame, row_group_size=333)
    got = sorted(
        (r.numerai_ticker, "" if pd.isna(r.composite_figi) else r.composite_figi, r.first_date,
         r.last_date, r.n_dates, r.gaps)
        for r in result.spells.itertuples()
    )  # fmt: skip
    assert got == sorted(_naive_spells(frame))
    dup = result.findings[result.findings["kind"] == "duplicate_row"]
    assert dup["count"].sum() == 40


def test_csv_with_friday_date_and_bloomberg_ticker_equals_parquet(tmp_path: Path) -> None:
    frame, _ = synthetic_universe(n_tickers=40, n_dates=30, seed=3)
    old = pd.DataFrame(
        {
            "bloomberg_ticker": frame["numerai_ticker"],
            "friday_date": frame["date"].str.replace("-", "").astype(int),
            "composite_figi": frame["composite_figi"],
            "target": 0.5,
        }
    )
    a = _history(tmp_path, old, "old.csv")
    b = _history(tmp_path, frame, "new.parquet")
    assert a.ticker_column == "bloomberg_ticker"
    assert a.spells.to_numpy().tolist() == b.spells.to_numpy().tolist()
    assert a.events.to_numpy().tolist() == b.events.to_numpy().tolist()


def test_only_the_identity_columns_are_read(tmp_path: Path) -> None:
    frame, _ = synthetic_universe(n_tickers=40, n_dates=10, seed=4)
    frame["feature_x"] = "not a number at all"
    path = tmp_path / "u.parquet"
    frame.to_parquet(path, row_group_size=50)
    obs = read_universe_files([path])
    assert obs.rows_read == len(frame)
    assert list(obs.frame.columns) == ["t", "d", "e", "f", "row"]
    assert obs.frame["row"].tolist() == list(range(1, len(frame) + 1))
    spells = build_spells(obs)
    assert int(spells.frame["n"].sum()) == len(frame)


def test_files_are_combined_and_entities_missing_in_old_files_are_reported(
    tmp_path: Path,
) -> None:
    frame, _ = synthetic_universe(n_tickers=30, n_dates=40, reuses=0, renames=0, exits=0,
                                  glitches=0, seed=5)  # fmt: skip
    early, late = frame[frame["date"] < "2023-01-06"], frame[frame["date"] >= "2023-01-06"]
    p1, p2 = tmp_path / "train.parquet", tmp_path / "live.parquet"
    early.drop(columns="composite_figi").to_parquet(p1)
    late.to_parquet(p2)
    result = build_history([p1, p2])
    kinds = set(result.findings["kind"])
    assert "entity_unavailable" in kinds
    files = set(result.findings.loc[result.findings["kind"] == "entity_unavailable", "file"])
    assert str(p1) in files
    # no event is made up at the edge of the FIGI era
    assert result.events.empty
    per = result.spells.groupby("numerai_ticker")["composite_figi"].apply(list)
    assert all(v[0] == "" and v[1] != "" for v in per)


def test_entered_is_reported_for_late_tickers(tmp_path: Path) -> None:
    frame, _ = synthetic_universe(n_tickers=10, n_dates=20, reuses=0, renames=0, exits=0,
                                  glitches=0, seed=6)  # fmt: skip
    late = pd.DataFrame({"date": sorted(set(frame["date"]))[5:], "numerai_ticker": "NEW US",
                         "composite_figi": "BBGNEWNEWNEW"})  # fmt: skip
    ev = _history(tmp_path, pd.concat([frame, late])).events
    assert ev[["event", "numerai_ticker", "date"]].to_numpy().tolist() == [
        ["entered", "NEW US", late["date"].iloc[0]]
    ]


def test_rows_are_not_lost(tmp_path: Path) -> None:
    frame, _ = synthetic_universe(n_tickers=50, n_dates=25, missing_share=0.05, seed=8)
    result = _history(tmp_path, frame)
    assert int(result.spells["n_dates"].sum()) == len(frame)
    assert result.rows_read == len(frame)
    assert np.all(result.spells["gaps"] >= 0)
