"""Price loading, indicators and the feature matrices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickermap._lazy import lazy_exports

if TYPE_CHECKING:
    from tickermap.features.compute import (
        FEATURE_COLUMNS,
        CountrySource,
        FeatureSpec,
        compute_features,
        countries_from_keys,
        run_features,
    )
    from tickermap.features.indicators import (
        bollinger_pband,
        cci,
        price_to_high,
        residual_volatility,
        simple_return,
        trix,
        volume_volatility_to_price,
        williams_r,
    )
    from tickermap.features.prices import (
        PRICE_COLUMNS,
        load_fx,
        load_prices,
        validate_fx,
        validate_prices,
    )

__all__ = [
    "FEATURE_COLUMNS",
    "PRICE_COLUMNS",
    "CountrySource",
    "FeatureSpec",
    "bollinger_pband",
    "cci",
    "compute_features",
    "countries_from_keys",
    "load_fx",
    "load_prices",
    "price_to_high",
    "residual_volatility",
    "run_features",
    "simple_return",
    "trix",
    "validate_fx",
    "validate_prices",
    "volume_volatility_to_price",
    "williams_r",
]

__getattr__, __dir__ = lazy_exports(__name__)
