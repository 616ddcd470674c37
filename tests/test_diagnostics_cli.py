"""diagnostics through the CLI on Numerai-style files; bad input; exposure --signal-column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests._diagnostics_data import ID, make_inputs, reference
from tickermap.cli import app

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")


def _files(tmp: Path, seed: int = 0, **kw: object) -> dict[str, Path]:
    inp = make_inputs(seed, holes=False, **kw)  # type: ignore[arg-type]
    paths = {}
    for name, frame in inp.items():
        if name == "signal":
            frame = frame.rename(columns={"signal": "prediction"})  # Numerai allows it
        paths[name] = tmp / f"{name}.parquet"
        frame.to_parquet(paths[name], index=False, row_group_size=200)
    return paths


def _args(p: dict[str, Path], out: Path) -> list[str]:
    return [
        "diagnostics", "--signal", str(p["signal"]), "--targets", str(p["targets"]),
        "--neutralizers", str(p["neutralizers"]), "--sample-weights", str(p["sample_weights"]),
        "--meta-model", str(p["meta_model"]), "--features", str(p["features"]), "--out", str(out),
    ]  # fmt: skip


def test_cli_on_parquet_files_equals_numerai_tools(tmp_path: Path) -> None:
    p = _files(tmp_path)
    out = tmp_path / "diag.csv"
    result = CliRunner().invoke(app, [*_args(p, out), "--report", str(tmp_path / "d.html")])
    assert result.exit_code == 0, result.output
    ours = pd.read_csv(out)
    ref = reference(
        {k: pd.read_parquet(v) for k, v in p.items()}
        | {"signal": pd.read_parquet(p["signal"]).rename(columns={"prediction": "signal"})}
    )
    for col in ref.columns[1:]:
        np.testing.assert_allclose(ours[col], ref[col], atol=1e-9, err_msg=col)
    summary = pd.read_csv(tmp_path / "diag.summary.csv")
    assert set(summary["metric"]) >= {"numerai_corr", "alpha", "churn", "turnover"}
    rules = pd.read_csv(tmp_path / "diag.rules.csv")
    assert list(rules["rule"]) == ["churn >= 0.15", "turnover >= 0.25", "neutral_churn > 0.1"]
    assert "first_date" in ours.loc[0, "reasons"]
    assert "numerai_corr" in result.output and (tmp_path / "d.html").read_text().count("<table")


def test_only_the_given_inputs_give_columns(tmp_path: Path) -> None:
    p = _files(tmp_path, 1)
    out = tmp_path / "d.csv"
    args = ["diagnostics", "--signal", str(p["signal"]), "--targets", str(p["targets"])]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    cols = set(pd.read_csv(out).columns)
    assert "numerai_corr" in cols and not cols & {"alpha", "churn", "neutral_correlation"}


def test_meta_model_in_bloomberg_namespace_is_converted(tmp_path: Path) -> None:
    p = _files(tmp_path, 2)
    mm = pd.read_parquet(p["meta_model"])
    mm = mm.assign(numerai_ticker=mm[ID].str.replace(" US", " US")).rename(
        columns={ID: "bloomberg_ticker"}
    )
    mm.to_parquet(p["meta_model"])
    out = tmp_path / "d.csv"
    result = CliRunner().invoke(app, _args(p, out))
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["correlation_contribution"].notna().all()


def test_bad_inputs_give_clear_messages(tmp_path: Path) -> None:
    p = _files(tmp_path, 3)
    out = tmp_path / "d.csv"
    figi = pd.read_parquet(p["meta_model"]).rename(columns={ID: "composite_figi"})
    figi.to_parquet(tmp_path / "figi.parquet")
    bad = [*_args(p, out)]
    bad[bad.index(str(p["meta_model"]))] = str(tmp_path / "figi.parquet")
    r = CliRunner().invoke(app, bad)
    assert r.exit_code == 3 and "composite_figi" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(app, [*_args(p, p["targets"])])
    assert r.exit_code == 2 and "also an input" in " ".join(r.output.split())
    t = pd.read_parquet(p["targets"])
    t["date"] = t["date"] + pd.Timedelta(days=1)  # a targets file on other dates
    t.to_parquet(p["targets"])
    r = CliRunner().invoke(app, _args(p, out))
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out)
    assert table["numerai_corr"].isna().all() and "targets: no rows" in " ".join(r.output.split())
    assert table["reasons"].str.contains("numerai_corr: too_few_tickers").all()
    s = pd.read_parquet(p["signal"])
    s.loc[4, "prediction"] = np.inf
    s.to_parquet(p["signal"])
    r = CliRunner().invoke(app, _args(p, out))
    assert r.exit_code == 3 and "finite" in r.output


def test_neutralizers_without_some_tickers_are_reported(tmp_path: Path) -> None:
    p = _files(tmp_path, 4)
    n = pd.read_parquet(p["neutralizers"])
    n.drop(n.index[::25]).to_parquet(p["neutralizers"])
    out = tmp_path / "d.csv"
    r = CliRunner().invoke(app, _args(p, out))
    assert r.exit_code == 0, r.output
    assert "signal rows have no neutralizers row" in " ".join(r.output.split())
    assert pd.read_csv(out)["neutral_correlation"].notna().all()


def test_exposure_signal_column(tmp_path: Path) -> None:
    inp = make_inputs(5, holes=False)
    sig = inp["signal"].rename(columns={"signal": "prediction"})
    sig.to_csv(tmp_path / "s.csv", index=False)
    inp["features"].to_csv(tmp_path / "f.csv", index=False)
    base = ["exposure", "--signal", str(tmp_path / "s.csv"), "--features", str(tmp_path / "f.csv")]
    r = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "e.csv")])
    assert r.exit_code == 0, r.output
    sig.rename(columns={"prediction": "mine"}).to_csv(tmp_path / "s.csv", index=False)
    r = CliRunner().invoke(
        app, [*base, "--out", str(tmp_path / "e2.csv"), "--signal-column", "mine"]
    )
    assert r.exit_code == 0, r.output
    a, b = pd.read_csv(tmp_path / "e.csv"), pd.read_csv(tmp_path / "e2.csv")
    pd.testing.assert_frame_equal(a, b)
    r = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "e3.csv")])
    assert r.exit_code == 3 and "missing required column 'signal'" in r.output


def test_nothing_to_compute_or_no_rows_is_refused(tmp_path: Path) -> None:
    p = _files(tmp_path, 6)
    out = tmp_path / "d.csv"
    for extra in (
        [],
        ["--meta-model", str(p["meta_model"])],
        ["--neutralizers", str(p["neutralizers"])],
    ):
        r = CliRunner().invoke(
            app, ["diagnostics", "--signal", str(p["signal"]), *extra, "--out", str(out)]
        )
        assert r.exit_code == 2 and "nothing to compute" in r.output, r.output
        assert not out.exists()
    empty = tmp_path / "empty.csv"
    empty.write_text("date,numerai_ticker,prediction\n")
    args = [
        "diagnostics",
        "--signal",
        str(empty),
        "--targets",
        str(p["targets"]),
        "--out",
        str(out),
    ]
    r = CliRunner().invoke(app, args)
    text = " ".join(r.output.split())
    assert r.exit_code == 3 and f"{empty}, line 1" in text and "no data rows" in text
    features = tmp_path / "f.csv"
    pd.read_parquet(p["features"]).to_csv(features, index=False)
    r = CliRunner().invoke(
        app,
        [
            "exposure",
            "--signal",
            str(empty),
            "--features",
            str(features),
            "--out",
            str(tmp_path / "e.csv"),
        ],
    )
    assert r.exit_code == 3 and "no data rows" in r.output, r.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("foo,bar\n1,2\n")
    sig = tmp_path / "s.csv"
    pd.read_parquet(p["signal"]).to_csv(sig, index=False)
    r = CliRunner().invoke(
        app,
        [
            "exposure",
            "--signal",
            str(sig),
            "--features",
            str(features),
            "--universe",
            str(wrong),
            "--out",
            str(tmp_path / "e.csv"),
        ],
    )
    text = " ".join(r.output.split())
    assert r.exit_code == 3 and f"{wrong}, line 1" in text and "not a cleaned universe" in text
