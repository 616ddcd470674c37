"""diagnostics --report: the page shows the run's own numbers (read back from the HTML and
compared with the CSV outputs), the rules' verdicts, charts over time, and every date."""

from __future__ import annotations

import math
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests._diagnostics_data import make_inputs
from tickermap.cli import app
from tickermap.diagnostics.html import html_page, show_number
from tickermap.diagnostics.run import DiagnosticsReport
from tickermap.diagnostics.summary import apply_rules, summarize

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")


class _Tables(HTMLParser):
    """Every ``<table id=...>``: header and cell texts; the ids of the enclosing divs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.classes: dict[str, list[str]] = {}
        self.svg_titles: list[str] = []
        self._divs: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._in_svg_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "div":
            self._divs.append(a.get("class") or "")
        elif tag == "table" and a.get("id"):
            self._table = str(a["id"])
            self.tables[self._table] = []
            self.classes[self._table] = list(self._divs)
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "text" and a.get("font-weight") == "bold":
            self._in_svg_text = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "text":
            self._in_svg_text = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_svg_text:
            self.svg_titles.append(data)


def _parse(page: str) -> _Tables:
    p = _Tables()
    p.feed(page)
    return p


def _rows(p: _Tables, table: str) -> pd.DataFrame:
    head, *body = p.tables[table]
    return pd.DataFrame(body, columns=head)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("report")
    args = ["diagnostics", "--out", str(tmp / "d.csv"), "--report", str(tmp / "d.html")]
    for name, frame in make_inputs(3, holes=False, n_dates=9).items():
        frame.to_parquet(tmp / f"{name}.parquet", index=False)
        option = "--signal" if name == "signal" else f"--{name.replace('_', '-')}"
        args += [option, str(tmp / f"{name}.parquet")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return tmp, (tmp / "d.html").read_text(encoding="utf-8")


def _close(shown: str, value: float) -> bool:
    if not shown:
        return math.isnan(value)
    return math.isclose(float(shown), value, rel_tol=5e-4, abs_tol=1e-12)


def test_summary_shows_the_summary_file(run: tuple[Path, str]) -> None:
    tmp, page = run
    summary = pd.read_csv(tmp / "d.summary.csv")
    shown = _rows(_parse(page), "summary")
    assert list(shown["metric"]) == list(summary["metric"])
    for col, src in [("mean", "mean"), ("std", "std"), ("latest", "latest")]:
        for text, value in zip(shown[col], summary[src], strict=True):
            assert _close(text, value), (col, text, value)
    alpha = shown.set_index("metric").at["alpha", "mean"]
    assert float(alpha) != 0  # 4 significant digits, never 0.0000
    assert list(shown["dates"].astype(int)) == list(summary["n_dates"])


def test_rules_say_pass_or_fail_with_their_source(run: tuple[Path, str]) -> None:
    tmp, page = run
    rules = pd.read_csv(tmp / "d.rules.csv")
    shown = _rows(_parse(page), "rules")
    assert list(shown["rule"]) == list(rules["rule"])
    for verdict, over, rule in zip(
        shown["verdict (latest date)"], rules["latest_over"], rules["rule"], strict=True
    ):
        fail = "PENALISED" if rule.startswith("neutral_churn") else "FAIL"
        assert verdict == (fail if over else "pass")
    assert list(shown["source"]) == list(rules["source"])
    assert list(shown["as of"]) == list(rules["as_of"].astype(str))


def test_every_date_in_a_scrolling_table(run: tuple[Path, str]) -> None:
    tmp, page = run
    per = pd.read_csv(tmp / "d.csv")
    p = _parse(page)
    shown = _rows(p, "per_date")
    assert list(shown["date"]) == list(per["date"].astype(str).str[:10])
    assert any("scroll" in c for c in p.classes["per_date"])
    for text, value in zip(shown["alpha"], per["alpha"], strict=True):
        assert _close(text, value)


def test_charts_over_time_and_thresholds(run: tuple[Path, str]) -> None:
    _, page = run
    titles = _parse(page).svg_titles
    for t in ("correlation per date", "cumulative correlation (sum over dates)", "MMC per date"):
        assert t in titles, titles
    assert any(t.startswith("alpha per date (x 1e-") for t in titles), titles
    assert "churn and neutral_churn per date" in titles and "turnover per date" in titles
    assert "churn limit 15%" in page and "turnover limit 25%" in page
    assert "<script" in page and 'src="http' not in page and "href='http" not in page


def _report(n_dates: int, metrics: dict[str, float]) -> DiagnosticsReport:
    rng = np.random.default_rng(n_dates)
    per = pd.DataFrame({"date": pd.date_range("2024-01-05", periods=n_dates, freq="7D")})
    per["n_signal"] = 500
    for m, scale in metrics.items():
        per[m] = rng.normal(scale, abs(scale), n_dates)
    per["reasons"] = "ok"
    return DiagnosticsReport(
        per_date=per,
        summary=summarize(per, list(metrics)),
        rules=apply_rules(per),
        notes=["targets: 3 <signal> rows have no targets row"],
        id_col="numerai_ticker",
    )


def test_few_inputs_and_one_date() -> None:
    page = html_page(_report(1, {"numerai_corr": 0.02}))
    assert "nothing to draw over time" in page and "not applied: churn and turnover" in page
    assert "&lt;signal&gt;" in page and "<signal>" not in page
    assert len(_rows(_parse(page), "per_date")) == 1


def test_tiny_and_large_numbers() -> None:
    assert show_number(2.3229e-05) == "2.323e-05" and show_number(-7.638e-07) == "-7.638e-07"
    assert show_number(0.150939) == "0.1509" and show_number(1234567.0) == "1.235e+06"
    assert show_number(float("nan")) == "" and show_number(8) == "8"
    page = html_page(_report(30, {"alpha": 3e-6, "numerai_corr": 0.01}))
    mean = _rows(_parse(page), "summary").set_index("metric").at["alpha", "mean"]
    assert float(mean) != 0 and "e-0" in mean
