"""Consensus per field: a weighted vote of independent witnesses, their reliabilities fitted by EM.

For every universe ticker and every field (ISIN, composite FIGI, share-class FIGI, name), each
witness (a map; all files of a FinanceDatabase folder are one witness) votes the value it
claims; OpenFIGI votes when it was consulted (its composite, share class and name for the
ticker, and every claimed ISIN it confirmed), with a fixed reliability of
:data:`OPENFIGI_RELIABILITY`. Names vote by group (lenient agreement, as in validate).

Reliabilities follow the one-coin Dawid-Skene model: a witness reports the true value with
probability ``r``, another one otherwise. EM alternates the posterior of each item's true value
(``P(v) ~ prod r_w (K-1)/(1-r_w)`` over the witnesses that say ``v``) with each witness's expected
share of right answers (Beta(8, 2) prior, so a witness seen on few items stays near 0.8). A vote
weighs ``log(r (K-1) / (1 - r))``; an ISIN vote adds the evidence of its listing's fit
(:data:`FIT_BITS`: home +1, misfit -2 bits) and a claim blamed by :mod:`.blame` does not vote.

Decisions:

- the value with the highest weight wins when it beats the next by a margin and has at least
  two voters, one of them a map (one witness against one decides nothing, unless the ISIN's
  country fits one listing and not the other; OpenFIGI alone against a map is left to the
  verdict rules); a claim with another value gets ``outvoted`` (who agreed, who disagreed,
  with what weight). Its reasons stay on the claim (review, evidence) and in the row's
  ``reasons``, but no longer decide the row's status;
- a claim that :mod:`.blame` shows to carry another company's ISIN gets ``isin_conflict`` saying
  which file is wrong;
- offline, a claim whose only reason is ``unverified`` becomes ``corroborated`` when another
  independent witness agrees on its ISIN, share-class or composite FIGI (on the same ticker,
  or on another listing of the same company: FinanceDatabase's German lines of US companies
  carry their US ISIN and global share-class FIGI) and nothing contradicts it; the row's
  confidence is then ``1 - prod(1 - r)`` over the agreeing witnesses, capped at
  :data:`OFFLINE_CAP`, below rows that OpenFIGI confirmed. The detail names the fields agreed
  (``on isin, composite_figi: agreed by ...``);
- failing that, it is ``corroborated`` ``on ticker+name`` when another independent witness
  lists the same ticker for the same company (:mod:`.corroborate`), capped at
  :data:`~tickermap.reconcile.corroborate.NAME_CAP`;
- offline, a claim whose only reason is ``unverified`` becomes ``disputed`` when another map
  gives the same ticker another ISIN, composite or share-class FIGI and the vote cannot decide
  between them (one witness against one, no ISIN fit to tell): one of the files is wrong and
  nothing offline says which, so neither claim reads as "nothing contradicts it".

A witness whose reliability ends below :data:`UNRELIABLE` on at least :data:`MIN_ITEMS` items is
reported as unreliable (never fatal). No I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from tickermap import columns as C
from tickermap.maps._groups import agree, name_tokens
from tickermap.reasons import Reason, sort_reasons
from tickermap.reconcile.blame import Finding, RowKey
from tickermap.reconcile.corroborate import NAME_CAP, NameChecks
from tickermap.reconcile.lookups import Lookups
from tickermap.reconcile.records import Verdict

__all__ = [
    "FIT_BITS",
    "OFFLINE_CAP",
    "OPENFIGI",
    "OPENFIGI_RELIABILITY",
    "Consensus",
    "WitnessStats",
    "apply_consensus",
    "fit_reliabilities",
]

OPENFIGI = "openfigi"
OPENFIGI_RELIABILITY = 0.995
"""OpenFIGI's fixed reliability: the reference witness when it was consulted."""
OFFLINE_CAP = 0.75
"""Highest confidence of a row verified offline by witnesses alone (OpenFIGI's alone is 0.8)."""
UNRELIABLE = 0.5
MIN_ITEMS = 20
FIT_BITS = {"home": 1.0, "explained": 0.0, "us_foreign": 0.0, "misfit": -2.0, "unknown": 0.0}
"""Evidence (bits) an ISIN vote gains from how its country fits the listing's market."""
_PRIOR = (8.0, 2.0)
_ITERATIONS = 8
_MARGIN = 0.5
FIELDS = (C.ISIN, C.COMPOSITE_FIGI, C.SHARE_CLASS_FIGI, C.NAME)
_KEY_FIELDS = (C.ISIN, C.COMPOSITE_FIGI, C.SHARE_CLASS_FIGI)


