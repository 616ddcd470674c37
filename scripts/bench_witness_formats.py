"""Does "which file is wrong" survive a listing file with other columns than FinanceDatabase's?

The held-out ISIN pairs come from a 2026 listing database whose columns we do not know. This
bench rewrites the shared FinanceDatabase folder, at run time in a temp dir (never committed),
into generic listing files such a database might publish, loads each through ``--map-columns``
(``tickermap.maps.options.parse_map_options``, what the CLI calls), reconciles the labelled
tickers offline with the Signals map (both files as maps, as the held-out target says), and
reports the same numbers as ``scripts/bench_witnesses.py`` per format:

- ``financedatabase``: the folder through its preset (the reference);
- ``a_ticker_mic``: ``ticker,mic,name,isin`` (local ticker, no Yahoo suffix; FinanceDatabase's
  MIC; EuroTLX's empty MIC filled with ETLX);
- ``b_exchange_name``: ``symbol,exchange,name,isin,country`` (exchange as an acronym or name:
  XETRA, NASDAQ, TSE, Euronext Paris, Börse Berlin; country as FinanceDatabase has it, the
  issuer's, declared nowhere);
- ``c_yahoo_isin``: ``symbol,isin`` (Yahoo symbol and ISIN only, no names);
- ``d_market_country``: ``ticker,market_country,name,isin`` (the local ticker and only the
  market's country, a name or an ISO code: no venue).

No format has FIGI columns (FinanceDatabase's own FIGIs are in the reference only), so
``financedatabase_no_figi`` (the folder's columns, FIGIs dropped, via ``--map-columns``) shows
what the FIGIs alone bring.

Usage: python scripts/bench_witness_formats.py [--data ../shared/data] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_witnesses import LABELS, _fd_claims, _isin_metrics

from tickermap.config import Settings
from tickermap.maps.load import load_map
from tickermap.maps.options import parse_map_options
from tickermap.reconcile.pipeline import reconcile_files

EXCHANGE_NAMES = {
    "GER": "XETRA", "JPX": "TSE", "NAN": "", "NCM": "NASDAQ", "NGM": "NASDAQ", "NMS": "NASDAQ",
    "NYQ": "NYSE", "ASE": "NYSE American", "PCX": "NYSE Arca", "BTS": "Cboe BZX", "LSE": "LSE",
    "IOB": "LSE", "AQS": "Aquis", "HKG": "HKEX", "KSC": "KOSPI", "KOE": "KOSDAQ", "TAI": "TWSE",
    "TWO": "TPEx", "PAR": "Euronext Paris", "AMS": "Euronext Amsterdam",
    "BRU": "Euronext Brussels", "LIS": "Euronext Lisbon", "ISE": "Euronext Dublin",
    "MIL": "Borsa Italiana", "TLO": "EuroTLX", "MCE": "BME", "STO": "Nasdaq Stockholm",
    "CPH": "Nasdaq Copenhagen", "HEL": "Nasdaq Helsinki", "ICE": "Nasdaq Iceland",
    "RIS": "Nasdaq Riga", "LIT": "Nasdaq Vilnius", "TAL": "Nasdaq Tallinn", "OSL": "Oslo Børs",
    "EBS": "SIX", "VIE": "Wiener Börse", "ASX": "ASX", "NZE": "NZX", "TOR": "TSX",
    "VAN": "TSXV", "CNQ": "CNSX", "NEO": "NEO", "BSE": "BSE", "NSE": "NSE", "NSI": "NSE",
    "SHH": "SSE", "SHZ": "SZSE", "SAO": "B3", "MEX": "BMV", "JNB": "JSE", "SES": "SGX",
    "KLS": "Bursa Malaysia", "JKT": "IDX", "SET": "SET", "TLV": "TASE", "IST": "BIST",
    "ATH": "ATHEX", "BUD": "BSE Budapest", "PRA": "Prague Stock Exchange", "SGO": "Santiago "
    "Stock Exchange", "CAI": "EGX", "DOH": "QSE", "MCX": "MOEX", "SAU": "Tadawul",
    "BER": "Börse Berlin", "MUN": "Börse München", "DUS": "Börse Düsseldorf",
    "HAM": "Börse Hamburg", "HAN": "Börse Hannover", "FRA": "Börse Frankfurt",
    "STU": "Börse Stuttgart", "FKA": "Fukuoka Stock Exchange", "SAP": "Sapporo Securities "
    "Exchange", "CSE": "Colombo Stock Exchange", "BUE": "BYMA", "CCS": "Bolsa de Valores de "
    "Caracas", "OBB": "OTC Markets", "OEM": "OTC Markets", "OID": "OTC Markets",
    "OQB": "OTC Markets", "OQX": "OTC Markets", "NAE": "OTC Markets", "PNK": "OTC Markets",
}  # fmt: skip
"""FinanceDatabase file -> the exchange as a listing database might name it."""


def _folder(fd: Path) -> pd.DataFrame:
    parts = []
    for f in sorted(fd.glob("*.csv")):
        part = pd.read_csv(f, dtype=str, keep_default_na=False)
        parts.append(part.assign(file=f.stem))
    frame = pd.concat(parts, ignore_index=True)
    return frame[frame["symbol"] != ""].drop_duplicates("symbol").reset_index(drop=True)


def _market_country(mic: str) -> str:
    """The market's country, as a name (``Germany``), from the MIC: a file saying only where
    the market is."""
    from tickermap.maps.markets import resolve_market

    found = resolve_market(mic)
    return _COUNTRY_NAMES.get(found.country, found.country) if found is not None else ""


_COUNTRY_NAMES = {
    "DE": "Germany", "US": "United States", "GB": "United Kingdom", "JP": "Japan",
    "KR": "South Korea", "FR": "France", "HK": "Hong Kong", "CA": "Canada",
}  # fmt: skip


def _local(symbol: str) -> str:
    stem, dot, _ = symbol.rpartition(".")
    return stem if dot and stem else symbol


def _write_formats(fd: Path, work: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Format -> (--map values, --map-columns values); each file's rows in the folder's order."""
    rows = _folder(fd)
    local = rows["symbol"].map(_local)
    mic = rows["mic"].where(~((rows["mic"] == "") & (rows["file"] == "TLO")), "ETLX")
    files = {
        "a_ticker_mic": pd.DataFrame(
            {"ticker": local, "mic": mic, "name": rows["name"], "isin": rows["isin"]}
        ),
        "b_exchange_name": pd.DataFrame(
            {
                "symbol": local,
                "exchange": rows["file"].map(EXCHANGE_NAMES).fillna(""),
                "name": rows["name"],
                "isin": rows["isin"],
                "country": rows["country"],
            }
        ),
        "c_yahoo_isin": pd.DataFrame({"symbol": rows["symbol"], "isin": rows["isin"]}),
        "d_market_country": pd.DataFrame(
            {
                "ticker": local,
                "market_country": mic.map(_market_country),
                "name": rows["name"],
                "isin": rows["isin"],
            }
        ),
        "financedatabase_no_figi": rows[["symbol", "name", "isin"]],
    }
    columns = {
        "a_ticker_mic": "ticker=ticker,mic=mic,name=name,isin=isin",
        "b_exchange_name": "ticker=symbol,exchange=exchange,name=name,isin=isin",
        "c_yahoo_isin": "yahoo=symbol,isin=isin",
        "d_market_country": "ticker=ticker,country=market_country,name=name,isin=isin",
        "financedatabase_no_figi": "yahoo=symbol,name=name,isin=isin",
    }
    out: dict[str, tuple[list[str], list[str]]] = {"financedatabase": ([str(fd)], [])}
    for name, frame in files.items():
        path = work / f"{name}.csv"
        frame.to_csv(path, index=False)
        out[name] = ([str(path)], [f"{path}={columns[name]}"])
    return out


