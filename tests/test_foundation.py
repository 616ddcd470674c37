"""The package skeleton: settings, errors, table I/O and the CLI's error handling."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap import errors
from tickermap.cli import app
from tickermap.config import DEFAULT_OPENFIGI_URL, Settings
from tickermap.tables import read_table, require_columns, write_table


def test_settings_from_env_reads_every_variable(tmp_path: Path) -> None:
    env = {
        "OPENFIGI_API_KEY": "secret-key-123",
        "TICKERMAP_OPENFIGI_URL": "http://127.0.0.1:9/",
        "TICKERMAP_CACHE_DIR": str(tmp_path),
        "TICKERMAP_MAX_AGE_DAYS": "7",
    }
    s = Settings.from_env(env)
    assert s.api_key == "secret-key-123"
    assert s.openfigi_url == "http://127.0.0.1:9"
    assert s.cache_dir == tmp_path
    assert s.max_age_days == 7
    assert "secret-key-123" not in repr(s)


def test_settings_defaults_and_xdg(tmp_path: Path) -> None:
    s = Settings.from_env({"XDG_CACHE_HOME": str(tmp_path)})
    assert s.openfigi_url == DEFAULT_OPENFIGI_URL
    assert s.cache_dir == tmp_path / "tickermap"
    assert s.api_key is None and not s.has_key


def test_settings_rejects_bad_numbers() -> None:
    with pytest.raises(errors.ConfigError, match="TICKERMAP_MAX_AGE_DAYS"):
        Settings.from_env({"TICKERMAP_MAX_AGE_DAYS": "soon"})


def test_override_ignores_none() -> None:
    s = Settings(openfigi_url="http://a").with_overrides(openfigi_url=None, max_age_days=2.0)
    assert (s.openfigi_url, s.max_age_days) == ("http://a", 2.0)


def test_every_error_has_a_distinct_documented_exit_code() -> None:
    codes = {
        errors.ConfigError: 2,
        errors.InputError: 3,
        errors.AuthError: 4,
        errors.OpenFigiError: 5,
        errors.OfflineMiss: 6,
        errors.CacheError: 7,
        errors.DownloadError: 8,
        errors.AnalysisError: 9,
    }
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for cls, code in codes.items():
        assert cls.exit_code == code
        assert f"| {code} |" in readme


def test_input_error_names_file_line_column_value(tmp_path: Path) -> None:
    exc = errors.InputError("bad", path=tmp_path / "f.csv", line=3, column="isin", value="X1")
    assert str(exc) == f"{tmp_path / 'f.csv'}, line 3, column 'isin', value 'X1': bad"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_then_read_roundtrip(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {"bloomberg_ticker": ["AAPL US", "000660 KS"], "isin": ["US0378331005", None]}
    )
    path = write_table(frame, tmp_path / f"out{suffix}")
    back = read_table(path)
    assert list(back["bloomberg_ticker"]) == ["AAPL US", "000660 KS"]
    assert back["isin"].isna().tolist() == [False, True]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_csv_keeps_leading_zeros(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("bloomberg_ticker,x\n000660 KS,007\n")
    assert read_table(tmp_path / "t.csv")["x"].tolist() == ["007"]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "empty"),
        (b"a,b\n1,2\n\xff\xfe,3\n", "not UTF-8"),
        (b"a,b,a\n1,2,3\n", "repeats column 'a'"),
        (b"PAR1garbage", "Parquet file with a CSV name"),
    ],
    ids=["empty", "undecodable", "duplicate-header", "parquet-named-csv"],
)
def test_bad_csv_gives_clear_input_error(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(errors.InputError, match=match) as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_semicolon_csv_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_bytes(b"ticker;isin\nAAPL US;US0378331005\n")
    assert read_table(path).to_dict("records") == [{"ticker": "AAPL US", "isin": "US0378331005"}]


def test_undecodable_byte_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,2\n\xff,3\n")
    with pytest.raises(errors.InputError) as info:
        read_table(path)
    assert info.value.line == 3


def test_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(errors.InputError, match="not a Parquet file"):
        read_table(path)


def test_missing_file_and_columns(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(errors.InputError, match="missing required column"):
        require_columns(pd.DataFrame({"a": [1]}), ["bloomberg_ticker"], path="x.csv")


def test_cli_version_and_help() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert "tickermap 0.1.0" in result.output


def test_every_command_has_help_with_an_example() -> None:
    import typer.main

    group = typer.main.get_command(app)
    names: list[list[str]] = []

    def walk(cmd: object, prefix: list[str]) -> None:
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                walk(child, [*prefix, name])
        else:
            names.append(prefix)

    walk(group, [])
    for path in names:
        if not path:
            continue
        result = CliRunner().invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"{' '.join(path)} --help has no Example"


def test_input_error_render_and_locate() -> None:
    from tickermap.errors import InputError

    exc = InputError("bad value", line=3, column="x", value="q")
    assert exc.render() == str(exc) == "line 3, column 'x', value 'q': bad value"
    exc.locate("u.csv")
    assert str(exc) == "u.csv, line 3, column 'x', value 'q': bad value"
    exc.locate("other.csv")  # a known file is never replaced
    assert str(exc).startswith("u.csv, ")
