"""Company-name normalisation for matching Bloomberg short names against longer legal names.

Holds :func:`normalize_name` (one value -> :class:`NormalizedName`) and :func:`normalize_names`
(a column, computed once per unique value), the script detector and the two curated tables it
reads from ``mappings/`` (``legal_forms.csv``, ``abbreviations.csv``). The pipeline follows
docs/identifiers-and-matching.md §2 and §5.6:

1. NFKC (full-width -> ASCII), ASCII folding for Latin-script names only (``Nestlé`` ->
   ``nestle``; CJK/Hangul/Thai/... keep their characters), case folding;
2. Bloomberg line suffixes (``-CL B``, ``-REG``, ``-H``, ``-SPON ADR``, ``PFD C``, ``-RTS``,
   ``-W/I`` ...) moved to ``share_class``: they say which line, not which company;
3. ``&``/``AND``, ``.``/``'`` inside tokens (``S.A.`` -> ``sa``), other punctuation splits;
4. legal forms stripped from both ends to a fixpoint (``CO LTD`` needs two passes, cleanco
   does one), falling back to the last non-empty state so a non-empty name never becomes empty;
5. a short abbreviation table (``HLDGS`` -> ``holdings``) applied to every token, so both sides
   of a comparison land on one canonical token.

Truncation (OpenFIGI names stop at about 28 characters) is not repaired here: it is a scoring
feature in :mod:`tickermap.names.match`. This module must not score, read user files or log per row.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pandas as pd

from tickermap.resources import mappings_path

__all__ = [
    "NormalizedName",
    "Script",
    "abbreviations",
    "detect_script",
    "legal_forms",
    "normalize_name",
    "normalize_names",
]

Script = Literal[
    "latin", "cjk", "hangul", "thai", "arabic", "cyrillic", "greek", "hebrew", "other", "empty"
]


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A company name ready for comparison.

    Attributes:
        raw: the input as a string (``""`` for missing values).
        text: canonical tokens joined by single spaces; empty only when ``raw`` has no letters
            or digits.
        tokens: the canonical tokens.
        share_class: the line marker taken off the end (``"B"``, ``"REG"``, ``"ADR"``,
            ``"PREF C"``; several joined by a space), or None.
        script: the dominant writing system of the name's letters.
    """

    raw: str
    text: str
    tokens: tuple[str, ...]
    share_class: str | None
    script: Script


# Unicode blocks per script (ranges of code points), checked in this order.
_SCRIPT_RANGES: tuple[tuple[Script, tuple[tuple[int, int], ...]], ...] = (
    ("hangul", ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF))),
    (
        "cjk",
        (
            (0x2E80, 0x2FDF),
            (0x3000, 0x303F),
            (0x3040, 0x30FF),
            (0x31F0, 0x31FF),
            (0x3400, 0x4DBF),
            (0x4E00, 0x9FFF),
            (0xF900, 0xFAFF),
            (0x20000, 0x3134F),
        ),
    ),
    ("thai", ((0x0E00, 0x0E7F),)),
    ("arabic", ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))),
    ("cyrillic", ((0x0400, 0x052F),)),
    ("greek", ((0x0370, 0x03FF), (0x1F00, 0x1FFF))),
    ("hebrew", ((0x0590, 0x05FF),)),
    ("latin", ((0x0041, 0x024F), (0x1E00, 0x1EFF))),
)


@lru_cache(maxsize=1 << 14)
def _char_script(ch: str) -> Script:
    code = ord(ch)
    for script, ranges in _SCRIPT_RANGES:
        if any(lo <= code <= hi for lo, hi in ranges):
            return script
    return "other"


def detect_script(text: str) -> Script:
    """Return the script of most letters in ``text``; digits alone count as Latin.

    >>> detect_script("삼성전자"), detect_script("Nestlé S.A."), detect_script("  ")
    ('hangul', 'latin', 'empty')
    """
    if text.isascii():  # the common case, decided without a per-character loop
        return "latin" if any(ch.isalnum() for ch in text) else "empty"
    counts: dict[Script, int] = {}
    digits = False
    for ch in text:
        if ch.isalpha():
            script = _char_script(ch)
            counts[script] = counts.get(script, 0) + 1
        elif ch.isdigit():
            digits = True
    if not counts:
        return "latin" if digits else "empty"
    # Ties go to the non-Latin script: a Latin word inside a CJK name is still a CJK name.
    return max(counts, key=lambda s: (counts[s], s != "latin"))


