"""CLI command ``tickermap features``: price features from a daily OHLCV table."""

from __future__ import annotations

from pathlib import Path

import typer

from tickermap.cli._app import app, console, friendly_errors
from tickermap.cli._progress import RichProgress
from tickermap.columns import BLOOMBERG_TICKER
from tickermap.errors import ConfigError
from tickermap.features.compute import FEATURE_COLUMNS, CountrySource, run_features
from tickermap.tables import check_outputs, write_table

_COUNTRY_SOURCES: tuple[CountrySource, ...] = ("auto", "column", "key", "none")


@app.command()
@friendly_errors
def features(
    prices: Path = typer.Argument(
        ...,
        help="Daily prices: date, <key>, open, high, low, close, volume "
        "[, shares_outstanding, currency, country] (CSV or Parquet).",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output table (.csv or .parquet)."),
    key: str = typer.Option(BLOOMBERG_TICKER, "--key", help="The ticker column of PRICES."),
    fx: Path | None = typer.Option(
        None, "--fx", help="FX table date, currency, usd_per_unit (for non-USD market caps)."
    ),
    country_from: str = typer.Option(
        "auto", "--country-from", help="Countries for price_rank_country: auto|column|key|none."
    ),
) -> None:
    """Compute price features (Williams %R, TRIX, Bollinger %B, CCI, ...) per date and ticker.

    Example: tickermap features prices.parquet --fx fx.csv --out features.parquet
    """
    check_outputs(inputs=[prices, fx], outputs={"--out": out})
    if country_from not in _COUNTRY_SOURCES:
        raise ConfigError(f"--country-from must be one of {', '.join(_COUNTRY_SOURCES)}")
    with RichProgress() as bar:
        table = run_features(prices, key=key, fx_path=fx, country_from=country_from, progress=bar)
    write_table(table, out)
    filled = ", ".join(f"{c} {table[c].notna().mean():.0%}" for c in FEATURE_COLUMNS)
    console.print(f"Wrote {len(table):,} rows x {len(FEATURE_COLUMNS)} features to {out}")
    console.print(f"Non-empty: {filled}")
