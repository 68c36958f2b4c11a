"""The responses every operation documents: its success with its schema, and every error it can meet.

The OpenAPI document is the contract (a fuzz suite checks the running API against it), so each route
lists what it answers, the gateway's own answers included (studio.gateway_errors): 401 and 403 from the
authorizer, 413 over the payload limit, 429 from throttling with Retry-After.
"""

from __future__ import annotations

from typing import Any

from studio import gateway_errors
from studio.bodies.common import ErrorResponse

RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}


def _error(description: str, **extra: Any) -> dict:
    return {"description": description, "content": {"application/json": {"model": ErrorResponse}}, **extra}


ERROR_RESPONSES: dict[int, dict] = {
    400: _error("Bad request (malformed JSON, an unsupported mode, a forged cursor)"),
    401: _error(f"Missing, invalid or expired token (`{gateway_errors.UNAUTHORIZED.code}`, from the gateway)"),
    403: _error(f"The token lacks this route's scope (`{gateway_errors.ACCESS_DENIED.code}`, from the gateway)"),
    404: _error("Not found, or not yours"),
    413: _error(f"The request is over {gateway_errors.MAX_REQUEST_BYTES // (1024 * 1024)} MB "
                f"(`{gateway_errors.REQUEST_TOO_LARGE.code}`, from the gateway)"),
    415: _error("The body is not sent as application/json (`unsupported_media_type`)"),
    422: _error("A field breaks a rule: details name the field and the rule"),
    429: _error("Daily quota reached (`quota_exceeded`), the model is throttled (`model_throttled`) or too "
                "many requests (`throttled`, from the gateway); wait Retry-After seconds", headers=RETRY_AFTER),
    500: _error("Something failed on our side (`internal_error`); report the request id"),
    502: _error("The model answered with an error, or the function failed (`gateway_error`)"),
    503: _error("The model or storage is unavailable; try again"),
}

IDEMPOTENCY_CONFLICT = {409: _error("`idempotency_conflict`: this Idempotency-Key was used with another request "
                                    "body; use a new key for a new request")}
UPLOAD_TOO_LARGE = {413: _error("`payload_too_large`: the image is over the upload limit (the declared size), or the "
                                f"request is over {gateway_errors.MAX_REQUEST_BYTES // (1024 * 1024)} MB")}


def responses(status: int, model: type | None, description: str, extra: dict[int, dict] | None = None) -> dict:
    """Every response of one operation: the success (`model` None: no body), the errors, `extra` ones."""
    success: dict[str, Any] = {"description": description}
    if model is not None:
        success["content"] = {"application/json": {"model": model}}
    return {**ERROR_RESPONSES, **(extra or {}), status: success}