# Letters NFKD does not decompose (cleanco keeps a similar NON_NFKD_MAP, doc §2.4).
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
    }
)


def _ascii_fold(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Bloomberg line suffixes at the end of an upper-cased name (doc §2.1), tried repeatedly so that
# ``-CL A-REG`` yields both markers. Each pattern maps to a canonical marker; ``{0}`` is group 1.
_SUFFIXES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern + r"\s*$"), marker)
    for pattern, marker in (
        (r"\s*-\s*(?:CL(?:ASS)?|SER(?:IES)?)\.?\s*([A-Z])", "{0}"),
        (r"\s+(?:CL(?:ASS)?|SER(?:IES)?)\.?\s+([A-Z])", "{0}"),
        (r"\s*-\s*([A-Z])(?:\s+SHS?|\s+SHARES)?", "{0}"),
        (r"\s+([A-Z])\s+SHS?", "{0}"),
        (r"\s*-?\s*(?:(?:UN)?SP(?:ONS?|ONSORED)?\s+)?ADRS?", "ADR"),
        (r"\s*-?\s*(?:(?:UN)?SP(?:ONS?|ONSORED)?\s+)?GDRS?", "GDR"),
        (r"\s*-\s*REG(?:ISTERED)?", "REG"),
        (r"\s*-?\s*(?:PFD|PREF)\s+([A-Z])", "PREF {0}"),
        (r"\s*-?\s*(?:PFD|PREF)", "PREF"),
        (r"\s*-\s*RTS?", "RTS"),
        (r"\s*-\s*W/?I", "WI"),
        (r"\s*-\s*WTS?", "WT"),
        (r"\s*-\s*UNITS?", "UNIT"),
        (r"\s*-\s*(?:NVDR|NV)", "NVDR"),
        (r"\s*-\s*(RSP|ORD|BR|SDR|CDI)", "{0}"),
        (r"\s*-\s*(?:SER(?:IES)?\s+)?(CPO)", "{0}"),
    )
)


# One combined search rules out most names (no suffix) before the per-pattern loop.
_ANY_SUFFIX = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _SUFFIXES))


def _split_share_class(upper: str) -> tuple[str, str | None]:
    markers: list[str] = []
    # Suffixes are at most ~20 characters, so the prefilter only looks at the tail.
    while _ANY_SUFFIX.search(upper[-24:]):
        for pattern, marker in _SUFFIXES:
            found = pattern.search(upper)
            if found is None or not upper[: found.start()].strip():
                continue
            markers.append(marker.format(*found.groups()))
            upper = upper[: found.start()].rstrip()
            break
        else:
            break
    return upper, " ".join(reversed(markers)) or None


# ``AT&T``, ``P&G``, ``1&1``: a glued ampersand is part of the name, not a conjunction.
_GLUED_AMP = re.compile(r"(?<=\w)&(?=\w)")
_DROP_INSIDE = re.compile(r"[.'\u00b7]")
_SPLIT = re.compile(r"[\W_]+")
_JOINERS = frozenset({"and", "und", "et", "y"})


@dataclass(frozen=True, slots=True)
class _LegalForms:
    suffixes: dict[str, tuple[tuple[str, ...], ...]]  # by last token, longest first
    prefixes: dict[str, tuple[tuple[str, ...], ...]]  # by first token, longest first
    glued: tuple[str, ...]  # non-ASCII forms written without spaces (CJK), longest first


@lru_cache(maxsize=1)
def legal_forms() -> _LegalForms:
    """Load ``mappings/legal_forms.csv`` (``form,position,source``) once."""
    suffixes: list[tuple[str, ...]] = []
    prefixes: list[tuple[str, ...]] = []
    glued: list[str] = []
    with mappings_path("legal_forms.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            form, position = row["form"].strip(), row["position"].strip()
            if not form.isascii():
                glued.append(form)
                continue
            tokens = tuple(form.split())
            if position in ("suffix", "both"):
                suffixes.append(tokens)
            if position in ("prefix", "both"):
                prefixes.append(tokens)
    return _LegalForms(
        suffixes=_index(suffixes, -1),
        prefixes=_index(prefixes, 0),
        glued=tuple(sorted(glued, key=len, reverse=True)),
    )


def _index(forms: list[tuple[str, ...]], end: int) -> dict[str, tuple[tuple[str, ...], ...]]:
    by_token: dict[str, list[tuple[str, ...]]] = {}
    for form in forms:
        by_token.setdefault(form[end], []).append(form)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in by_token.items()}


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """Load ``mappings/abbreviations.csv`` (``abbreviation,expansion,source``) once."""
    with mappings_path("abbreviations.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["abbreviation"].strip(): row["expansion"].strip() for row in csv.DictReader(handle)
        }


