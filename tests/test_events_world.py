"""Event verdicts on the independent event world, and the emulator's delisted/rename options."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tickermap.config import Settings
from tickermap.emulator.endpoints import map_job
from tickermap.emulator.server import KEYED_LIMITS, Emulator
from tickermap.emulator.world import World, placeholder_for
from tickermap.errors import InputError
from tickermap.maps.load import load_map
from tickermap.reconcile.audit import audit_events, merge_history
from tickermap.reconcile.pipeline import reconcile
from tickermap.tables import write_table
from tickermap.testing.event_world import make_event_world, score_events


def _rec(figi: str, ticker: str, name: str, isin: str, **extra: object) -> dict[str, object]:
    return {"figi": figi, "compositeFIGI": figi, "ticker": ticker, "name": name,
            "exchCode": "US", "shareClassFIGI": "BBG001S5N8V8", "isins": [isin],
            **extra}  # fmt: skip


A, B = "BBG000B9XRY4", "BBG000BPH459"
ISIN_A = "US0378331005"


def _ask(world: World, id_type: str, value: str) -> dict[str, object]:
    return map_job(world, {"idType": id_type, "idValue": value})


def test_delisted_answers_nothing_or_a_placeholder() -> None:
    records = [_rec(A, "GONE", "GONE CO", ISIN_A, delisted=True)]
    silent = World.from_records(records, delisted_answer="nothing")
    for id_type, value in (("TICKER", "GONE"), ("ID_BB_GLOBAL", A), ("ID_ISIN", ISIN_A)):
        assert _ask(silent, id_type, value) == {"warning": "No identifier found."}
    assert silent.filter(None, {"exchCode": "US"}) == []
    held = World.from_records(records, delisted_answer="placeholder")
    assert _ask(held, "TICKER", "GONE") == {"warning": "No identifier found."}
    for id_type, value in (("ID_BB_GLOBAL", A), ("ID_ISIN", ISIN_A)):
        data = _ask(held, id_type, value)["data"]
        assert [r["ticker"] for r in data] == [placeholder_for(A)]  # type: ignore[index]
    assert placeholder_for(A)[:-1].isdigit() and placeholder_for(A).endswith("D")
    legacy = World.from_records(records)  # delisted: true keeps its last ticker by FIGI
    assert _ask(legacy, "ID_BB_GLOBAL", A)["data"][0]["ticker"] == "GONE"  # type: ignore[index]


def test_world_events_rename_and_delist() -> None:
    records = [_rec(A, "OLDN", "OLD CO", ISIN_A), _rec(B, "KEEP", "KEEP CO", "US5949181045")]
    events = [
        {"event": "renamed", "figi": A, "ticker": "NEWN", "name": "NEW CO"},
        {"event": "delisted", "figi": B, "answer": "placeholder", "placeholder": "1234567D"},
    ]
    w = World.from_records(records, events=events)
    assert _ask(w, "TICKER", "OLDN") == {"warning": "No identifier found."}
    new = _ask(w, "TICKER", "NEWN")["data"]
    assert [(r["figi"], r["name"]) for r in new] == [(A, "NEW CO")]  # type: ignore[index]
    only_ticker = World.from_records(
        records, events=[{"event": "renamed", "figi": A, "ticker": "X"}]
    )
    assert _ask(only_ticker, "TICKER", "X")["data"][0]["name"] == "OLD CO"  # type: ignore[index]
    assert _ask(w, "ID_BB_GLOBAL", B)["data"][0]["ticker"] == "1234567D"  # type: ignore[index]
    assert records[0]["ticker"] == "OLDN"  # the input records are not changed
    with pytest.raises(InputError, match="world event 1"):
        World.from_records(records, events=[{"event": "renamed", "figi": "BBG000000000"}])
    with pytest.raises(InputError, match="delisted_answer"):
        World.from_records(records, delisted_answer="sometimes")


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    ew = make_event_world(400, seed=5)
    folder = tmp_path_factory.mktemp("events")
    maps = [
        load_map(write_table(frame, folder / f"{name}.csv"), source=name)
        for name, frame in ew.maps.items()
    ]
    world = World.from_records(ew.world["records"], events=ew.world["events"])
    with Emulator(world, api_keys=["k"], time_scale=0.001, keyed=KEYED_LIMITS) as emu:
        settings = Settings(api_key="k", openfigi_url=emu.url, cache_dir=folder / "cache")
        result = reconcile(ew.universe, maps, settings=settings)
    return result.universe, ew.labels


def test_event_targets_on_the_independent_world(judged: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    universe, labels = judged
    witnessed = set(make_event_world(400, seed=5).maps["map_b"]["bloomberg_ticker"])
    scores = score_events(universe, labels)
    assert set(labels["kind"]) == {"ok", "error", "delisted", "renamed", "ticker_reused"}
    for kind in ("delisted", "renamed", "ticker_reused"):
        sub = scores[scores["kind"] == kind]
        assert sub["named"].sum() / sub["tickers"].sum() >= 0.9, kind
        assert sub["precision"].iloc[0] >= 0.9, kind
        if kind != "renamed":
            assert sub["as_error"].sum() == 0, kind  # an event is never a map error
    # The one exception: a full rename whose only witness has no ISIN (it could be a wrong FIGI).
    sole = set(labels["bloomberg_ticker"]) - set(witnessed)
    u = universe.merge(labels, on="bloomberg_ticker")
    as_error = u[(u["kind"] == "renamed") & ~u["reasons"].str.contains("renamed")]
    assert set(as_error["variant"]) <= {"full_no_isin"}
    assert set(as_error["bloomberg_ticker"]) <= sole
    clean = scores[scores["kind"] == "ok"].iloc[0]
    assert clean["named"] / clean["tickers"] <= 0.02
    errors = scores[scores["kind"] == "error"]
    assert errors["named"].sum() == 0 and errors["as_error"].sum() == errors["tickers"].sum()


def test_every_event_says_confirmed_or_probable(
    judged: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    universe, labels = judged
    events = audit_events(universe).merge(labels, on="bloomberg_ticker")
    assert set(events["event_confidence"]) == {"confirmed", "probable"}
    assert (events["why"].str.len() > 10).all()
    silent = events[(events["kind"] == "delisted") & (events["variant"] == "nothing")]
    held = events[(events["kind"] == "delisted") & (events["variant"] == "placeholder")]
    assert set(silent["event_confidence"]) == {"probable"}
    assert set(held["event_confidence"]) == {"confirmed"}
    assert silent["confidence"].max() < held["confidence"].min()


def test_merge_history_dates_confirms_and_adds() -> None:
    events = audit_events(
        pd.DataFrame(
            {
                "bloomberg_ticker": ["GONE US", "OLDN US"],
                "reasons": ["delisted", "renamed"],
                "status": ["delisted", "renamed"],
                "evidence": [
                    '{"m:1": {"details": {"delisted": "probable: nothing answers"}}}',
                    '{"m:2": {"details": {"renamed": "confirmed: now NEWN US"}}}',
                ],
                "composite_figi": [A, B],
                "name": ["G", "O"],
                "confidence": [0.2, 0.9],
                "sources": ["m", "m"],
            }
        )
    )
    history = pd.DataFrame(
        {
            "event": ["exited", "renamed", "ticker_reused", "entered"],
            "date": ["2023-10-27", "2023-02-03", "2023-08-04", "2023-01-06"],
            "numerai_ticker": ["GONE US", "NEWN US", "RUSE US", "NEWB US"],
            "composite_figi": [A, B, "BBG000BLNNH6", "BBG000BVPV84"],
            "previous": [None, "OLDN US", "BBG000B9Y5X2", None],
            "previous_last_date": [None, "2023-01-27", "2023-06-30", None],
            "confidence": ["confirmed"] * 4,
            "note": [None] * 4,
        }
    )
    got = merge_history(events, history).set_index(["event", "bloomberg_ticker"])
    assert got.loc[("delisted", "GONE US"), "date"] == "2023-10-27"
    assert got.loc[("delisted", "GONE US"), "event_confidence"] == "confirmed"  # history agrees
    assert got.loc[("renamed", "OLDN US"), "date"] == "2023-02-03"
    assert got.loc[("ticker_reused", "RUSE US"), "sources"] == "history"
    assert ("entered", "NEWB US") not in got.index and len(got) == 3
    with pytest.raises(InputError):
        merge_history(events, history.drop(columns=["previous"]), path=Path("h.events.csv"))
