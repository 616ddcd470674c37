"""Folder sources in the registry (FinanceDatabase), fetched from a loopback http.server."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tickermap import errors
from tickermap.cli import app
from tickermap.config import Settings
from tickermap.maps.load import load_map
from tickermap.maps.sources import fetch_source, load_registry

from .test_witnesses import FD_HEADER, fd_row


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A stdlib HTTP server on 127.0.0.1 serving a tmp folder with three FinanceDatabase files."""
    root = tmp_path / "mirror"
    (root / "equities").mkdir(parents=True)
    rows = {"STO.csv": ("BUFAB.ST", "Bufab AB"), "CPH.csv": ("GMAB.CO", "Genmab A/S"),
            "NMS.csv": ("AAPL", "Apple Inc.")}  # fmt: skip
    for name, (symbol, company) in rows.items():
        (root / "equities" / name).write_text(f"{FD_HEADER}\n{fd_row(symbol, company)}\n")
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/equities/", root / "equities"
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _registry(tmp_path: Path, base: str, files: Path, *, wrong: str = "") -> Path:
    lines = [
        "[sources.fd]",
        f'url = "{base}"',
        'licence = "MIT"',
        'preset = "financedatabase"',
        'description = "synthetic"',
        'missing = ["NMS.csv"]',
        'missing_note = "too big"',
        "[sources.fd.files]",
    ]
    for name in ("CPH.csv", "STO.csv"):
        digest = "0" * 64 if name == wrong else _sha(files / name)
        lines.append(f'"{name}" = "{digest}"')
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_folder_source_fetch_verifies_each_file(tmp_path: Path, mirror: tuple[str, Path]) -> None:
    base, files = mirror
    reg = load_registry(_registry(tmp_path, base, files))
    settings = Settings(cache_dir=tmp_path / "cache", timeout=5)
    folder = fetch_source("fd", settings=settings, registry=reg)
    assert sorted(p.name for p in folder.iterdir()) == ["CPH.csv", "STO.csv"]  # NMS skipped
    assert _sha(folder / "STO.csv") == _sha(files / "STO.csv")
    loaded = load_map(folder)
    assert sorted(loaded.frame["bloomberg_ticker"]) == ["BUFAB SS", "GMAB DC"]
    # A verified copy is reused without the network: point the registry at a dead mirror.
    again = fetch_source("fd", settings=settings, registry=reg, url_override="http://127.0.0.1:9/")
    assert again == folder
    # The known-missing file comes with an explicit checksum.
    extra = f"NMS.csv={_sha(files / 'NMS.csv')}"
    fetch_source("fd", settings=settings, registry=reg, sha256=extra)
    assert (folder / "NMS.csv").is_file()


def test_folder_source_checksum_mismatch_names_the_file(
    tmp_path: Path, mirror: tuple[str, Path]
) -> None:
    base, files = mirror
    reg = load_registry(_registry(tmp_path, base, files, wrong="STO.csv"))
    settings = Settings(cache_dir=tmp_path / "cache", timeout=5)
    with pytest.raises(errors.ChecksumMismatch, match=r"STO\.csv"):
        fetch_source("fd", settings=settings, registry=reg)
    folder = next((tmp_path / "cache" / "sources" / "fd").iterdir())
    assert not (folder / "STO.csv").exists()  # nothing unverified is kept
    with pytest.raises(errors.ConfigError, match="FILE=HEX"):
        fetch_source("fd", settings=settings, registry=reg, sha256="a" * 64)
    with pytest.raises(errors.ConfigError, match="does not list"):
        fetch_source("fd", settings=settings, registry=reg, sha256=f"XXX.csv={'a' * 64}")


def test_folder_source_from_a_mirror_via_cli(tmp_path: Path, mirror: tuple[str, Path]) -> None:
    base, files = mirror
    reg = _registry(tmp_path, "https://example.invalid/equities/", files)
    listed = CliRunner().invoke(app, ["mappings", "list", "--registry", str(reg)])
    assert listed.exit_code == 0 and "2 files pinned, 1 not pinned" in listed.output
    fetched = CliRunner().invoke(
        app, ["mappings", "fetch", "fd", "--registry", str(reg), "--url", base, "--cache-dir",
              str(tmp_path / "c")],
    )  # fmt: skip
    assert fetched.exit_code == 0, fetched.output
    assert (Path("".join(fetched.output.split())) / "STO.csv").is_file()


def test_bundled_registry_pins_the_witnesses() -> None:
    reg = load_registry()
    fd = reg["financedatabase"]
    assert fd.is_folder and len(fd.files) == 80 and "268be5d2" in fd.url
    assert set(fd.missing) == {"NMS.csv", "NYQ.csv", "PNK.csv", "FRA.csv", "STU.csv"}
    assert reg["dsignals_eodhd"].pinned and "59a1ba68" in reg["dsignals_eodhd"].url
    assert reg["dsignals_overrides"].preset == "dsignals_overrides"


@pytest.mark.shared_data
def test_bundled_checksums_match_the_shared_copies(shared_data: Path) -> None:
    reg = load_registry()
    folder = shared_data / "financedatabase" / "equities"
    for name, digest in reg["financedatabase"].files:
        assert _sha(folder / name) == digest, name
    for key, name in (("dsignals_eodhd", "eodhd-map.csv"), ("dsignals_overrides",
                                                          "eodhd-overrides.csv")):  # fmt: skip
        assert _sha(shared_data / "dsignals" / name) == reg[key].sha256
