"""Report building blocks without a browser: ticks, run details, totals, empty sections."""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from pathlib import Path

import pytest

from tickermap.charts import hbars, lines, nice_ticks
from tickermap.config import DEFAULT_OPENFIGI_URL, Settings
from tickermap.pages import data_table, or_none
from tickermap.reconcile.run_info import file_sha256, openfigi_mode


@pytest.mark.parametrize(("lo", "hi"), [(0, 1), (0, 7), (0, 64), (0, 1234), (3, 3), (0, 0)])
def test_count_ticks_are_whole_numbers_covering_the_range(lo: float, hi: float) -> None:
    ticks = nice_ticks(lo, hi, integer=True)
    assert all(isinstance(t, int) for t in ticks)
    assert ticks[0] <= lo and ticks[-1] >= hi and len(ticks) >= 2
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and steps.pop() >= 1


def test_float_ticks_are_round_steps() -> None:
    ticks = nice_ticks(-0.53, 0.48)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 5)
    assert ticks[0] <= -0.53 and ticks[-1] >= 0.48


def test_charts_label_their_axes() -> None:
    svg = hbars(["US", "KS"], [("ok", [3, 2], "#000"), ("flagged", [1, 0], "#f00")],
                title="T", xlabel="tickers")  # fmt: skip
    assert ">tickers</text>" in svg and ">ok</text>" in svg and ">flagged</text>" in svg
    assert ">4</text>" in svg  # the stacked total of US
    svg = lines(["2024-01-05", "2024-01-12"], [("c", [0.9, None], "#000")], title="C",
                ylabel="rows joined", hlines=[(0.8, "80%")], percent=True)  # fmt: skip
    assert ">rows joined</text>" in svg and ">date</text>" in svg and ">80%</text>" in svg


def test_file_hash_matches_hashlib(tmp_path: Path) -> None:
    f = tmp_path / "u.csv"
    f.write_bytes(b"bloomberg_ticker\nAAPL US\n" * 1000)
    size, digest = file_sha256(f)
    assert size == f.stat().st_size and digest == hashlib.sha256(f.read_bytes()).hexdigest()


def test_openfigi_mode_names_the_source() -> None:
    assert "public API" in openfigi_mode(DEFAULT_OPENFIGI_URL, offline=False)
    assert "local" in openfigi_mode("http://127.0.0.1:8765", offline=False)
    assert "cache only" in openfigi_mode(Settings().openfigi_url, offline=True)
    assert "not the public API" in openfigi_mode("https://figi.example.org", offline=False)


def test_data_table_keeps_every_row_and_escapes() -> None:
    import pandas as pd

    frame = pd.DataFrame({"t": [f"T{i}" for i in range(500)] + ["<b>x</b>"], "n": range(501)})
    html = data_table(frame, table_id="x", filters=[("t", ["T1"])])
    assert html.count("<tr>") == 502 and "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
    assert or_none("<table></table>", True) == "<p class='none'>none</p>"


def test_report_totals_cover_every_exchange_and_say_none(tmp_path: Path) -> None:
    from dataclasses import replace

    import pandas as pd

    from tickermap.demo import run_demo
    from tickermap.reconcile.html import render_report

    done = run_demo(tmp_path / "demo")
    universe = pd.read_csv(done.reconciled.universe_path, dtype=str, keep_default_na=False)
    page = done.reconciled.report_path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    totals = page[page.index('id="exchanges"') : page.index('id="universe-h"')]
    exchanges = Counter(universe["exch_code"])
    assert len(exchanges) > 5
    for exch, n in exchanges.items():
        ok = int(((universe["exch_code"] == exch) & (universe["status"] == "ok")).sum())
        assert f'<td>{exch}</td><td class="num">{n}</td><td class="num">{ok}</td>' in totals
    # run details name every input with its sha256 (computed here independently)
    from tickermap.resources import sample_path

    for name in ("universe.csv", "community_map.csv", "community_map_yahoo.csv"):
        assert hashlib.sha256(sample_path(name).read_bytes()).hexdigest() in page
    # an empty section says "none"
    result = done.reconciled.result
    empty = replace(result, disagreements=result.disagreements.iloc[0:0])
    quiet = render_report(empty)
    part = quiet[quiet.index('id="disagree"') : quiet.index('id="evidence"')]
    assert "none: the maps agree on every ticker" in part and "<table>" not in part


def test_date_labels_are_evenly_spaced() -> None:
    """Weekly dates get labels at even steps (no 1-week gap beside a 2-week one)."""
    import itertools
    import re

    days = [f"2020-{m:02d}-{d:02d}" for m, d in [(1, 3), (1, 10), (1, 17), (1, 24), (1, 31),
                                                   (2, 7), (2, 14), (2, 21)]]  # fmt: skip
    svg = lines(days, [("c", [0.1 * i for i in range(8)], "#000")], title="C", ylabel="y")
    shown = re.findall(r">(2020-\d\d-\d\d)<", svg)
    picks = [days.index(d) for d in shown]
    steps = {b - a for a, b in itertools.pairwise(picks)}
    assert picks[0] == 0 and len(steps) == 1, shown
