"""Settings: the only module that reads the environment.

Precedence everywhere is: explicit argument > CLI option > environment > default. Library
functions take a :class:`Settings` (or explicit arguments) and never read ``os.environ``.
The API key is kept out of ``repr`` so it cannot leak into logs or tracebacks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

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


_ENV_FOR_FIELD = {
    "openfigi_url": "TICKERMAP_OPENFIGI_URL",
    "cache_dir": "TICKERMAP_CACHE_DIR",
    "max_age_days": "TICKERMAP_MAX_AGE_DAYS",
    "timeout": "TICKERMAP_TIMEOUT",
    "connect_timeout": "TICKERMAP_CONNECT_TIMEOUT",
    "request_budget": "TICKERMAP_REQUEST_BUDGET",
}
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
"""Visible ASCII: what an API key sent in an HTTP header may contain."""


def _api_key(environ: Mapping[str, str]) -> str | None:
    """``OPENFIGI_API_KEY`` without surrounding whitespace; never echoed in errors."""
    key = (environ.get("OPENFIGI_API_KEY") or "").strip()
    if key and not _HEADER_SAFE.fullmatch(key):
        raise ConfigError(
            "OPENFIGI_API_KEY contains characters that cannot be sent in an HTTP header "
            "(spaces, line breaks, control or non-ASCII characters inside the key); set it to "
            "the key alone"
        )
    return key or None


def _checked_url(url: str, where: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{where}={url!r} is not an http(s) URL; give e.g. {DEFAULT_OPENFIGI_URL} or the "
            "URL that 'tickermap emulator' prints"
        )
    return url.strip().rstrip("/")


@dataclass(frozen=True, slots=True)
class Settings:
    """Run-wide configuration.

    Attributes:
        api_key: OpenFIGI API key (``OPENFIGI_API_KEY``); never shown in repr, logs or errors.
        openfigi_url: base URL of OpenFIGI or of the emulator (``TICKERMAP_OPENFIGI_URL``).
        cache_dir: where the persistent cache and downloaded files live (``TICKERMAP_CACHE_DIR``).
        max_age_days: cached OpenFIGI answers older than this are fetched again
            (``TICKERMAP_MAX_AGE_DAYS``, default 30).
        timeout: seconds to wait for an answer once connected (``TICKERMAP_TIMEOUT``, default
            30).
        connect_timeout: seconds to wait for a connection (``TICKERMAP_CONNECT_TIMEOUT``,
            default 10).
        request_budget: seconds of network time one request may take over all its attempts
            (``TICKERMAP_REQUEST_BUDGET``, default 60); rate-limit waits do not count. A server
            that accepts connections but never answers costs one batch this long, not hours.
        max_attempts: attempts per request before an outcome is ``failed``.
    """

    api_key: str | None = field(default=None, repr=False)
    openfigi_url: str = DEFAULT_OPENFIGI_URL
    cache_dir: Path = field(default_factory=lambda: _default_cache_dir(os.environ))
    max_age_days: float = 30.0
    timeout: float = 30.0
    connect_timeout: float = 10.0
    request_budget: float = 60.0
    max_attempts: int = 6

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        overrides: Mapping[str, object] | None = None,
    ) -> Settings:
        """Build settings from environment variables (``os.environ`` by default).

        Args:
            environ: the environment to read.
            overrides: field -> value given explicitly (CLI options); ``None`` values are
                ignored. An overridden field's variable is not read at all, so a bad value
                there cannot stop a run whose option supersedes it.

        Raises:
            ConfigError: a variable or an override has an unusable value.
        """
        env = dict(os.environ if environ is None else environ)
        given = {k: v for k, v in (overrides or {}).items() if v is not None}
        for field_name, variable in _ENV_FOR_FIELD.items():
            if field_name in given:
                env.pop(variable, None)
        cache = env.get("TICKERMAP_CACHE_DIR")
        url = env.get("TICKERMAP_OPENFIGI_URL") or DEFAULT_OPENFIGI_URL
        base = cls(
            api_key=_api_key(env),
            openfigi_url=_checked_url(url, "TICKERMAP_OPENFIGI_URL"),
            cache_dir=Path(cache).expanduser() if cache else _default_cache_dir(env),
            max_age_days=_positive_float(env, "TICKERMAP_MAX_AGE_DAYS", 30.0),
            timeout=_positive_float(env, "TICKERMAP_TIMEOUT", 30.0),
            connect_timeout=_positive_float(env, "TICKERMAP_CONNECT_TIMEOUT", 10.0),
            request_budget=_positive_float(env, "TICKERMAP_REQUEST_BUDGET", 60.0),
        )
        return base.with_overrides(**given)

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with the given fields replaced; ``None`` values are ignored.

        >>> Settings(openfigi_url="http://a").with_overrides(openfigi_url=None).openfigi_url
        'http://a'
        """
        kept = {k: v for k, v in changes.items() if v is not None}
        if "openfigi_url" in kept:
            kept["openfigi_url"] = _checked_url(str(kept["openfigi_url"]), "--openfigi-url")
        for name in ("max_age_days", "timeout", "connect_timeout", "request_budget"):
            if name in kept and not float(str(kept[name])) > 0:
                option = "--max-age" if name == "max_age_days" else name
                raise ConfigError(f"{option} must be positive, got {kept[name]!r}")
        if "cache_dir" in kept:
            kept["cache_dir"] = Path(str(kept["cache_dir"])).expanduser()
        return replace(self, **kept)  # type: ignore[arg-type]

    @property
    def has_key(self) -> bool:
        """Whether an API key is configured (the limits differ)."""
        return bool(self.api_key)
