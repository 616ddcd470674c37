"""History: bad input gets a clear error or a finding naming file and row; nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.errors import ConfigError, InputError
from tickermap.history import build_history

HEADER = "date,numerai_ticker,composite_figi\n"


def _csv(tmp_path: Path, body: str, name: str = "u.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_an_unparseable_date_names_file_line_and_value(tmp_path: Path) -> None:
    path = _csv(tmp_path, "2024-01-05,A US,F1\n2024-13-05,A US,F1\n")
    with pytest.raises(InputError) as err:
        build_history([path])
    assert err.value.path == path and err.value.line == 3 and err.value.value == "2024-13-05"
    assert "not a date" in str(err.value)


def test_an_empty_date_is_an_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, "2024-01-05,A US,F1\n,A US,F1\n")
    with pytest.raises(InputError, match="empty date") as err:
        build_history([path])
    assert err.value.line == 3


def test_a_date_column_in_two_formats_is_an_error_naming_both(tmp_path: Path) -> None:
    body = "2024-01-05,A US,F1\n" * 3 + "20240112,A US,F1\n"
    path = _csv(tmp_path, body)
    with pytest.raises(InputError) as err:
        build_history([path])
    msg = str(err.value)
    assert "YYYY-MM-DD" in msg and "YYYYMMDD" in msg and "data row 4" in msg
    assert err.value.line == 5


def test_two_formats_across_row_groups_of_a_parquet_file(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"date": ["2024-01-05"] * 10 + ["20240112"] * 10, "numerai_ticker": "A US",
         "composite_figi": "F1"}
    )  # fmt: skip
    path = tmp_path / "u.parquet"
    frame.to_parquet(path, row_group_size=7)
    with pytest.raises(InputError, match="data row 11"):
        build_history([path])


def test_duplicate_rows_are_counted_once_and_reported(tmp_path: Path) -> None:
    path = _csv(tmp_path, "2024-01-05,A US,F1\n2024-01-05,A US,F1\n2024-01-12,A US,\n"
                "2024-01-12,A US,F1\n")  # fmt: skip
    result = build_history([path])
    dup = result.findings[result.findings["kind"] == "duplicate_row"]
    assert dup[["file", "row", "count"]].to_numpy().tolist() == [[str(path), 2, 2]]
    assert result.spells["n_dates"].tolist() == [2]


def test_two_entities_on_one_date_are_an_overlap_both_kept(tmp_path: Path) -> None:
    body = "2024-01-05,A US,F1\n2024-01-12,A US,F1\n2024-01-12,A US,F2\n2024-01-19,A US,F2\n"
    path = _csv(tmp_path, body)
    result = build_history([path])
    ov = result.findings[result.findings["kind"] == "overlap"]
    assert ov[["row", "date", "ticker", "entity"]].to_numpy().tolist() == [
        [2, "2024-01-12", "A US", "F1;F2"]
    ]
    assert result.spells["flags"].tolist() == ["overlap", "overlap"]
    hist = tmp_path / "h.csv"
    CliRunner().invoke(app, ["history", str(path), "--out", str(hist)])
    run = CliRunner().invoke(app, ["history", str(hist), "--at", "2024-01-12"])
    assert run.exit_code == 0, run.output
    assert run.output.count("ambiguous") == 2


def test_an_entity_empty_on_some_dates_is_reported_not_filled(tmp_path: Path) -> None:
    body = "".join(f"2024-01-{d:02d},A US,{'' if d == 12 else 'F1'}\n" for d in (5, 12, 19))
    body += "".join(f"2024-01-{d:02d},B US,F9\n" for d in (5, 12, 19))
    result = build_history([_csv(tmp_path, body)])
    miss = result.findings[result.findings["kind"] == "entity_missing"]
    assert miss[["row", "ticker", "count"]].to_numpy().tolist() == [[2, "A US", 1]]
    a = result.spells[result.spells["numerai_ticker"] == "A US"]
    assert a["composite_figi"].fillna("").tolist() == ["F1", "", "F1"]
    assert result.events.empty


def test_empty_tickers_are_reported_with_their_row(tmp_path: Path) -> None:
    result = build_history([_csv(tmp_path, "2024-01-05,A US,F1\n2024-01-05,,F2\n")])
    miss = result.findings[result.findings["kind"] == "missing_ticker"]
    assert miss[["row", "count"]].to_numpy().tolist() == [[2, 1]]


def test_tickers_that_do_not_parse_are_reported(tmp_path: Path) -> None:
    result = build_history([_csv(tmp_path, "2024-01-05,A XX,F1\n2024-01-05,B US,F2\n")])
    bad = result.findings[result.findings["kind"] == "bad_ticker"]
    assert bad[["row", "ticker"]].to_numpy().tolist() == [[1, "A XX"]]
    assert len(result.spells) == 2  # kept as written


def test_mixed_ticker_namespaces_are_refused(tmp_path: Path) -> None:
    a = _csv(tmp_path, "2024-01-05,A US,F1\n", "new.csv")
    b = tmp_path / "old.csv"
    b.write_text("friday_date,bloomberg_ticker\n20210104,A US\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be mixed") as err:
        build_history([a, b])
    assert err.value.path == b


def test_missing_columns_and_files(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("day,numerai_ticker\n2024-01-05,A US\n", encoding="utf-8")
    with pytest.raises(InputError, match="no date column"):
        build_history([p])
    with pytest.raises(InputError, match="no such file"):
        build_history([tmp_path / "absent.parquet"])
    with pytest.raises(InputError, match="entity column 'cik'"):
        build_history([_csv(tmp_path, "2024-01-05,A US,F1\n")], entity_column="cik")
    with pytest.raises(ConfigError):
        build_history([])


def test_a_parquet_file_with_a_csv_name(tmp_path: Path) -> None:
    p = tmp_path / "u.csv"
    pd.DataFrame({"date": ["2024-01-05"], "numerai_ticker": ["A US"]}).to_parquet(p)
    with pytest.raises(InputError, match="Parquet file with a CSV name"):
        build_history([p])


def test_a_file_with_a_header_and_no_rows_is_named(tmp_path: Path) -> None:
    empty = _csv(tmp_path, "", "empty.csv")
    with pytest.raises(InputError, match="header but no data rows") as err:
        build_history([empty])
    assert err.value.path == empty
    pq = tmp_path / "empty.parquet"
    pd.DataFrame(
        {"date": pd.Series([], dtype=str), "numerai_ticker": pd.Series([], dtype=str)}
    ).to_parquet(pq)
    with pytest.raises(InputError, match="header but no data rows"):
        build_history([pq])
    run = CliRunner().invoke(app, ["history", str(empty), "--out", str(tmp_path / "h.csv")])
    assert run.exit_code == 3 and "Traceback" not in run.output


@pytest.mark.parametrize("shift", [-2, -1, 0, -100])
def test_a_byte_that_is_not_utf8_is_named_with_its_line(tmp_path: Path, shift: int) -> None:
    # the bad byte lands at offset 2**20 + shift: the last bytes of the first 1 MiB block
    # of the scan, the first byte of the second, and far from the boundary
    row = b"2024-01-05,A US,F1\n"
    head = HEADER.encode() + row * ((1 << 20) // len(row) - 10)
    pad = (1 << 20) + shift - len(head) - len(b"2024-01-05,SOCI") - 18
    body = head + b"2024-01-05,X" + b"Y" * (pad - 1) + b" US,F1\n"
    bad_at = len(body) + len(b"2024-01-05,SOCI")
    p = tmp_path / "latin1.csv"
    p.write_bytes(body + "2024-01-05,SOCI\u00c9T\u00c9 FP,F2\n".encode("latin-1"))
    with pytest.raises(InputError, match="is not UTF-8; re-save") as err:
        build_history([p])
    assert err.value.line == body.count(b"\n") + 1
    assert (
        bad_at == (1 << 20) + shift
        and f"offset {bad_at}" in str(err.value)
        and "b'\\xc9'" in str(err.value)
    )


def test_cli_errors_have_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    path = _csv(tmp_path, "2024-01-05,A US,F1\nnope,A US,F1\n")
    run = CliRunner().invoke(app, ["history", str(path), "--out", str(tmp_path / "h.csv")])
    assert run.exit_code == 3
    text = " ".join(run.output.split())
    assert "Error:" in text and "line 3" in text and "'nope'" in text and "Traceback" not in text
    good = _csv(tmp_path, "2024-01-05,A US,F1\n", "g.csv")
    run = CliRunner().invoke(app, ["history", str(good), "--out", str(good)])
    assert run.exit_code == 2 and "also an input" in " ".join(run.output.split())
    run = CliRunner().invoke(app, ["history", str(good)])
    assert run.exit_code == 2 and "--out" in run.output
    run = CliRunner().invoke(app, ["history", str(good), str(good), "--at", "2024-01-05"])
    assert run.exit_code == 2
    run = CliRunner().invoke(app, ["history", str(good), "--at", "2024-01-05"])
    assert run.exit_code == 3 and "not a history file" in " ".join(run.output.split())
    assert good.read_text(encoding="utf-8") == HEADER + "2024-01-05,A US,F1\n"


def test_bom_semicolons_crlf_and_gzip_are_read(tmp_path: Path) -> None:
    import gzip

    raw = b"\xef\xbb\xbfdate;numerai_ticker;composite_figi\r\n"
    raw += b"2024-01-05;A US;F1\r\n2024-01-12;A US;F2\r\n"
    plain, packed = tmp_path / "u.csv", tmp_path / "u.csv.gz"
    plain.write_bytes(raw)
    packed.write_bytes(gzip.compress(raw))
    for path in (plain, packed):
        result = build_history([path])
        assert result.events[["event", "previous"]].to_numpy().tolist() == [["ticker_reused", "F1"]]
