"""Start an :class:`~tickermap.emulator.server.Emulator` from command-line style options.

The one call ``tickermap emulator`` makes: it refuses a non-loopback address unless asked,
loads the world (the bundled synthetic sample by default), and binds, turning a busy port into a
:class:`~tickermap.errors.ConfigError` that says what to do.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from pathlib import Path

from tickermap.emulator.faults import Faults
from tickermap.emulator.server import Emulator
from tickermap.emulator.world import World
from tickermap.errors import ConfigError
from tickermap.resources import sample_path

__all__ = ["is_loopback", "start_emulator"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback IP address.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def start_emulator(
    world: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    allow_remote: bool = False,
    api_keys: Sequence[str] = (),
    time_scale: float = 1.0,
    fault_rate: float = 0.0,
    seed: int = 0,
) -> Emulator:
    """Build and start an emulator; stop it with ``with emu: ...`` or :meth:`Emulator.stop`.

    Raises:
        ConfigError: ``host`` is not loopback without ``allow_remote``, or the port is busy.
        InputError: the world file is unusable.
    """
    if not is_loopback(host) and not allow_remote:
        raise ConfigError(
            f"--host {host!r} is not a loopback address; add --allow-remote to bind it"
        )
    data = World.load(world or sample_path("world.json"))
    emu = Emulator(
        data,
        api_keys=api_keys,
        time_scale=time_scale,
        faults=Faults(rate=fault_rate, seed=seed),
        host=host,
        port=port,
    )
    try:
        return emu.start()
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port "
            "(or stop the emulator already running there)"
        ) from exc
