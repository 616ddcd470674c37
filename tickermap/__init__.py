"""tickermap: clean join keys for the Numerai Signals universe, and the exposures of a signal."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
