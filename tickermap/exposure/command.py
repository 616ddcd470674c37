"""``tickermap exposure`` as one call: the fast path when the inputs allow it, else the full run.

:func:`exposure_command` is what the CLI calls. It refuses outputs that overwrite an input or
each other, then tries :func:`tickermap.exposure.fast.fast_exposure` (no pandas import, for
Numerai-shaped Parquet inputs) and otherwise runs :func:`tickermap.exposure.run.run_exposure`
and :func:`~tickermap.exposure.run.write_outputs`. Either way it returns an
:class:`ExposureView`, the few numbers the command prints, and the files written; the files are
the same bytes whichever path ran. This module imports neither pandas nor NumPy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tickermap.errors import ConfigError

if TYPE_CHECKING:
    from tickermap.exposure.kernels import Method

__all__ = [
    "ChurnLine",
    "ExposureView",
    "check_paths",
    "exposure_command",
    "exposure_methods",
    "forum_rows",
    "output_paths",
    "planned_outputs",
]


@dataclass(frozen=True, slots=True)
class ChurnLine:
    """One churn measure's summary: ``metric`` over its dates, and the N of a top/bottom one."""

    metric: str
    mean: float
    max: float
    latest: float
    top_n: str

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> ChurnLine:
        """From a row of the churn summary (``summarize_churn_columns``, ``summarize_churn``)."""
        metric, mean, high, latest = (row[k] for k in ("metric", "mean", "max", "latest"))
        return cls(str(metric), float(mean), float(high), float(latest), str(row["top_n"] or ""))


@dataclass(frozen=True, slots=True)
class ExposureView:
    """What ``tickermap exposure`` prints.

    Attributes:
        columns: the forum table's columns (``feature, mean, std, sharpe, positive_share,
            latest, max_abs`` and ``spearman`` / ``neutralized`` when computed).
        rows: its rows, largest mean first (the forum's order).
        matched: signal rows joined to a feature row; ``signal_rows`` of all the signal's rows.
        worst_coverage: the lowest share joined on a date; ``low_dates`` dates under 80%.
        kept_out: signal rows the point-in-time history kept out (None without ``--history``).
        churn: one line per churn measure.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    matched: int
    signal_rows: int
    worst_coverage: float
    low_dates: int
    kept_out: int | None
    churn: tuple[ChurnLine, ...]


FORUM_STATS = ("mean", "std", "sharpe", "positive_share", "latest", "max_abs")
"""The summary statistics the forum table shows, after ``feature``."""


def forum_rows(summary: Mapping[str, Any]) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The forum table from the summary's columns (arrays or lists): (columns, rows).

    One row per feature, the raw exposures of the primary method (``numerai`` when computed),
    with ``spearman`` (its raw mean) and ``neutralized`` (the primary method's mean after
    neutralisation) when computed; largest mean first, NaN last, ties in summary order.

    >>> s = {"stage": ["raw"] * 2, "method": ["numerai"] * 2, "feature": ["a", "b"],
    ...      **{c: [0.1, 0.3] for c in FORUM_STATS}}
    >>> [r[0] for r in forum_rows(s)[1]]
    ['b', 'a']
    """
    stage, method, feature = summary["stage"], summary["method"], summary["feature"]
    methods = list(dict.fromkeys(str(m) for m in method))
    primary = "numerai" if "numerai" in methods else methods[0]

    def means(of_stage: str, of_method: str) -> dict[str, float]:
        return {
            str(f): float(v)
            for st, m, f, v in zip(stage, method, feature, summary["mean"], strict=True)
            if st == of_stage and m == of_method
        }

    extra = {}
    if primary != "spearman" and "spearman" in methods:
        extra["spearman"] = means("raw", "spearman")
    neutral = means("neutralized", primary)
    if neutral:
        extra["neutralized"] = neutral
    keyed: list[tuple[float, tuple[Any, ...]]] = []
    for i, name in enumerate(feature):
        if stage[i] == "raw" and method[i] == primary:
            stats = [float(summary[c][i]) for c in FORUM_STATS]
            more = [by.get(str(name), math.nan) for by in extra.values()]
            keyed.append((stats[0], (str(name), *stats, *more)))
    keyed.sort(key=lambda k: (math.isnan(k[0]), 0.0 if math.isnan(k[0]) else -k[0]))
    return ("feature", *FORUM_STATS, *extra), [row for _, row in keyed]


