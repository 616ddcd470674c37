"""Write the SYNTHETIC sample community maps that go with the sample world.

Reads ``tickermap/data/sample/world.json`` and ``universe.csv`` (``scripts/make_sample_world.py``)
and writes, next to them:

- ``community_map.csv``: the Signals-map format (``bloomberg_ticker,name_ticker,isin,figi,
  share_class_figi,composite_figi``), mostly right, with a handful of deliberate errors of the
  kinds real community files have (another company's FIGI, another country's listing, a typo'd
  FIGI, another company's ISIN, another company's name, a stale row for a reused ticker);
- ``community_map_yahoo.csv``: the ``bloomberg,yahoo,alpha_vantage`` format with
  ``SYMBOL_NOT_FOUND`` sentinels, a second witness;
- ``community_map_errors.csv``: which error was injected where (for the README and tests).

Deterministic: run it again and the files are identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tickermap.tickers.symbols import bloomberg_to_yahoo

SAMPLE = Path(__file__).resolve().parents[1] / "tickermap" / "data" / "sample"


def _composites(world: dict[str, list[dict[str, object]]]) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for rec in world["records"]:
        if rec["figi"] == rec["compositeFIGI"]:
            out.setdefault(f"{rec['ticker']} {rec['exchCode']}", []).append(rec)
    return out


def _row(ticker: str, rec: dict[str, object], name: str | None = None) -> dict[str, object]:
    isins = rec.get("isins") or [None]
    return {
        "bloomberg_ticker": ticker,
        "name_ticker": name or rec["name"],
        "isin": isins[0],  # type: ignore[index]
        "figi": rec["figi"],
        "share_class_figi": rec["shareClassFIGI"],
        "composite_figi": rec["compositeFIGI"],
    }


def main() -> None:
    world = json.loads((SAMPLE / "world.json").read_text())
    universe = pd.read_csv(SAMPLE / "universe.csv")["bloomberg_ticker"].tolist()
    comps = _composites(world)
    rows: list[dict[str, object]] = []
    errors: list[dict[str, str]] = []
    for ticker in universe:
        recs = comps.get(ticker, [])
        live = [r for r in recs if not r.get("delisted")]
        dead = [r for r in recs if r.get("delisted")]
        if ticker == "OLDN US":  # renamed: the map still has the old ticker, right FIGIs
            new = comps["NEWN US"][0]
            rows.append(_row(ticker, new, name="OLDNAME SYSTEMS INC"))
            errors.append({"bloomberg_ticker": ticker, "injected": "renamed"})
        elif ticker == "RUSE US" and dead:  # reused: a stale row of the first owner
            rows.append(_row(ticker, dead[0]))
            errors.append({"bloomberg_ticker": ticker, "injected": "ticker_reused"})
        elif ticker == "GONE US" and dead:
            rows.append(_row(ticker, dead[0]))
            errors.append({"bloomberg_ticker": ticker, "injected": "delisted"})
        elif live:
            rows.append(_row(ticker, live[0]))
    frame = pd.DataFrame(rows)
    clean = [
        i for i, t in enumerate(frame["bloomberg_ticker"]) if t in comps and len(comps[t]) == 1
    ]

    def inject(pos: int, kind: str, **values: object) -> None:
        idx = clean[pos]
        for col, value in values.items():
            frame.loc[idx, col] = value
        errors.append(
            {"bloomberg_ticker": str(frame.loc[idx, "bloomberg_ticker"]), "injected": kind}
        )

    other = frame.loc[clean[-1]]
    inject(
        2,
        "figi_other_security",
        figi=other["figi"],
        composite_figi=other["composite_figi"],
        share_class_figi=other["share_class_figi"],
    )
    bad = str(frame.loc[clean[5], "figi"])
    typo = bad[:6] + ("X" if bad[6] != "X" else "Y") + bad[7:]
    inject(5, "figi_invalid", figi=typo, composite_figi=typo)
    inject(8, "isin_conflict", isin=frame.loc[clean[-2], "isin"])
    inject(11, "name_conflict", name_ticker=frame.loc[clean[-3], "name_ticker"])
    if "MPLX US" in comps and "MPLX CN" in comps:  # wrong listing: the Canadian composite
        idx = frame.index[frame["bloomberg_ticker"] == "MPLX US"][0]
        cn = comps["MPLX CN"][0]
        frame.loc[idx, ["figi", "composite_figi"]] = [cn["figi"], cn["compositeFIGI"]]
        errors.append({"bloomberg_ticker": "MPLX US", "injected": "wrong_listing"})
    frame.to_csv(SAMPLE / "community_map.csv", index=False)

    yahoo = []
    for i, ticker in enumerate(universe):
        sym = bloomberg_to_yahoo(ticker)
        yahoo.append(
            {
                "bloomberg": ticker,
                "yahoo": sym.symbol if sym.symbol and i % 9 != 4 else "SYMBOL_NOT_FOUND",
                "alpha_vantage": "SYMBOL_NOT_FOUND",
            }
        )
    pd.DataFrame(yahoo).to_csv(SAMPLE / "community_map_yahoo.csv", index=False)
    pd.DataFrame(errors).to_csv(SAMPLE / "community_map_errors.csv", index=False)
    print(f"wrote {len(frame)} map rows, {len(errors)} injected cases, {len(yahoo)} yahoo rows")


if __name__ == "__main__":
    main()