def _claims_by_row(
    review: pd.DataFrame, source: str, symbols: pd.Series, blamed: object
) -> dict[str, tuple[str, str]]:
    """A generic file's claims keyed by the FinanceDatabase Yahoo symbol of their line."""
    line_symbol = {i + 2: s for i, s in enumerate(symbols)}
    sub = review[review["source"].astype(str) == source]
    out = {
        line_symbol[int(r)]: (s, str(why))
        for r, s, why in zip(sub["source_row"], sub["status"], sub["reasons"], strict=True)
        if int(r) in line_symbol
    }
    for row in blamed if isinstance(blamed, list) else []:
        if isinstance(row, dict) and row.get("source") == source:
            symbol = line_symbol.get(int(str(row.get("source_row"))))
            if symbol is not None:
                out.setdefault(symbol, ("isin_conflict", "isin_conflict"))
    return out


def _run(
    data: Path, pairs: pd.DataFrame, work: Path, name: str, spec: tuple[list[str], list[str]]
) -> dict[str, object]:
    maps = parse_map_options([str(data / "signals_map_guillem.csv"), *spec[0]], spec[1])
    universe = work / f"u_{name}.csv"
    tickers = pd.concat([pairs["bloomberg_ticker"], pairs["fd_ticker"]]).dropna().unique()
    pd.DataFrame({"bloomberg_ticker": tickers}).to_csv(universe, index=False)
    start = time.perf_counter()
    done = reconcile_files(universe, maps, work / f"out_{name}.csv", review=work /
                           f"review_{name}.csv", settings=Settings(cache_dir=work / "cache"),
                           offline=True)  # fmt: skip
    seconds = time.perf_counter() - start
    result = done.result
    blamed = result.stats.get("blamed_listings")
    if name == "financedatabase":
        fd_claims = _fd_claims(result.review, blamed)
    else:
        symbols = _folder(data / "financedatabase" / "equities")["symbol"]
        fd_claims = _claims_by_row(result.review, Path(spec[0][0]).name, symbols, blamed)
    metrics = _isin_metrics(pairs, result.universe, result.review, blamed, fd_claims)
    metrics["seconds"] = round(seconds, 1)
    review_rows = pd.read_csv(work / f"review_{name}.csv", dtype=str, keep_default_na=False)
    metrics["review_rows"] = len(review_rows)
    return metrics


