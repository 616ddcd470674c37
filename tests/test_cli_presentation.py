"""How the CLI reads at 80 columns: help texts, result tables, error lines, --strict."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tickermap.cli import app
from tickermap.cli._app import table
from tickermap.resources import sample_path

COMMANDS = [[], ["demo"], ["emulator"], ["exposure"], ["features"], ["reconcile"], ["resolve"],
            ["symbols"], ["validate"], ["mappings"], ["mappings", "show"], ["mappings", "fetch"],
            ["mappings", "list"], ["audit"], ["audit", "delisted"]]  # fmt: skip


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "tickermap")
def test_help_at_80_columns_wraps_and_never_cuts(words: list[str]) -> None:
    res = CliRunner().invoke(app, [*words, "--help"], terminal_width=80, env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    text = res.output
    assert max(len(line) for line in text.splitlines()) <= 80
    cut = [line for line in text.splitlines() if line.rstrip().endswith(("…", "..."))]
    assert [line for line in cut if "[ARGS]..." not in line] == []
    assert "<bool>" not in text and "{" not in text.splitlines()[0]
    usage = text.splitlines()[0]
    assert usage.startswith("Usage: tickermap")
    for word in re.findall(r"\b[a-z]+\b", usage.split("[OPTIONS]", 1)[-1]):
        pytest.fail(f"lower-case argument {word!r} in the usage line: {usage}")


def test_every_option_name_appears_whole() -> None:
    res = CliRunner().invoke(app, ["resolve", "--help"], terminal_width=80)
    for name in ("--jobs-per-request", "--openfigi-url", "--cache-dir", "--max-age", "--offline"):
        assert name in res.output
    assert "TICKERMAP_OPENFIGI_URL" in res.output
    flags = CliRunner().invoke(app, ["--help"], terminal_width=80).output
    assert re.search(r"-v, --verbose\s+Log debug", flags)


def test_result_tables_fold_long_names_instead_of_cutting() -> None:
    view = table("exposure", "feature", "mean", right=("mean",))
    for name in ("price_rank_country", "price_to_52w_high", "volume_volatility_to_price"):
        view.add_row(name, "+0.123")
    buf = io.StringIO()
    Console(file=buf, width=24, color_system=None).print(view)
    text = buf.getvalue()
    assert "…" not in text
    chrome = r"[│┃┏┓┗┛━─┡┩└┘╇╋┳┻┴ ]|\+0\.123"
    cells = "".join(re.sub(chrome, "", line) for line in text.splitlines())
    for name in ("price_rank_country", "price_to_52w_high", "volume_volatility_to_price"):
        assert name.replace("_", "") in cells.replace("_", "")


def test_validate_strict_prints_an_error_line_and_exits_10(tmp_path) -> None:
    out = tmp_path / "f.csv"
    res = CliRunner().invoke(
        app, ["validate", str(sample_path("community_map.csv")), "--strict", "--out", str(out)]
    )
    assert res.exit_code == 10, res.output
    lines = [line for line in res.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "error-severity findings" in lines[0] and str(out) in lines[0]
    assert out.exists()
    assert (
        CliRunner().invoke(app, ["validate", str(sample_path("community_map.csv"))]).exit_code == 0
    )


def test_long_error_messages_are_not_hard_wrapped(tmp_path) -> None:
    missing = tmp_path / ("a-rather-long-folder-name-" * 4) / "universe-file-that-is-missing.csv"
    res = CliRunner().invoke(app, ["symbols", str(missing), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code != 0
    error = next(line for line in res.output.splitlines() if line.startswith("Error:"))
    assert str(missing) in error and len(error) > 80
