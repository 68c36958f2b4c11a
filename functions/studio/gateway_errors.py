"""What the API's gateway answers before a handler runs, in the application's error shape.

API Gateway (cdk/api.py: GatewayResponses) and the local gateway (local/gateway.py) both answer these
with {"error": {"code", "message", "details"}}, the shape every handler error has, and the OpenAPI
document lists them (studio.api_responses). Dependency-free: the CDK app and the local gateway
import it without Powertools or pydantic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# API Gateway's payload limit for a REST API request (and so the local gateway's).
MAX_REQUEST_BYTES = 10 * 1024 * 1024
# Seconds a throttled client is told to wait (API Gateway's stage throttling refills every second).
THROTTLE_RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True)
class GatewayError:
    response_type: str  # API Gateway's ResponseType
    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": None}}

    def template(self) -> str:
        """The GatewayResponse's application/json template: the body, no variables."""
        return json.dumps(self.body())


UNAUTHORIZED = GatewayError(
    "UNAUTHORIZED", 401, "unauthorized",
    "Sign in again: the request needs a valid, unexpired access token (Authorization: Bearer <token>).")
ACCESS_DENIED = GatewayError(
    "ACCESS_DENIED", 403, "forbidden",
    "This token may not call this route: ask for a token with the studio/generate scope (or studio/read to read).")
REQUEST_TOO_LARGE = GatewayError(
    "REQUEST_TOO_LARGE", 413, "payload_too_large",
    f"The request is larger than {MAX_REQUEST_BYTES // (1024 * 1024)} MB. Send images through POST /uploads, "
    "not in the request body.")
THROTTLED = GatewayError(
    "THROTTLED", 429, "throttled", "Too many requests right now. Wait a second and try again.",
    {"Retry-After": str(THROTTLE_RETRY_AFTER_SECONDS)})
QUOTA_EXCEEDED = GatewayError(
    "QUOTA_EXCEEDED", 429, "throttled", "Too many requests for this client today. Try again tomorrow.",
    {"Retry-After": "3600"})
# Every other 5xx of the gateway itself: a function that crashed or answered something it cannot
# read (502 locally; in the cloud the status stays the one API Gateway chose).
SERVER_ERROR = GatewayError(
    "DEFAULT_5XX", 502, "gateway_error",
    "The service failed to answer. Try again; if it persists, report the time of the request.")

FIXED = (UNAUTHORIZED, ACCESS_DENIED, REQUEST_TOO_LARGE, THROTTLED, QUOTA_EXCEEDED)
