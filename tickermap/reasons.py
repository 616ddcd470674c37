"""The one vocabulary of status and reason codes, with each code's severity and meaning.

Reconcile gives every claim and every universe row a list of :class:`Reason` codes; a row's
``status`` is its worst reason (members are declared worst first). What the rest of the package
needs to know about a code comes from :data:`REASONS`, so these sets are derived, never listed
again:

- :data:`SEVERITY`: every code, worst first (the status order);
- :data:`EXCLUDED_FROM_JOINS`: statuses whose keys would attach another security's data;
- :data:`EVENTS`: corporate events (delisted, renamed, reused), listed by ``tickermap audit``;
- :data:`INJECTABLE`: the errors the labelled test bed injects, in its injection cycle;
- :data:`KEYS_USABLE`: statuses whose claimed identifiers still describe the ticker's security;
- :data:`UNRESOLVED`: statuses for which nobody can say which security the ticker is.

The README's reason table is :func:`markdown_table` (a test keeps them equal) and the HTML report's
legend is :func:`legend`. :class:`Finding` is the same for ``tickermap validate``'s finding types.
This module imports nothing from tickermap.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

__all__ = [
    "EVENTS",
    "EXCLUDED_FROM_JOINS",
    "FINDINGS",
    "INJECTABLE",
    "KEYS_USABLE",
    "REASONS",
    "SEVERITY",
    "UNRESOLVED",
    "Finding",
    "Kind",
    "Reason",
    "ReasonInfo",
    "legend",
    "markdown_table",
    "sort_reasons",
    "worst",
]


class _Code(str, Enum):
    """A ``str`` whose text is the code itself (``f"{Reason.OK}" == "ok"``, also in JSON)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Reason(_Code):
    """Every reconcile reason and status code, worst first."""

    FIGI_OTHER_SECURITY = "figi_other_security"
    TICKER_REUSED = "ticker_reused"
    ISIN_CONFLICT = "isin_conflict"
    WRONG_LISTING = "wrong_listing"
    WRONG_SHARE_CLASS = "wrong_share_class"
    FIGI_UNKNOWN = "figi_unknown"
    FIGI_INVALID = "figi_invalid"
    INVALID_TICKER = "invalid_ticker"
    ISIN_INVALID = "isin_invalid"
    NAME_CONFLICT = "name_conflict"
    OUTVOTED = "outvoted"
    DISPUTED = "disputed"
    AMBIGUOUS = "ambiguous"
    DELISTED = "delisted"
    RENAMED = "renamed"
    NO_DATA = "no_data"
    UNVERIFIED = "unverified"
    CORROBORATED = "corroborated"
    OK = "ok"


Kind = Literal["error", "event", "unresolved", "unchecked", "ok"]
"""What a code says: the map row is wrong (``error``); a corporate event happened and the row
was right once (``event``); nobody can say which security the ticker is (``unresolved``);
OpenFIGI was not asked (``unchecked``); all agree (``ok``)."""


@dataclass(frozen=True, slots=True)
class ReasonInfo:
    """What one code means.

    Attributes:
        kind: see :data:`Kind`.
        meaning: one line, as the README and the report legend show it.
        excluded_from_joins: an exposure run never joins a row with this status.
        inject: the position in the test bed's injection cycle, None if never injected.
    """

    kind: Kind
    meaning: str
    excluded_from_joins: bool = False
    inject: int | None = None


R = Reason
REASONS: dict[Reason, ReasonInfo] = {
    R.FIGI_OTHER_SECURITY: ReasonInfo(
        "error", "the claimed FIGI is another company's (names disagree)", True, 2
    ),
    R.TICKER_REUSED: ReasonInfo(
        "event",
        "the ticker now belongs to another company; the row describes its previous holder",
        True,
        8,
    ),
    R.ISIN_CONFLICT: ReasonInfo(
        "error",
        "the ISIN does not lead to the ticker's security (offline: its home listing in the "
        "same map is another company, or it comes from another numeric market)",
        True,
        5,
    ),
    R.WRONG_LISTING: ReasonInfo(
        "error", "the right share class, but another exchange's composite", True, 3
    ),
    R.WRONG_SHARE_CLASS: ReasonInfo("error", "the same issuer, another share class", True, 4),
    R.FIGI_UNKNOWN: ReasonInfo("error", "a valid FIGI that OpenFIGI does not know", inject=1),
    R.FIGI_INVALID: ReasonInfo("error", "a FIGI fails its check digit or format rules", inject=0),
    R.INVALID_TICKER: ReasonInfo("error", "the ticker cannot be parsed, or OpenFIGI rejects it"),
    R.ISIN_INVALID: ReasonInfo("error", "the ISIN fails its check digit or format rules"),
    R.NAME_CONFLICT: ReasonInfo(
        "error",
        "identifiers agree but the name is another company's (or one name on many unrelated "
        "tickers)",
        inject=6,
    ),
    R.OUTVOTED: ReasonInfo(
        "error",
        "this witness's value lost the weighted vote of the other witnesses (the witness is "
        "wrong; the row keeps the consensus and is not judged by this claim)",
    ),
    R.DISPUTED: ReasonInfo(
        "unresolved",
        "offline, another witness gives the ticker a different ISIN or FIGI and the vote cannot "
        "decide (one of the files is wrong; OpenFIGI would tell which)",
    ),
    R.AMBIGUOUS: ReasonInfo(
        "unresolved", "several composites qualify for ticker+exchange", True, 10
    ),
    R.DELISTED: ReasonInfo(
        "event",
        "corporate event: ticker, FIGI and ISIN no longer answer and the witnesses agree (or the "
        "FIGI shows a placeholder ticker)",
        inject=9,
    ),
    R.RENAMED: ReasonInfo(
        "event", "corporate event: the FIGI now trades as another ticker", inject=7
    ),
    R.NO_DATA: ReasonInfo("unresolved", "nobody knows an identifier for the ticker", inject=11),
    R.UNVERIFIED: ReasonInfo(
        "unchecked",
        "offline and not in the cache: no independent witness confirms the claim, none "
        "contradicts its identifiers",
    ),
    R.CORROBORATED: ReasonInfo(
        "ok",
        "OpenFIGI not consulted, but an independent witness agrees on the ISIN or FIGI "
        "(confidence at most 0.75) or, weaker, lists the same ticker for the same company (detail "
        "`on ticker+name`, at most 0.6), and nothing contradicts them",
    ),
    R.OK: ReasonInfo("ok", "OpenFIGI and the witnesses agree"),
}
"""Every :class:`Reason` with its :class:`ReasonInfo`, worst first."""
del R