def exposure_methods(values: Sequence[str]) -> list[Method]:
    """The ``--method`` values (repeated, or comma-separated) in the canonical order.

    >>> exposure_methods(["spearman,numerai"]), exposure_methods([]), exposure_methods(["numerai"])
    (['numerai', 'spearman'], ['numerai'], ['numerai'])

    Raises:
        ConfigError: a name other than numerai or spearman.
    """
    asked = {m.strip() for value in values for m in value.split(",") if m.strip()}
    unknown = sorted(asked - {"numerai", "spearman"})
    if unknown:
        raise ConfigError(f"--method {', '.join(unknown)}: choose numerai and/or spearman")
    chosen: list[Method] = [m for m in ("numerai", "spearman") if m in asked]
    return chosen or ["numerai"]


def output_paths(out: Path) -> dict[str, Path]:
    """Where each table goes: OUT is the summary; the others get a suffix before the extension.

    >>> sorted(output_paths(Path("x/exp.csv")).values())[0].name
    'exp.churn.csv'
    """
    ext = "".join(out.suffixes[-1:]) or ".csv"
    stem = out.name[: len(out.name) - len(ext)] if out.suffix else out.name
    names = ("per_date", "coverage", "unmatched", "churn")
    paths = {n: out.with_name(f"{stem}.{n}{ext}") for n in names}
    return {"summary": out, **paths}


def planned_outputs(
    out: Path, *, plot: Path | None = None, html_path: Path | None = None
) -> dict[str, Path | None]:
    """Every file the exposure run would write, by the option that names it.

    For :func:`tickermap.tables.check_outputs`, before any work.
    """
    tables = output_paths(out)
    named: dict[str, Path | None] = {"--out": tables.pop("summary")}
    named.update({f"--out ({name})": path for name, path in tables.items()})
    return {**named, "--plot": plot, "--report": html_path}


def check_paths(
    signal_path: Path,
    features_path: Path,
    out: Path,
    *,
    plot: Path | None = None,
    html_path: Path | None = None,
    **options: Any,
) -> None:
    """Refuse outputs that are an input or another output, before any work (``options``: the
    run's keywords; its universe and history are inputs too)."""
    from tickermap.tables import check_outputs

    check_outputs(
        inputs=[
            signal_path,
            features_path,
            options.get("universe_path"),
            options.get("history_path"),
        ],
        outputs=planned_outputs(out, plot=plot, html_path=html_path),
    )


def exposure_command(
    signal_path: Path,
    features_path: Path,
    out: Path,
    *,
    plot: Path | None = None,
    html_path: Path | None = None,
    **options: Any,
) -> tuple[ExposureView, list[Path]]:
    """Check the outputs, run the exposure analysis (fast path first) and write its files.

    Args:
        signal_path, features_path, out, plot, html_path: as ``tickermap exposure``.
        options: the keywords of :func:`tickermap.exposure.run.run_exposure`; ``methods`` may be
            given as typed (see :func:`exposure_methods`).

    Returns:
        What to print, and the paths written.

    Raises:
        InputError, AnalysisError, ConfigError: as :func:`~tickermap.exposure.run.run_exposure`
            (the fast path never raises for an input: it leaves such inputs to the full run).
    """
    from tickermap.exposure.fast import fast_exposure

    if "methods" in options:  # as typed: repeated or comma-separated names
        options["methods"] = exposure_methods(options["methods"])
    check_paths(signal_path, features_path, out, plot=plot, html_path=html_path, **options)
    fast = fast_exposure(signal_path, features_path, out, plot=plot, html_path=html_path, **options)
    if fast is not None:
        return fast
    from tickermap.exposure.run import run_exposure, view_of, write_outputs

    report = run_exposure(signal_path, features_path, **options)
    written = write_outputs(report, out, plot=plot, html_path=html_path)
    return view_of(report), written
