"""Regenerate ``mappings/exchanges.csv`` from OpenFIGI's exchange-code table plus a curated table.

Usage::

    python scripts/build_exchanges.py [--source ../shared/data/openfigi_exchange_codes.csv]

OpenFIGI facts (member venues, ISO country, composite name) come from OpenFIGI's published CSV
(three header lines precede the column row). Everything OpenFIGI does not publish (Yahoo suffixes,
currency, main MIC, Numerai's ISO code, legacy-code handling) is curated in ``CURATED`` below; each
judgement call is explained in ``mappings/EXCHANGES.md``. The package never imports this script.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from tickermap.tickers.exchanges import CSV_COLUMNS

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "openfigi_exchange_codes.csv"
OUT = REPO / "mappings" / "exchanges.csv"

FIELDS = list(CSV_COLUMNS)

# code: (figi_composite, mic, yahoo suffixes (default first; "" = no suffix, "-" = Yahoo has no
#        such market), currency, yahoo_venues (venue=suffix), venue_hidden, yahoo_root, notes)
# yahoo_root: "same" (Yahoo symbol derives from the root) or "lookup" (Yahoo uses another local
# code, e.g. Bursa Malaysia's numeric codes; docs/numerai-signals.md §1.5).
Curated = tuple[str, str, str, str, str, bool, str, str]
CURATED: dict[str, Curated] = {
    "US": ("US", "XNYS", "", "USD", "", False, "same", ""),
    "JP": ("JP", "XTKS", ".T", "JPY", "JT=.T JN=.N JF=.FU JS=.S", False, "same", ""),
    "LN": ("LN", "XLON", ".L", "GBP", "", False, "same", "Yahoo quotes LSE prices in GBp"),
    "KS": (
        "KS",
        "XKRX",
        ".KS .KQ",
        "KRW",
        "KP=.KS KQ=.KQ",
        True,
        "same",
        "KOSPI (KP) vs KOSDAQ (KQ) hidden by the composite",
    ),
    "AU": ("AU", "XASX", ".AX", "AUD", "", False, "same", ""),
    "CN": (
        "CN",
        "XTSE",
        ".TO .V .CN .NE",
        "CAD",
        "CT=.TO CV=.V CF=.CN QF=.NE QG=.NE QH=.NE",
        False,
        "same",
        "units -U are -UN on Yahoo",
    ),
    "TT": (
        "TT",
        "XTAI",
        ".TW .TWO",
        "TWD",
        "",
        True,
        "same",
        "OpenFIGI uses TT for both TWSE and TPEx: the venue never tells .TW from .TWO",
    ),
    "GR": (
        "GR",
        "XETR",
        ".DE .F .BE .MU .DU .HM .HA .SG",
        "EUR",
        "GY=.DE GF=.F GB=.BE GM=.MU GD=.DU GH=.HM GI=.HA GS=.SG",
        True,
        "same",
        "",
    ),
    "FP": ("FP", "XPAR", ".PA", "EUR", "", False, "same", ""),
    "SS": ("SS", "XSTO", ".ST", "SEK", "", False, "same", ""),
    "SW": ("SW", "XSWX", ".SW", "CHF", "", False, "same", ""),
    "IM": ("IM", "XMIL", ".MI", "EUR", "", False, "same", ""),
    "HK": ("HK", "XHKG", ".HK", "HKD", "", False, "same", "Yahoo pads roots to 4 digits"),
    "BZ": ("BZ", "BVMF", ".SA", "BRL", "", False, "same", ""),
    "MK": (
        "MK",
        "XKLS",
        ".KL",
        "MYR",
        "",
        False,
        "lookup",
        "Yahoo uses Bursa's numeric stock code (AAGB MK is 5099.KL)",
    ),
    "SP": (
        "SP",
        "XSES",
        ".SI",
        "SGD",
        "",
        False,
        "lookup",
        "Yahoo uses the SGX code (DBS SP is D05.SI)",
    ),
    "SJ": ("SJ", "XJSE", ".JO", "ZAR", "", False, "same", "Yahoo quotes JSE prices in ZAc"),
    "NO": ("NO", "XOSL", ".OL", "NOK", "", False, "same", ""),
    "SM": ("SM", "XMAD", ".MC", "EUR", "", False, "same", ""),
    "NA": ("NA", "XAMS", ".AS", "EUR", "", False, "same", ""),
    "IJ": ("IJ", "XIDX", ".JK", "IDR", "", False, "same", ""),
    "DC": ("DC", "XCSE", ".CO", "DKK", "", False, "same", ""),
    "MF": (
        "MM",
        "XMEX",
        ".MX",
        "MXN",
        "",
        False,
        "same",
        "OpenFIGI's composite for Mexico is MM; Numerai uses the BMV venue code MF",
    ),
    "TI": ("TI", "XIST", ".IS", "TRY", "", False, "same", ""),
    "FH": ("FH", "XHEL", ".HE", "EUR", "", False, "same", ""),
    "BB": ("BB", "XBRU", ".BR", "EUR", "", False, "same", ""),
    "PW": ("PW", "XWAR", ".WA", "PLN", "", False, "same", ""),
    "PM": ("PM", "XPHS", "-", "PHP", "", False, "same", "Yahoo carries no Philippine listings"),
    "AV": ("AV", "XWBO", ".VI", "EUR", "", False, "same", ""),
    "NZ": ("NZ", "XNZE", ".NZ", "NZD", "", False, "same", ""),
    "ID": (
        "ID",
        "XDUB",
        ".IR",
        "EUR",
        "",
        False,
        "lookup",
        "Yahoo uses the Euronext Dublin code (CRH ID is CRG.IR)",
    ),
    "IT": ("IT", "XTAE", ".TA", "ILS", "", False, "same", "Yahoo quotes TASE prices in ILA"),
    "PL": ("PL", "XLIS", ".LS", "EUR", "", False, "same", ""),
    "GA": ("GA", "XATH", ".AT", "EUR", "", False, "same", ""),
    "TB": ("TB", "XBKK", ".BK", "THB", "", False, "same", ""),
    "HB": ("HB", "XBUD", ".BD", "HUF", "", False, "same", ""),
    "CP": ("CP", "XPRA", ".PR", "CZK", "", False, "same", ""),
    "CH": (
        "CH",
        "XSHG",
        ".SS .SZ .BJ",
        "CNY",
        "CG=.SS CS=.SZ JC=.BJ",
        True,
        "same",
        "Shanghai (CG) vs Shenzhen (CS) hidden by the composite",
    ),
    "IN": ("IN", "XNSE", ".NS .BO", "INR", "IS=.NS IB=.BO", False, "same", ""),
    "CB": ("CB", "XBOG", ".CL", "COP", "", False, "same", ""),
    "CI": ("CI", "XSGO", ".SN", "CLP", "", False, "same", ""),
    "EY": ("EY", "XCAI", ".CA", "EGP", "", False, "same", ""),
    "PE": ("PE", "XLIM", ".LM", "PEN", "", False, "same", ""),
    "QD": ("QD", "DSMD", ".QA", "QAR", "", False, "same", ""),
    "RM": ("RM", "MISX", ".ME", "RUB", "", False, "same", "Yahoo stopped updating .ME in 2022"),
    "UH": ("UH", "XDFM", "-", "AED", "", False, "same", "no Yahoo suffix confirmed for UAE"),
    # Legacy codes seen in Numerai-era files (mappings/EXCHANGES.md, "Legacy codes").
    "CA": (
        "CN",
        "XTSE",
        ".TO .V .CN .NE",
        "CAD",
        "",
        False,
        "same",
        "legacy Canada code (early 2021); OpenFIGI's CA is the Alberta venue; today CN",
    ),
    "GY": ("GR", "XETR", ".DE", "EUR", "", False, "same", "Xetra venue code used as a suffix"),
    "UQ": ("US", "XNMS", "", "USD", "", False, "same", "Nasdaq GM venue code used as a suffix"),
    "JX": (
        "JP",
        "XTKS",
        ".T",
        "JPY",
        "",
        False,
        "same",
        "Hercules venue code (merged into JASDAQ, then TSE) used as a suffix",
    ),
    "TW": (
        "TT",
        "XTAI",
        ".TW .TWO",
        "TWD",
        "",
        True,
        "same",
        "legacy Taiwan code in community maps; OpenFIGI's TW is Instinet Canada",
    ),
}
# Legacy codes that are venues of their composite in OpenFIGI *and* were used in that sense.
# CA (Alberta) and TW (Instinet Canada) are not: Numerai used them for Canada and Taiwan.
LEGACY_VENUES = {"GY", "UQ", "JX"}

# Numerai's TICKER_CTRY_MAP (docs/numerai-signals.md §1.4), kept identical to
# tickermap.tickers.parse.
sys.path.insert(0, str(REPO))
from tickermap.tickers.parse import BLOOMBERG_TO_ISO, LEGACY_CODES  # noqa: E402


def read_openfigi(path: Path) -> list[dict[str, str]]:
    """Rows of OpenFIGI's exchange-code CSV (the three preamble lines are skipped)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        lines = fh.read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Exchange Code,"))
    reader = csv.DictReader(lines[start:])
    return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def build(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One output row per curated code, OpenFIGI facts merged in."""
    by_composite: dict[str, list[dict[str, str]]] = {}
    by_exchange: dict[str, dict[str, str]] = {}
    for row in rows:
        by_composite.setdefault(row["Composite Code"], []).append(row)
        by_exchange.setdefault(row["Exchange Code"], row)
    out = []
    for code, (comp, mic, yahoo, ccy, yv, hidden, yroot, notes) in CURATED.items():
        members = by_composite.get(comp, [])
        if code in LEGACY_CODES:
            # A legacy code's only venue is itself, when OpenFIGI lists it under the same composite.
            own = by_exchange.get(code)
            venues = [code] if own and code in LEGACY_VENUES else []
            source = (members or [{}])[0]
        else:
            venues = sorted({m["Exchange Code"] for m in members})
            source = members[0] if members else {}
        if not members:
            raise SystemExit(f"OpenFIGI table has no composite {comp!r} (for {code})")
        country = members[0]["ISO Country Code (where applicable)"].upper()
        numerai = BLOOMBERG_TO_ISO[code]
        if country != numerai and code != "TW":
            raise SystemExit(f"{code}: OpenFIGI country {country} != Numerai's {numerai}")
        out.append(
            {
                "code": code,
                "country": numerai,
                "name": source.get("Composite Name", "") or members[0]["Composite Name"],
                "venue_codes": " ".join(venues),
                "mic": mic,
                "yahoo_suffixes": yahoo,
                "currency": ccy,
                "numerai_code": numerai,
                "figi_composite": comp,
                "yahoo_venues": yv,
                "venue_hidden": "true" if hidden else "false",
                "yahoo_root": yroot,
                "notes": notes,
            }
        )
    missing = set(BLOOMBERG_TO_ISO) - set(CURATED)
    if missing:
        raise SystemExit(f"codes in TICKER_CTRY_MAP without a curated row: {sorted(missing)}")
    return sorted(out, key=lambda r: r["code"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    table = build(read_openfigi(args.source))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    tmp.replace(args.out)
    print(f"wrote {len(table)} exchanges to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