@dataclass
class WitnessStats:
    """One witness's record in the run (``stats["witnesses"]``): its lowest reliability over the
    fields seen on enough items, per field, and how many claims were outvoted, blamed or
    corroborated."""

    reliability: float = 0.8
    items: int = 0
    outvoted: int = 0
    blamed: int = 0
    corroborated: int = 0
    unreliable: bool = False
    by_field: dict[str, float] = field(default_factory=dict)


@dataclass
class Consensus:
    """The verdicts after the vote, the claims it outvoted and the offline confidences."""

    verdicts: list[Verdict]
    outvoted: frozenset[RowKey]
    confidence: dict[str, float]
    witnesses: dict[str, WitnessStats] = field(default_factory=dict)

    @property
    def unreliable(self) -> list[str]:
        """Witnesses that disagree with the others on most items they share."""
        return [w for w, s in self.witnesses.items() if w != OPENFIGI and s.unreliable]


# An item: one ticker's field with each witness's value (and the claim that said it).
Vote = tuple[str, str, Verdict | None]  # witness, value, verdict (None for OpenFIGI)
Item = list[Vote]


def _name_values(votes: list[tuple[str, str, Verdict | None]]) -> Item:
    """Replace each name by the first agreeing name (its group) so agreeing names vote together."""
    reps: list[tuple[tuple[str, ...], str]] = []
    out: Item = []
    for w, name, v in votes:
        tokens = name_tokens(name)
        rep = next((r for t, r in reps if agree(tokens, t)), None)
        if rep is None:
            reps.append((tokens, name))
            rep = name
        out.append((w, rep, v))
    return out


def _items(
    verdicts: Sequence[Verdict],
    lookups: Lookups,
    witness_of: Mapping[str, str],
    skip: set[RowKey],
) -> list[tuple[str, str, Item]]:
    by_ticker: dict[str, list[Verdict]] = {}
    for v in verdicts:
        by_ticker.setdefault(v.claim.ticker, []).append(v)
    out = []
    for ticker, group in by_ticker.items():
        r = lookups.tickers.get(ticker)
        matched = r is not None and r.outcome == "matched"
        for f in FIELDS:
            votes: list[Vote] = []
            seen: set[str] = set()
            for v in group:
                w = witness_of.get(v.claim.source, v.claim.source)
                value = v.claim.field(f)
                if value is None or w in seen or (v.claim.source, v.claim.source_row) in skip:
                    continue
                seen.add(w)
                votes.append((w, value, v))
            if matched and r is not None:
                ref = {C.COMPOSITE_FIGI: r.composite_figi, C.SHARE_CLASS_FIGI: r.share_class_figi,
                       C.NAME: r.name}.get(f)  # fmt: skip
                if f == C.ISIN:
                    ref = next((x.claim.isin for x in group if x.level("isin_figi") == "agree"),
                               None)  # fmt: skip
                if ref:
                    votes.append((OPENFIGI, ref, None))
            if f == C.NAME:
                votes = _name_values(votes)
            if len(votes) >= 2:
                out.append((ticker, f, votes))
    return out


def _weight(r: float, k: int) -> float:
    return math.log(r * max(k - 1, 1) / (1.0 - r))


