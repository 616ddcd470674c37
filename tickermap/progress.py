"""A tiny progress protocol so the library can report on long work without printing.

Library functions accept ``progress: Progress | None``; the CLI passes a rich-backed
implementation (``tickermap.cli._progress``), tests pass :class:`RecordingProgress` or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class Progress(Protocol):
    """Receives progress of one task at a time."""

    def start(self, task: str, total: int | None = None) -> None:
        """A task begins; ``total`` units are expected when known."""

    def advance(self, n: int = 1, **stats: object) -> None:
        """``n`` more units are done; ``stats`` are counters to show (from_cache=...)."""

    def finish(self) -> None:
        """The current task is over."""

    def waiting(self, seconds: float, reason: str) -> None:
        """Nothing advances for about ``seconds`` because of ``reason`` (e.g. "rate limit")."""


class NullProgress:
    """Discards everything."""

    def start(self, task: str, total: int | None = None) -> None:
        return None

    def advance(self, n: int = 1, **stats: object) -> None:
        return None

    def finish(self) -> None:
        return None

    def waiting(self, seconds: float, reason: str) -> None:
        return None


@dataclass
class RecordingProgress:
    """Keeps what it was told, for tests."""

    tasks: list[tuple[str, int | None]] = field(default_factory=list)
    done: int = 0
    stats: dict[str, object] = field(default_factory=dict)
    finished: int = 0
    waits: list[tuple[float, str]] = field(default_factory=list)

    def start(self, task: str, total: int | None = None) -> None:
        self.tasks.append((task, total))

    def advance(self, n: int = 1, **stats: object) -> None:
        self.done += n
        self.stats.update(stats)

    def finish(self) -> None:
        self.finished += 1

    def waiting(self, seconds: float, reason: str) -> None:
        self.waits.append((seconds, reason))


def ensure(progress: Progress | None) -> Progress:
    """Return ``progress`` or a :class:`NullProgress`."""
    return NullProgress() if progress is None else progress