def _print(report: dict[str, dict[str, object]]) -> None:
    head = (f"{'format':<26}{'recall':>7}{'FA':>6}{'renamed':>8}{'claim_rec':>10}"
            f"{'row_rec':>8}{'right_bl':>9}{'FA_claims':>10}{'unverif':>8}{'s':>6}")  # fmt: skip
    print(head)
    for name, m in report.items():
        w = m["which_file"]
        assert isinstance(w, dict)
        print(
            f"{name:<26}{m['wrong_isin_recall']!s:>7}{m['false_alarms_same_company']!s:>6}"
            f"{m['renamed_called_conflict']!s:>8}{w['wrong_claim_recall']!s:>10}"
            f"{w['wrong_row_recall']!s:>8}{w['right_file_blamed']!s:>9}"
            f"{w['false_alarm_claims_same_company']!s:>10}{m['unverified_share']!s:>8}"
            f"{m['seconds']!s:>6}"
        )
    for name, m in report.items():
        print(f"-- {name}")
        per_reason = m["per_reason"]
        assert isinstance(per_reason, dict)
        for reason, r in per_reason.items():
            print(f"   {reason:<28}{r['rows']:>5} precision {r['precision']!s:<7} recall "
                  f"{r['recall']}")  # fmt: skip
        per_witness = m["per_witness"]
        assert isinstance(per_witness, dict)
        for witness, r in per_witness.items():
            print(f"   witness {witness:<25} judged {r['claims_judged']:>4} flagged "
                  f"{r['flagged']:>4} precision {r['precision']!s:<7} recall {r['recall']!s:<7}"
                  f" no claim {r['wrong_rows_without_claim']}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] /
                        "shared" / "data")  # fmt: skip
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--only", action="append", default=None, help="run only these formats")
    args = parser.parse_args(argv)
    fd = args.data / "financedatabase" / "equities"
    if not fd.is_dir():
        print(f"{args.data}: no financedatabase/equities; nothing to measure", file=sys.stderr)
        return 2
    pairs = pd.read_csv(LABELS / "isin_pairs.csv", dtype=str, keep_default_na=False)
    fd_map = load_map(fd).frame
    pairs["fd_ticker"] = pairs["fd_symbol"].map(
        dict(zip(fd_map["yahoo"], fd_map["bloomberg_ticker"], strict=True))
    )
    report: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, spec in _write_formats(fd, work).items():
            if args.only and name not in args.only:
                continue
            report[name] = _run(args.data, pairs, work, name, spec)
    _print(report)
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
