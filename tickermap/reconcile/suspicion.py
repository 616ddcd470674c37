"""An explainable suspicion score for a claim: Fellegi-Sunter log-odds over evidence features.

Each feature of a claim (does its FIGI agree with the ticker's current composite? does its ISIN
list that composite? do the names agree? ...) takes one level, and each level carries a weight
``log2(m / u)`` where ``m = P(level | claim correct)`` and ``u = P(level | claim wrong)``
(identifiers-and-matching.md §5.9). The sum of weights plus the prior log-odds is the claim's
evidence of being right; suspicion is its negative. Every contribution is kept so a reviewer sees
why a row ranks where it does.

The m/u table below is set from the error mix measured on the labelled test bed
(``tickermap.testing.testbed``, ``scripts/bench_reconcile.py``) and from the community-file error
rates
the docs report (15-25% wrong FIGIs), rounded; levels with no information weigh 0. It is a
documented judgement, not a fitted model: change it here and the benchmark shows the effect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["FEATURE_LEVELS", "PRIOR_CORRECT", "Score", "score_claim"]

PRIOR_CORRECT = 0.8
"""Prior share of community-map claims that are right (docs: 15-25% of FIGIs are wrong)."""

# feature -> level -> (m, u)
_MU: dict[str, dict[str, tuple[float, float]]] = {
    "ticker_figi": {  # claimed composite vs OpenFIGI's composite for ticker+exchange
        "agree": (0.97, 0.05),
        "disagree": (0.01, 0.70),
        "unknown": (0.02, 0.25),
    },
    "share_class": {  # claimed share-class FIGI vs OpenFIGI's for the ticker
        "agree": (0.95, 0.20),
        "disagree": (0.01, 0.40),
        "unknown": (0.04, 0.40),
    },
    "isin_figi": {  # does ISIN (+ exchange) lead to the ticker's composite / share class?
        "agree": (0.95, 0.15),
        "disagree": (0.01, 0.45),
        "unknown": (0.04, 0.40),
    },
    "name": {  # claimed name vs OpenFIGI's name for the ticker (rapidfuzz, normalised)
        "match": (0.90, 0.25),
        "weak": (0.07, 0.15),
        "mismatch": (0.01, 0.55),
        "no_evidence": (0.02, 0.05),
    },
    "isin_country": {  # ISIN prefix vs the exchange's country
        "domestic": (0.85, 0.55),
        "offshore": (0.14, 0.15),
        "implausible": (0.01, 0.30),
        "unknown": (0.01, 0.01),
    },
    "figi_valid": {  # check digit, reserved prefixes, third character
        "valid": (0.999, 0.85),
        "invalid": (0.001, 0.10),
        "absent": (0.01, 0.05),
    },
    "figi_known": {  # OpenFIGI knows the claimed FIGI
        "known": (0.98, 0.75),
        "unknown": (0.001, 0.10),
        "gone": (0.02, 0.02),  # unknown, but a delisting/reuse the witnesses agree on explains it
        "unchecked": (0.02, 0.15),
    },
}

FEATURE_LEVELS: Mapping[str, tuple[str, ...]] = {f: tuple(levels) for f, levels in _MU.items()}
"""Every feature and its allowed levels."""


@dataclass(frozen=True, slots=True)
class Score:
    """A claim's log-odds and their explanation.

    Attributes:
        log_odds: prior log2-odds plus the sum of contributions (higher means more trustworthy).
        probability: posterior probability that the claim is right.
        suspicion: ``-log_odds``, for sorting a review queue (higher means look first).
        contributions: feature -> (level, weight in bits).
    """

    log_odds: float
    probability: float
    suspicion: float
    contributions: dict[str, tuple[str, float]]


def _weight(feature: str, level: str) -> float:
    try:
        m, u = _MU[feature][level]
    except KeyError:
        raise ValueError(f"unknown feature level {feature}={level!r}") from None
    return math.log2(m / u)


def score_claim(levels: Mapping[str, str]) -> Score:
    """Score one claim from its feature levels (missing features contribute nothing).

    >>> s = score_claim({"ticker_figi": "agree", "name": "match"})
    >>> round(s.probability, 3) > 0.99, s.contributions["ticker_figi"][0]
    (True, 'agree')
    """
    contributions = {f: (lvl, round(_weight(f, lvl), 3)) for f, lvl in levels.items()}
    log_odds = math.log2(PRIOR_CORRECT / (1 - PRIOR_CORRECT)) + sum(
        w for _, w in contributions.values()
    )
    probability = 1.0 / (1.0 + 2.0 ** (-log_odds))
    return Score(round(log_odds, 3), probability, round(-log_odds, 3), contributions)
