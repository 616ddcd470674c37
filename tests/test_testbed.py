"""testbed: determinism, valid identifiers, complete labels, and a world the emulator can load."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tickermap.emulator.world import World
from tickermap.identifiers.checks import check_column
from tickermap.maps.load import load_map
from tickermap.testing import testbed as tbmod
from tickermap.testing.testbed import INJECTABLE, make_testbed, write_testbed

FIGI_FIELDS = ("figi", "compositeFIGI", "shareClassFIGI")


@pytest.fixture(scope="module")
def tb() -> tbmod.Testbed:
    return make_testbed(300, seed=4)


def _frames(t: tbmod.Testbed) -> dict[str, pd.DataFrame]:
    return {"universe": t.universe, "labels": t.labels, "truth": t.truth, **t.maps}


def test_same_seed_same_testbed(tb: tbmod.Testbed) -> None:
    again = make_testbed(300, seed=4)
    assert again.world == tb.world
    for key, frame in _frames(tb).items():
        pd.testing.assert_frame_equal(_frames(again)[key], frame, obj=key)


def test_different_seed_different_testbed(tb: tbmod.Testbed) -> None:
    other = make_testbed(300, seed=5)
    assert other.world != tb.world
    assert not other.universe.equals(tb.universe)
    assert not other.maps["map_a"].equals(tb.maps["map_a"])


def test_every_generated_identifier_is_valid(tb: tbmod.Testbed) -> None:
    records = tb.world["records"]
    assert isinstance(records, list)
    figis = pd.Series([r[f] for r in records for f in FIGI_FIELDS if r.get(f)])
    isins = pd.Series([i for r in records for i in r.get("isins", [])])
    assert len(figis) > 300 and len(isins) > 300
    assert check_column(figis, "figi")["valid"].all()
    assert check_column(isins, "isin")["valid"].all()
    truth = tb.truth[tb.truth["composite_figi"] != ""]
    for col in ("composite_figi", "share_class_figi"):
        assert check_column(truth[col], "figi")["valid"].all(), col
    assert check_column(truth["isin"], "isin")["valid"].all()


def test_map_identifiers_are_valid_except_injected_typos(tb: tbmod.Testbed) -> None:
    typos = set(tb.labels.loc[tb.labels["injected"] == "figi_invalid", "bloomberg_ticker"])
    for name, frame in tb.maps.items():
        clean = frame[~frame["bloomberg_ticker"].isin(typos)]
        for col in ("figi", "composite_figi", "share_class_figi"):
            assert check_column(clean[col], "figi")["valid"].all(), (name, col)
        assert check_column(clean["isin"], "isin")["valid"].all(), name
    a = tb.maps["map_a"].set_index("bloomberg_ticker")
    assert not check_column(a.loc[sorted(typos), "composite_figi"], "figi")["valid"].any()


def test_labels_cover_every_injectable_kind(tb: tbmod.Testbed) -> None:
    kinds = set(tb.labels["injected"])
    assert kinds == set(INJECTABLE) | {"ok"}
    counts = tb.labels["injected"].value_counts()
    # errors are spread evenly over the kinds
    per_kind = counts.drop("ok")
    assert per_kind.max() - per_kind.min() <= 1
    assert set(tb.labels["bloomberg_ticker"]) == set(tb.universe["bloomberg_ticker"])
    assert tb.universe["bloomberg_ticker"].is_unique
    assert len(tb.truth) == len(tb.universe)


def test_small_testbed_still_has_every_kind() -> None:
    small = make_testbed(5, seed=1)
    assert set(INJECTABLE) <= set(small.labels["injected"])


def test_world_and_maps_load(tb: tbmod.Testbed, tmp_path: Path) -> None:
    paths = write_testbed(tb, tmp_path / "bed")
    world = World.load(paths["world"])
    assert len(world) == len(tb.world["records"])  # type: ignore[arg-type]
    assert json.loads(paths["world"].read_text())["synthetic"] is True
    for name, frame in tb.maps.items():
        loaded = load_map(paths[name], source=name)
        assert loaded.preset == "signals_map"
        assert len(loaded.frame) == len(frame)
    labels = pd.read_csv(paths["labels"], dtype=str, keep_default_na=False)
    assert labels["injected"].tolist() == tb.labels["injected"].tolist()


def test_clean_tickers_resolve_to_their_truth_in_the_world(tb: tbmod.Testbed) -> None:
    """Naive scan of the world: a clean ticker's live composite row is the truth's."""
    records = tb.world["records"]
    assert isinstance(records, list)
    live: dict[tuple[str, str], set[str]] = {}
    for r in records:
        if not r.get("delisted") and r["figi"] == r["compositeFIGI"]:
            live.setdefault((r["ticker"], r["exchCode"]), set()).add(r["figi"])
    truth = tb.truth.set_index("bloomberg_ticker")
    ok = tb.labels.loc[tb.labels["injected"] == "ok", "bloomberg_ticker"]
    for ticker in ok:
        root, code = ticker.rsplit(" ", 1)
        assert live.get((root, code)) == {truth.loc[ticker, "composite_figi"]}, ticker
    for kind in ("ambiguous",):
        for ticker in tb.labels.loc[tb.labels["injected"] == kind, "bloomberg_ticker"]:
            root, code = ticker.rsplit(" ", 1)
            assert len(live.get((root, code), set())) > 1
    for kind in ("renamed", "delisted", "no_data"):
        for ticker in tb.labels.loc[tb.labels["injected"] == kind, "bloomberg_ticker"]:
            root, code = ticker.rsplit(" ", 1)
            assert (root, code) not in live, (kind, ticker)