def _scores(
    item: Item, rel: Mapping[str, float], fits: Mapping[RowKey, str], f: str
) -> dict[str, float]:
    k = len({val for _, val, _ in item})
    scores: dict[str, float] = {}
    for w, val, v in item:
        weight = _weight(rel.get(w, 0.8), k)
        if f == C.ISIN and v is not None:
            fit = fits.get((v.claim.source, v.claim.source_row), "unknown")
            weight += FIT_BITS[fit] * math.log(2)
        scores[val] = scores.get(val, 0.0) + max(weight, 0.0)
    return scores


def fit_reliabilities(
    items: Sequence[tuple[str, str, Item]], fits: Mapping[RowKey, str]
) -> dict[str, tuple[float, int]]:
    """One-coin Dawid-Skene EM: witness -> (reliability, items seen)."""
    witnesses = {w for _, _, item in items for w, _, _ in item}
    rel = {w: OPENFIGI_RELIABILITY if w == OPENFIGI else 0.8 for w in witnesses}
    seen = {w: 0 for w in witnesses}
    for _ in range(_ITERATIONS):
        right = {w: _PRIOR[0] for w in witnesses}
        total = {w: _PRIOR[0] + _PRIOR[1] for w in witnesses}
        seen = {w: 0 for w in witnesses}
        for _, f, item in items:
            scores = _scores(item, rel, fits, f)
            top = max(scores.values())
            norm = sum(math.exp(s - top) for s in scores.values())
            for w, val, _ in item:
                right[w] += math.exp(scores[val] - top) / norm
                total[w] += 1.0
                seen[w] += 1
        for w in witnesses:
            if w != OPENFIGI:
                rel[w] = min(max(right[w] / total[w], 0.01), 0.99)
    return {w: (rel[w], seen[w]) for w in witnesses}


def apply_consensus(
    verdicts: Sequence[Verdict],
    lookups: Lookups,
    findings: Mapping[RowKey, Finding],
    fits: Mapping[RowKey, str],
    witness_of: Mapping[str, str],
    names: NameChecks | None = None,
) -> Consensus:
    """Vote every field, mark outvoted and blamed claims, verify corroborated ones offline
    (by identifiers, else by ticker+name from ``names``), mark undecided disputes."""
    blamed = {k for k, f in findings.items() if f.blamed}
    items = _items(verdicts, lookups, witness_of, blamed)
    # One reliability per witness and field (a map can be good on names and bad on ISINs).
    by_field = {f: fit_reliabilities([i for i in items if i[1] == f], fits) for f in FIELDS}
    rel = {f: {w: r for w, (r, _) in fitted.items()} for f, fitted in by_field.items()}
    stats: dict[str, WitnessStats] = {}
    for f, fitted in by_field.items():
        for w, (r, n) in fitted.items():
            st = stats.setdefault(w, WitnessStats(reliability=1.0))
            st.by_field[f] = round(r, 4)
            st.items += n
            if n >= MIN_ITEMS or st.reliability == 1.0:
                st.reliability = min(st.reliability, round(r, 4))
            if n >= MIN_ITEMS and r < UNRELIABLE:
                st.unreliable = True
    notes: dict[RowKey, list[str]] = {}
    agreeing: dict[RowKey, list[tuple[str, str]]] = {}
    disputes: dict[RowKey, list[str]] = {}
    for _, f, item in items:
        _decide(f, item, rel[f], fits, notes, agreeing, disputes)
    out: list[Verdict] = []
    confidence: dict[str, float] = {}
    for v in verdicts:
        key = (v.claim.source, v.claim.source_row)
        w = witness_of.get(v.claim.source, v.claim.source)
        st = stats.setdefault(w, WitnessStats())
        new = _revise(v, findings.get(key), notes.get(key), agreeing.get(key, []))
        new, by_name = _by_name(new, key, disputes.get(key), names)
        if key in notes:
            st.outvoted += 1
        if key in blamed:
            st.blamed += 1
        if new.reasons == (Reason.CORROBORATED,):
            st.corroborated += 1
            found = findings.get(key)
            backers = {*(m for m, _ in agreeing.get(key, [])), w}
            backers |= {b for b, _ in (found.corroborated_by if found else [])}
            field_rel, cap = (rel[C.NAME], NAME_CAP) if by_name else (rel[C.ISIN], OFFLINE_CAP)
            if by_name and names is not None:
                backers = {w, *(b for b, _ in names.agreed.get(key, []))}
            p = 1.0 - math.prod(1.0 - field_rel.get(b, 0.8) for b in backers)
            confidence[v.claim.ticker] = max(
                confidence.get(v.claim.ticker, 0.0), round(min(p, cap), 4)
            )
        out.append(new)
    outvoted = frozenset(notes)
    return Consensus(_settle_unverified(out, outvoted), outvoted, confidence, stats)


