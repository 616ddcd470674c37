"""audit (corporate events) and reconcile_report (the HTML report) on a real reconcile result."""

from __future__ import annotations

import base64
import re
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from tests.test_verdicts import Company, run_case
from tickermap.errors import ConfigError, InputError
from tickermap.reconcile.audit import EVENT_REASONS, audit_events, summarize_events
from tickermap.reconcile.html import render_report, write_report
from tickermap.reconcile.pipeline import ReconcileResult

UNIVERSE = ["ABC US", "RNM US", "DLS US", "REU US", "XYZ US"]


def event_world() -> tuple[list[dict], list[dict]]:
    """A world with one ok, one renamed, one delisted, one reused ticker and one bad FIGI."""
    ok = Company("ALPHA WIDGETS INC", "ABC")
    renamed = Company("RHO NAMING CORP", "RNM")
    delisted = Company("DELTA LOST INC", "DLS")
    new_holder = Company("NU HOLDER CORP", "REU")
    old_holder = Company("OMICRON OLDCO INC", "1111111D")
    other = Company("GAMMA FOODS CORP", "XYZ")
    records = (
        ok.records()
        + renamed.records(ticker="RNW")
        + delisted.records(ticker="7654321D")
        + new_holder.records()
        + old_holder.records()
        + other.records()
    )
    rows = [
        ok.row(),
        renamed.row("RNM US"),
        delisted.row("DLS US"),
        old_holder.row("REU US"),
        other.row(composite_figi=ok.composite, figi=ok.composite, share_class_figi=ok.share),
    ]
    return records, rows


@pytest.fixture
def result(make_emulator, tmp_path: Path) -> ReconcileResult:
    records, rows = event_world()
    res, _ = run_case(make_emulator, tmp_path, records, rows, UNIVERSE)
    return res


def test_events_match_a_naive_scan(result: ReconcileResult) -> None:
    universe = result.universe
    events = audit_events(universe)
    expected = sorted(
        (event, t)
        for t, reasons in zip(universe["bloomberg_ticker"], universe["reasons"], strict=True)
        for event in EVENT_REASONS
        if event in reasons.split(";")
    )
    assert sorted(zip(events["event"], events["bloomberg_ticker"], strict=True)) == expected
    assert {(e, t) for e, t in expected} >= {
        ("renamed", "RNM US"),
        ("delisted", "DLS US"),
        ("ticker_reused", "REU US"),
    }
    assert "ABC US" not in set(events["bloomberg_ticker"])
    assert "XYZ US" not in set(events["bloomberg_ticker"])
    # ordered by event then ticker
    keys = list(zip(events["event"], events["bloomberg_ticker"], strict=True))
    assert keys == sorted(keys)
    # each event carries the verdict's evidence
    detail = dict(zip(events["bloomberg_ticker"], events["detail"], strict=True))
    assert "RNW US" in detail["RNM US"]
    assert "7654321D" in detail["DLS US"]
    assert "NU HOLDER" in detail["REU US"] and "OMICRON" in detail["REU US"]
    assert all(d.startswith("map_a:") for d in events["detail"])


def test_event_filter_and_summary(result: ReconcileResult) -> None:
    only = audit_events(result.universe, events=["delisted"])
    assert only["event"].tolist() == ["delisted"]
    events = audit_events(result.universe)
    summary = summarize_events(events)
    naive = Counter(
        (e, t.rsplit(" ", 1)[1])
        for e, t in zip(events["event"], events["bloomberg_ticker"], strict=True)
    )
    got = {
        (e, x): n for e, x, n in summary[["event", "exch_code", "tickers"]].itertuples(index=False)
    }
    assert got == dict(naive)
    empty = summarize_events(events.iloc[0:0])
    assert empty.empty and list(empty.columns) == ["event", "exch_code", "tickers"]


def test_events_survive_a_csv_round_trip(result: ReconcileResult, tmp_path: Path) -> None:
    from tickermap.tables import read_table, write_table

    path = write_table(result.universe, tmp_path / "clean.csv")
    again = audit_events(read_table(path))
    before = audit_events(result.universe)
    assert again["bloomberg_ticker"].tolist() == before["bloomberg_ticker"].tolist()
    assert again["detail"].tolist() == before["detail"].tolist()


