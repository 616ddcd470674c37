"""Company-name normalisation and matching."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.names.match import (
        MATCH_OVERLAP,
        MATCH_SCORE,
        MATCH_SCORE_OVERLAP,
        MISMATCH_OVERLAP,
        MISMATCH_SCORE,
        TRUNCATION_CHARS,
        Evidence,
        NameScore,
        TokenWeights,
        match_names,
        name_evidence,
        rare_tokens,
        score_name_pairs,
        score_names,
    )
    from tickermap.names.normalize import (
        NormalizedName,
        Script,
        abbreviations,
        detect_script,
        legal_forms,
        normalize_name,
        normalize_names,
    )

__all__ = [
    "MATCH_OVERLAP",
    "MATCH_SCORE",
    "MATCH_SCORE_OVERLAP",
    "MISMATCH_OVERLAP",
    "MISMATCH_SCORE",
    "TRUNCATION_CHARS",
    "Evidence",
    "NameScore",
    "NormalizedName",
    "Script",
    "TokenWeights",
    "abbreviations",
    "detect_script",
    "legal_forms",
    "match_names",
    "name_evidence",
    "normalize_name",
    "normalize_names",
    "rare_tokens",
    "score_name_pairs",
    "score_names",
]

__getattr__, __dir__ = lazy_exports(__name__)
