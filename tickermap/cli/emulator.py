"""CLI command ``tickermap emulator``: serve a world file as a local OpenFIGI v3 API."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path

import typer

from tickermap.cli._app import app, console, friendly_errors, out
from tickermap.emulator.server import Emulator, Faults
from tickermap.emulator.world import World
from tickermap.errors import ConfigError
from tickermap.resources import sample_path


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
@friendly_errors
def emulator(
    world: Path | None = typer.Option(None, help="World JSON (default: bundled SYNTHETIC sample)."),
    port: int = typer.Option(8765, help="Port to listen on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind (loopback only by default)."),
    allow_remote: bool = typer.Option(False, help="Allow a non-loopback --host."),
    api_key: list[str] = typer.Option([], help="Accepted API key (repeatable); others get 401."),
    time_scale: float = typer.Option(1.0, min=1e-6, help="Emulated time runs 1/X faster."),
    fault_rate: float = typer.Option(0.0, min=0.0, max=1.0, help="Share of faulty answers."),
    seed: int = typer.Option(0, help="Seed of the fault injection."),
) -> None:
    """Serve a local OpenFIGI v3 emulator until Ctrl-C (offline runs and tests).

    Example: tickermap emulator --port 8765 --fault-rate 0.05 --seed 1
    """
    if not _is_loopback(host) and not allow_remote:
        raise ConfigError(
            f"--host {host!r} is not a loopback address; add --allow-remote to bind it"
        )
    data = World.load(world or sample_path("world.json"))
    faults = Faults(rate=fault_rate, seed=seed)
    emu = Emulator(
        data, api_keys=api_key, time_scale=time_scale, faults=faults, host=host, port=port
    )
    try:
        emu.start()
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port "
            "(or stop the emulator already running there)"
        ) from exc
    with emu:
        console.print(f"OpenFIGI emulator: {len(data)} records at {emu.url} (Ctrl-C stops)")
        out.print(f"export TICKERMAP_OPENFIGI_URL={emu.url}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print(f"stopped after {emu.stats.requests} requests")
