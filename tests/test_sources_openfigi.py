"""The universe's ``sources`` says what happened to the OpenFIGI lookup: not consulted offline,
unreachable, or OpenFIGI's answer."""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.config import Settings
from tickermap.maps.load import load_map
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.client import OpenFigiClient
from tickermap.reconcile.pipeline import reconcile

LISTING = (
    "ticker,exch_code,name,isin\nAAPL,US,Apple Inc,US0378331005\nVOD,LN,Vodafone,GB00BH4HKS39\n"
)
COLUMNS = "listing.csv=ticker=ticker,exchange=exch_code,name=name,isin=isin"


def _reconcile(tmp_path: Path, url: str, *extra: str) -> pd.DataFrame:
    (tmp_path / "listing.csv").write_text(LISTING)
    (tmp_path / "uni.csv").write_text("bloomberg_ticker\nAAPL US\nVOD LN\n")
    out = tmp_path / "clean.csv"
    args = ["reconcile", "--universe", str(tmp_path / "uni.csv"), "--out", str(out)]
    args += ["--map", str(tmp_path / "listing.csv"), "--map-columns", f"{tmp_path}/{COLUMNS}"]
    env = {"TICKERMAP_CACHE_DIR": str(tmp_path / "cache"), "TICKERMAP_OPENFIGI_URL": url}
    result = CliRunner().invoke(app, [*args, *extra], env=env)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offline_says_not_consulted(tmp_path: Path) -> None:
    got = _reconcile(tmp_path, f"http://127.0.0.1:{_closed_port()}", "--offline")
    assert list(got["sources"]) == [
        "listing.csv:2=unverified,openfigi=not_consulted_offline",
        "listing.csv:3=unverified,openfigi=not_consulted_offline",
    ]


def test_no_server_says_unreachable(tmp_path: Path) -> None:
    (tmp_path / "listing.csv").write_text(LISTING)
    columns = {"ticker": "ticker", "exchange": "exch_code", "name": "name", "isin": "isin"}
    maps = [load_map(tmp_path / "listing.csv", columns=columns)]
    url = f"http://127.0.0.1:{_closed_port()}"
    settings = Settings(openfigi_url=url, cache_dir=tmp_path / "cache", max_attempts=1)
    with (
        OutcomeCache.in_dir(settings.cache_dir) as cache,
        OpenFigiClient(settings, cache=cache) as client,
    ):
        universe = pd.DataFrame({"bloomberg_ticker": ["AAPL US", "VOD LN"]})
        got = reconcile(universe, maps, settings=settings, client=client).universe
    assert got["sources"].str.endswith(",openfigi=unreachable").all(), got["sources"]
    assert got["evidence"].str.contains("cannot reach OpenFIGI").all()


def test_an_answer_is_named(tmp_path: Path, make_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(time_scale=0.01)
    got = _reconcile(tmp_path, emu.url)
    outcomes = got["sources"].str.rsplit("openfigi=", n=1).str[1]
    assert set(outcomes) <= {"matched", "not_found", "ambiguous"}, outcomes
