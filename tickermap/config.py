"""Settings: the only module that reads the environment.

Precedence everywhere is: explicit argument > CLI option > environment > default. Library
functions take a :class:`Settings` (or explicit arguments) and never read ``os.environ``.
The API key is kept out of ``repr`` so it cannot leak into logs or tracebacks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from tickermap.errors import ConfigError

__all__ = ["DEFAULT_OPENFIGI_URL", "Settings"]

DEFAULT_OPENFIGI_URL = "https://api.openfigi.com"
"""The real API; tests and offline runs point ``TICKERMAP_OPENFIGI_URL`` at the emulator."""


def _default_cache_dir(environ: Mapping[str, str]) -> Path:
    xdg = environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "tickermap"


def _positive_float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a number; unset it or give e.g. {default}"
        ) from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be positive")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Run-wide configuration.

    Attributes:
        api_key: OpenFIGI API key (``OPENFIGI_API_KEY``); never shown in repr, logs or errors.
        openfigi_url: base URL of OpenFIGI or of the emulator (``TICKERMAP_OPENFIGI_URL``).
        cache_dir: where the persistent cache and downloaded files live (``TICKERMAP_CACHE_DIR``).
        max_age_days: cached OpenFIGI answers older than this are fetched again
            (``TICKERMAP_MAX_AGE_DAYS``, default 30).
        timeout: seconds for one HTTP request (``TICKERMAP_TIMEOUT``, default 30).
        max_attempts: attempts per request before an outcome is ``failed``.
    """

    api_key: str | None = field(default=None, repr=False)
    openfigi_url: str = DEFAULT_OPENFIGI_URL
    cache_dir: Path = field(default_factory=lambda: _default_cache_dir(os.environ))
    max_age_days: float = 30.0
    timeout: float = 30.0
    max_attempts: int = 6

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables (``os.environ`` by default).

        Raises:
            ConfigError: a variable has an unusable value.
        """
        env = os.environ if environ is None else environ
        cache = env.get("TICKERMAP_CACHE_DIR")
        return cls(
            api_key=env.get("OPENFIGI_API_KEY") or None,
            openfigi_url=(env.get("TICKERMAP_OPENFIGI_URL") or DEFAULT_OPENFIGI_URL).rstrip("/"),
            cache_dir=Path(cache).expanduser() if cache else _default_cache_dir(env),
            max_age_days=_positive_float(env, "TICKERMAP_MAX_AGE_DAYS", 30.0),
            timeout=_positive_float(env, "TICKERMAP_TIMEOUT", 30.0),
        )

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with the given fields replaced; ``None`` values are ignored.

        >>> Settings(openfigi_url="http://a").with_overrides(openfigi_url=None).openfigi_url
        'http://a'
        """
        kept = {k: v for k, v in changes.items() if v is not None}
        if "openfigi_url" in kept:
            kept["openfigi_url"] = str(kept["openfigi_url"]).rstrip("/")
        if "cache_dir" in kept:
            kept["cache_dir"] = Path(str(kept["cache_dir"])).expanduser()
        return replace(self, **kept)  # type: ignore[arg-type]

    @property
    def has_key(self) -> bool:
        """Whether an API key is configured (the limits differ)."""
        return bool(self.api_key)
