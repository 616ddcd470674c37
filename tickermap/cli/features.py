"""CLI command ``tickermap features``: price features from a daily OHLCV table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tickermap.cli._app import app, command, console
from tickermap.columns import BLOOMBERG_TICKER
from tickermap.errors import ConfigError
from tickermap.tables import check_outputs

if TYPE_CHECKING:
    import pandas as pd

_COUNTRY_SOURCES = ("auto", "column", "key", "none")


def _render(table: pd.DataFrame, out: Path) -> None:
    from tickermap.features.compute import FEATURE_COLUMNS

    filled = ", ".join(f"{c} {table[c].notna().mean():.0%}" for c in FEATURE_COLUMNS)
    console.print(f"Wrote {len(table):,} rows x {len(FEATURE_COLUMNS)} features to {out}")
    console.print(f"Non-empty: {filled}")


@command(app)
def features(
    prices: Path = typer.Argument(
        ...,
        metavar="PRICES",
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
    from tickermap.cli._progress import RichProgress
    from tickermap.features.compute import run_features

    if country_from not in _COUNTRY_SOURCES:
        raise ConfigError(f"--country-from must be one of {', '.join(_COUNTRY_SOURCES)}")
    with RichProgress() as bar:
        table = run_features(
            prices, key=key, fx_path=fx, country_from=country_from,  # type: ignore[arg-type]
            progress=bar, out=out,
        )  # fmt: skip
    _render(table, out)
