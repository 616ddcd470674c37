"""A rich progress bar implementing :class:`tickermap.progress.Progress` for the CLI."""

from __future__ import annotations

from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tickermap.cli._app import console


class RichProgress:
    """Shows one bar per task with the latest counters; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            disable=not console.is_terminal,
        )
        self._task: TaskID | None = None
        self._name = ""

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.stop()

    def start(self, task: str, total: int | None = None) -> None:
        self._name = task
        self._task = self._bar.add_task(task, total=total, stats="")

    def waiting(self, seconds: float, reason: str) -> None:
        """Say in the bar's description that nothing moves for a while, and why."""
        if self._task is not None:
            note = f"{self._name} (waiting {seconds:.0f} s for the {reason})"
            self._bar.update(self._task, description=note)

    def advance(self, n: int = 1, **stats: object) -> None:
        if self._task is None:
            return
        self._bar.update(self._task, description=self._name)
        text = " ".join(f"{k}={v}" for k, v in stats.items())
        if text:
            self._bar.update(self._task, advance=n, stats=text)
        else:
            self._bar.update(self._task, advance=n)

    def finish(self) -> None:
        if self._task is not None:
            task = self._bar.tasks[self._task]
            if task.total is not None:
                self._bar.update(self._task, completed=task.total)
        self._task = None
