"""CLI command ``tickermap emulator``: serve a world file as a local OpenFIGI v3 API."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from tickermap.cli._app import app, command, console, flag, out


def _serve_until_interrupted() -> int:
    """Sleep until Ctrl-C; return 0 (the command's exit status)."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


@command(app)
def emulator(
    world: Path | None = typer.Option(None, help="World JSON (default: bundled SYNTHETIC sample)."),
    port: int = typer.Option(8765, help="Port to listen on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind (loopback only by default)."),
    allow_remote: bool = flag("--allow-remote", help="Allow a non-loopback --host."),
    api_key: list[str] = typer.Option([], help="Accepted API key (repeatable); others get 401."),
    time_scale: float = typer.Option(
        1.0, min=1e-6, max=1.0, help="Emulated time runs 1/X faster (clients learn X)."
    ),
    fault_rate: float = typer.Option(0.0, min=0.0, max=1.0, help="Share of faulty answers."),
    seed: int = typer.Option(0, help="Seed of the fault injection."),
) -> None:
    """Serve a local OpenFIGI v3 emulator until Ctrl-C (offline runs and tests).

    Example: tickermap emulator --port 8765 --fault-rate 0.05 --seed 1
    """
    from tickermap.emulator.launch import start_emulator

    emu = start_emulator(
        world, host=host, port=port, allow_remote=allow_remote, api_keys=api_key,
        time_scale=time_scale, fault_rate=fault_rate, seed=seed,
    )  # fmt: skip
    with emu:
        console.print(f"OpenFIGI emulator: {len(emu.world)} records at {emu.url} (Ctrl-C stops)")
        out.print(f"export TICKERMAP_OPENFIGI_URL={emu.url}")
        _serve_until_interrupted()
        console.print(f"stopped after {emu.stats.requests} requests")
