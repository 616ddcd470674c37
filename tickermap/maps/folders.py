"""Fetch a folder source (FinanceDatabase's one CSV per exchange), every file pinned by sha256.

The folder lives in ``cache_dir/sources/NAME/MANIFEST/`` where MANIFEST is a short digest of the
pinned file list, so a registry change never mixes two versions. Each file is streamed, hashed and
kept only when its sha256 matches; a verified copy is never downloaded again. Files the registry
lists as ``missing`` (known to exist upstream, not pinned here) are skipped unless the caller
gives their checksum (``--sha256 FILE=HEX,FILE=HEX``). Never prints.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from tickermap.config import Settings
from tickermap.errors import CacheError, ChecksumMismatch, ConfigError
from tickermap.maps.sources import Source, _file_sha256, _stream
from tickermap.progress import NullProgress, Progress, ensure
from tickermap.tables import atomic_path

__all__ = ["fetch_folder", "folder_cache_path", "parse_file_checksums"]

logger = logging.getLogger(__name__)

_PAIR = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,99})=([0-9a-fA-F]{64})$")


def parse_file_checksums(text: str | None) -> dict[str, str]:
    """Parse ``FILE=HEX,FILE=HEX`` (the ``--sha256`` value for a folder source).

    >>> parse_file_checksums("NMS.csv=" + "a" * 64)
    {'NMS.csv': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}
    """
    if text is None or not text.strip():
        return {}
    out: dict[str, str] = {}
    for item in text.split(","):
        found = _PAIR.match(item.strip())
        if found is None:
            raise ConfigError(
                f"--sha256 item {item.strip()!r} is not FILE=HEX; a folder source takes one "
                "checksum per file, e.g. --sha256 NMS.csv=<64 hex digits>,NYQ.csv=<...>"
            )
        out[found.group(1)] = found.group(2).lower()
    return out


def folder_cache_path(source: Source, settings: Settings) -> Path:
    """``cache_dir/sources/NAME/MANIFEST`` for a folder source."""
    manifest = "\n".join(f"{f} {d}" for f, d in sorted(source.files)).encode()
    return settings.cache_dir / "sources" / source.name / hashlib.sha256(manifest).hexdigest()[:16]


def _wanted(source: Source, given: dict[str, str]) -> list[tuple[str, str]]:
    pinned = dict(source.files)
    unknown = [f for f in given if f not in pinned and f not in source.missing]
    if unknown:
        raise ConfigError(
            f"--sha256 names {', '.join(unknown)}, which source {source.name!r} does not list; "
            f"its files: {', '.join(sorted([*pinned, *source.missing]))}"
        )
    for fname, digest in given.items():
        if fname in pinned and digest != pinned[fname]:
            logger.warning("%s/%s: using the given sha256 instead of the registry's", source.name,
                           fname)  # fmt: skip
    merged = {**pinned, **given}
    skipped = [f for f in source.missing if f not in given]
    if skipped:
        logger.warning(
            "%s: %d file(s) not pinned, skipped: %s (%s); pass --sha256 FILE=HEX to fetch them",
            source.name, len(skipped), ", ".join(skipped), source.note or "no checksum known",
        )  # fmt: skip
    return sorted(merged.items())


def _fetch_one(url: str, target: Path, expected: str, settings: Settings) -> None:
    if target.is_file():
        if _file_sha256(target) == expected:
            return
        logger.warning("cached copy %s is corrupt; downloading again", target)
        target.unlink()
    with atomic_path(target) as tmp:
        actual = _stream(url, tmp, settings, NullProgress())
        if actual != expected:
            raise ChecksumMismatch(
                f"{url} ({target.name}) has sha256 {actual}, expected {expected}; the file was "
                "not kept. The upstream file changed or the download was tampered with: check "
                "the source, then update the registry or pass --sha256 FILE=HEX"
            )


def fetch_folder(
    source: Source,
    *,
    settings: Settings,
    url_override: str | None = None,
    sha256: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Download every pinned file of a folder source into the cache; return the folder.

    Args:
        source: a folder source (``source.is_folder``).
        settings: gives ``cache_dir`` and ``timeout``.
        url_override: a mirror base URL (the file name is appended).
        sha256: ``FILE=HEX,...`` checksums for the ``missing`` files (or to override pins).
        progress: advances once per file.

    Raises:
        ConfigError: malformed ``sha256`` or a file the source does not list.
        DownloadError: network or HTTP failure (naming the URL).
        ChecksumMismatch: a file's bytes differ from its checksum (naming the file).
        CacheError: the cache directory cannot be written.
    """
    wanted = _wanted(source, parse_file_checksums(sha256))
    folder = folder_cache_path(source, settings)
    base = url_override or source.url
    if not base.endswith("/"):
        base += "/"
    bar = ensure(progress)
    bar.start("files", len(wanted))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for fname, expected in wanted:
            _fetch_one(base + fname, folder / fname, expected, settings)
            bar.advance(1)
    except OSError as exc:
        raise CacheError(f"cannot write {folder}: {exc}; check TICKERMAP_CACHE_DIR") from exc
    finally:
        bar.finish()
    logger.info("%s: %d verified file(s) in %s", source.name, len(wanted), folder)
    return folder
