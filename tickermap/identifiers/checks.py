"""Validation of ISIN, CUSIP, SEDOL, FIGI and LEI values, with a typed reason for every failure.

Check digits come from python-stdnum (with a table-driven fast path proven equal to it, see
:mod:`tickermap.identifiers._core`); this module adds the guards stdnum lacks
(docs/identifiers-and-matching.md §3): a FIGI must not start with a reserved prefix
(BS BM GG GB GH KY VG) and has ``G`` as third character (stdnum lets ``KYG875721634`` through);
an LEI has exactly 20 ASCII characters ending in two digits (stdnum accepts ``"1"``); an ISIN's
embedded national code must itself be valid for CUSIP/SEDOL-based countries, and must agree
with a CUSIP/SEDOL given beside it. Spreadsheet damage is recognised
(:mod:`tickermap.identifiers.damage`)
and repaired only when another column corroborates the repair.

Pure functions: no I/O, no logging of values, never raises for a bad value (the strict
``validate_*`` helpers are the exception and raise :class:`~tickermap.errors.IdentifierError`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from tickermap.errors import IdentifierError
from tickermap.identifiers._core import (
    CUSIP_ISIN_COUNTRIES,
    FIGI_ALPHABET,
    FIGI_RESERVED_PREFIXES,
    ID_KINDS,
    LABEL,
    SEDOL_ISIN_COUNTRIES,
    Check,
    IdKind,
    Reason,
    cell_text,
    core_check,
    embedded_code,
    fail,
    plain_valid_many,
)
from tickermap.identifiers.damage import Damage, detect_damage

__all__ = [
    "CUSIP_ISIN_COUNTRIES",
    "FIGI_ALPHABET",
    "FIGI_RESERVED_PREFIXES",
    "ID_KINDS",
    "SEDOL_ISIN_COUNTRIES",
    "Check",
    "Damage",
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

_DIGITS = "0123456789"


@functools.lru_cache(maxsize=262_144)
def _check_text(kind: IdKind, text: str) -> Check:
    label = LABEL[kind]
    if not text:
        return fail(kind, text, "empty", f"no {label} given")
    failed = core_check(kind, text)
    if failed.valid:
        return failed
    damage = detect_damage(text, kind) if failed.reason != "bad_check_digit" else None
    if damage is not None:
        return fail(kind, text, "spreadsheet_damage", _damage_sentence(label, damage))
    return failed


def _damage_sentence(label: str, damage: Damage) -> str:
    what = {
        "lost_leading_zeros": "lost its leading zeros",
        "dot_zero": "gained a '.0'",
        "scientific": "was turned into scientific notation",
    }[damage.damage]
    guess = (
        f"; it was probably {damage.candidate!r}"
        if damage.candidate
        else "; the original digits are lost"
    )
    return f"{label} {damage.value!r} {what} in a spreadsheet{guess}"


def check(kind: IdKind, value: object) -> Check:
    """Check ``value`` as an identifier of ``kind``.

    Args:
        kind: ``"isin"``, ``"cusip"``, ``"sedol"``, ``"figi"`` or ``"lei"``.
        value: a cell: text, a number (spreadsheets), ``None``/NaN/``pd.NA`` (empty).

    Returns:
        A :class:`Check`; never raises for a bad value.

    Raises:
        ValueError: ``kind`` is not one of the five kinds (a programming error).

    >>> check("figi", "KYG875721634").reason
    'reserved_prefix'
    """
    if kind not in LABEL:
        raise ValueError(f"unknown identifier kind {kind!r}; use one of {', '.join(ID_KINDS)}")
    return _check_text(kind, cell_text(value))


def check_isin(value: object) -> Check:
    """Check an ISIN (ISO 6166), including its embedded CUSIP/SEDOL where there is one.

    >>> check_isin("US0378331005").valid, check_isin("US0378331006").reason
    (True, 'bad_check_digit')
    """
    return check("isin", value)


def check_cusip(value: object) -> Check:
    """Check a CUSIP (9 characters, CUSIP Global Services check digit).

    >>> check_cusip("37833100").reason
    'spreadsheet_damage'
    """
    return check("cusip", value)


def check_sedol(value: object) -> Check:
    """Check a SEDOL (7 characters, weights 1 3 1 7 3 9, no vowels).

    >>> check_sedol("B0YBKJ7").valid
    True
    """
    return check("sedol", value)


def check_figi(value: object) -> Check:
    """Check a FIGI (OMG FIGI 1.0), rejecting reserved prefixes stdnum lets through.

    >>> check_figi("BBG000B9XRY4").valid, check_figi("BBG000B9XRY5").reason
    (True, 'bad_check_digit')
    """
    return check("figi", value)


def check_lei(value: object) -> Check:
    """Check an LEI (ISO 17442): 20 characters, MOD 97-10 (stdnum alone accepts ``"1"``).

    >>> check_lei("HWUPKR0MPOU8FGXBT394").valid, check_lei("1").reason
    (True, 'bad_length')
    """
    return check("lei", value)


def isin_country(isin: str) -> str | None:
    """The two-letter prefix of a valid ISIN (the issuer's jurisdiction), else ``None``.

    >>> isin_country("KYG875721634"), isin_country("nonsense")
    ('KY', None)
    """
    result = check_isin(isin)
    return result.normalized[:2] if result.normalized else None


def check_isin_consistency(
    isin: str, *, cusip: str | None = None, sedol: str | None = None
) -> Check:
    """Check that an ISIN agrees with a CUSIP and/or SEDOL given beside it.

    A CUSIP-based ISIN (US, CA and offshore CUSIP Global Services countries) must embed the
    CUSIP; a SEDOL-based one (GB, JE, GG, IM, new Irish) must embed the SEDOL. For other
    countries a CINS or SEDOL cannot be compared, but a US/Canadian CUSIP (first character a
    digit) beside, say, a French ISIN belongs to another security.

    Args:
        isin: the ISIN.
        cusip: the CUSIP from the same row, if any.
        sedol: the SEDOL from the same row, if any.

    Returns:
        The ISIN's own :class:`Check` when it is invalid; otherwise a valid check, or one with
        reason ``"inconsistent"`` naming the disagreeing column.

    >>> check_isin_consistency("US0378331005", cusip="38259P508").reason
    'inconsistent'
    """
    base = check_isin(isin)
    if not base.valid or base.normalized is None:
        return base
    number = base.normalized
    embedded = embedded_code(number)
    notes: list[str] = []
    for kind, other in (("cusip", cusip), ("sedol", sedol)):
        other_check = check(kind, other)  # type: ignore[arg-type]
        if other_check.reason == "empty":
            continue
        label = LABEL[kind]
        if not other_check.valid or other_check.normalized is None:
            notes.append(f"{label} {other_check.value!r} is invalid, not compared")
            continue
        code = other_check.normalized
        if embedded is not None and embedded[0] == kind:
            if embedded[1] != code:
                return fail(
                    "isin", base.value, "inconsistent",
                    f"ISIN {number} embeds {label} {embedded[1]} but the {kind} column says "
                    f"{code}",
                )  # fmt: skip
            notes.append(f"{label} matches")
        elif kind == "cusip" and code[0] in _DIGITS and number[2:11] != code:
            return fail(
                "isin", base.value, "inconsistent",
                f"CUSIP {code} is a US/Canadian number but ISIN {number} is from "
                f"{number[:2]}; they belong to different securities",
            )  # fmt: skip
        else:
            notes.append(f"{label} cannot be compared with a {number[:2]} ISIN")
    detail = "valid ISIN" + (f" ({'; '.join(notes)})" if notes else "")
    return replace(base, detail=detail)


def _corroborates(kind: IdKind, candidate: str, witness: str) -> bool:
    text = cell_text(witness).upper().replace(" ", "")
    if text == candidate:
        return True
    if kind in ("cusip", "sedol"):
        isin = check_isin(text)
        found = embedded_code(isin.normalized) if isin.normalized else None
        return found == (kind, candidate)
    return False


def repair(value: str, kind: IdKind, *, corroborated_by: str | None) -> Check:
    """Undo spreadsheet damage, but only when another column confirms the original value.

    Args:
        value: the damaged cell.
        kind: the identifier kind of its column.
        corroborated_by: a value from another column of the same row: the same identifier
            (e.g. an untouched copy) or an ISIN whose embedded CUSIP/SEDOL equals the
            candidate. ``None`` means nothing corroborates, so nothing is repaired.

    Returns:
        A valid :class:`Check` with reason ``"spreadsheet_damage"`` and the repaired value in
        ``normalized`` when repaired; otherwise the plain :func:`check` result.

    >>> repair("37833100", "cusip", corroborated_by="US0378331005").normalized
    '037833100'
    """
    result = check(kind, value)
    if result.valid or result.reason != "spreadsheet_damage" or corroborated_by is None:
        return result
    damage = detect_damage(result.value, kind)
    if damage is None or damage.candidate is None:
        return result
    if not _corroborates(kind, damage.candidate, corroborated_by):
        return replace(result, detail=result.detail + f"; {corroborated_by!r} does not confirm it")
    return Check(
        kind, result.value, True, "spreadsheet_damage",
        f"{LABEL[kind]} {result.value!r} repaired to {damage.candidate!r} ({damage.damage}), "
        f"confirmed by {cell_text(corroborated_by)!r}",
        damage.candidate,
    )  # fmt: skip


def check_column(values: pd.Series, kind: IdKind) -> pd.DataFrame:
    """Check every value of a column; fast because each distinct value is checked once.

    Args:
        values: the column (any dtype; NA and empty cells give reason ``"empty"``).
        kind: the identifier kind the column holds.

    Returns:
        A frame with ``values``' index and columns ``valid`` (bool), ``reason`` (str or NA),
        ``detail`` (str) and ``normalized`` (str or NA).
    """
    if kind not in LABEL:
        raise ValueError(f"unknown identifier kind {kind!r}; use one of {', '.join(ID_KINDS)}")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [u.strip() if isinstance(u, str) else cell_text(u) for u in uniques.tolist()]
    texts.append("")  # stands for NA (code -1)
    plain, compacted = plain_valid_many(kind, texts)
    n = len(texts)
    valid = plain.copy()
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, f"valid {LABEL[kind]}", dtype=object)
    normalized = np.array(compacted, dtype=object)
    normalized[~plain] = None
    for i in np.flatnonzero(~plain):
        result = _check_text(kind, texts[i])
        valid[i], reason[i], detail[i] = result.valid, result.reason, result.detail
        normalized[i] = result.normalized
    take = np.where(codes < 0, n - 1, codes)
    return pd.DataFrame(
        {
            "valid": valid[take],
            "reason": pd.array(reason[take], dtype="str"),
            "detail": pd.array(detail[take], dtype="str"),
            "normalized": pd.array(normalized[take], dtype="str"),
        },
        index=values.index,
    )


def _strict(kind: IdKind) -> Callable[[object], str]:
    def validate(value: object) -> str:
        result = check(kind, value)
        if not result.valid or result.normalized is None:
            raise IdentifierError(result.detail)
        return result.normalized

    validate.__name__ = f"validate_{kind}"
    validate.__doc__ = (
        f"Return the compact {LABEL[kind]} or raise IdentifierError with the reason.\n\n"
        f"Raises:\n    IdentifierError: the value is not a valid {LABEL[kind]}."
    )
    return validate


validate_isin = _strict("isin")
validate_cusip = _strict("cusip")
validate_sedol = _strict("sedol")
validate_figi = _strict("figi")
validate_lei = _strict("lei")
