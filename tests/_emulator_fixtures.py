"""Fixtures serving the OpenFIGI emulator on 127.0.0.1 (a pytest plugin, registered in conftest).

- ``emulator``: one session-wide server on the bundled synthetic sample world with
  ``time_scale=0.001`` (a 60 s window lasts 60 ms); ``reset()`` before each test.
- ``emulator_url``: its base URL.
- ``make_emulator``: factory ``make_emulator(world=None, **kwargs) -> Emulator`` (started; stopped
  at teardown), for tests that need other limits, keys or faults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tickermap.emulator.server import Emulator
from tickermap.emulator.world import World
from tickermap.resources import sample_path


@pytest.fixture(scope="session")
def sample_world() -> World:
    """The bundled synthetic sample world."""
    return World.load(sample_path("world.json"))


@pytest.fixture(scope="session")
def _session_emulator(sample_world: World) -> Iterator[Emulator]:
    with Emulator(sample_world, time_scale=0.001) as emu:
        yield emu


@pytest.fixture
def emulator(_session_emulator: Emulator) -> Emulator:
    """The shared emulator on the sample world, with counters and windows reset."""
    _session_emulator.reset()
    return _session_emulator


@pytest.fixture
def emulator_url(emulator: Emulator) -> str:
    """Base URL of the shared emulator, e.g. ``http://127.0.0.1:PORT``."""
    return emulator.url


@pytest.fixture
def make_emulator(sample_world: World) -> Iterator[Callable[..., Emulator]]:
    """Factory for private emulators; each is started now and stopped at teardown."""
    started: list[Emulator] = []

    def make(world: World | None = None, **kwargs: Any) -> Emulator:
        emu = Emulator(world if world is not None else sample_world, **kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()
