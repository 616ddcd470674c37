"""``tickermap validate``: every check a community map can fail offline, as one findings table.

:func:`validate_map` takes a :class:`~tickermap.maps.load.LoadedMap` and returns a
:class:`ValidationReport` whose ``findings`` frame has one row per finding (see
:data:`FINDINGS` for the types, from :mod:`tickermap.reasons`). It never stops on a bad row:
bad rows are findings. The per-row facts the checks rest on are :mod:`tickermap.maps.facts`
(re-exported here).
Cross-row checks that compare company names live in :mod:`tickermap.maps._groups`.

No network, no printing, no file writing here (the CLI renders and writes).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from tickermap import columns as C
from tickermap.maps._groups import name_conflicts, names_on_many_tickers
from tickermap.maps.facts import (
    ID_COLUMNS,
    OFFSHORE_DOMICILES,
    IsinCountryFact,
    MapFacts,
    NameSpreadFact,
    isin_country_facts,
    isin_country_table,
    map_facts,
    name_spread_facts,
)
from tickermap.maps.load import LoadedMap, Namespace, Preset, load_map
from tickermap.progress import Progress, ensure
from tickermap.reasons import FINDINGS, Finding

__all__ = [
    "FINDINGS",
    "FINDING_COLUMNS",
    "OFFSHORE_DOMICILES",
    "IsinCountryFact",
    "MapFacts",
    "NameSpreadFact",
    "Severity",
    "ValidationReport",
    "isin_country_facts",
    "map_facts",
    "name_spread_facts",
    "validate_file",
    "validate_map",
]

logger = logging.getLogger(__name__)

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


FINDING_COLUMNS = (
    "finding",
    "severity",
    C.BLOOMBERG_TICKER,
    C.SOURCE_ROW,
    "column",
    "value",
    "detail",
    "evidence",
    "exchange",
)
"""Columns of :attr:`ValidationReport.findings`, in order."""


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What :func:`validate_map` found.

    Attributes:
        findings: one row per finding, columns :data:`FINDING_COLUMNS`, sorted by severity.
        rows: number of map rows checked.
        preset: the preset the map was read with.
        path: the map file.
        seconds: wall time of the checks.
    """

    findings: pd.DataFrame
    rows: int
    preset: str
    path: Path
    seconds: float

    @property
    def has_errors(self) -> bool:
        """Whether any finding has severity ``error``."""
        return bool((self.findings["severity"] == "error").any())

    def counts_by_finding(self) -> pd.DataFrame:
        """Findings and distinct rows per (finding, severity), most severe first."""
        f = self.findings
        if f.empty:
            return pd.DataFrame(columns=["finding", "severity", "findings", "rows"])
        grouped = f.groupby(["finding", "severity"], sort=False)
        out = grouped.agg(findings=("detail", "size"), rows=(C.SOURCE_ROW, "nunique")).reset_index()
        rank = out["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
        order = np.lexsort((-out["findings"].to_numpy(), rank.to_numpy()))
        return out.iloc[order].reset_index(drop=True)

    def counts_by_exchange(self) -> pd.DataFrame:
        """Number of findings per exchange code (rows) and severity (columns), plus ``total``."""
        f = self.findings.assign(exchange=self.findings["exchange"].fillna("?"))
        table = pd.crosstab(f["exchange"], f["severity"])
        table = table.reindex(columns=[s for s in SEVERITIES], fill_value=0)
        table["total"] = table.sum(axis=1)
        return table.sort_values("total", ascending=False)


def _findings(
    rows: pd.DataFrame,
    finding: Finding,
    severity: Severity | pd.Series,
    column: str,
    value: pd.Series | str,
    detail: pd.Series | str,
    evidence: pd.Series | str,
) -> pd.DataFrame:
    """Build finding rows for the map rows ``rows`` (index-aligned Series or scalars)."""
    return pd.DataFrame(
        {
            "finding": str(finding),
            "severity": severity,
            C.BLOOMBERG_TICKER: rows[C.BLOOMBERG_TICKER],
            C.SOURCE_ROW: rows[C.SOURCE_ROW],
            "column": column,
            "value": value,
            "detail": detail,
            "evidence": evidence,
            "exchange": rows["_code"],
        },
        index=rows.index,
    )


def _identifier_findings(
    frame: pd.DataFrame, checks: dict[str, pd.DataFrame]
) -> list[pd.DataFrame]:
    out = []
    for column, _ in ID_COLUMNS:
        res = checks[column]
        bad = ~res["valid"] & (res["reason"] != "empty").fillna(False)
        if not bad.any():
            continue
        damaged = bad & (res["reason"] == "spreadsheet_damage")
        kinds: tuple[tuple[pd.Series, Finding, Severity], ...] = (
            (bad & ~damaged, Finding.INVALID_IDENTIFIER, "error"),
            (damaged, Finding.SPREADSHEET_DAMAGE, "warning"),
        )
        for mask, finding, severity in kinds:
            rows = frame[mask]
            if len(rows):
                evidence = "reason=" + res.loc[mask, "reason"]
                out.append(
                    _findings(rows, finding, severity, column, rows[column],
                              res.loc[mask, "detail"], evidence)
                )  # fmt: skip
    return out


def _country_findings(frame: pd.DataFrame, isin: pd.Series) -> list[pd.DataFrame]:
    table = isin_country_table(frame, isin)
    out = []
    for finding, part in (
        (Finding.ISIN_COUNTRY_MISMATCH, table[~table["explainable"].astype(bool)]),
        (Finding.ISIN_COUNTRY_EXPLAINABLE, table[table["explainable"].astype(bool)]),
    ):
        if len(part):
            out.append(
                _findings(frame.loc[part.index], finding, part["severity"], C.ISIN,
                          part[C.ISIN], part["detail"], part["evidence"])
            )  # fmt: skip
    return out


def _ticker_findings(frame: pd.DataFrame, parsed: pd.DataFrame) -> list[pd.DataFrame]:
    out = []
    error = parsed["error"]
    for finding, mask in (
        (Finding.NO_EXCHANGE_CODE, error == "no_exchange_code"),
        (Finding.BAD_TICKER, error.notna() & (error != "no_exchange_code")),
    ):
        mask = mask.fillna(False)
        if mask.any():
            rows = frame[mask]
            out.append(
                _findings(rows, finding, "error", C.BLOOMBERG_TICKER,
                          rows[C.BLOOMBERG_TICKER].fillna(""), parsed.loc[mask, "message"],
                          "parse error=" + error[mask])
            )  # fmt: skip
    canonical = parsed[C.BLOOMBERG_TICKER]
    dup = canonical.notna() & canonical.duplicated(keep=False)
    if dup.any():
        rows = frame[dup]
        spelled = (
            rows[C.SOURCE_ROW]
            .astype(str)
            .where(
                rows[C.BLOOMBERG_TICKER] == canonical[dup],
                rows[C.SOURCE_ROW].astype(str) + " as " + rows[C.BLOOMBERG_TICKER].map(repr),
            )
        )
        lines = spelled.groupby(canonical[dup]).agg(list)
        data_cols = [c for c in C.CANONICAL_MAP_COLUMNS if c not in (C.SOURCE, C.SOURCE_ROW)]
        same = frame.loc[dup, data_cols].fillna("").astype(str).agg("|".join, axis=1)
        identical = same.groupby(canonical[dup]).transform("nunique") == 1
        evidence = [
            "also on line(s) " + ", ".join(x for x in lines[t] if x != own)
            for t, own in zip(canonical[dup], spelled, strict=True)
        ]
        detail = (
            "ticker " + canonical[dup] + " is on "
            + canonical[dup].map(canonical[dup].value_counts()).astype(str) + " rows"
            + identical.map({True: " (identical rows)", False: " with different contents"})
        )  # fmt: skip
        out.append(
            _findings(rows, Finding.DUPLICATE_TICKER, "error", C.BLOOMBERG_TICKER, canonical[dup],
                      detail, pd.Series(evidence, index=rows.index, dtype="str"))
        )  # fmt: skip
    return out


def validate_map(loaded: LoadedMap, *, progress: Progress | None = None) -> ValidationReport:
    """Run every offline check on a loaded community map.

    Args:
        loaded: the map from :func:`tickermap.maps.load.load_map`.
        progress: receives one step per check.

    Returns:
        The :class:`ValidationReport`; findings are data, so this never raises for bad rows.
    """
    started = time.perf_counter()
    bar = ensure(progress)
    bar.start("validate", total=6)
    facts = map_facts(loaded)
    frame, checks = facts.frame, facts.checks
    parts = _ticker_findings(frame, facts.parsed)
    bar.advance()
    parts += _identifier_findings(frame, checks)
    bar.advance()
    valid = facts.valid
    parts += _country_findings(frame, valid[C.ISIN])
    bar.advance()
    for column, _ in ID_COLUMNS:
        conflicts = name_conflicts(frame, valid[column], column)
        if len(conflicts):
            severity = conflicts["same_exchange"].map({True: "warning", False: "error"})
            parts.append(
                _findings(frame.loc[conflicts.index], Finding.IDENTIFIER_NAME_CONFLICT, severity,
                          column, valid[column][conflicts.index], conflicts["detail"],
                          conflicts["evidence"])
            )  # fmt: skip
    bar.advance()
    many = names_on_many_tickers(frame, valid)
    if len(many):
        parts.append(
            _findings(frame.loc[many.index], Finding.NAME_ON_MANY_TICKERS, "warning", C.NAME,
                      frame.loc[many.index, C.NAME], many["detail"], many["evidence"])
        )  # fmt: skip
    bar.advance()
    findings = _assemble(parts)
    bar.advance()
    bar.finish()
    seconds = time.perf_counter() - started
    logger.info("validated %d rows in %.2fs: %d findings", len(frame), seconds, len(findings))
    return ValidationReport(findings, len(frame), loaded.preset, loaded.path, seconds)


def _assemble(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        empty = {
            c: pd.Series(dtype="int64" if c == C.SOURCE_ROW else "str") for c in FINDING_COLUMNS
        }
        return pd.DataFrame(empty)
    findings = pd.concat(parts, ignore_index=True)[list(FINDING_COLUMNS)]
    for col in FINDING_COLUMNS:
        if col != C.SOURCE_ROW:
            findings[col] = findings[col].astype("str")
    rank = findings["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    findings = findings.assign(_rank=rank).sort_values(
        ["_rank", "finding", C.SOURCE_ROW], kind="stable"
    )
    return findings.drop(columns="_rank").reset_index(drop=True)


def validate_file(
    path: str | Path,
    *,
    preset: Preset | None = None,
    columns: dict[str, str] | None = None,
    namespace: Namespace | None = None,
    progress: Progress | None = None,
    out: str | Path | None = None,
) -> ValidationReport:
    """Load a community map (see :func:`tickermap.maps.load.load_map`) and validate it.

    With ``out``, the findings are also written there (atomically); ``namespace`` overrides the
    one the ticker column's name implies.

    Raises:
        MappingFileError: the file cannot be read as a map (missing columns, empty, ...).
        ConfigError: unknown preset or bad ``columns``.
    """
    loaded = load_map(path, preset=preset, columns=columns, namespace=namespace)
    report = validate_map(loaded, progress=progress)
    if out is not None:
        from tickermap.tables import write_table

        write_table(report.findings, out)
    return report