def _decide(
    f: str,
    item: Item,
    rel: Mapping[str, float],
    fits: Mapping[RowKey, str],
    notes: dict[RowKey, list[str]],
    agreeing: dict[RowKey, list[tuple[str, str]]],
    disputes: dict[RowKey, list[str]],
) -> None:
    scores = _scores(item, rel, fits, f)
    ranked = sorted(scores, key=lambda s: scores[s], reverse=True)
    for w, val, v in item:
        if v is None:
            continue
        key = (v.claim.source, v.claim.source_row)
        mates = [x for x, y, _ in item if y == val and x != w]
        if f in _KEY_FIELDS and mates:
            agreeing.setdefault(key, []).extend((m, f) for m in mates)
    if len(ranked) < 2:
        return
    win = ranked[0]
    voters = [w for w, y, _ in item if y == win]
    if voters == [OPENFIGI]:
        return  # OpenFIGI alone against a map: the verdict rules already say what is wrong
    if scores[win] - scores[ranked[1]] < _MARGIN or (
        len(voters) < 2 and not _fit_decides(f, item, win, fits)
    ):
        if f in _KEY_FIELDS:  # no majority: the conflict stays, and it is one
            _dispute(f, item, disputes)
        return
    pro = ", ".join(
        f"{w} ({_weight(rel.get(w, 0.8), len(scores)):.1f})" for w, y, _ in item if y == win
    )
    for w, val, v in item:
        if v is None or val == win:
            continue
        key = (v.claim.source, v.claim.source_row)
        notes.setdefault(key, []).append(
            f"{f} {val} outvoted by {win}: agreed {pro}; this witness {w} weighs "
            f"{scores[val]:.1f} against {scores[win]:.1f}"
        )


def _dispute(f: str, item: Item, disputes: dict[RowKey, list[str]]) -> None:
    said = "; ".join(f"{w} says {val}" for w, val, _ in item)
    for _, _, v in item:
        if v is not None:
            disputes.setdefault((v.claim.source, v.claim.source_row), []).append(
                f"{f}: {said}; the vote cannot decide (no majority, no ISIN fit)"
            )


def _by_name(
    v: Verdict, key: RowKey, disputes: list[str] | None, names: NameChecks | None
) -> tuple[Verdict, bool]:
    """An ``unverified`` claim becomes ``disputed`` (identifiers disagree, undecided), else
    ``corroborated`` on ticker+name; a name conflict is noted on it. True when by name."""
    if v.reasons != (Reason.UNVERIFIED,):
        return v, False
    details: dict[Reason, str] = {k: d for k, d in v.details.items() if k != Reason.UNVERIFIED}
    if disputes:
        details[Reason.DISPUTED] = "; ".join(dict.fromkeys(disputes))
        return replace(v, reasons=(Reason.DISPUTED,), details=details), False
    if names is None:
        return v, False
    if names.corroborates(key):
        who = "; ".join(s for _, s in names.agreed[key][:3])
        details[Reason.CORROBORATED] = f"on ticker+name: the same company in {who}"
        return replace(v, reasons=(Reason.CORROBORATED,), details=details), True
    if names.conflicts.get(key):
        note = v.details[Reason.UNVERIFIED] + "; " + "; ".join(names.conflicts[key][:2])
        return replace(v, details={**v.details, Reason.UNVERIFIED: note}), False
    return v, False


