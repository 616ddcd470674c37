"""validate_map and `tickermap validate`: every finding type, summaries, CLI, the real map."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.cli.validate import STRICT_EXIT_CODE
from tickermap.maps._groups import agree, name_tokens
from tickermap.maps.load import load_map
from tickermap.maps.validate import FINDING_COLUMNS, FINDINGS, validate_file, validate_map
from tickermap.progress import RecordingProgress

DATA = Path(__file__).parent / "data"
MAP = DATA / "validate_map.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def report():
    return validate_file(MAP)


def flagged(report, finding, severity=None):
    f = report.findings
    mask = f["finding"] == finding
    if severity is not None:
        mask &= f["severity"] == severity
    return set(f.loc[mask, "bloomberg_ticker"])


@pytest.mark.parametrize(
    ("finding", "severity", "tickers"),
    [
        pytest.param("invalid_identifier", "error", {"XYZ US"}, id="invalid-isin"),
        pytest.param("spreadsheet_damage", "warning", {"DMG GR"}, id="damage"),
        pytest.param("isin_country_mismatch", "error", {"2395 JP"}, id="numeric-collision"),
        pytest.param("isin_country_mismatch", "warning", {"BN CN"}, id="country-mismatch"),
        pytest.param("isin_country_explainable", "info", {"BN US", "700 HK"}, id="explainable"),
        pytest.param(
            "identifier_name_conflict", "error", {"BN FP", "BN US", "BN CN"}, id="isin-names"
        ),
        pytest.param(
            "identifier_name_conflict", "warning", {"FOO US", "BAR US"}, id="composite-same-exch"
        ),
        pytest.param(
            "name_on_many_tickers", "warning", {"000800 KS", "000830 KS", "001300 KS"}, id="names"
        ),
        pytest.param("no_exchange_code", "error", {"1538"}, id="no-code"),
        pytest.param("bad_ticker", "error", {"AAPL ZZ"}, id="unknown-code"),
        pytest.param("duplicate_ticker", "error", {"VOD LN"}, id="duplicate"),
    ],
)
def test_each_finding_type(report, finding, severity, tickers):
    assert flagged(report, finding, severity) == tickers


def test_every_finding_type_is_covered_by_the_fixture(report):
    assert set(report.findings["finding"]) == set(FINDINGS)


def test_consistent_rows_are_not_flagged(report):
    assert not {"AAPL US", "2395 TT", "BP/ LN"} & set(report.findings["bloomberg_ticker"])


def test_findings_shape_and_source_rows(report):
    f = report.findings
    assert tuple(f.columns) == FINDING_COLUMNS
    assert set(f["severity"]) <= {"error", "warning", "info"}
    # source_row is the line in the file (header = line 1): check against the raw lines.
    with MAP.open(newline="") as handle:
        lines = {i: row[0] for i, row in enumerate(csv.reader(handle), start=1)}
    for ticker, line in zip(f["bloomberg_ticker"], f["source_row"], strict=True):
        assert lines[int(line)] == ticker
    assert f["evidence"].str.len().min() > 0 and f["detail"].str.len().min() > 0
    order = f["severity"].map({"error": 0, "warning": 1, "info": 2})
    assert order.is_monotonic_increasing


def test_duplicate_evidence_names_the_other_line(report):
    f = report.findings
    dup = f[f["finding"] == "duplicate_ticker"].set_index("source_row")
    assert dup.loc[13, "evidence"] == "also on line(s) 14"
    assert "identical" in dup.loc[13, "detail"]


def test_summaries_agree_with_naive_counts(report):
    f = report.findings
    counts = report.counts_by_finding()
    for r in counts.itertuples(index=False):
        sub = f[(f["finding"] == r.finding) & (f["severity"] == r.severity)]
        assert r.findings == len(sub)
        assert r.rows == sub["source_row"].nunique()
    assert counts["findings"].sum() == len(f)
    by_exchange = report.counts_by_exchange()
    assert by_exchange["total"].sum() == len(f)
    assert by_exchange.loc["US", "total"] == (f["exchange"] == "US").sum()
    assert report.has_errors


def test_clean_map_has_no_findings():
    clean = validate_file(DATA / "validate_clean.csv")
    assert clean.findings.empty and not clean.has_errors
    assert tuple(clean.findings.columns) == FINDING_COLUMNS
    assert clean.counts_by_finding().empty


def test_progress_is_reported():
    progress = RecordingProgress()
    validate_map(load_map(MAP), progress=progress)
    assert progress.tasks == [("validate", 6)] and progress.done == 6 and progress.finished == 1


def test_generic_columns():
    result = validate_file(
        DATA / "validate_generic.csv",
        columns={"ticker": "sym", "exchange": "exch", "name": "company", "isin": "ISIN"},
    )
    assert flagged(result, "invalid_identifier") == {"XYZ US"}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param("BROOKFIELD CORP", "DANONE SA", False, id="different"),
        pytest.param("TAIWAN SEMICON", "TAIWAN SEMICONDUCTOR MANUFACTURING", True, id="truncated"),
        pytest.param("MERITZ FIRE IN", "MERITZ FIRE & MARINE INSURANCE", True, id="abbreviated"),
        pytest.param("Société BIC S.A.", "SOCIETE BIC SA", True, id="accents-legal-form"),
        pytest.param("SAMSUNG ELECTRONICS", "SAMSUNG SDI", False, id="same-first-word"),
        pytest.param("", "ANYTHING", True, id="empty-cannot-conflict"),
    ],
)
def test_name_agreement(a, b, same):
    assert agree(name_tokens(a), name_tokens(b)) is same


# ---------------------------------------------------------------- CLI


def test_cli_writes_findings_csv_and_parquet(tmp_path):
    for name in ("findings.csv", "findings.parquet"):
        out = tmp_path / name
        result = runner.invoke(app, ["validate", str(MAP), "--out", str(out)])
        assert result.exit_code == 0, result.output
        written = pd.read_parquet(out) if name.endswith("parquet") else pd.read_csv(out)
        assert list(written.columns) == list(FINDING_COLUMNS)
        assert len(written) == len(validate_file(MAP).findings)
    assert "Findings by type" in result.output and "duplicate_ticker" in result.output


def test_cli_strict_exit_code(tmp_path):
    result = runner.invoke(app, ["validate", str(MAP), "--strict"])
    assert result.exit_code == STRICT_EXIT_CODE == 10
    clean = runner.invoke(app, ["validate", str(DATA / "validate_clean.csv"), "--strict"])
    assert clean.exit_code == 0, clean.output


def test_cli_generic_columns():
    result = runner.invoke(
        app,
        [
            "validate",
            str(DATA / "validate_generic.csv"),
            "--columns",
            "ticker=sym,exchange=exch,name=company,isin=ISIN",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "invalid_identifier" in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(["validate_missing_columns.csv"], 3, "no known ticker column", id="columns"),
        pytest.param(["validate_empty.csv"], 3, "no data rows", id="empty"),
        pytest.param(["does_not_exist.csv"], 3, "no such file", id="missing-file"),
        pytest.param(["validate_map.csv", "--preset", "bogus"], 2, "unknown preset", id="preset"),
        pytest.param(["validate_map.csv", "--columns", "nonsense"], 2, "", id="bad-columns"),
    ],
)
def test_cli_bad_input(args, code, message):
    result = runner.invoke(app, ["validate", str(DATA / args[0]), *args[1:]])
    assert result.exit_code == code, result.output
    assert "Error:" in result.output and "Traceback" not in result.output
    assert message in " ".join(result.output.split())


# ---------------------------------------------------------------- the real community map


def test_real_map(guillem_map):
    started = time.perf_counter()
    result = validate_file(guillem_map)
    elapsed = time.perf_counter() - started
    f = result.findings
    assert result.rows == 14350
    assert {"NTCO3 BZ", "SN US"} <= flagged(result, "invalid_identifier")
    assert "2395 JP" in flagged(result, "isin_country_mismatch", "error")
    assert "2395 TT" not in set(f["bloomberg_ticker"])
    kyung = f[(f["finding"] == "name_on_many_tickers") & (f["value"] == "KYUNG NONG CORP")]
    assert len(kyung) == 9
    assert "1538" in flagged(result, "no_exchange_code")
    assert {"BN CN", "BN US", "BN FP"} <= flagged(result, "identifier_name_conflict", "error")
    assert "AAPL US" not in set(f["bloomberg_ticker"])
    # Not wholesale: error findings touch a small share of the rows.
    error_rows = f.loc[f["severity"] == "error", "source_row"].nunique()
    assert error_rows < 0.05 * result.rows
    assert elapsed < 30  # a few seconds in practice; generous for slow CI machines
