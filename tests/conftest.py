"""Shared fixtures: a clean environment for every test, and the path to ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests._emulator_fixtures"]

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No API key, no tickermap variables, and a private cache directory for every test."""
    for name in list(os.environ):
        if name.startswith("TICKERMAP_") or name == "OPENFIGI_API_KEY":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TICKERMAP_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def shared_data() -> Path:
    """The reference data folder beside the project; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


@pytest.fixture
def guillem_map(shared_data: Path) -> Path:
    """The real community map ``signals_map_guillem.csv`` (skipped when absent)."""
    path = shared_data / "signals_map_guillem.csv"
    if not path.is_file():
        pytest.skip("signals_map_guillem.csv is not available")
    return path
