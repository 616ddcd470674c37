"""The registry of public community mapping files, and their checksum-verified download.

Holds :class:`Source` records parsed from ``mappings/sources.toml`` (:func:`load_registry`) and
:func:`fetch_source`, which streams a file into the cache directory while hashing it, keeps it
only when its sha256 matches, and re-uses a verified copy without touching the network. All
``requests`` errors are translated to :class:`~tickermap.errors.DownloadError` here. This module
never parses the downloaded table (see :mod:`tickermap.maps.load`), never prints and never reads
the environment (it gets :class:`~tickermap.config.Settings`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import requests

from tickermap import __version__
from tickermap.config import Settings
from tickermap.errors import (
    CacheError,
    ChecksumMismatch,
    ConfigError,
    DownloadError,
    InputError,
)
from tickermap.maps.load import PRESETS, Preset
from tickermap.progress import Progress, ensure
from tickermap.resources import mappings_path
from tickermap.tables import atomic_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["Source", "fetch_source", "load_registry", "source_cache_path"]

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_CHUNK = 1 << 16
_EXTENSIONS = (".csv.gz", ".tsv.gz", ".parquet", ".csv", ".tsv", ".txt", ".pq")


@dataclass(frozen=True, slots=True)
class Source:
    """One known public community file.

    Attributes:
        name: registry key (lower-case, also the cache folder name).
        url: where to download it (pinned to a commit, so the bytes are fixed).
        sha256: expected checksum as 64 lower-case hex digits, or ``""`` when not pinned.
        licence: the file's licence as published.
        preset: the :mod:`tickermap.maps.load` preset that reads it.
        description: one line about its content and known quality.
        homepage: the project page, when known.
    """

    name: str
    url: str
    sha256: str
    licence: str
    preset: Preset
    description: str
    homepage: str = ""
    files: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()
    note: str = ""

    @property
    def pinned(self) -> bool:
        """Whether the registry pins a checksum (fetch refuses unpinned files by default)."""
        return bool(self.sha256) or bool(self.files)

    @property
    def is_folder(self) -> bool:
        """A folder source: ``url`` is a base ending in ``/``, one pinned sha256 per file."""
        return bool(self.files) or bool(self.missing)


def _toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None


def _field(path: Path, name: str, entry: Mapping[str, Any], key: str, *, required: bool) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise InputError(
            f"source {name!r}: {key} must be a string, not {type(value).__name__}",
            path=path,
            value=value,
        )
    if required and not value.strip():
        raise InputError(f'source {name!r} has no {key}; add {key} = "..."', path=path)
    return value.strip()


def _parse_source(path: Path, name: str, entry: object) -> Source:
    if not isinstance(entry, dict):
        raise InputError(f"[sources.{name}] must be a table of fields", path=path)
    if not _NAME.match(name):
        raise InputError(
            f"source name {name!r} must be lower-case letters, digits, '_', '.' or '-'", path=path
        )
    fields = {k: _field(path, name, entry, k, required=True) for k in ("url", "licence", "preset")}
    sha = _field(path, name, entry, "sha256", required=False).lower()
    if sha and not _SHA256.match(sha):
        raise InputError(
            f'source {name!r}: sha256 must be 64 hex digits or "" (unpinned)',
            path=path,
            value=sha,
        )
    if urlsplit(fields["url"]).scheme not in ("http", "https"):
        raise InputError(f"source {name!r}: url must be http(s)", path=path, value=fields["url"])
    if fields["preset"] not in PRESETS:
        raise InputError(
            f"source {name!r}: unknown preset; choose one of {', '.join(PRESETS)}",
            path=path,
            value=fields["preset"],
        )
    files, missing = _folder_fields(path, name, entry)
    if (files or missing) and (sha or not fields["url"].endswith("/")):
        raise InputError(
            f'source {name!r}: a folder source has a url ending in "/" and per-file sha256s '
            '([sources.NAME.files]), not sha256 = "..."',
            path=path,
            value=fields["url"],
        )
    return Source(
        name=name,
        url=fields["url"],
        sha256=sha,
        licence=fields["licence"],
        preset=fields["preset"],
        description=_field(path, name, entry, "description", required=False),
        homepage=_field(path, name, entry, "homepage", required=False),
        files=files,
        missing=missing,
        note=_field(path, name, entry, "missing_note", required=False),
    )


def _folder_fields(
    path: Path, name: str, entry: Mapping[str, Any]
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    table = entry.get("files", {})
    missing = entry.get("missing", [])
    if not isinstance(table, dict) or not isinstance(missing, list):
        raise InputError(
            f"source {name!r}: files must be a table FILE = SHA256 and missing a list of names",
            path=path,
        )
    files = []
    for fname, digest in table.items():
        if not _FILE.match(fname) or not isinstance(digest, str) or not _SHA256.match(digest):
            raise InputError(
                f"source {name!r}: file {fname!r} needs a plain file name and 64 hex digits",
                path=path,
                value=digest,
            )
        files.append((fname, digest))
    bad = [m for m in missing if not isinstance(m, str) or not _FILE.match(m)]
    if bad:
        raise InputError(f"source {name!r}: missing holds a bad file name", path=path, value=bad)
    return tuple(files), tuple(missing)


def load_registry(path: str | Path | None = None) -> dict[str, Source]:
    """Parse a sources registry (the bundled ``mappings/sources.toml`` by default).

    Args:
        path: a TOML file with one ``[sources.NAME]`` table per file.

    Returns:
        ``{name: Source}`` in file order.

    Raises:
        InputError: unreadable file, invalid TOML (with its line), missing or malformed fields.
    """
    p = mappings_path("sources.toml") if path is None else Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the sources registry: {exc}", path=p) from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", path=p, line=_toml_line(exc)) from exc
    table = document.get("sources")
    if not isinstance(table, dict) or not table:
        raise InputError("no [sources.NAME] tables; see mappings/sources.toml", path=p)
    return {name: _parse_source(p, name, entry) for name, entry in table.items()}


def _extension(url: str) -> str:
    name = PurePosixPath(urlsplit(url).path).name.lower()
    return next((ext for ext in _EXTENSIONS if name.endswith(ext)), ".csv")


def source_cache_path(source: Source, settings: Settings, *, sha256: str | None = None) -> Path:
    """Where a verified copy of ``source`` lives: ``cache_dir/sources/NAME/SHA256.EXT``."""
    digest = sha256 or source.sha256
    return settings.cache_dir / "sources" / source.name / f"{digest}{_extension(source.url)}"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _expected_sha(source: Source, sha256: str | None) -> str:
    if sha256 is not None:
        sha = sha256.strip().lower()
        if not _SHA256.match(sha):
            raise ConfigError(f"--sha256 must be 64 hex digits, got {sha256!r}")
        if source.pinned and sha != source.sha256:
            logger.warning("%s: using the given sha256 instead of the registry's", source.name)
        return sha
    if not source.pinned:
        raise DownloadError(
            f"source {source.name!r} has no pinned checksum in the registry, so tickermap will "
            "not trust it blindly; download it yourself, check it, and pass --sha256 HEX"
        )
    return source.sha256


def _stream(url: str, target: Path, settings: Settings, progress: Progress) -> str:
    """Download ``url`` into ``target`` and return the sha256 of the bytes written."""
    headers = {"User-Agent": f"tickermap/{__version__}"}
    digest = hashlib.sha256()
    try:
        with requests.get(url, stream=True, timeout=settings.timeout, headers=headers) as resp:
            if resp.status_code != 200:
                raise DownloadError(
                    f"{url} answered HTTP {resp.status_code} {resp.reason}; check the URL "
                    "(or pass --url with a mirror)"
                )
            length = resp.headers.get("Content-Length")
            progress.start("download", int(length) if length and length.isdigit() else None)
            with target.open("wb") as fh:
                for chunk in resp.iter_content(chunk_size=_CHUNK):
                    fh.write(chunk)
                    digest.update(chunk)
                    progress.advance(len(chunk))
            progress.finish()
    except requests.RequestException as exc:
        raise DownloadError(f"downloading {url} failed: {type(exc).__name__}: {exc}") from exc
    return digest.hexdigest()


def fetch_source(
    name: str,
    *,
    settings: Settings,
    registry: Mapping[str, Source] | str | Path | None = None,
    url_override: str | None = None,
    sha256: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Download a registered community file into the cache, verified by its sha256.

    A verified copy already in the cache is returned without any request.

    Args:
        name: the registry name (see ``tickermap mappings list``).
        settings: gives ``cache_dir`` and ``timeout``.
        registry: the sources, or a registry file to :func:`load_registry` (default: bundled).
        url_override: download from here instead (a mirror, or a loopback server in tests).
        sha256: expected checksum; required for unpinned sources, overrides a pinned one.
        progress: receives the bytes downloaded.

    Returns:
        The path of the verified file.

    Raises:
        ConfigError: unknown name or malformed ``sha256``.
        DownloadError: network or HTTP failure, unpinned source without ``sha256``.
        ChecksumMismatch: the bytes differ from the expected checksum (nothing is kept).
        CacheError: the cache directory cannot be written.
    """
    sources = registry if isinstance(registry, Mapping) else load_registry(registry)
    source = sources.get(name)
    if source is None:
        known = ", ".join(sorted(sources)) or "none"
        raise ConfigError(f"unknown source {name!r}; known sources: {known}")
    if source.is_folder:
        from tickermap.maps.folders import fetch_folder

        return fetch_folder(
            source, settings=settings, url_override=url_override, sha256=sha256,
            progress=progress,
        )  # fmt: skip
    expected = _expected_sha(source, sha256)
    target = source_cache_path(source, settings, sha256=expected)
    if target.is_file():
        if _file_sha256(target) == expected:
            logger.info("%s: using verified cached copy %s", name, target)
            return target
        logger.warning("%s: cached copy %s is corrupt; downloading again", name, target)
        target.unlink()
    url = url_override or source.url
    logger.info("%s: downloading %s", name, url)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            actual = _stream(url, tmp, settings, ensure(progress))
            if actual != expected:
                raise ChecksumMismatch(
                    f"{url} has sha256 {actual}, expected {expected}; the file was not kept. "
                    "The upstream file changed or the download was tampered with: check the "
                    "source, then update the registry or pass --sha256"
                )
    except OSError as exc:
        raise CacheError(f"cannot write {target}: {exc}; check TICKERMAP_CACHE_DIR") from exc
    return target
