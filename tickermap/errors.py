"""The whole tickermap exception tree, and the CLI exit code of each branch.

This module imports nothing from tickermap. Library code raises these; only ``tickermap.cli``
turns them into ``Error: ...`` on stderr and an exit code. A bad *row* is data (a finding or an
outcome), never an exception: exceptions mean "cannot continue".

::

    TickermapError                      exit 1
      ConfigError                       exit 2   bad option / environment value
      InputError                        exit 3   a user file is unreadable or malformed
        MappingFileError                exit 3   ... a community mapping file in particular
      IdentifierError (also ValueError) exit 3   a single identifier is invalid (strict API)
      DownloadError                     exit 8   a community file could not be fetched
        ChecksumMismatch                exit 8   ... or its sha256 differs from the pinned one
      CacheError                        exit 7   the persistent cache is unusable
      OpenFigiError                     exit 5   OpenFIGI could not be used
        TransportError                  exit 5   connection refused/reset, timeout
        ResponseShapeError              exit 5   misaligned or undecodable response
        HTTPStatusError(status, url)    exit 5
          AuthError                     exit 4   401/403: bad or missing API key
          RequestTooLarge(max_jobs)     exit 5   413
          RateLimited(retry_after)      exit 5   429 after all retries
      OfflineMiss                       exit 6   --offline and the cache lacks answers
      AnalysisError                     exit 9   an exposure/feature computation cannot proceed
      FindingsError                     exit 10  ``validate --strict`` found error findings;
                                                ``check`` rejected the submission
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AnalysisError",
    "AuthError",
    "CacheError",
    "ChecksumMismatch",
    "ConfigError",
    "DownloadError",
    "FindingsError",
    "HTTPStatusError",
    "IdentifierError",
    "InputError",
    "MappingFileError",
    "OfflineMiss",
    "OpenFigiError",
    "RateLimited",
    "RequestTooLarge",
    "ResponseShapeError",
    "TickermapError",
    "TransportError",
]


class TickermapError(Exception):
    """Root of every error tickermap raises on purpose."""

    exit_code: int = 1


class ConfigError(TickermapError):
    """An option or environment variable has an unusable value."""

    exit_code = 2


class InputError(TickermapError):
    """A user-supplied file cannot be used; the message says where and what to do.

    Args:
        message: what is wrong and what to do about it.
        path: the file.
        line: 1-based line number in the file (the header is line 1), when known.
        column: the column name, when known.
        value: the offending value, when there is one.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.path = None if path is None else Path(path)
        self.line = line
        self.column = column
        self.value = value
        self.message = message
        super().__init__(self.render())

    def render(self) -> str:
        """The message prefixed with where the problem is: ``path, line 3, column 'x': ...``."""
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            value = self.value
            if hasattr(value, "item") and not isinstance(value, (str, bytes)):
                value = value.item()  # a numpy scalar reads as 'inf', not 'np.float64(inf)'
            where.append(f"value {value!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def locate(self, path: str | Path) -> None:
        """Attach the file the problem is in (when it is not known yet) and re-render."""
        if self.path is None:
            self.path = Path(path)
            self.args = (self.render(),)


class MappingFileError(InputError):
    """A community mapping file is malformed (missing columns, bad preset, ...)."""


class IdentifierError(TickermapError, ValueError):
    """A single identifier failed validation (raised by the strict ``validate_*`` helpers)."""

    exit_code = 3


class DownloadError(TickermapError):
    """A community file could not be downloaded."""

    exit_code = 8


class ChecksumMismatch(DownloadError):
    """A downloaded file's sha256 differs from the pinned checksum; the file was not kept."""


class CacheError(TickermapError):
    """The persistent cache cannot be opened, read or written."""

    exit_code = 7


class OpenFigiError(TickermapError):
    """OpenFIGI could not be used."""

    exit_code = 5


class TransportError(OpenFigiError):
    """The connection failed: refused, reset, timed out or dropped mid-body."""


class ResponseShapeError(OpenFigiError):
    """The response cannot be trusted: undecodable JSON, or not one result per job."""


class HTTPStatusError(OpenFigiError):
    """OpenFIGI answered with an error status.

    Args:
        message: human explanation (never contains the API key).
        status: the HTTP status code.
        url: the request URL.
        body: the first bytes of the (usually plain-text) body.
    """

    def __init__(self, message: str, *, status: int, url: str, body: str = "") -> None:
        self.status = status
        self.url = url
        self.body = body
        super().__init__(message)


class AuthError(HTTPStatusError):
    """401/403: the API key is invalid, or the endpoint needs one."""

    exit_code = 4


class RequestTooLarge(HTTPStatusError):
    """413: too many jobs in one request; ``max_jobs`` is the server's cap when it said so."""

    def __init__(
        self, message: str, *, status: int, url: str, body: str = "", max_jobs: int | None = None
    ) -> None:
        super().__init__(message, status=status, url=url, body=body)
        self.max_jobs = max_jobs


class RateLimited(HTTPStatusError):
    """429: too many requests; ``retry_after`` is the seconds the server asked us to wait."""

    def __init__(
        self, message: str, *, status: int, url: str, body: str = "", retry_after: float = 0.0
    ) -> None:
        super().__init__(message, status=status, url=url, body=body)
        self.retry_after = retry_after


class OfflineMiss(TickermapError):
    """``--offline`` was asked and the cache lacks answers that are required."""

    exit_code = 6


class AnalysisError(TickermapError):
    """A feature or exposure computation cannot proceed on the given data."""

    exit_code = 9


class FindingsError(TickermapError):
    """``validate --strict`` found error-severity findings, or ``check`` a rejected submission."""

    exit_code = 10
