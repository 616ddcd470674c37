"""CLI: ``tickermap reconcile`` and ``tickermap audit delisted`` against a real emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner
from typer.testing import Result as _Result

from tests.test_audit import UNIVERSE, event_world
from tests.test_verdicts import KEY, SCALE, write_map
from tickermap.cli import app
from tickermap.emulator.server import Emulator
from tickermap.emulator.world import World
from tickermap.reconcile.pipeline import UNIVERSE_COLUMNS


@pytest.fixture
def world() -> tuple[list[dict], list[dict]]:
    """World records and the map rows about them (one call: the FIGIs are random)."""
    return event_world()


@pytest.fixture
def files(tmp_path: Path, world: tuple[list[dict], list[dict]]) -> dict[str, Path]:
    rows = world[1]
    universe = tmp_path / "universe.csv"
    pd.DataFrame({"bloomberg_ticker": UNIVERSE}).to_csv(universe, index=False)
    return {
        "universe": universe,
        "map": write_map(tmp_path / "map_a.csv", rows),
        "out": tmp_path / "out" / "clean.csv",
        "review": tmp_path / "out" / "review.csv",
        "report": tmp_path / "out" / "report.html",
        "cache": tmp_path / "cache",
    }


@pytest.fixture
def emu(
    make_emulator, monkeypatch: pytest.MonkeyPatch, world: tuple[list[dict], list[dict]]
) -> Emulator:
    records = world[0]
    monkeypatch.setenv("OPENFIGI_API_KEY", KEY)
    return make_emulator(world=World.from_records(records), api_keys=[KEY], time_scale=SCALE)


def words(result: _Result) -> str:
    """The output with rich's line wrapping undone (whitespace runs -> one space)."""
    return " ".join(result.output.split())


def flat(result: _Result) -> str:
    """The output without any whitespace (paths that rich wrapped mid-name join again)."""
    return "".join(result.output.split())


def _reconcile_args(files: dict[str, Path], url: str, *extra: str) -> list[str]:
    return [
        "reconcile",
        "--universe",
        str(files["universe"]),
        "--map",
        str(files["map"]),
        "--out",
        str(files["out"]),
        "--openfigi-url",
        url,
        "--cache-dir",
        str(files["cache"]),
        *extra,
    ]


def test_reconcile_writes_all_outputs(files: dict[str, Path], emu: Emulator) -> None:
    args = _reconcile_args(
        files, emu.url, "--review", str(files["review"]), "--report", str(files["report"])
    )
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert emu.stats.requests > 0
    clean = pd.read_csv(files["out"], dtype=str, keep_default_na=False)
    assert list(clean.columns) == list(UNIVERSE_COLUMNS)
    assert clean["bloomberg_ticker"].tolist() == UNIVERSE
    review = pd.read_csv(files["review"])
    assert len(review) == len(UNIVERSE)
    page = files["report"].read_text(encoding="utf-8")
    assert "<svg" in page and "https://" not in page  # inline charts, nothing fetched
    for path in ("universe", "review", "report"):
        assert f"wrote {path}" in words(result)
    assert str(files["out"]).replace(" ", "") in flat(result)
    # the summary names the namespace and the status counts
    assert "(bloomberg namespace)" in words(result)
    for status in set(clean["status"]):
        n = int((clean["status"] == status).sum())
        assert re.search(rf"│ {status} +│ +{n} │", result.output), status
    # the API key never reaches outputs or the terminal
    for text in (result.output, files["out"].read_text(), files["review"].read_text(), page):
        assert KEY not in text


def test_audit_delisted_lists_the_events(
    files: dict[str, Path], emu: Emulator, tmp_path: Path
) -> None:
    assert CliRunner().invoke(app, _reconcile_args(files, emu.url)).exit_code == 0
    result = CliRunner().invoke(app, ["audit", "delisted", "--universe", str(files["out"])])
    assert result.exit_code == 0, result.output
    for ticker in ("RNM US", "DLS US", "REU US"):
        assert ticker in result.output
    assert "ABC US" not in result.output
    events_path = tmp_path / "events.csv"
    result = CliRunner().invoke(
        app,
        [
            "audit",
            "delisted",
            "--universe",
            str(files["out"]),
            "--out",
            str(events_path),
            "--events",
            "delisted",
        ],
    )
    assert result.exit_code == 0, result.output
    events = pd.read_csv(events_path)
    assert events["bloomberg_ticker"].tolist() == ["DLS US"]
    assert events["event"].tolist() == ["delisted"]


