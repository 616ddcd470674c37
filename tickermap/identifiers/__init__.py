"""Identifier checks: FIGI, ISIN, CUSIP, SEDOL, LEI (python-stdnum plus the guards it lacks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.identifiers.checks import (
        CUSIP_ISIN_COUNTRIES,
        FIGI_ALPHABET,
        FIGI_RESERVED_PREFIXES,
        ID_KINDS,
        SEDOL_ISIN_COUNTRIES,
        Check,
        Damage,
        IdKind,
        Reason,
        check,
        check_column,
        check_cusip,
        check_figi,
        check_isin,
        check_isin_consistency,
        check_lei,
        check_sedol,
        detect_damage,
        embedded_code,
        isin_country,
        repair,
        validate_cusip,
        validate_figi,
        validate_isin,
        validate_lei,
        validate_sedol,
    )
    from tickermap.identifiers.damage import (
        DamageKind,
    )

__all__ = [
    "CUSIP_ISIN_COUNTRIES",
    "FIGI_ALPHABET",
    "FIGI_RESERVED_PREFIXES",
    "ID_KINDS",
    "SEDOL_ISIN_COUNTRIES",
    "Check",
    "Damage",
    "DamageKind",
    "IdKind",
    "Reason",
    "check",
    "check_column",
    "check_cusip",
    "check_figi",
    "check_isin",
    "check_isin_consistency",
    "check_lei",
    "check_sedol",
    "detect_damage",
    "embedded_code",
    "isin_country",
    "repair",
    "validate_cusip",
    "validate_figi",
    "validate_isin",
    "validate_lei",
    "validate_sedol",
]

__getattr__, __dir__ = lazy_exports(__name__)
