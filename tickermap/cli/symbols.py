"""``tickermap symbols``: convert a ticker column between Bloomberg, Numerai ISO and Yahoo forms."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from tickermap.cli._app import app, command, console
from tickermap.tables import check_outputs

if TYPE_CHECKING:
    from tickermap.maps.options import MapSpec
    from tickermap.tickers.symbols import SymbolSummary


def _render(s: SymbolSummary, out: Path) -> None:
    console.print(
        f"{s.rows} rows ({s.column}, {s.source}) -> {s.output}: {s.converted} converted, "
        f"{s.ambiguous} ambiguous, {s.rows - s.converted} without a symbol"
    )
    for reason, count in sorted(s.errors.items(), key=lambda kv: -kv[1]):
        console.print(f"  {reason}: {count}")
    console.print(f"wrote {out}")


def _inputs(path: Path, specs: list[MapSpec]) -> list[Path]:
    return [path, *(m.path for m in specs)]


@command(app)
def symbols(
    path: Path = typer.Argument(..., metavar="FILE", help="Input CSV or Parquet file."),
    column: str = typer.Option(
        None, "--column", help="bloomberg_ticker, numerai_ticker or yahoo (default: detected)."
    ),
    to: Literal["yahoo", "bloomberg", "numerai"] = typer.Option("yahoo", "--to"),
    out: Path = typer.Option(..., "--out", help="Output CSV or Parquet file."),
    namespace: Literal["bloomberg", "numerai", "yahoo"] = typer.Option(
        None, "--namespace", help="What the column holds, when its name does not say."
    ),
    venue_column: str = typer.Option(
        None, "--venue-column", help="Column of OpenFIGI exchange codes (KP/KQ decide .KS/.KQ)."
    ),
    maps: list[str] = typer.Option(
        [],
        "--map",
        metavar="FILE[:PRESET]",
        help="Witness with Yahoo symbols (FinanceDatabase folder, dsignals map); repeatable.",
    ),
    map_columns: list[str] = typer.Option(
        [], "--map-columns", help="Describe a generic --map, as for reconcile."
    ),
) -> None:
    """Convert tickers to Yahoo symbols, Bloomberg or Numerai ISO tickers, by string rules.

    Adds the target column plus symbol_ambiguous and symbol_error; for --to yahoo also
    yahoo_source (which witness or rule gave the symbol). With --map, listings of the witnesses
    linked by ISIN, FIGI, ticker or name decide; the string rules are the fallback.

    Example: tickermap symbols universe.csv --column bloomberg_ticker --to yahoo --out out.csv
    """
    from tickermap.maps.options import parse_map_options

    specs = parse_map_options(maps, map_columns)
    check_outputs(inputs=_inputs(path, specs), outputs={"--out": out})
    from tickermap.tickers.symbols import convert_file

    s = convert_file(
        path, out, column=column, to=to, source=namespace, venue_column=venue_column, maps=specs
    )
    _render(s, out)
