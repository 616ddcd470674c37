"""The pandas-free path of ``tickermap exposure`` equals the pandas run, and declines the rest.

The pandas run is :func:`run_exposure` + :func:`write_outputs` (what the command ran before the
fast path existed); the fast path is :func:`fast_exposure`. On Numerai-shaped inputs (ties, NaN
features, a constant date, a date with few tickers, tickers changing between dates) the five
files must be the same bytes and the printed view the same numbers; on every other input the
fast path must return None so the pandas run words the errors. A fresh process checks the fast
path really imports no pandas, and the CLI prints the same for a Parquet input (fast) as for
the same data as CSV (pandas run).
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.exposure.command import ExposureView, output_paths
from tickermap.exposure.fast import fast_exposure
from tickermap.exposure.run import run_exposure, view_of, write_outputs

KEY = "numerai_ticker"


def make(
    seed: int = 0,
    *,
    n_tickers: int = 60,
    n_dates: int = 7,
    signal_name: str = "signal",
    key: str = KEY,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Signal and features on the same sorted rows; tickers come and go between dates."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-05", periods=n_dates, freq="W-FRI")
    rows = []
    for i, day in enumerate(dates):
        present = np.sort(rng.choice(n_tickers, size=n_tickers - (i % 3) * 4, replace=False))
        if i == 2:
            present = present[:6]  # a date with too few tickers for an exposure
        rows += [(day, f"T{t:03d} {'US' if t % 2 else 'JP'}") for t in present]
    base = pd.DataFrame(rows, columns=["date", key]).sort_values(["date", key])
    base = base.reset_index(drop=True)
    n = len(base)
    signal = np.round(rng.random(n), 2)  # ties
    signal[base["date"] == dates[4]] = 0.5  # a constant date
    feats = pd.DataFrame({"date": base["date"], key: base[key]})
    feats["mom"] = rng.standard_normal(n)
    feats["size"] = np.exp(rng.standard_normal(n) * 3) * 1e9
    warm = rng.standard_normal(n)
    warm[: n // 3] = np.nan  # a warm-up window
    feats["warm"] = warm
    gaps = rng.standard_normal(n)
    gaps[rng.random(n) < 0.2] = np.nan
    feats["gaps"] = gaps
    feats["flat"] = np.where(base["date"] == dates[1], 1.0, rng.standard_normal(n))
    feats["empty_day"] = np.where(base["date"] == dates[3], np.nan, rng.standard_normal(n))
    sig = pd.DataFrame({"date": base["date"], key: base[key], signal_name: signal})
    return sig, feats


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_parquet(path, index=False)
    return path


def _same(a: ExposureView, b: ExposureView) -> bool:
    def eq(x: Any, y: Any) -> bool:
        if isinstance(x, float) and isinstance(y, float):
            return (math.isnan(x) and math.isnan(y)) or x == y
        return bool(x == y)

    flat_a = [a.columns, a.matched, a.signal_rows, a.worst_coverage, a.low_dates, a.kept_out]
    flat_b = [b.columns, b.matched, b.signal_rows, b.worst_coverage, b.low_dates, b.kept_out]
    rows_equal = len(a.rows) == len(b.rows) and all(
        len(r) == len(s) and all(eq(float(x) if not isinstance(x, str) else x, y)
                                 for x, y in zip(r, s, strict=True))
        for r, s in zip(a.rows, b.rows, strict=True)
    )  # fmt: skip
    return flat_a == flat_b and rows_equal and a.churn == b.churn


OPTIONS: list[dict[str, Any]] = [
    {},
    {"methods": ["numerai"], "top_n": None},
    {"methods": ["spearman"], "top_n": 3},
    {"methods": ["numerai", "spearman"], "top_n": 10},
    {"top_n": 1000},  # every pair has under 2N tickers: N is scaled down
]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "defaults"
)
def test_fast_path_writes_the_pandas_runs_bytes(
    tmp_path: Path, seed: int, options: dict[str, Any]
) -> None:
    sig, feats = make(seed)
    s, f = _write(sig, tmp_path / "s.parquet"), _write(feats, tmp_path / "f.parquet")
    report = run_exposure(s, f, **options)
    slow = write_outputs(report, tmp_path / "slow.csv")
    fast = fast_exposure(s, f, tmp_path / "fast.csv", **options)
    assert fast is not None
    view, written = fast
    assert [p.name.replace("fast", "slow") for p in written] == [p.name for p in slow]
    for a, b in zip(slow, written, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert _same(view, view_of(report))


def test_signal_named_prediction_or_given(tmp_path: Path) -> None:
    sig, feats = make(3, signal_name="prediction", key="bloomberg_ticker")
    sig["other"] = 1.0
    s, f = _write(sig, tmp_path / "s.parquet"), _write(feats, tmp_path / "f.parquet")
    for column in (None, "prediction"):
        report = run_exposure(s, f, signal_column=column)
        slow = write_outputs(report, tmp_path / "slow.csv")
        fast = fast_exposure(s, f, tmp_path / "fast.csv", signal_column=column)
        assert fast is not None
        assert [p.read_bytes() for p in slow] == [p.read_bytes() for p in fast[1]]


def _declines(tmp_path: Path, sig: pd.DataFrame, feats: pd.DataFrame, **options: Any) -> bool:
    s, f = _write(sig, tmp_path / "s.parquet"), _write(feats, tmp_path / "f.parquet")
    out = options.pop("out", tmp_path / "o.csv")
    return fast_exposure(s, f, out, **options) is None


def test_declines_what_needs_the_pandas_run(tmp_path: Path) -> None:
    sig, feats = make(4)
    assert not _declines(tmp_path, sig, feats)  # the base case is taken
    cases: dict[str, tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]] = {
        "fewer signal rows": (sig.iloc[:-5], feats, {}),
        "unsorted rows": (sig.iloc[::-1], feats.iloc[::-1], {}),
        "duplicate rows": (
            pd.concat([sig, sig.iloc[:1]]).sort_values(["date", KEY]),
            pd.concat([feats, feats.iloc[:1]]).sort_values(["date", KEY]),
            {},
        ),
        "NaN signal": (sig.assign(signal=sig["signal"].where(sig.index != 3)), feats, {}),
        "infinite feature": (
            sig,
            feats.assign(mom=feats["mom"].replace(feats["mom"].iloc[2], np.inf)),
            {},
        ),
        "integer feature": (sig, feats.assign(mom=np.arange(len(feats))), {}),
        "text feature": (sig, feats.assign(mom="x"), {}),
        "time of day": (
            sig.assign(date=sig["date"] + pd.Timedelta(hours=12)),
            feats.assign(date=feats["date"] + pd.Timedelta(hours=12)),
            {},
        ),
        "time zone": (
            sig.assign(date=sig["date"].dt.tz_localize("UTC")),
            feats.assign(date=feats["date"].dt.tz_localize("UTC")),
            {},
        ),
        "other key": (sig.rename(columns={KEY: "bloomberg_ticker"}), feats, {}),
        "float32 signal": (sig.assign(signal=sig["signal"].astype("float32")), feats, {}),
        "no feature": (sig, feats[["date", KEY]], {}),
        "universe": (sig, feats, {"universe_path": tmp_path / "u.csv"}),
        "history": (sig, feats, {"history_path": tmp_path / "h.csv"}),
        "neutralisation": (sig, feats, {"neutralize_to": ["size"]}),
        "plot": (sig, feats, {"plot": tmp_path / "p.png"}),
        "report": (sig, feats, {"html_path": tmp_path / "r.html"}),
        "streaming": (sig, feats, {"stream": True}),
        "parquet output": (sig, feats, {"out": tmp_path / "o.parquet"}),
        "gzip output": (sig, feats, {"out": tmp_path / "o.csv.gz"}),
        "signal column absent": (sig, feats, {"signal_column": "nope"}),
    }
    taken = [name for name, (s, f, o) in cases.items() if not _declines(tmp_path, s, f, **o)]
    assert taken == []


def test_declines_csv_inputs(tmp_path: Path) -> None:
    sig, feats = make(5)
    s, f = tmp_path / "s.csv", tmp_path / "f.csv"
    sig.to_csv(s, index=False)
    feats.to_csv(f, index=False)
    assert fast_exposure(s, f, tmp_path / "o.csv") is None


def test_the_fast_path_imports_no_pandas(tmp_path: Path) -> None:
    sig, feats = make(6)
    s, f = _write(sig, tmp_path / "s.parquet"), _write(feats, tmp_path / "f.parquet")
    code = (
        "import sys\n"
        "from tickermap.cli import app\n"
        "try:\n"
        f"    app(['exposure', '--signal', {str(s)!r}, '--features', {str(f)!r},\n"
        f"         '--out', {str(tmp_path / 'o.csv')!r}], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
    assert (tmp_path / "o.churn.csv").is_file()


def test_cli_prints_the_same_for_parquet_and_csv(tmp_path: Path) -> None:
    sig, feats = make(7, n_tickers=120)
    s, f = _write(sig, tmp_path / "s.parquet"), _write(feats, tmp_path / "f.parquet")
    sc, fc = tmp_path / "s.csv", tmp_path / "f.csv"
    sig.to_csv(sc, index=False)
    feats.to_csv(fc, index=False)
    runner = CliRunner()
    outputs = []
    for name, (a, b) in {"fast": (s, f), "slow": (sc, fc)}.items():
        res = runner.invoke(
            app, ["exposure", "--signal", str(a), "--features", str(b), "--out",
                  str(tmp_path / f"{name}.csv"), "--top-n", "20"],
        )  # fmt: skip
        assert res.exit_code == 0, res.output
        outputs.append(res.output.replace(name, "X"))
    assert outputs[0] == outputs[1]
    for slow, fast in zip(
        output_paths(tmp_path / "slow.csv").values(),
        output_paths(tmp_path / "fast.csv").values(),
        strict=True,
    ):
        assert slow.read_bytes() == fast.read_bytes(), slow.name


def test_declines_a_damaged_parquet_and_the_cli_words_it(tmp_path: Path) -> None:
    sig, feats = make(8)
    s, f = _write(sig, tmp_path / "s.parquet"), _write(feats, tmp_path / "f.parquet")
    data = bytearray(f.read_bytes())
    middle = len(data) // 2
    del data[middle : middle + 500]  # pages cut out: the footer's offsets point past them
    f.write_bytes(bytes(data))
    assert fast_exposure(s, f, tmp_path / "o.csv") is None
    res = CliRunner().invoke(
        app,
        ["exposure", "--signal", str(s), "--features", str(f), "--out", str(tmp_path / "o.csv")],
    )
    assert res.exit_code == 3, res.output
    assert "f.parquet" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o.csv").exists()
