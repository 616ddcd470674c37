"""The persistent OpenFIGI answer cache: SQLite in WAL mode, keyed by the normalised job.

One row per job key (:meth:`tickermap.openfigi.records.Job.key`, which never contains the API key)
holding
the serialised :class:`~tickermap.openfigi.records.MapOutcome` and when OpenFIGI answered. Only
definitive
outcomes (matched, not_found, rejected) are stored; ``failed`` never is. Rows older than
``max_age_days`` are ignored (and refreshed by the next fetch). WAL plus a busy timeout lets
two processes read and write the same file safely; every ``put_many`` is one transaction, so a
killed process loses at most the batch it was writing.

Runs sharing a file also share work in flight: :meth:`OutcomeCache.claim` marks job keys as
being fetched by one client (until a deadline), so a second run waits for those answers instead
of asking OpenFIGI again; :meth:`OutcomeCache.release` drops the marks once answered.

This module knows nothing about HTTP. Every sqlite3 error becomes a :class:`CacheError`.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType

from tickermap.config import DEFAULT_OPENFIGI_URL, Settings
from tickermap.errors import CacheError
from tickermap.openfigi.records import Job, MapOutcome

__all__ = ["CACHE_FILE", "OutcomeCache", "cache_file_for"]

log = logging.getLogger(__name__)

CACHE_FILE = "openfigi.sqlite"


def cache_file_for(base_url: str | None) -> str:
    """The cache file name for an OpenFIGI base URL (the real API's is :data:`CACHE_FILE`).

    >>> cache_file_for(None), cache_file_for("http://127.0.0.1:8765")
    ('openfigi.sqlite', 'openfigi-127.0.0.1_8765.sqlite')
    """
    if base_url is None or base_url.rstrip("/") == DEFAULT_OPENFIGI_URL:
        return CACHE_FILE
    slug = re.sub(r"[^A-Za-z0-9.]+", "_", base_url.split("://", 1)[-1]).strip("_")
    return f"openfigi-{slug}.sqlite"


"""File name of the cache inside ``Settings.cache_dir``."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    key TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    outcome TEXT NOT NULL,
    fetched_at REAL NOT NULL
)
"""
_INFLIGHT = """
CREATE TABLE IF NOT EXISTS inflight (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until REAL NOT NULL
)
"""
# SQLite limits bound parameters per statement (999 on old builds); stay well below.
_CHUNK = 500


class OutcomeCache:
    """Job key -> definitive outcome, shared safely between threads and processes.

    Args:
        path: the SQLite file (its folder is created).
        max_age_days: entries fetched longer ago than this are treated as absent.

    Raises:
        CacheError: the file cannot be opened or is not a usable SQLite database.
    """

    def __init__(self, path: Path, *, max_age_days: float = 30.0) -> None:
        self.path = Path(path)
        self.max_age_days = max_age_days
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so writers queue on
            # the busy timeout instead of failing with "database is locked" on upgrade.
            self._db = sqlite3.connect(
                self.path, timeout=60.0, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.execute(_INFLIGHT)
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(
                f"cannot open the OpenFIGI cache {self.path}: {exc}; delete the file or pass "
                "another --cache-dir"
            ) from exc

    @classmethod
    def in_dir(
        cls, cache_dir: Path, *, max_age_days: float = 30.0, base_url: str | None = None
    ) -> OutcomeCache:
        """The cache file inside a cache directory (``Settings.cache_dir``).

        Answers of the real API live in ``openfigi.sqlite``; those of any other base URL (an
        emulator, a proxy) in a file named after it, so an emulator's synthetic answers are
        never served as real ones.
        """
        return cls(Path(cache_dir) / cache_file_for(base_url), max_age_days=max_age_days)

    @classmethod
    def for_settings(cls, settings: Settings) -> OutcomeCache:
        """The cache for ``settings``' base URL, directory and maximum age."""
        return cls.in_dir(
            settings.cache_dir, max_age_days=settings.max_age_days, base_url=settings.openfigi_url
        )

    def __repr__(self) -> str:
        return f"OutcomeCache({str(self.path)!r}, max_age_days={self.max_age_days})"

    def __enter__(self) -> OutcomeCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._db.close()

    def _cutoff(self, now: datetime | None) -> float:
        moment = now or datetime.now(timezone.utc)
        return (moment - timedelta(days=self.max_age_days)).timestamp()

    def get_many(
        self, keys: Sequence[str] | Mapping[str, Job], *, now: datetime | None = None
    ) -> dict[str, MapOutcome]:
        """Return the fresh cached outcomes among ``keys`` (``from_cache=True``).

        ``keys`` may map each key to its :class:`Job`, which is then reused (faster).

        Raises:
            CacheError: the database cannot be read.
        """
        found: dict[str, MapOutcome] = {}
        cutoff = self._cutoff(now)
        unique = list(dict.fromkeys(keys))
        try:
            with self._lock:
                for start in range(0, len(unique), _CHUNK):
                    chunk = unique[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key, outcome FROM outcomes WHERE key IN ({marks}) "
                        "AND fetched_at >= ?",
                        [*chunk, cutoff],
                    ).fetchall()
                    for key, text in rows:
                        job = keys.get(key) if isinstance(keys, Mapping) else None
                        found[key] = MapOutcome.from_json(text, from_cache=True, job=job)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot read the OpenFIGI cache {self.path}: {exc}") from exc
        return found

    def put_many(self, outcomes: Iterable[MapOutcome]) -> int:
        """Store the definitive outcomes in one transaction; return how many were written.

        ``failed`` outcomes are skipped: they describe a bad moment, not the identifier.

        Raises:
            CacheError: the database cannot be written.
        """
        rows = [
            (o.job.key(), o.status, o.to_json(), o.fetched_at.timestamp())
            for o in outcomes
            if o.definitive
        ]
        if not rows:
            return 0
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO outcomes (key, status, outcome, fetched_at) "
                        "VALUES (?, ?, ?, ?)",
                        rows,
                    )
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write the OpenFIGI cache {self.path}: {exc}") from exc
        return len(rows)

    def claim(self, keys: Sequence[str], *, owner: str, ttl: float) -> set[str]:
        """Mark ``keys`` as being fetched by ``owner`` for ``ttl`` seconds; return those it got.

        Keys another owner claimed (and whose claim has not expired) are not returned.

        Raises:
            CacheError: the database cannot be written.
        """
        if not keys:
            return set()
        now = time.time()
        unique = list(dict.fromkeys(keys))
        taken: set[str] = set()
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.execute("DELETE FROM inflight WHERE until < ?", (now,))
                    for start in range(0, len(unique), _CHUNK):
                        chunk = unique[start : start + _CHUNK]
                        marks = ",".join("?" * len(chunk))
                        taken.update(
                            k
                            for (k,) in self._db.execute(
                                f"SELECT key FROM inflight WHERE key IN ({marks}) AND owner != ?",
                                [*chunk, owner],
                            )
                        )
                    self._db.executemany(
                        "INSERT OR REPLACE INTO inflight (key, owner, until) VALUES (?, ?, ?)",
                        [(k, owner, now + ttl) for k in unique if k not in taken],
                    )
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write the OpenFIGI cache {self.path}: {exc}") from exc
        return set(unique) - taken

    def release(self, keys: Sequence[str], *, owner: str) -> None:
        """Drop ``owner``'s claims on ``keys`` (answered or given up)."""
        if not keys:
            return
        try:
            with self._lock:
                self._db.executemany(
                    "DELETE FROM inflight WHERE key = ? AND owner = ?", [(k, owner) for k in keys]
                )
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write the OpenFIGI cache {self.path}: {exc}") from exc

    def count(self) -> int:
        """Number of stored rows, fresh or not."""
        try:
            with self._lock:
                return int(self._db.execute("SELECT COUNT(*) FROM outcomes").fetchone()[0])
        except sqlite3.Error as exc:
            raise CacheError(f"cannot read the OpenFIGI cache {self.path}: {exc}") from exc

    def keys(self) -> list[str]:
        """Every stored key (for tests and diagnostics)."""
        try:
            with self._lock:
                return [k for (k,) in self._db.execute("SELECT key FROM outcomes ORDER BY key")]
        except sqlite3.Error as exc:
            raise CacheError(f"cannot read the OpenFIGI cache {self.path}: {exc}") from exc