def test_audit_rejects_a_file_that_is_not_a_reconcile_output(files: dict[str, Path]) -> None:
    result = CliRunner().invoke(app, ["audit", "delisted", "--universe", str(files["map"])])
    assert result.exit_code == 3, result.output
    assert words(result).startswith("Error:") and "reasons" in words(result)


def test_audit_error_names_the_file(files: dict[str, Path]) -> None:
    result = CliRunner().invoke(app, ["audit", "delisted", "--universe", str(files["map"])])
    assert result.exit_code == 3
    assert str(files["map"]) in flat(result)


def test_offline_on_empty_cache_marks_everything_unverified(
    files: dict[str, Path], emu: Emulator
) -> None:
    result = CliRunner().invoke(app, _reconcile_args(files, emu.url, "--offline"))
    assert result.exit_code == 0, result.output
    assert emu.stats.requests == 0
    clean = pd.read_csv(files["out"], dtype=str, keep_default_na=False)
    assert "ok" not in set(clean["status"])
    assert set(clean["status"]) == {"unverified"}


def test_offline_after_online_run_reuses_the_cache(files: dict[str, Path], emu: Emulator) -> None:
    assert CliRunner().invoke(app, _reconcile_args(files, emu.url)).exit_code == 0
    first = files["out"].read_text()
    emu.reset()
    result = CliRunner().invoke(app, _reconcile_args(files, emu.url, "--offline"))
    assert result.exit_code == 0, result.output
    assert emu.stats.requests == 0
    assert files["out"].read_text() == first


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("ticker,isin\nABC US,US0000000000\n", "ticker column"),
        ("", ""),
        ("bloomberg_ticker\n", "no rows"),
    ],
    ids=["missing_ticker_column", "empty_file", "header_only"],
)
def test_bad_universe_exits_3_naming_the_file(
    content: str, needle: str, files: dict[str, Path], emu: Emulator
) -> None:
    files["universe"].write_text(content)
    result = CliRunner().invoke(app, _reconcile_args(files, emu.url))
    assert result.exit_code == 3, result.output
    assert words(result).startswith("Error:")
    assert str(files["universe"]) in flat(result)
    assert needle in words(result)
    assert not files["out"].exists()
    assert emu.stats.requests == 0


def test_a_repeated_universe_ticker_is_judged_and_written_once(
    files: dict[str, Path], emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    lines = files["universe"].read_text().splitlines()
    files["universe"].write_text("\n".join([*lines, lines[1], lines[2]]) + "\n")
    result = CliRunner().invoke(app, _reconcile_args(files, emu.url, "--offline"))
    assert result.exit_code == 0, result.output
    clean = pd.read_csv(files["out"], dtype=str, keep_default_na=False)
    assert len(clean) == len(lines) - 1 and not clean["bloomberg_ticker"].duplicated().any()
    assert f"line {len(lines) + 1}" in caplog.text and "first on line 2" in caplog.text


def test_offline_scores_count_only_what_a_claim_states_and_what_was_checked(
    tmp_path: Path,
) -> None:
    listing = tmp_path / "listing_mic.csv"
    listing.write_text(
        "ticker,mic,name,isin\nSAP,XETR,SAP SE,DE0007164600\n"
        "0700,XHKG,Tencent Holdings,KYG875721634\nBN,XTSE,Brookfield Corp,FR0000120644\n"
        "BN,XPAR,Danone SA,FR0000120644\n"
    )
    uni = tmp_path / "uni.csv"
    uni.write_text("bloomberg_ticker\nSAP GR\n700 HK\nBN CN\n")
    out, review = tmp_path / "clean.csv", tmp_path / "review.csv"
    spec = f"{listing}=ticker=ticker,mic=mic,name=name,isin=isin"
    args = ["reconcile", "--universe", str(uni), "--map", str(listing), "--map-columns", spec,
            "--out", str(out), "--review", str(review), "--offline",
            "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    r = pd.read_csv(review).set_index("bloomberg_ticker")
    # right rows with an ISIN and no FIGI are not penalised for FIGIs or lookups they lack
    assert r.loc["SAP GR", "p_wrong"] < 0.2 and r.loc["700 HK", "p_wrong"] < 0.5
    assert r.loc["BN CN", "status"] == "isin_conflict"
    assert r.loc["BN CN", "p_wrong"] > max(r.loc["SAP GR", "p_wrong"], r.loc["700 HK", "p_wrong"])
    assert all("figi" not in str(f) for f in r["features"])
    clean = pd.read_csv(out).set_index("bloomberg_ticker")
    assert (clean.loc[["SAP GR", "700 HK"], "confidence"] == 0.5).all()  # nothing was checked
