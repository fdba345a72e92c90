"""What can go wrong, in the domain's words. The doors map each class to an HTTP status
in one table (ringback.adapters.http.STATUS_BY_ERROR); nothing matches message text."""
from __future__ import annotations

from typing import Any


class RingbackError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class InvalidInput(RingbackError):
    code = "invalid_request"


class Unauthenticated(RingbackError):
    code = "unauthenticated"


class Forbidden(RingbackError):
    code = "forbidden"


class NotFound(RingbackError):
    code = "not_found"


class Conflict(RingbackError):
    code = "conflict"


class PreconditionFailed(RingbackError):
    """An update named a version that is no longer the current one (HTTP 412), or named
    none where one is required (428, code "version_required")."""

    code = "stale_version"


class RateLimited(RingbackError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_seconds: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(RingbackError):
    code = "unavailable"
