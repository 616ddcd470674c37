"""suspicion: Fellegi-Sunter log-odds with per-feature contributions."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from tickermap.reconcile.suspicion import FEATURE_LEVELS, PRIOR_CORRECT, score_claim

PRIOR_BITS = math.log2(PRIOR_CORRECT / (1 - PRIOR_CORRECT))

# For every feature, which level means "the evidence supports the claim" and which contradicts it.
GOOD_BAD = {
    "ticker_figi": ("agree", "disagree"),
    "share_class": ("agree", "disagree"),
    "isin_figi": ("agree", "disagree"),
    "name": ("match", "mismatch"),
    "isin_country": ("domestic", "implausible"),
    "figi_valid": ("valid", "invalid"),
    "figi_known": ("known", "unknown"),
}


def _random_levels(rng: random.Random) -> dict[str, str]:
    features = rng.sample(list(FEATURE_LEVELS), rng.randint(0, len(FEATURE_LEVELS)))
    return {f: rng.choice(FEATURE_LEVELS[f]) for f in features}


def test_every_feature_has_a_good_and_a_bad_level() -> None:
    assert set(GOOD_BAD) == set(FEATURE_LEVELS)
    for f, (good, bad) in GOOD_BAD.items():
        assert {good, bad} <= set(FEATURE_LEVELS[f])


@pytest.mark.parametrize("seed", range(5))
def test_contributions_sum_to_log_odds(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        levels = _random_levels(rng)
        s = score_claim(levels)
        assert set(s.contributions) == set(levels)
        assert {f: lvl for f, (lvl, _) in s.contributions.items()} == levels
        total = PRIOR_BITS + sum(w for _, w in s.contributions.values())
        assert s.log_odds == pytest.approx(total, abs=2e-3)
        assert s.suspicion == pytest.approx(-s.log_odds, abs=2e-3)
        # probability is the logistic of the log-odds (base 2)
        assert s.probability == pytest.approx(1 / (1 + 2 ** (-total)), rel=1e-3)
        assert 0.0 < s.probability < 1.0


def test_empty_levels_give_the_prior() -> None:
    s = score_claim({})
    assert s.contributions == {}
    assert s.probability == pytest.approx(PRIOR_CORRECT, abs=1e-3)


@pytest.mark.parametrize("feature", list(GOOD_BAD))
def test_agree_beats_disagree_for_every_feature(feature: str) -> None:
    good, bad = GOOD_BAD[feature]
    rng = random.Random(feature)
    for _ in range(20):
        rest = {k: v for k, v in _random_levels(rng).items() if k != feature}
        with_good = score_claim({**rest, feature: good})
        with_bad = score_claim({**rest, feature: bad})
        assert with_good.log_odds > with_bad.log_odds
        assert with_good.probability > with_bad.probability
        assert with_good.suspicion < with_bad.suspicion
        assert with_good.contributions[feature][1] > 0 > with_bad.contributions[feature][1]


def test_all_good_is_near_certain_and_all_bad_near_impossible() -> None:
    good = score_claim({f: g for f, (g, _) in GOOD_BAD.items()})
    bad = score_claim({f: b for f, (_, b) in GOOD_BAD.items()})
    assert good.probability > 0.999
    assert bad.probability < 0.001
    # ordering is total over every combination of good/bad levels by count of bad ones
    feats = list(GOOD_BAD)
    worst_by_bad: dict[int, float] = {}
    best_by_bad: dict[int, float] = {}
    for mask in itertools.product((0, 1), repeat=len(feats)):
        s = score_claim({f: GOOD_BAD[f][m] for f, m in zip(feats, mask, strict=True)})
        n = sum(mask)
        worst_by_bad[n] = min(worst_by_bad.get(n, math.inf), s.log_odds)
        best_by_bad[n] = max(best_by_bad.get(n, -math.inf), s.log_odds)
    for n in range(len(feats)):
        assert best_by_bad[n + 1] < best_by_bad[n]


@pytest.mark.parametrize(
    "levels",
    [{"ticker_figi": "maybe"}, {"nonsense": "agree"}, {"name": "agree"}, {"figi_valid": ""}],
)
def test_unknown_levels_raise(levels: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="unknown feature level"):
        score_claim(levels)


def test_extreme_claims_keep_probability_in_bounds() -> None:
    s = score_claim({f: GOOD_BAD[f][1] for f in GOOD_BAD})
    assert 0.0 <= s.probability <= 1.0 and math.isfinite(s.log_odds)
