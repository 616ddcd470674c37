"""reconcile end to end: the labelled test bed, offline runs, suggestions, namespaces."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from tests.test_verdicts import (
    KEY,
    SCALE,
    Company,
    bad_check_digit,
    only_row,
    reconcile_with,
    run_case,
    write_map,
)
from tickermap.emulator.server import Emulator
from tickermap.emulator.world import World
from tickermap.maps.load import load_map
from tickermap.reconcile.pipeline import UNIVERSE_COLUMNS, ReconcileResult
from tickermap.testing import testbed as tbmod
from tickermap.testing.evaluation import score_reasons, wrong_ok_rows
from tickermap.testing.testbed import INJECTABLE, make_testbed, write_testbed

LOCAL_REASONS = {
    "figi_invalid",
    "isin_invalid",
    "invalid_ticker",
    "isin_conflict",
    "name_conflict",
    "unverified",
    "corroborated",
    "outvoted",
    "disputed",
}
"""What an offline run with an empty cache can still say (checks that need no OpenFIGI;
``corroborated``: independent witnesses agree, ``outvoted``: a witness lost their vote)."""


def _serve_testbed(
    tb: tbmod.Testbed, make_emulator: Callable[..., Emulator], folder: Path
) -> tuple[Emulator, list]:
    paths = write_testbed(tb, folder)
    maps = [load_map(paths["map_a"], source="map_a"), load_map(paths["map_b"], source="map_b")]
    emu = make_emulator(
        world=World.from_records(tb.world["records"]),  # type: ignore[arg-type]
        api_keys=[KEY],
        time_scale=SCALE,
    )
    return emu, maps


def _universe(tb: tbmod.Testbed) -> list[str]:
    return tb.universe["bloomberg_ticker"].tolist()


def _check_quality(result: ReconcileResult, tb: tbmod.Testbed) -> None:
    scores = score_reasons(result.universe, tb.labels).set_index("reason")
    assert set(scores.index) == set(INJECTABLE)
    low = scores[(scores["precision"] < 0.95) | (scores["recall"] < 0.95)]
    assert low.empty, low.to_string()
    wrong = wrong_ok_rows(result.universe, tb.labels)
    # An injected error may leave its row ok only when the wrong witness was outvoted and the
    # row carries the world's keys (issue 9: an outvoted claim does not sink the ticker).
    truth = tb.truth.set_index("bloomberg_ticker")
    explained = wrong["reasons"].str.contains("outvoted") & pd.Series(
        [
            all(row[c] == truth.loc[row["bloomberg_ticker"], c] for c in ("composite_figi", "isin"))
            for _, row in wrong.iterrows()
        ],
        index=wrong.index,
        dtype=bool,
    )
    wrong = wrong[~explained]
    assert wrong.empty, wrong[["bloomberg_ticker", "evidence"]].to_string()


def test_testbed_quality_per_reason(make_emulator, tmp_path: Path) -> None:
    tb = make_testbed(600, seed=5)
    emu, maps = _serve_testbed(tb, make_emulator, tmp_path / "tb")
    result = reconcile_with(emu, tmp_path, maps, _universe(tb))
    _check_quality(result, tb)
    # one row per input ticker, input order, the documented columns
    assert list(result.universe.columns) == list(UNIVERSE_COLUMNS)
    assert result.universe["bloomberg_ticker"].tolist() == _universe(tb)
    # review: every claim, flagged first, then unverified, then ok; most suspicious first in each
    claims = len(tb.maps["map_a"]) + len(tb.maps["map_b"])
    assert len(result.review) == claims == result.stats["claims"]
    tier = [0 if s not in ("ok", "unverified") else 1 if s == "unverified" else 2
            for s in result.review["status"]]  # fmt: skip
    assert tier == sorted(tier) and 0 in tier and 2 in tier
    for t in set(tier):
        susp = result.review["suspicion_bits"][[x == t for x in tier]].tolist()
        assert susp == sorted(susp, reverse=True)
    # clean ok rows carry the world's keys (compared with the test bed's truth table)
    truth = tb.truth.set_index("bloomberg_ticker")
    ok = result.universe[result.universe["status"] == "ok"].set_index("bloomberg_ticker")
    assert len(ok) > 300
    for col in ("composite_figi", "share_class_figi", "isin"):
        assert (ok[col] == truth.loc[ok.index, col]).all(), col


def test_testbed_quality_seed_with_generic_name_tokens(make_emulator, tmp_path: Path) -> None:
    tb = make_testbed(600, seed=3)
    emu, maps = _serve_testbed(tb, make_emulator, tmp_path / "tb")
    _check_quality(reconcile_with(emu, tmp_path, maps, _universe(tb)), tb)


def test_offline_after_warm_run_is_identical_and_sends_nothing(
    make_emulator, tmp_path: Path
) -> None:
    tb = make_testbed(200, seed=21)
    emu, maps = _serve_testbed(tb, make_emulator, tmp_path / "tb")
    warm = reconcile_with(emu, tmp_path, maps, _universe(tb))
    assert emu.stats.requests > 0 and warm.stats["requests_sent"] > 0
    emu.reset()
    again = reconcile_with(emu, tmp_path, maps, _universe(tb), offline=True)
    assert emu.stats.requests == 0
    assert again.stats["requests_sent"] == 0
    pd.testing.assert_frame_equal(again.universe, warm.universe)
    pd.testing.assert_frame_equal(again.review, warm.review)
    pd.testing.assert_frame_equal(again.disagreements, warm.disagreements)


def test_offline_with_empty_cache_is_never_ok(make_emulator, tmp_path: Path) -> None:
    tb = make_testbed(200, seed=22)
    emu, maps = _serve_testbed(tb, make_emulator, tmp_path / "tb")
    result = reconcile_with(emu, tmp_path, maps, _universe(tb), offline=True)
    assert emu.stats.requests == 0
    statuses = set(result.universe["status"])
    assert "ok" not in statuses
    reasons = {r for rs in result.universe["reasons"] for r in rs.split(";")}
    assert reasons <= LOCAL_REASONS, reasons - LOCAL_REASONS
    assert "unverified" in statuses
    # the local check-digit test still catches every corrupted FIGI
    invalid = set(tb.labels.loc[tb.labels["injected"] == "figi_invalid", "bloomberg_ticker"])
    flagged = result.universe.set_index("bloomberg_ticker").loc[sorted(invalid), "reasons"]
    assert flagged.str.contains("figi_invalid").all()


def _two_companies() -> tuple[Company, Company]:
    return Company("ALPHA WIDGETS INC", "ABC"), Company("GAMMA FOODS CORP", "XYZ")


def test_suggestion_when_ticker_and_isin_agree(make_emulator, tmp_path: Path) -> None:
    a, g = _two_companies()
    # Wrong FIGIs (Gamma's) but the right ISIN and name: two keys agree on Alpha's composite.
    row = a.row(composite_figi=g.composite, figi=g.composite, share_class_figi=g.share)
    result, _ = run_case(make_emulator, tmp_path, a.records() + g.records(), [row], ["ABC US"])
    got = only_row(result, "ABC US")
    assert got["status"] == "figi_other_security"
    assert got["suggested_composite_figi"] == a.composite
    claimed = next(iter(json.loads(got["evidence"]).values()))["claimed"]
    assert claimed["composite_figi"] == g.composite  # the witness's value is kept
    assert claimed["isin"] == a.isin


@pytest.mark.parametrize("with_isin", [True, False])
def test_no_suggestion_when_only_ticker_supports_it(
    with_isin: bool, make_emulator, tmp_path: Path
) -> None:
    a, g = _two_companies()
    # The row describes Gamma entirely (FIGIs, name, maybe ISIN): only ticker+exchange says Alpha.
    row = g.row("ABC US", isin=g.isin if with_isin else None)
    result, _ = run_case(make_emulator, tmp_path, a.records() + g.records(), [row], ["ABC US"])
    got = only_row(result, "ABC US")
    assert got["status"] == "figi_other_security"
    assert got["suggested_composite_figi"] is None or pd.isna(got["suggested_composite_figi"])
    review = result.review.iloc[0]
    assert review["suggested_composite_figi"] is None or pd.isna(review["suggested_composite_figi"])
    claimed = next(iter(json.loads(got["evidence"]).values()))["claimed"]
    assert claimed["composite_figi"] == g.composite
    assert claimed["name"] == g.name


def test_numerai_ticker_uses_iso_namespace(make_emulator, tmp_path: Path) -> None:
    hynix = Company("SK HYNIX INC", "000660", exch="KS", country="KR")
    result, _ = run_case(
        make_emulator,
        tmp_path,
        hynix.records(),
        [hynix.row("000660 KS")],
        ["000660 KR"],
        column="numerai_ticker",
    )
    assert result.namespace == "numerai" and result.stats["namespace"] == "numerai"
    got = only_row(result, "000660 KS")
    assert got["status"] == "ok", got["evidence"]
    assert got["composite_figi"] == hynix.composite


def test_bloomberg_column_namespace(make_emulator, tmp_path: Path) -> None:
    a, _ = _two_companies()
    result, _ = run_case(make_emulator, tmp_path, a.records(), [a.row()], ["ABC US"])
    assert result.namespace == "bloomberg" and result.stats["namespace"] == "bloomberg"
    assert result.stats["tickers"] == 1 and result.stats["maps"] == ["map_a"]


def test_invalid_ticker_reason(make_emulator, tmp_path: Path) -> None:
    a, _ = _two_companies()
    rows = [a.row(), a.row("NOEXCHANGE")]
    result, _ = run_case(make_emulator, tmp_path, a.records(), rows, ["ABC US", "NOEXCHANGE"])
    got = only_row(result, "NOEXCHANGE")
    assert "invalid_ticker" in got["reasons"].split(";")
    assert only_row(result, "ABC US")["status"] == "ok"


def test_witness_disagreement_is_reported_with_the_openfigi_side(
    make_emulator, tmp_path: Path
) -> None:
    a, g = _two_companies()
    emu = make_emulator(world=World.from_records(a.records() + g.records()), api_keys=[KEY])
    wrong = a.row(composite_figi=g.composite, figi=g.composite, share_class_figi=g.share)
    maps = [
        load_map(write_map(tmp_path / "a.csv", [wrong]), source="map_a"),
        load_map(write_map(tmp_path / "b.csv", [a.row()]), source="map_b"),
    ]
    result = reconcile_with(emu, tmp_path, maps, ["ABC US"])
    dis = result.disagreements
    comp = dis[(dis["bloomberg_ticker"] == "ABC US") & (dis["field"] == "composite_figi")]
    assert len(comp) == 1
    assert f"map_a={g.composite}" in comp["values"].iloc[0]
    assert f"map_b={a.composite}" in comp["values"].iloc[0]
    agree = dict(zip(result.review["source"], result.review["agrees_with_openfigi"], strict=True))
    assert agree == {"map_a": False, "map_b": True}
    # the wrong witness ranks first in the review queue
    assert result.review["source"].iloc[0] == "map_a"
    got = only_row(result, "ABC US")
    # issue 9: map_a is outvoted by map_b and OpenFIGI; the witness is wrong, not the ticker.
    assert got["status"] == "ok"
    assert got["reasons"] == "figi_other_security;outvoted"
    assert got["composite_figi"] == a.composite
    assert "map_a:2=figi_other_security|outvoted" in got["sources"]
    assert "map_b:2=ok" in got["sources"]


def test_review_probabilities_are_probabilities(make_emulator, tmp_path: Path) -> None:
    a, g = _two_companies()
    rows = [a.row(), a.row(isin=bad_check_digit(a.isin)), g.row()]
    result, _ = run_case(
        make_emulator, tmp_path, a.records() + g.records(), rows, ["ABC US", "XYZ US"]
    )
    probs = result.review["p_wrong"]
    assert ((probs >= 0) & (probs <= 1)).all()
    conf = result.universe["confidence"]
    assert all(0 <= c <= 1 and not math.isnan(c) for c in conf)
    # the clean row of a claim is more trusted than the one with a broken ISIN
    abc = result.review[result.review["bloomberg_ticker"] == "ABC US"]
    by_reason = dict(zip(abc["reasons"], abc["p_wrong"], strict=True))
    assert by_reason["ok"] < by_reason["isin_invalid"]
    # p_wrong and suspicion_bits say the same thing: p_wrong = 1 / (1 + 2**-suspicion_bits)
    for p, bits in zip(result.review["p_wrong"], result.review["suspicion_bits"], strict=True):
        assert p == pytest.approx(1 / (1 + 2.0**-bits), abs=1e-3)


@pytest.mark.parametrize(
    ("column", "expected_ticker", "expected_status"),
    [("numerai_ticker", "NESN SW", "ok"), ("bloomberg_ticker", "NESN CH", "no_data")],
)
def test_namespace_is_decided_by_the_column_name(
    column: str, expected_ticker: str, expected_status: str, make_emulator, tmp_path: Path
) -> None:
    # "CH" is Switzerland in ISO (numerai_ticker) but China in Bloomberg codes.
    nestle = Company("NESTLE SA-REG", "NESN", exch="SW", country="CH")
    alpha, _ = _two_companies()
    result, _ = run_case(
        make_emulator,
        tmp_path,
        nestle.records() + alpha.records(),
        [nestle.row("NESN SW"), alpha.row()],
        ["NESN CH", "ABC US"],
        column=column,
    )
    assert only_row(result, "ABC US")["status"] == "ok"
    got = only_row(result, expected_ticker)
    assert got["status"] == expected_status, got["evidence"]
    assert result.stats["namespace"] == column.split("_")[0]


def test_universe_without_any_claim(make_emulator, tmp_path: Path) -> None:
    alpha, gamma = _two_companies()
    result, _ = run_case(
        make_emulator, tmp_path, alpha.records() + gamma.records(), [gamma.row()], ["ABC US"]
    )
    got = only_row(result, "ABC US")
    assert got["composite_figi"] == alpha.composite
    assert got["status"] == "ok" and got["confidence"] <= 0.8


def test_ticker_repeated_in_one_map_is_judged_per_row(make_emulator, tmp_path: Path) -> None:
    alpha, gamma = _two_companies()
    wrong = alpha.row(composite_figi=gamma.composite, figi=gamma.composite)
    result, _ = run_case(
        make_emulator,
        tmp_path,
        alpha.records() + gamma.records(),
        [alpha.row(), wrong],
        ["ABC US"],
    )
    assert len(result.review) == 2
    by_row = dict(zip(result.review["source_row"], result.review["reasons"], strict=True))
    assert by_row[2] == "ok" and "figi_other_security" in by_row[3]
    got = only_row(result, "ABC US")
    assert got["status"] == "figi_other_security"
    assert set(json.loads(got["evidence"])) == {"map_a:2", "map_a:3"}
    # the universe keeps OpenFIGI's (and the clean witness's) composite
    assert got["composite_figi"] == alpha.composite
