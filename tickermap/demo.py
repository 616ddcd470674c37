"""The end-to-end demo on the bundled SYNTHETIC sample data, with no network.

It starts the built-in OpenFIGI emulator on 127.0.0.1 (a random free port) serving the sample
world, and runs the whole chain into one folder:

1. ``validate`` the sample community map -> ``findings.csv``;
2. ``reconcile`` the sample universe against two sample maps through the emulator ->
   ``universe.csv`` (the join keys), ``review.csv``, ``report.html``;
3. ``audit`` the delisted / renamed / reused tickers -> ``events.csv``;
4. ``features`` from the sample prices -> ``features.parquet``;
5. ``exposure`` of the sample signal, joined through the cleaned universe ->
   ``exposure.csv`` (+ per-date tables), ``exposure.png``, ``exposure.html``;
6. ``history`` of the sample dated universe (a reuse, a rename and an exit) -> ``history.csv``,
   ``history.events.csv``, ``history.findings.csv`` (listed in ``history_paths``).

Its OpenFIGI cache is a temporary folder, removed at the end (the emulator's port, and so the
cache file, differs on every run). The emulator runs time-scaled (its rate-limit windows last
milliseconds) and says so in its headers, from which the client scales its waits, so pacing is
exercised without waiting.
Nothing here reads the environment.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tickermap.config import Settings
from tickermap.emulator.server import Emulator
from tickermap.emulator.world import World
from tickermap.history.build import HistoryResult, build_history, write_history
from tickermap.maps.validate import ValidationReport, validate_file
from tickermap.progress import Progress, ensure
from tickermap.reconcile.audit import audit_events
from tickermap.reconcile.pipeline import ReconcileOutputs, reconcile_files
from tickermap.resources import sample_path
from tickermap.tables import read_table, write_table

__all__ = ["DEMO_TIME_SCALE", "DemoResult", "run_demo"]

DEMO_TIME_SCALE = 0.01
"""Emulated time runs 100x faster: a 60 s rate-limit window lasts 0.6 s."""


@dataclass
class DemoResult:
    """What the demo wrote and the tables worth printing."""

    out_dir: Path
    validation: ValidationReport
    reconciled: ReconcileOutputs
    events: pd.DataFrame
    exposure_table: pd.DataFrame
    coverage: pd.DataFrame
    unmatched: pd.DataFrame
    paths: dict[str, Path] = field(default_factory=dict)
    history: HistoryResult | None = None
    history_paths: list[Path] = field(default_factory=list)


def run_demo(out_dir: str | Path, *, progress: Progress | None = None) -> DemoResult:
    """Run the whole chain on the bundled sample data into ``out_dir``.

    Args:
        out_dir: the folder to write (created; existing files are replaced atomically).
        progress: receives progress of the long steps.

    Returns:
        The :class:`DemoResult`.
    """
    from tickermap.exposure.run import forum_table, run_exposure, write_outputs
    from tickermap.features.compute import run_features

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    prog = ensure(progress)
    paths: dict[str, Path] = {}
    community = sample_path("community_map.csv")

    validation = validate_file(community)
    paths["findings"] = write_table(validation.findings, out / "findings.csv")

    world = World.load(sample_path("world.json"))
    # The emulator listens on a random port and each base URL has its own cache file, so a
    # cache kept in OUT would only grow by one file per run: use a temporary one.
    with (
        tempfile.TemporaryDirectory(prefix="tickermap-demo-cache-") as cache,
        Emulator(world, time_scale=DEMO_TIME_SCALE) as emulator,
    ):
        settings = Settings(openfigi_url=emulator.url, cache_dir=Path(cache))
        reconciled = reconcile_files(
            sample_path("universe.csv"),
            [community, sample_path("community_map_yahoo.csv")],
            out / "universe.csv",
            settings=settings,
            review=out / "review.csv",
            report=out / "report.html",
            progress=prog,
        )
    paths["universe"] = reconciled.universe_path
    paths["review"] = out / "review.csv"
    paths["report"] = out / "report.html"

    events = audit_events(reconciled.result)
    paths["events"] = write_table(events, out / "events.csv")

    prices = sample_path("prices.parquet")
    key = "yahoo" if "yahoo" in read_table(prices).columns else "bloomberg_ticker"
    prog.start("features", None)
    features = run_features(prices, key=key, fx_path=sample_path("fx.csv"))
    prog.finish()
    paths["features"] = write_table(features, out / "features.parquet")

    exposure = run_exposure(
        sample_path("signal.parquet"),
        paths["features"],
        universe_path=paths["universe"] if key != "bloomberg_ticker" else None,
        signal_key="bloomberg_ticker",
        features_key=key,
        neutralize_to=("size",),
        progress=prog,
    )
    for written in write_outputs(
        exposure,
        out / "exposure.csv",
        plot=out / "exposure.png",
        html_path=out / "exposure.html",
    ):
        paths[written.name] = written
    dated = sample_path("history_universe.parquet")
    history = build_history([dated], progress=prog)
    history_files = write_history(history, out / "history.csv", inputs=[dated])
    return DemoResult(
        out,
        validation,
        reconciled,
        events,
        forum_table(exposure),
        exposure.coverage,
        exposure.unmatched,
        paths,
        history,
        history_files,
    )
