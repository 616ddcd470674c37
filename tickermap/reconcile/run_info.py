"""What a reconcile run read and asked, for the report's "Run details" section.

:func:`run_info` is called by :func:`~tickermap.reconcile.pipeline.reconcile_files` when a report
is written: the tickermap version, the time (UTC), every input file with its size and SHA-256,
where OpenFIGI answers came from (the public API, another server such as the emulator, or the
cache only), and every witness map with the preset it was read with.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from tickermap import __version__
from tickermap.config import DEFAULT_OPENFIGI_URL, Settings
from tickermap.maps.load import LoadedMap

__all__ = ["InputFile", "RunInfo", "Witness", "file_sha256", "openfigi_mode", "run_info"]

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input: its role (``universe``, ``map``), path, size in bytes and SHA-256 (hex)."""

    role: str
    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Witness:
    """One witness map: the source name in the outputs, its preset, how the preset was chosen."""

    source: str
    preset: str
    detected: bool
    rows: int
    path: str


@dataclass(frozen=True, slots=True)
class RunInfo:
    """The run details a report shows.

    Attributes:
        version: the tickermap version.
        generated: when the run ended, ISO 8601 UTC (seconds).
        openfigi: where OpenFIGI answers came from, in words.
        openfigi_url: the server asked (None when offline).
        inputs: every input file, universe first.
        witnesses: every witness map, in ``--map`` order.
    """

    version: str
    generated: str
    openfigi: str
    openfigi_url: str | None
    inputs: tuple[InputFile, ...]
    witnesses: tuple[Witness, ...]


def file_sha256(path: Path) -> tuple[int, str]:
    """``(bytes, sha256 hex)`` of a file; of a folder, over its files in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    size = 0
    for f in files:
        if path.is_dir():
            digest.update(str(f.relative_to(path)).encode() + b"\0")
        with f.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                digest.update(chunk)
    return size, digest.hexdigest()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def openfigi_mode(url: str, *, offline: bool) -> str:
    """Where answers came from, in words.

    >>> openfigi_mode("http://127.0.0.1:8765", offline=False)
    'a local OpenFIGI-compatible server (the tickermap emulator or another)'
    """
    if offline:
        return "offline: answers from the cache only, nothing sent"
    if url.rstrip("/") == DEFAULT_OPENFIGI_URL:
        return "OpenFIGI (the public API)"
    if _loopback(urlsplit(url).hostname or ""):
        return "a local OpenFIGI-compatible server (the tickermap emulator or another)"
    return "an OpenFIGI-compatible server (not the public API)"


def _input(role: str, path: Path) -> InputFile:
    size, digest = file_sha256(path)
    return InputFile(role, str(path), size, digest)


def run_info(
    universe_path: Path,
    maps: Sequence[LoadedMap],
    *,
    sources: Sequence[str],
    settings: Settings,
    offline: bool,
) -> RunInfo:
    """Describe a run (``sources`` are the witnesses' names as the outputs use them)."""
    witnesses = tuple(
        Witness(name, str(m.preset), m.detected, len(m.frame), str(m.path))
        for name, m in zip(sources, maps, strict=True)
    )
    inputs = [_input("universe", Path(universe_path))]
    inputs += [_input("map", Path(m.path)) for m in maps]
    url = settings.openfigi_url
    return RunInfo(
        version=__version__,
        generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        openfigi=openfigi_mode(url, offline=offline),
        openfigi_url=None if offline else url,
        inputs=tuple(inputs),
        witnesses=witnesses,
    )
