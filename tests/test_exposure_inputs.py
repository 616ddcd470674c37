"""Exposure inputs a new user tried (walkthrough of 2026-12-02): each gets a clear answer.

Damaged Parquet features with ``--stream``, feature rows without their key (Parquet null, empty
CSV cell, or a blank string), a blank signal key, a file with both ``signal`` and
``prediction``, ``--method a,b``, a closed stdout, and an all-NaN feature in the table.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from tests.test_exposure_fast import make
from tickermap.cli import app
from tickermap.exposure.fast import fast_exposure

RUN = CliRunner()


def _files(
    tmp_path: Path, sig: pd.DataFrame, feats: pd.DataFrame, ext: str = "parquet"
) -> list[str]:
    s, f = tmp_path / f"s.{ext}", tmp_path / f"f.{ext}"
    for frame, path in ((sig, s), (feats, f)):
        frame.to_parquet(path, index=False) if ext == "parquet" else frame.to_csv(path, index=False)
    return ["exposure", "--signal", str(s), "--features", str(f), "--out", str(tmp_path / "o.csv")]


def test_streamed_damaged_or_fake_parquet_is_exit_3(tmp_path: Path) -> None:
    sig, feats = make(0)
    args = _files(tmp_path, sig, feats)
    f = tmp_path / "f.parquet"
    data = bytearray(f.read_bytes())
    del data[len(data) // 2 : len(data) // 2 + 500]
    f.write_bytes(bytes(data))
    res = RUN.invoke(app, [*args, "--stream"])
    assert res.exit_code == 3, res.output
    assert "f.parquet" in res.output and "Traceback" not in res.output
    f.write_text("date,numerai_ticker,x\n")
    res = RUN.invoke(app, [*args, "--stream"])
    assert res.exit_code == 3 and "not a Parquet file" in res.output, res.output


def test_feature_rows_without_a_key_are_named(tmp_path: Path) -> None:
    sig, feats = make(1)
    for ext, blank in (("parquet", None), ("csv", None), ("parquet", "  ")):
        bad = feats.copy()
        bad.loc[5, "numerai_ticker"] = blank
        res = RUN.invoke(app, _files(tmp_path, sig, bad, ext))
        assert res.exit_code == 3, (ext, res.output)
        where = "line 7" if ext == "csv" else "row 6"
        assert where in res.output and "numerai_ticker" in res.output, res.output
        assert "f." + ext in res.output


def test_a_blank_signal_key_is_an_unmatched_row(tmp_path: Path) -> None:
    sig, feats = make(2)
    sig.loc[3, "numerai_ticker"] = ""
    feats.loc[3, "numerai_ticker"] = ""  # the same blank on both sides: still no join
    args = _files(tmp_path, sig, feats)
    assert fast_exposure(Path(args[2]), Path(args[4]), tmp_path / "x.csv") is None
    sig.loc[3, "numerai_ticker"] = ""
    res = RUN.invoke(app, _files(tmp_path, sig, feats.drop(index=3)))
    assert res.exit_code == 0, res.output
    unmatched = pd.read_csv(tmp_path / "o.unmatched.csv")
    assert unmatched["reason"].tolist() == ["missing_key"]


def test_both_signal_and_prediction_must_be_chosen(tmp_path: Path) -> None:
    sig, feats = make(3)
    sig["prediction"] = 1 - sig["signal"]
    args = _files(tmp_path, sig, feats)
    res = RUN.invoke(app, args)
    assert res.exit_code == 3 and "--signal-column" in res.output, res.output
    chosen = RUN.invoke(app, [*args, "--signal-column", "prediction"])
    assert chosen.exit_code == 0, chosen.output


def test_method_comma_separated_and_repeated_agree(tmp_path: Path) -> None:
    sig, feats = make(4)
    args = _files(tmp_path, sig, feats)
    texts = []
    for methods in (
        ["--method", "spearman,numerai"],
        ["--method", "numerai", "--method", "spearman"],
    ):
        res = RUN.invoke(app, [*args, *methods])
        assert res.exit_code == 0, res.output
        texts.append(res.output)
    assert texts[0] == texts[1] and "spear" in texts[0]
    bad = RUN.invoke(app, [*args, "--method", "numerai,pearson"])
    assert bad.exit_code == 2 and "pearson" in bad.output


def test_an_all_missing_feature_reads_n_a(tmp_path: Path) -> None:
    sig, feats = make(5)
    feats["nothing"] = np.nan
    res = RUN.invoke(app, _files(tmp_path, sig, feats))
    assert res.exit_code == 0, res.output
    row = next(line for line in res.output.splitlines() if "nothing" in line)
    assert "n/a" in row and "nan" not in row


def test_closed_stdout_is_not_a_traceback(tmp_path: Path) -> None:
    sig, feats = make(6)
    args = _files(tmp_path, sig, feats)
    code = (
        "import sys; sys.argv = ['tickermap', *sys.argv[1:]]; "
        "from tickermap.cli import main; main()"
    )
    done = subprocess.run(
        f'{sys.executable} -c "{code}" {" ".join(args[0:])} >&-',
        shell=True,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "o.churn.csv").is_file()
