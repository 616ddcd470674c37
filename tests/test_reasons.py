"""reasons: one vocabulary, the sets derived from it, and every place that shows or uses the codes.

The README table, the report legend, the CLI's default events, the joins' exclusions, the audit
events, the test bed's injected kinds and validate's finding types are all checked against
``tickermap.reasons``; an AST scan keeps reason codes from coming back as string literals in the
modules that use them.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from tickermap import reasons
from tickermap.exposure.joins import DEFAULT_EXCLUDED_STATUSES
from tickermap.maps.validate import FINDINGS as VALIDATE_FINDINGS
from tickermap.reasons import REASONS, SEVERITY, Finding, Reason
from tickermap.reconcile import verdicts
from tickermap.reconcile.audit import EVENT_REASONS
from tickermap.testing.testbed import INJECTABLE

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _between(text: str, name: str) -> str:
    m = re.search(rf"<!-- BEGIN {name} -->\n(.*?)<!-- END {name} -->", text, re.S)
    assert m is not None, f"README has no {name} markers"
    return m.group(1)


def test_readme_reason_table_is_the_generated_one() -> None:
    assert _between(README, "reasons") == reasons.markdown_table()


def test_markdown_table_has_one_row_per_code_in_severity_order() -> None:
    rows = [line for line in reasons.markdown_table().splitlines() if line.startswith("| `")]
    codes = [re.match(r"\| `([a-z_]+)`", line).group(1) for line in rows]  # type: ignore[union-attr]
    assert codes == [r.value for r in Reason]
    for line, reason in zip(rows, Reason, strict=True):
        info = REASONS[reason]
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1] == info.kind
        assert cells[2] == ("excluded" if info.excluded_from_joins else "kept")
        assert cells[3] == info.meaning


def test_every_code_has_a_meaning_and_codes_are_their_text() -> None:
    assert set(REASONS) == set(Reason)
    assert list(REASONS) == list(Reason)  # the table is in severity order
    for reason, info in REASONS.items():
        assert info.meaning and "\n" not in info.meaning and "|" not in info.meaning
        assert str(reason) == f"{reason}" == reason.value
        assert reason == reason.value and hash(reason) == hash(reason.value)


def test_derived_sets_follow_the_table() -> None:
    naive_excluded = {r.value for r, i in REASONS.items() if i.excluded_from_joins}
    assert set(DEFAULT_EXCLUDED_STATUSES) == naive_excluded
    assert all(type(s) is str for s in DEFAULT_EXCLUDED_STATUSES)
    assert naive_excluded == {
        "figi_other_security",
        "ticker_reused",
        "isin_conflict",
        "wrong_listing",
        "wrong_share_class",
        "ambiguous",
    }
    assert list(EVENT_REASONS) == sorted(r.value for r, i in REASONS.items() if i.kind == "event")
    assert list(EVENT_REASONS) == ["delisted", "renamed", "ticker_reused"]
    assert verdicts.SEVERITY == SEVERITY == tuple(Reason)
    injected = [(i.inject, r) for r, i in REASONS.items() if i.inject is not None]
    assert list(INJECTABLE) == [r for _, r in sorted(injected)]
    assert sorted(i for i, _ in injected) == list(range(len(injected)))  # a full cycle
    assert {"ok", "corroborated", "renamed", "delisted", "unverified"} == reasons.KEYS_USABLE
    assert {"no_data", "ambiguous", "disputed"} == reasons.UNRESOLVED


def test_worst_matches_a_naive_scan() -> None:
    order = [r.value for r in Reason]
    for i, a in enumerate(order):
        for b in order[i:]:
            assert reasons.worst([Reason(b), Reason(a)]) == a
    assert reasons.worst([]) == "ok"
    assert reasons.sort_reasons({Reason.OK, Reason.RENAMED, Reason.ISIN_CONFLICT}) == [
        "isin_conflict",
        "renamed",
        "ok",
    ]


def test_legend_rows() -> None:
    rows = reasons.legend()
    assert [code for code, _, _ in rows] == [r.value for r in Reason]
    for rank, (code, severity, meaning) in enumerate(rows, start=1):
        info = REASONS[Reason(code)]
        assert severity.startswith(f"{rank} {info.kind}")
        assert ("never joined" in severity) == info.excluded_from_joins
        assert meaning == info.meaning


def test_audit_event_literal_is_the_events() -> None:
    from typing import get_args

    from tickermap.reconcile.audit import Event

    assert list(get_args(Event)) == list(EVENT_REASONS)


def test_cli_default_events_are_the_audit_events() -> None:
    from tickermap.cli.reconcile import audit_delisted

    default = inspect.signature(audit_delisted).parameters["events"].default.default
    assert default.split(",") == list(EVENT_REASONS)


def test_validate_findings_come_from_reasons_and_match_the_readme() -> None:
    assert VALIDATE_FINDINGS is reasons.FINDINGS
    assert set(VALIDATE_FINDINGS) == set(Finding)
    section = README[README.index("| finding | severity | what it means |") :]
    table = section[: section.index("\n\n")]
    listed = re.findall(r"^\| `([a-z_]+)` \|", table, re.M)
    assert listed == [f.value for f in Finding]


# Modules that use reason codes must name them through tickermap.reasons, never as literals.
_USERS = [
    "tickermap/reconcile/audit.py",
    "tickermap/reconcile/context.py",
    "tickermap/reconcile/events.py",
    "tickermap/reconcile/html.py",
    "tickermap/reconcile/local_evidence.py",
    "tickermap/reconcile/pipeline.py",
    "tickermap/reconcile/records.py",
    "tickermap/reconcile/rows.py",
    "tickermap/reconcile/rules.py",
    "tickermap/reconcile/verdicts.py",
    "tickermap/testing/testbed.py",
    "tickermap/exposure/joins.py",
    "tickermap/maps/validate.py",
    "tickermap/reconcile/report_data.py",
]
# Other vocabularies that happen to share a code's text: OpenFIGI outcomes (x.t_status ==
# "ambiguous"), identifier-check and ticker-parse reasons, a column named "ok", and the typing
# Literal of audit events (a type cannot be derived; test_derived_sets_follow_the_table checks it).
_SAME_TEXT = {
    "tickermap/reconcile/audit.py": {"delisted", "renamed", "ticker_reused"},
    "tickermap/reconcile/rules.py": {"ambiguous"},
    "tickermap/reconcile/verdicts.py": {"ambiguous"},
    "tickermap/reconcile/rows.py": {"ambiguous", "invalid_ticker"},
    "tickermap/exposure/joins.py": {"ok"},
    "tickermap/maps/validate.py": {"spreadsheet_damage", "no_exchange_code"},
}


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    codes = {r.value for r in Reason} | {f.value for f in Finding}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in codes
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module", _USERS)
def test_no_reason_code_as_a_string_literal(module: str) -> None:
    allowed = _SAME_TEXT.get(module, set())
    found = [(line, v) for line, v in _literals(ROOT / module) if v not in allowed]
    assert found == [], f"{module}: use tickermap.reasons instead of {found}"
