"""A corpus of bad inputs and hostile output paths, run through the real CLI.

Each case asserts the exit code, the ``Error:`` message, that no input changed and that nothing
(no output, no partial temporary file) was left behind.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.errors import ConfigError, InputError
from tickermap.exposure.churn import churn, summarize_churn
from tickermap.features.indicators import residual_volatility, simple_return
from tickermap.resources import sample_dir
from tickermap.tables import (
    STALE_TEMP_SECONDS,
    check_outputs,
    parse_dates,
    parse_numbers,
    read_table,
    write_table,
)

PRICES_HEADER = "date,yahoo,open,high,low,close,volume\n"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones included) -> sha256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def prices_csv(rows: int = 30, *, close: str | None = None, at: int = 5) -> str:
    lines = [PRICES_HEADER]
    for i in range(rows):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
        value = close if (close is not None and i == at) else f"{10 + i * 0.1:.2f}"
        lines.append(f"{day:%Y-%m-%d},AAA,10,11,9,{value},1000\n")
    return "".join(lines)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "map.csv").write_text("bloomberg_ticker,isin\nAAPL US,US0378331005\n")
    (folder / "universe.csv").write_text("bloomberg_ticker\nAAPL US\nSAP GR\n")
    (folder / "prices.csv").write_text(prices_csv())
    (folder / "afile").write_text("not a folder\n")
    (folder / "header_only.csv").write_text("bloomberg_ticker\n")
    (folder / "ragged.csv").write_text("bloomberg_ticker,name\nAAPL US,Apple\nSAP GR,SAP,x\n")
    (folder / "bad_isin.csv").write_text("bloomberg_ticker,isin\nAAPL US,US0378331006\n")
    (folder / "adir").mkdir()
    sig = pd.DataFrame(
        {"date": ["2024-01-05"] * 3, "bloomberg_ticker": ["A US", "B US", "C US"],
         "signal": ["0.1", "inf", "0.3"]}
    )  # fmt: skip
    sig.to_csv(folder / "signal.csv", index=False)
    return folder


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, " ".join(result.output.split())


CASES: dict[str, tuple[list[str], int, str]] = {
    "validate-out-is-input": (["validate", "map.csv", "--out", "map.csv"], 2, "is also an input"),
    "validate-out-dot-path": (["validate", "map.csv", "--out", "./map.csv"], 2, "also an input"),
    "validate-out-under-file": (
        ["validate", "map.csv", "--out", "afile/f.csv"], 2, "is a file, not a folder"
    ),
    "validate-out-folder": (["validate", "map.csv", "--out", "adir"], 2, "is a folder"),
    "validate-out-no-ext": (["validate", "map.csv", "--out", "findings"], 2, "no extension"),
    "symbols-out-is-input": (
        ["symbols", "universe.csv", "--to", "yahoo", "--out", "universe.csv"], 2, "also an input"
    ),
    "resolve-out-is-input": (
        ["resolve", "universe.csv", "--out", "universe.csv", "--openfigi-url",
         "http://127.0.0.1:9"], 2, "also an input",
    ),
    "reconcile-out-is-review": (
        ["reconcile", "--universe", "universe.csv", "--map", "map.csv", "--out", "o.csv",
         "--review", "o.csv", "--offline"], 2, "are the same file",
    ),
    "reconcile-out-is-map": (
        ["reconcile", "--universe", "universe.csv", "--map", "map.csv", "--out", "map.csv",
         "--offline"], 2, "also an input",
    ),
    "reconcile-report-not-html": (
        ["reconcile", "--universe", "universe.csv", "--out", "o.csv", "--report", "r.csv",
         "--offline"], 2, "name it .html",
    ),
    "audit-out-is-input": (
        ["audit", "delisted", "--universe", "universe.csv", "--out", "universe.csv"], 2,
        "also an input",
    ),
    "features-out-is-input": (["features", "prices.csv", "--out", "prices.csv"], 2, "input"),
    "features-out-under-file": (
        ["features", "prices.csv", "--out", "afile/o.csv"], 2, "is a file, not a folder"
    ),
    "features-out-folder": (["features", "prices.csv", "--out", "adir"], 2, "is a folder"),
    "exposure-plot-is-out": (
        ["exposure", "--signal", "signal.csv", "--features", "prices.csv", "--out", "o.csv",
         "--plot", "o.csv"], 2, "--plot",
    ),
    "exposure-plot-under-file": (
        ["exposure", "--signal", "signal.csv", "--features", "prices.csv", "--out", "o.csv",
         "--plot", "afile/p.png"], 2, "is a file, not a folder",
    ),
    "exposure-derived-out-is-input": (
        ["exposure", "--signal", "signal.csv", "--features", "o.coverage.csv", "--out", "o.csv"],
        2, "--out (coverage)",
    ),
    "exposure-inf-signal": (
        ["exposure", "--signal", "signal.csv", "--features", "prices.csv", "--out", "o.csv"], 3,
        "line 3, column 'signal', value 'inf': not a finite number",
    ),
    # a header without rows is refused alike by every command that needs a universe or a map
    "resolve-header-only-universe": (
        ["resolve", "header_only.csv", "--out", "o.csv", "--openfigi-url", "http://127.0.0.1:9"],
        3, "header_only.csv, line 2: the universe has no rows",
    ),
    "reconcile-header-only-universe": (
        ["reconcile", "--universe", "header_only.csv", "--out", "o.csv", "--offline"], 3,
        "header_only.csv, line 2: the universe has no rows",
    ),
    "validate-header-only-map": (
        ["validate", "header_only.csv"], 3, "header_only.csv, line 1: the file has a header but",
    ),
    # the pandas-free symbols path names the line like read_table does, and writes nothing
    "symbols-ragged-row": (
        ["symbols", "ragged.csv", "--out", "o.csv"], 3,
        "ragged.csv, line 3: this row has 3 fields but the header has 2",
    ),
    "symbols-ragged-row-to-parquet": (
        ["symbols", "ragged.csv", "--out", "o.parquet"], 3,
        "ragged.csv, line 3: this row has 3 fields but the header has 2",
    ),
    "symbols-missing-column": (
        ["symbols", "universe.csv", "--column", "ticker", "--out", "o.csv"], 3,
        "no column 'ticker'; name the ticker column with --column",
    ),
    "symbols-out-no-ext": (["symbols", "universe.csv", "--out", "o"], 2, "no extension"),
    # --strict: the summary, then an Error: line and exit 10; nothing written without --out
    "validate-strict": (
        ["validate", "bad_isin.csv", "--strict"], 10,
        "Error: bad_isin.csv has error-severity findings (--strict)",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_before_any_work(work: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    args, code, message = CASES[case]
    monkeypatch.chdir(work)
    if case == "exposure-derived-out-is-input":
        (work / "o.coverage.csv").write_text(PRICES_HEADER)
    before = snapshot(work)
    exit_code, output = run(args)
    assert exit_code == code, output
    assert "Error:" in output and message in output, output
    assert snapshot(work) == before  # no input changed, no output, no temporary file


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "Infinity"])
def test_features_refuses_non_finite_prices(
    work: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.chdir(work)
    (work / "prices.csv").write_text(prices_csv(close=value, at=5))
    before = snapshot(work)
    exit_code, output = run(["features", "prices.csv", "--key", "yahoo", "--out", "f.csv"])
    assert exit_code == 3, output
    assert "line 7" in output and "column 'close'" in output and "not a finite number" in output
    assert snapshot(work) == before


@pytest.mark.parametrize("command", ["validate", "symbols"])
def test_corrupt_gzip_is_a_clear_error(
    work: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(work)
    good = gzip.compress(b"bloomberg_ticker,isin\nAAPL US,US0378331005\n" * 50)
    (work / "bad.csv.gz").write_bytes(good[: len(good) // 2])  # truncated
    (work / "junk.csv.gz").write_bytes(b"this is not gzip at all\n")
    before = snapshot(work)
    for name in ("bad.csv.gz", "junk.csv.gz"):
        args = [command, name, "--out", "o.csv"]
        exit_code, output = run(args)
        assert exit_code == 3, output
        assert "Error:" in output and "not a valid gzip file" in output and name in output
    assert snapshot(work) == before


def test_gzip_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["x", "y"], "b": ["1", "2"]})
    write_table(frame, tmp_path / "t.csv.gz")
    assert gzip.decompress((tmp_path / "t.csv.gz").read_bytes()).startswith(b"a,b\n")
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.csv.gz"), frame, check_dtype=False)


def test_header_over_64_kib_is_read_whole(tmp_path: Path) -> None:
    columns = ["date", "bloomberg_ticker", *(f"feature_{i}" for i in range(8000))]
    header = ",".join(columns)
    assert len(header) > 65536
    path = tmp_path / "wide.csv"
    path.write_text(header + "\n" + ",".join(["2024-01-05", "A US", *["1"] * 8000]) + "\n")
    frame = read_table(path)
    assert list(frame.columns) == columns and frame.shape == (1, 8002)
    # a real repeat far beyond 64 KiB is still found
    path.write_text(header + ",feature_7999\n" + ",".join(["x"] * 8003) + "\n")
    with pytest.raises(InputError, match="repeats column 'feature_7999'"):
        read_table(path)


def test_csv_outputs_neutralise_formulas_parquet_keeps_raw(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd", "plain", "-0.5"],
            "x": [-0.5, 1.0, -2.0, 3.0, 4.0, 5.0],
        }
    )
    write_table(frame, tmp_path / "o.csv")
    write_table(frame, tmp_path / "o.parquet")
    text = pd.read_csv(tmp_path / "o.csv", dtype=str)
    assert text["name"].tolist() == [
        "'=HYPERLINK(\"http://x\")", "'+SUM(A1)", "'-2+3", "'@cmd", "plain", "-0.5"
    ]  # fmt: skip
    assert text["x"].tolist()[0] == "-0.5"  # numbers are not text: left alone
    assert pd.read_parquet(tmp_path / "o.parquet")["name"].tolist() == frame["name"].tolist()


_KILLED_WRITER = """
import signal, sys, time
from tickermap.tables import atomic_path
# as in a terminal (a pytest-xdist worker's children inherit SIGINT ignored)
signal.signal(signal.SIGINT, signal.default_int_handler)
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_text("partial")
    print(tmp, flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_killed_write_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    target = tmp_path / "sym_out.csv"
    with subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        tmp = Path(proc.stdout.readline().strip())
        assert tmp.exists() and tmp.name.startswith(".sym_out.csv.")
        proc.send_signal(signum)
        proc.wait(timeout=30)
    assert proc.returncode != 0
    assert not tmp.exists() and not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_stale_temporary_files_are_swept(tmp_path: Path) -> None:
    stale = tmp_path / ".o.csv.abcd1234.tmp"
    fresh = tmp_path / ".o.csv.efgh5678.tmp"  # maybe a concurrent run: kept
    other = tmp_path / ".other.csv.abcd1234.tmp"  # another output's: not ours to judge
    for p in (stale, fresh, other):
        p.write_text("partial")
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write_table(pd.DataFrame({"a": ["1"]}), tmp_path / "o.csv")
    assert not stale.exists() and fresh.exists() and other.exists()


def test_check_outputs_rules(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("x\n1\n")
    link = tmp_path / "link.csv"
    link.symlink_to(a)
    with pytest.raises(ConfigError, match="also an input"):
        check_outputs(inputs=[a], outputs={"--out": link})
    with pytest.raises(ConfigError, match="--review and --out are the same file"):
        check_outputs(
            inputs=[], outputs={"--out": tmp_path / "o.csv", "--review": tmp_path / "o.csv"}
        )
    with pytest.raises(ConfigError, match=r"name it \.png"):
        check_outputs(inputs=[], outputs={"--plot": tmp_path / "p.jpg"})
    check_outputs(inputs=[a, None], outputs={"--out": tmp_path / "new" / "o.parquet"})
    for name in ("o.txt", "o.tsv", "o.json"):  # read as tables, never written as one
        with pytest.raises(ConfigError, match=r"name it \.csv or \.parquet"):
            check_outputs(inputs=[], outputs={"--out": tmp_path / name})


def test_an_unclosed_quote_names_its_line(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    p.write_text('bloomberg_ticker,isin\nAAPL US,US0378331005\nMSFT US,"US5949181045\nX US,Y\n')
    with pytest.raises(InputError, match="never closed") as err:
        read_table(p)
    assert err.value.line == 3


def test_one_parser_for_numbers_and_dates() -> None:
    numbers = parse_numbers(pd.Series([" 1.5", "NA", "n/a", "", "NULL", "-2e-3"]), column="x")
    assert numbers.iloc[0] == 1.5 and numbers.iloc[5] == -0.002
    assert numbers.iloc[1:5].isna().all()
    dates = parse_dates(pd.Series(["2024-01-05", "20240108", " 2024-01-09 "]), column="d")
    assert dates.dt.strftime("%Y%m%d").tolist() == ["20240105", "20240108", "20240109"]
    ints = parse_dates(pd.Series([20240105, 20240112]), column="d")
    assert ints.dt.day.tolist() == [5, 12]
    with pytest.raises(InputError, match="row 2: not a date"):
        parse_dates(pd.Series(["2024-01-05", "2024-13-45"]), column="d")
    with pytest.raises(InputError, match="not a finite number"):
        parse_numbers(pd.Series([1.0, np.inf]), column="x")


def test_constant_signal_churn_is_nan_with_its_reason() -> None:
    dates = np.repeat(["2024-01-05", "2024-01-12", "2024-01-19"], 120)
    keys = np.tile([f"T{i:03d} US" for i in range(120)], 3)
    signal = pd.DataFrame({"date": dates, "bloomberg_ticker": keys, "signal": 0.5})
    per = churn(signal, top_n=50, key="bloomberg_ticker")
    assert (per["reason"] == "constant_signal").all()
    assert per[["churn", "top_overlap", "bottom_overlap", "churn_top_bottom"]].isna().all().all()
    assert summarize_churn(per).empty  # nothing to print as "mean 0.0000"


def test_one_ticker_residual_volatility_is_nan() -> None:
    rng = np.random.default_rng(0)
    close = pd.DataFrame({"A": 100 * np.cumprod(1 + rng.normal(0, 0.01, 90))})
    assert residual_volatility(simple_return(close), window=60)["A"].isna().all()
    two = pd.DataFrame({"A": close["A"], "B": 50 * np.cumprod(1 + rng.normal(0, 0.02, 90))})
    got = residual_volatility(simple_return(two), window=60)
    assert got.iloc[-1].notna().all() and (got.iloc[-1] > 1e-4).all()


def test_sample_prices_still_load() -> None:
    from tickermap.features.prices import load_prices

    frame = load_prices(sample_dir() / "prices.parquet", key="yahoo")
    assert len(frame) and frame["close"].notna().all()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_symbols_output_converts_again_without_repeating_a_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """issue 12: ``symbols universe_yahoo.csv --column yahoo --to bloomberg`` crashed on Parquet
    (duplicate column names) and wrote an unreadable CSV."""
    monkeypatch.chdir(tmp_path)
    Path("u.csv").write_text("bloomberg_ticker,name\nAAPL US,Apple\n1 HK,CK\n1538,none\n")
    assert run(["symbols", "u.csv", "--out", "y.csv"])[0] == 0
    before = snapshot(tmp_path)
    code, output = run(["symbols", "y.csv", "--column", "yahoo", "--to", "bloomberg",
                        "--out", f"back{suffix}"])  # fmt: skip
    assert code == 0, output
    back = read_table(tmp_path / f"back{suffix}")
    assert list(back.columns) == [
        "bloomberg_ticker", "name", "yahoo", "symbol_ambiguous", "symbol_error", "yahoo_source",
        "bloomberg_ticker_converted", "symbol_ambiguous_converted", "symbol_error_converted",
    ]  # fmt: skip
    assert back["bloomberg_ticker_converted"].tolist()[:2] == ["AAPL US", "1 HK"]
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before  # inputs unchanged
    assert set(after) - set(before) == {f"back{suffix}"}  # nothing else left