def _fit_of(v: Verdict | None, fits: Mapping[RowKey, str]) -> str:
    return fits.get((v.claim.source, v.claim.source_row), "unknown") if v else "unknown"


def _fit_decides(f: str, item: Item, win: str, fits: Mapping[RowKey, str]) -> bool:
    """An ISIN that fits the market beats one from a country whose market does not list it."""
    if f != C.ISIN:
        return False
    winners = {_fit_of(v, fits) for _, y, v in item if y == win}
    losers = {_fit_of(v, fits) for _, y, v in item if y != win}
    return winners <= {"home", "explained"} and losers == {"misfit"}


def _settle_unverified(verdicts: list[Verdict], outvoted: frozenset[RowKey]) -> list[Verdict]:
    """A claim left ``unverified`` only for want of OpenFIGI is ``ok`` on a ticker whose other
    claims were verified offline, when it contradicts none of them (a Yahoo-only witness)."""
    verified: dict[str, list[Verdict]] = {}
    for v in verdicts:
        if v.reasons == (Reason.CORROBORATED,):
            verified.setdefault(v.claim.ticker, []).append(v)
    out = []
    for v in verdicts:
        good = verified.get(v.claim.ticker)
        key = (v.claim.source, v.claim.source_row)
        if (
            good
            and v.reasons == (Reason.UNVERIFIED,)
            and key not in outvoted
            and all(v.claim.field(f) in (None, g.claim.field(f)) for g in good for f in _KEY_FIELDS)
        ):
            details: dict[Reason, str] = {
                k: d for k, d in v.details.items() if k != Reason.UNVERIFIED
            }
            details[Reason.CORROBORATED] = f"consistent with {good[0].claim.key}"
            v = replace(v, reasons=(Reason.CORROBORATED,), details=details)
        out.append(v)
    return out


def _revise(
    v: Verdict,
    finding: Finding | None,
    outvoted: list[str] | None,
    agreeing: list[tuple[str, str]],
) -> Verdict:
    reasons = list(v.reasons)
    details = dict(v.details)
    if finding is not None and finding.blamed:
        if Reason.ISIN_CONFLICT in details:
            details[Reason.ISIN_CONFLICT] += f" | {finding.blamed}"
        else:
            details[Reason.ISIN_CONFLICT] = finding.blamed
        reasons.append(Reason.ISIN_CONFLICT)
    if outvoted:
        reasons.append(Reason.OUTVOTED)
        details[Reason.OUTVOTED] = "; ".join(outvoted)
    fields = {f: None for _, f in agreeing}
    backers = [f"{w} agrees on this ticker" for w in dict.fromkeys(m for m, _ in agreeing)]
    found = finding.corroborated_by if finding else []
    backers += [label for _, label in found]
    if reasons == [Reason.UNVERIFIED] and backers:
        reasons = [Reason.CORROBORATED]
        details.pop(Reason.UNVERIFIED, None)
        on = ", ".join(fields) if fields else "an ISIN or FIGI shared with another listing"
        note = f"on {on}: agreed by " + "; ".join(backers[:4])
        if finding is not None and finding.wrong_elsewhere:
            note += "; wrong elsewhere: " + "; ".join(finding.wrong_elsewhere[:3])
        details[Reason.CORROBORATED] = note
    if reasons == list(v.reasons) and details == v.details:
        return v
    return replace(v, reasons=tuple(sort_reasons(reasons)), details=details)
