"""The SQLite outcome cache: round trip, definitive-only, max age, corruption, two processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tickermap.errors import CacheError
from tickermap.openfigi.cache import OutcomeCache
from tickermap.openfigi.records import FigiRecord, Job, MapOutcome

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def record(figi: str, exch: str = "US") -> FigiRecord:
    return FigiRecord(figi, "NAME", "T", exch, figi, None, "Common Stock", None, "Equity", "T")


def outcome(i: int, status: str = "matched", when: datetime = NOW) -> MapOutcome:
    recs = (record(f"BBG{i:09d}"),) if status == "matched" else ()
    return MapOutcome(Job("TICKER", f"T{i}", exch_code="US"), status, recs, "m", when)  # type: ignore[arg-type]


@pytest.fixture
def fresh_cache(tmp_path: Path):
    with OutcomeCache(tmp_path / "c" / "openfigi.sqlite", max_age_days=30) as cache:
        yield cache


def test_round_trip_keeps_everything_but_marks_from_cache(fresh_cache):
    items = [outcome(1), outcome(2, "not_found"), outcome(3, "rejected")]
    assert fresh_cache.put_many(items) == 3
    got = fresh_cache.get_many([o.job.key() for o in items] + ["absent"], now=NOW)
    assert set(got) == {o.job.key() for o in items}
    for o in items:
        back = got[o.job.key()]
        assert back.from_cache and not o.from_cache
        assert (back.job, back.status, back.records, back.message, back.fetched_at) == (
            o.job,
            o.status,
            o.records,
            o.message,
            o.fetched_at,
        )


def test_failed_outcomes_are_never_stored(fresh_cache):
    assert fresh_cache.put_many([outcome(1, "failed")]) == 0
    assert fresh_cache.count() == 0


def test_max_age_hides_old_rows_and_refetch_replaces(fresh_cache):
    old = outcome(1, when=NOW - timedelta(days=31))
    fresh_cache.put_many([old])
    assert fresh_cache.get_many([old.job.key()], now=NOW) == {}
    assert old.job.key() in fresh_cache.get_many([old.job.key()], now=NOW - timedelta(days=2))
    fresh_cache.put_many([outcome(1, "not_found", when=NOW)])
    got = fresh_cache.get_many([old.job.key()], now=NOW)
    assert got[old.job.key()].status == "not_found"
    assert fresh_cache.count() == 1


def test_many_keys_beyond_sqlite_parameter_limit(fresh_cache):
    items = [outcome(i) for i in range(2300)]
    fresh_cache.put_many(items)
    got = fresh_cache.get_many([o.job.key() for o in items], now=NOW)
    assert len(got) == 2300


def test_not_a_database_is_a_cache_error(tmp_path: Path):
    bad = tmp_path / "openfigi.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(CacheError, match="cache-dir"):
        OutcomeCache(bad)


def test_uses_wal_mode(fresh_cache):
    mode = sqlite3.connect(fresh_cache.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from pathlib import Path
    from tickermap.openfigi.cache import OutcomeCache
    from tickermap.openfigi.records import FigiRecord, Job, MapOutcome
    path, who = Path(sys.argv[1]), sys.argv[2]
    now = datetime.now(timezone.utc)
    with OutcomeCache(path) as cache:
        for b in range(40):
            batch = []
            for i in range(25):
                n = b * 25 + i
                rec = FigiRecord(f"BBG{who}{n:08d}", None, None, "US", None, None, None, None,
                                 None, None)
                batch.append(MapOutcome(Job("TICKER", f"{who}{n}", exch_code="US"), "matched",
                                        (rec,), "", now))
            cache.put_many(batch)
            assert len(cache.get_many([o.job.key() for o in batch])) == 25
    """
)


def test_two_processes_write_the_same_file_safely(tmp_path: Path):
    path = tmp_path / "shared.sqlite"
    OutcomeCache(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), who]) for who in ("A", "B")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with OutcomeCache(path) as cache:
        assert cache.count() == 2000
        keys = cache.keys()
        assert len(cache.get_many(keys)) == 2000
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
