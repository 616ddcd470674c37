"""CLI commands for features (registered on the shared app)."""

from __future__ import annotations

from tickermap.cli._app import app  # noqa: F401
