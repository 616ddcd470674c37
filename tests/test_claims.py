"""claims: claims_table and disagreements against naive per-row loops."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from tickermap import columns as C
from tickermap.reconcile.claims import CLAIM_FIELDS, claims_table, disagreements


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, str) and not value.strip())


def naive_claims(universe: list[str], maps: list[pd.DataFrame]) -> list[dict[str, object]]:
    wanted = set(universe)
    out = []
    for frame in maps:
        for rec in frame.to_dict("records"):
            if rec[C.BLOOMBERG_TICKER] not in wanted:
                continue
            row: dict[str, object] = {
                C.BLOOMBERG_TICKER: rec[C.BLOOMBERG_TICKER],
                C.SOURCE: rec[C.SOURCE],
                C.SOURCE_ROW: rec[C.SOURCE_ROW],
            }
            for f in CLAIM_FIELDS:
                v = rec.get(f)
                row[f] = None if (v is None or pd.isna(v) or _blank(v)) else v
            out.append(row)
    return out


def naive_disagreements(claims: list[dict[str, object]]) -> set[tuple[str, str, str]]:
    out = set()
    tickers = list(dict.fromkeys(str(c[C.BLOOMBERG_TICKER]) for c in claims))
    for field in CLAIM_FIELDS:
        for t in tickers:
            pairs = [
                (str(c[C.SOURCE]), str(c[field]))
                for c in claims
                if c[C.BLOOMBERG_TICKER] == t and c[field] is not None
            ]
            if len({v for _, v in pairs}) > 1:
                out.add((t, field, "; ".join(f"{s}={v}" for s, v in pairs)))
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    rows = frame.astype(object).to_dict("records")
    return [{k: (None if v is None or v is pd.NA else v) for k, v in r.items()} for r in rows]


def _map(source: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame[C.SOURCE] = source
    frame[C.SOURCE_ROW] = range(2, len(frame) + 2)
    return frame


def test_small_frames_with_na_empty_outside_and_repeats() -> None:
    a = _map(
        "a",
        [
            {"bloomberg_ticker": "AAA US", "isin": "US1", "name": "Alpha", "figi": ""},
            {"bloomberg_ticker": "AAA US", "isin": "US2", "name": "Alpha", "figi": "  "},
            {"bloomberg_ticker": "BBB US", "isin": None, "name": pd.NA, "figi": "F1"},
            {"bloomberg_ticker": "ZZZ US", "isin": "US9", "name": "Outside", "figi": "F9"},
        ],
    )
    b = _map(
        "b",
        [
            {"bloomberg_ticker": "BBB US", "isin": "US3", "name": "Beta", "figi": "F2"},
            {"bloomberg_ticker": "AAA US", "isin": "US1", "name": "Alpha", "yahoo": "AAA"},
        ],
    )
    universe = ["AAA US", "BBB US", "CCC US"]
    got = claims_table(universe, [a, b])
    expected = naive_claims(universe, [a, b])
    assert list(got.columns) == [C.BLOOMBERG_TICKER, C.SOURCE, C.SOURCE_ROW, *CLAIM_FIELDS]
    assert _records(got) == expected
    assert "ZZZ US" not in set(got[C.BLOOMBERG_TICKER])
    # AAA US is repeated in map a: both rows stay, each with its own source_row.
    assert sorted(got.loc[got[C.SOURCE] == "a", C.SOURCE_ROW].tolist()) == [2, 3, 4]

    dis = disagreements(got)
    got_set = {
        tuple(r) for r in dis[[C.BLOOMBERG_TICKER, "field", "values"]].itertuples(index=False)
    }
    assert got_set == naive_disagreements(expected)
    # The repeat inside map a disagrees with itself on isin; the blank figis are not claims.
    assert ("AAA US", C.ISIN, "a=US1; a=US2; b=US1") in got_set
    assert not any(f == C.FIGI and t == "AAA US" for t, f, _ in got_set)
    assert ("BBB US", C.FIGI, "a=F1; b=F2") in got_set


def test_no_maps_and_no_overlap_give_empty_frames() -> None:
    empty = claims_table(["AAA US"], [])
    assert empty.empty and list(empty.columns) == [
        C.BLOOMBERG_TICKER,
        C.SOURCE,
        C.SOURCE_ROW,
        *CLAIM_FIELDS,
    ]
    assert disagreements(empty).empty
    outside = claims_table(["AAA US"], [_map("a", [{"bloomberg_ticker": "ZZZ US", "isin": "X"}])])
    assert outside.empty
    assert list(disagreements(outside).columns) == [C.BLOOMBERG_TICKER, "field", "values"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_frames_match_naive(seed: int) -> None:
    rng = random.Random(seed)
    tickers = [f"T{i} US" for i in range(12)]
    values = ["", " ", None, "V1", "V2", "V3"]
    maps = []
    for source in ("a", "b", "c"):
        rows = []
        for _ in range(rng.randint(0, 20)):
            row: dict[str, object] = {C.BLOOMBERG_TICKER: rng.choice(tickers)}
            for f in CLAIM_FIELDS:
                row[f] = rng.choice(values)
            rows.append(row)
        if rows:
            maps.append(_map(source, rows))
    universe = rng.sample(tickers, 8)
    got = claims_table(universe, maps)
    expected = naive_claims(universe, maps)
    assert _records(got) == expected
    dis = disagreements(got)
    got_set = {
        tuple(r) for r in dis[[C.BLOOMBERG_TICKER, "field", "values"]].itertuples(index=False)
    }
    assert got_set == naive_disagreements(expected)


def test_disagreements_respects_fields_argument() -> None:
    a = _map("a", [{"bloomberg_ticker": "AAA US", "isin": "US1", "name": "X"}])
    b = _map("b", [{"bloomberg_ticker": "AAA US", "isin": "US2", "name": "Y"}])
    claims = claims_table(["AAA US"], [a, b])
    only_isin = disagreements(claims, fields=[C.ISIN])
    assert only_isin["field"].tolist() == [C.ISIN]
    assert set(disagreements(claims)["field"]) == {C.ISIN, C.NAME}
