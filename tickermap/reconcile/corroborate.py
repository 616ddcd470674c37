"""Corroboration by name: an independent witness that lists the same ticker for the same company.

Offline, most witnesses carry a ticker and a company name but no identifier (FinanceDatabase has
an ISIN on a quarter of its listings), so identifier agreement (:mod:`.consensus`) leaves most
tickers ``unverified``. A weaker check still says something: two independent witnesses (two
publishers; the files of one FinanceDatabase folder are one witness) list the *same ticker* and
the *same company*: :func:`tickermap.names.match.name_evidence` is ``match`` (the calibrated
decision, lenient on legal forms), or, for a ``weak`` or ``mismatch`` pair, the normalised names
are the same once spaces go (``GCLPOLY ENERGY`` / ``GCL-Poly Energy``), one is a prefix of the
other so written (``HANA TOUR`` / ``Hanatour Service``, ``ASAHI DIAMOND IND`` / ``Asahi Diamond
Industrial``), or the tokens of one are all in the other (``ELECTROLUX`` / ``AB Electrolux``),
each on at least :data:`MIN_CHARS` characters. Such a claim becomes ``corroborated`` on
``ticker+name`` with a lower confidence cap (:data:`NAME_CAP`) than identifier agreement.

What never corroborates:

- a witness that lists the ticker with a *different* company (``mismatch``): a reused ticker, a
  rename, or one file's error. The claim stays ``unverified`` and its detail names the witness
  and the other name, so the review shows it;
- a ``weak`` pair (shared generic words only) or two scripts (a Latin name against a CJK one);
- a listing whose ticker was itself found by its name (:mod:`.linking`): the name is the link,
  so agreeing on it says nothing more;
- a witness without names: dsignals' EODHD map (ticker -> EODHD/Yahoo symbol) states no company
  fact, so it corroborates nothing itself. Its Yahoo symbol can lead to a FinanceDatabase listing
  (the string rules do that for every market where they give a ticker, and :mod:`.linking` where
  they do not); the witness that then agrees is FinanceDatabase, never the chain.

Pure: verdicts in, sentences out. No I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from tickermap import columns as C
from tickermap.names.match import name_evidence
from tickermap.names.normalize import normalize_name
from tickermap.reconcile.records import Verdict

__all__ = ["MIN_CHARS", "NAME_CAP", "NameChecks", "check_names", "same_company"]

NAME_CAP = 0.6
"""Highest confidence of a row corroborated by ticker+name only (identifier agreement: 0.75)."""
MIN_CHARS = 6
"""Fewest characters the written-together, prefix or token-subset agreement must rest on."""
_KEYS = (C.ISIN, C.COMPOSITE_FIGI, C.SHARE_CLASS_FIGI)
RowKey = tuple[str, int]


@dataclass
class NameChecks:
    """Per claim key: who agrees on ticker+name, and who lists the ticker as another company.

    Attributes:
        agreed: key -> ``(witness, sentence)`` of claims of other witnesses naming the same company.
        conflicts: key -> sentences naming witnesses that give the ticker another company's name.
    """

    agreed: dict[RowKey, list[tuple[str, str]]] = field(default_factory=dict)
    conflicts: dict[RowKey, list[str]] = field(default_factory=dict)

    def corroborates(self, key: RowKey) -> bool:
        """Whether another witness agrees on ticker+name and none names another company."""
        return bool(self.agreed.get(key)) and not self.conflicts.get(key)


def same_company(a: str, b: str, level: str) -> bool:
    """Whether two names of one ticker name the same company (see the module docstring).

    >>> same_company("GCLPOLY ENERGY HOLDINGS LTD", "GCL-Poly Energy Holdings Limited", "mismatch")
    True
    >>> same_company("SECURITY MATTERS LTD", "Strata Minerals Limited", "mismatch")
    False
    """
    if level == "match":
        return True
    if level == "no_evidence":
        return False
    ta, tb = normalize_name(a).tokens, normalize_name(b).tokens
    ca, cb = "".join(ta), "".join(tb)
    short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
    if len(short) >= MIN_CHARS and long_.startswith(short):
        return True
    small, big = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return bool(small) and set(small) <= set(big) and len("".join(small)) >= MIN_CHARS


def _contradict(a: Verdict, b: Verdict) -> bool:
    """The two claims give different values for an identifier both state."""
    return any(
        (x := a.claim.field(f)) is not None and (y := b.claim.field(f)) is not None and x != y
        for f in _KEYS
    )


def _pairs(
    verdicts: Sequence[Verdict], witness_of: Mapping[str, str], linked: Collection[RowKey]
) -> list[tuple[Verdict, Verdict]]:
    by_ticker: dict[str, list[Verdict]] = {}
    for v in verdicts:
        key = (v.claim.source, v.claim.source_row)
        if v.claim.name and key not in linked:
            by_ticker.setdefault(v.claim.ticker, []).append(v)
    out = []
    for group in by_ticker.values():
        for i, a in enumerate(group):
            wa = witness_of.get(a.claim.source, a.claim.source)
            for b in group[i + 1 :]:
                if witness_of.get(b.claim.source, b.claim.source) != wa:
                    out.append((a, b))
    return out


def check_names(
    verdicts: Sequence[Verdict],
    witness_of: Mapping[str, str],
    linked: Collection[RowKey] = (),
) -> NameChecks:
    """Compare the names of every pair of claims of different witnesses on the same ticker.

    Args:
        verdicts: the judged claims.
        witness_of: claim source -> witness (publisher).
        linked: keys of claims whose ticker was found by name (they take no part).
    """
    out = NameChecks()
    pairs = _pairs(verdicts, witness_of, linked)
    if not pairs:
        return out
    evidence = name_evidence(
        pd.Series([a.claim.name for a, _ in pairs], dtype="object"),
        pd.Series([b.claim.name for _, b in pairs], dtype="object"),
    )
    for (a, b), level in zip(pairs, evidence, strict=True):
        for x, y in ((a, b), (b, a)):
            key = (x.claim.source, x.claim.source_row)
            w = witness_of.get(y.claim.source, y.claim.source)
            same = same_company(str(x.claim.name), str(y.claim.name), str(level))
            if same and not _contradict(x, y):
                out.agreed.setdefault(key, []).append((w, f"{y.claim.key} {y.claim.name!r}"))
            elif not same and level == "mismatch":
                out.conflicts.setdefault(key, []).append(
                    f"{y.claim.key} lists {y.claim.ticker} as {y.claim.name!r}, another company "
                    "(a reused ticker, a rename or one file's error): not corroborated"
                )
    return out