def _strip_once(tokens: tuple[str, ...], forms: _LegalForms) -> tuple[str, ...]:
    if not tokens:
        return tokens
    for form in forms.suffixes.get(tokens[-1], ()):
        if len(tokens) >= len(form) and tokens[-len(form) :] == form:
            return tokens[: -len(form)]
    for form in forms.prefixes.get(tokens[0], ()):
        if len(tokens) >= len(form) and tokens[: len(form)] == form:
            return tokens[len(form) :]
    if not (tokens[-1].isascii() and tokens[0].isascii()):
        last, first = tokens[-1], tokens[0]
        for glue in forms.glued:
            if last.endswith(glue) and len(last) > len(glue):
                return (*tokens[:-1], last[: -len(glue)])
            if first.startswith(glue) and len(first) > len(glue):
                return (first[len(glue) :], *tokens[1:])
            if glue in (first, last) and len(tokens) > 1:
                return tokens[:-1] if last == glue else tokens[1:]
    return tokens


def _strip_legal(tokens: tuple[str, ...]) -> tuple[str, ...]:
    forms = legal_forms()
    while True:
        stripped = _strip_once(tokens, forms)
        # Fixpoint, and never strip to nothing: "SA" alone or "COOP" stay as they are.
        if stripped == tokens or not stripped:
            return tokens
        tokens = stripped


@lru_cache(maxsize=1 << 16)
def _normalize_text(raw: str) -> NormalizedName:
    text = unicodedata.normalize("NFKC", raw).strip()
    script = detect_script(text)
    if script == "empty":
        return NormalizedName(raw, "", (), None, "empty")
    if script == "latin":
        text = _ascii_fold(text)
    text, share_class = _split_share_class(text.upper())
    text = _GLUED_AMP.sub("", text.casefold()).replace("&", " and ")
    tokens = tuple(t for t in _SPLIT.split(_DROP_INSIDE.sub("", text)) if t and t not in _JOINERS)
    table = abbreviations()
    tokens = _strip_legal(tuple(table.get(t, t) for t in tokens))
    if not tokens:  # only punctuation and joiners ("&"): keep what there was
        tokens = tuple(t for t in _SPLIT.split(text) if t)
    return NormalizedName(raw, " ".join(tokens), tokens, share_class, script)


def normalize_name(name: object) -> NormalizedName:
    """Normalise one company name (missing values give an empty name with script ``"empty"``).

    Args:
        name: a string; None, NaN and ``pd.NA`` count as missing, other objects use ``str()``.

    Returns:
        The :class:`NormalizedName`; ``text`` is non-empty whenever the name has a letter or
        digit.

    >>> n = normalize_name("BERKSHIRE HATHAWAY INC-CL B")
    >>> n.text, n.share_class
    ('berkshire hathaway', 'B')
    >>> normalize_name("SAMSUNG ELECTRONICS CO LTD").text
    'samsung electronics'
    """
    if name is None or (not isinstance(name, str) and pd.isna(name)):  # type: ignore[call-overload]
        return NormalizedName("", "", (), None, "empty")
    return _normalize_text(name if isinstance(name, str) else str(name))


def normalize_names(names: pd.Series) -> pd.DataFrame:
    """Normalise a column, computing each distinct value once.

    Args:
        names: company names (any dtype; missing values allowed).

    Returns:
        A frame on ``names.index`` with columns ``text``, ``share_class`` (None when absent) and
        ``script``.
    """
    values = names.astype(object).tolist()
    cache: dict[object, NormalizedName] = {}
    rows = []
    for value in values:
        found = cache.get(value) if isinstance(value, str) else None
        if found is None:
            found = normalize_name(value)
            if isinstance(value, str):
                cache[value] = found
        rows.append(found)
    return pd.DataFrame(
        {
            "text": pd.Series([r.text for r in rows], index=names.index, dtype=object),
            "share_class": pd.Series(
                [r.share_class for r in rows], index=names.index, dtype=object
            ),
            "script": pd.Series([r.script for r in rows], index=names.index, dtype=object),
        },
        index=names.index,
    )
