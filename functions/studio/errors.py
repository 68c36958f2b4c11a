"""Domain errors. Each knows its HTTP status and code; studio.http maps them in one place."""

from __future__ import annotations

from typing import Any


class StudioError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code
        self.retry_after = retry_after


class BadRequest(StudioError):
    status, code = 400, "bad_request"


class InvalidField(StudioError):
    """One field breaks a rule that needs context the schema lacks (the model's limits)."""

    status, code = 422, "validation_error"

    def __init__(self, field: str, rule: str, message: str | None = None) -> None:
        super().__init__(message or f"{field}: {rule}", [{"field": field, "rule": rule}])


class Unauthorized(StudioError):
    status, code = 401, "unauthorized"


class Forbidden(StudioError):
    status, code = 403, "forbidden"


class NotFound(StudioError):
    status, code = 404, "not_found"


class Conflict(StudioError):
    status, code = 409, "conflict"


class PayloadTooLarge(StudioError):
    status, code = 413, "payload_too_large"


class QuotaExceeded(StudioError):
    status, code = 429, "quota_exceeded"


class ContentFiltered(StudioError):
    status, code = 422, "content_filtered"


class ModelThrottled(StudioError):
    status, code = 429, "model_throttled"


class ModelError(StudioError):
    """The model answered with an error or with something we cannot read."""

    status, code = 502, "model_error"


class ModelUnavailable(StudioError):
    """The model could not be reached in time (timeout, 5xx after retries, not enabled)."""

    status, code = 503, "model_unavailable"


class StorageError(StudioError):
    status, code = 503, "storage_error"


# Messages a person reads. They say what happened and what to do.
CONTENT_FILTER_MESSAGE = (
    "The request was blocked by the model's content filters. Rephrase the prompt (or use another "
    "reference image) without violent, sexual, hateful or trademarked content, then try again."
)
THROTTLED_MESSAGE = "The model is busy right now. Wait a minute and try again."