SEVERITY: tuple[Reason, ...] = tuple(Reason)
"""Every code from worst to best; a row's status is its worst reason."""

_RANK = {r: i for i, r in enumerate(SEVERITY)}

EXCLUDED_FROM_JOINS: frozenset[Reason] = frozenset(
    r for r, info in REASONS.items() if info.excluded_from_joins
)
"""Statuses whose join keys would attach another security's features."""

EVENTS: tuple[Reason, ...] = tuple(
    sorted((r for r, info in REASONS.items() if info.kind == "event"), key=str)
)
"""Corporate events rather than data errors (alphabetical, as ``tickermap audit`` lists them)."""

INJECTABLE: tuple[Reason, ...] = tuple(
    sorted(
        (r for r, info in REASONS.items() if info.inject is not None),
        key=lambda r: REASONS[r].inject or 0,
    )
)
"""The codes the labelled test bed injects, in its injection cycle."""

KEYS_USABLE: frozenset[Reason] = frozenset(
    r
    for r, info in REASONS.items()
    if info.kind in ("event", "unchecked", "ok") and not info.excluded_from_joins
)
"""Statuses whose claimed identifiers still describe the ticker's security."""

UNRESOLVED: frozenset[Reason] = frozenset(
    r for r, info in REASONS.items() if info.kind == "unresolved"
)
"""Statuses for which nobody can say which security the ticker is."""


def worst(reasons: list[Reason] | tuple[Reason, ...]) -> Reason:
    """The most severe reason (``ok`` when there are none).

    >>> str(worst([Reason.RENAMED, Reason.ISIN_CONFLICT]))
    'isin_conflict'
    """
    return min(reasons, key=_RANK.__getitem__) if reasons else Reason.OK


def sort_reasons(reasons: list[Reason] | set[Reason]) -> list[Reason]:
    """Distinct reasons, worst first."""
    return sorted(set(reasons), key=_RANK.__getitem__)


def legend() -> list[tuple[str, str, str]]:
    """``(code, severity, meaning)`` per code, worst first, for HTML legends.

    ``severity`` reads e.g. ``"1 error, never joined"``: the rank (1 is worst), the kind, and
    whether an exposure run excludes the status.
    """
    rows = []
    for rank, (reason, info) in enumerate(REASONS.items(), start=1):
        joins = ", never joined" if info.excluded_from_joins else ""
        rows.append((str(reason), f"{rank} {info.kind}{joins}", info.meaning))
    return rows


def markdown_table() -> str:
    """The README's table of reason codes (worst first), generated from :data:`REASONS`."""
    lines = ["| reason | kind | joins | meaning |", "|---|---|---|---|"]
    for reason, info in REASONS.items():
        joins = "excluded" if info.excluded_from_joins else "kept"
        lines.append(f"| `{reason}` | {info.kind} | {joins} | {info.meaning} |")
    return "\n".join(lines) + "\n"


class Finding(_Code):
    """Every finding type of ``tickermap validate`` (a map's offline checks)."""

    INVALID_IDENTIFIER = "invalid_identifier"
    SPREADSHEET_DAMAGE = "spreadsheet_damage"
    ISIN_COUNTRY_MISMATCH = "isin_country_mismatch"
    ISIN_COUNTRY_EXPLAINABLE = "isin_country_explainable"
    IDENTIFIER_NAME_CONFLICT = "identifier_name_conflict"
    NAME_ON_MANY_TICKERS = "name_on_many_tickers"
    NO_EXCHANGE_CODE = "no_exchange_code"
    BAD_TICKER = "bad_ticker"
    DUPLICATE_TICKER = "duplicate_ticker"


FINDINGS: dict[Finding, str] = {
    Finding.INVALID_IDENTIFIER: "an ISIN/FIGI fails its check (the reason code is in evidence)",
    Finding.SPREADSHEET_DAMAGE: "an identifier lost leading zeros, gained '.0' or became 1.2E+05",
    Finding.ISIN_COUNTRY_MISMATCH: "the ISIN's country is not the exchange's country, unexplained",
    Finding.ISIN_COUNTRY_EXPLAINABLE: "ISIN country differs, but by an offshore domicile, a US "
    "listing of a foreign issuer or a Chinese H share",
    Finding.IDENTIFIER_NAME_CONFLICT: "rows sharing an ISIN/FIGI/composite/share class name "
    "different companies",
    Finding.NAME_ON_MANY_TICKERS: "one company name on 3+ tickers that share no identifier",
    Finding.NO_EXCHANGE_CODE: "the ticker has no exchange code (e.g. '1538')",
    Finding.BAD_TICKER: "the ticker cannot be parsed (empty, unknown code, bad characters)",
    Finding.DUPLICATE_TICKER: "the same ticker is on more than one row",
}
"""Every finding type and what it means (the README's validate table lists the same)."""