def test_not_a_reconcile_output_is_an_input_error() -> None:
    frame = pd.DataFrame({"bloomberg_ticker": ["AAA US"], "isin": ["X"]})
    with pytest.raises(InputError, match="reasons"):
        audit_events(frame)
    ok_frame = pd.DataFrame({"bloomberg_ticker": ["A US"], "reasons": ["ok"], "evidence": ["{}"]})
    with pytest.raises(ConfigError, match="unknown event"):
        audit_events(ok_frame, events=["exploded"])  # type: ignore[list-item]
    assert audit_events(ok_frame).empty


def test_broken_evidence_json_gives_empty_detail() -> None:
    frame = pd.DataFrame(
        {"bloomberg_ticker": ["A US"], "reasons": ["renamed"], "evidence": ["{not json"]}
    )
    events = audit_events(frame)
    assert events["event"].tolist() == ["renamed"] and events["detail"].tolist() == [""]


# -- the HTML report ---------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.srcs: list[str] = []
        self.hrefs: list[str] = []
        self.tags: Counter[str] = Counter()

    void = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for k, v in attrs:
            if k == "src" and v:
                self.srcs.append(v)
            if k == "href" and v:
                self.hrefs.append(v)
        if tag not in self.void:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()


def test_report_is_self_contained_html_with_matching_counts(result: ReconcileResult) -> None:
    page = render_report(result)
    assert page.startswith("<!doctype html>")
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page
    # links only inside the page, each to an element that exists; charts are inline SVG
    assert parser.hrefs and all(h.startswith("#") for h in parser.hrefs)
    assert all(f'id="{h[1:]}"' in page or f"id='{h[1:]}'" in page for h in parser.hrefs)
    assert parser.tags["svg"] >= 2
    assert all(s.startswith("data:image/png;base64,") for s in parser.srcs)
    for src in parser.srcs:
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    # counts by status: one table row per status with the naive count
    counts = Counter(result.universe["status"])
    for status, n in counts.items():
        assert re.search(rf"<td>{re.escape(status)}</td><td[^>]*>{n}</td>", page), status
    n, ok = len(result.universe), counts.get("ok", 0)
    assert f"{n} tickers" in page and f"{ok} ok" in page and f"{n - ok} flagged" in page
    assert f"{len(result.review)} claims" in page
    # the worst claims are listed with their evidence
    assert "figi_other_security" in page and "OMICRON" in page


def test_report_escapes_text_from_the_maps(result: ReconcileResult, tmp_path: Path) -> None:
    # The most suspicious claim's ticker, as a map could spell it.
    top = max(range(len(result.verdicts)), key=lambda i: result.verdicts[i].score.suspicion)
    verdicts = list(result.verdicts)
    v = verdicts[top]
    verdicts[top] = replace(v, claim=replace(v.claim, ticker="<script>alert(1)</script>"))
    hostile = ReconcileResult(
        result.rows, verdicts, result.disagreements, result.namespace, result.stats
    )
    path = write_report(tmp_path / "r.html", hostile)
    page = path.read_text(encoding="utf-8")
    # the page's own script is the only one; the map's text is escaped
    assert page.count("<script>") == 1 and "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not list(tmp_path.glob("*.tmp*"))


def test_typed_result_and_file_give_the_same_events(result: ReconcileResult) -> None:
    # The typed path reads the verdicts' evidence; the file path parses the evidence JSON.
    typed = audit_events(result)
    pd.testing.assert_frame_equal(typed, audit_events(result.universe))
    only = audit_events(result, events=["renamed"])
    assert only["event"].tolist() == ["renamed"] and only["bloomberg_ticker"].tolist() == ["RNM US"]
    with pytest.raises(ConfigError, match="unknown event"):
        audit_events(result, events=["exploded"])  # type: ignore[list-item]


def test_report_has_a_legend_of_every_reason(result: ReconcileResult) -> None:
    from tickermap.reasons import Reason, legend

    page = render_report(result)
    legend_part = page[page.index("<h2>Reason codes</h2>") :]
    for code, severity, _meaning in legend():
        assert f"<td>{code}</td><td>{severity}</td>" in legend_part
    positions = [legend_part.index(f"<td>{r.value}</td>") for r in Reason]
    assert positions == sorted(positions)  # worst first
