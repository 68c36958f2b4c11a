"""The HTTP edge shared by every API function: the resolver, the caller, errors to responses.

Domain errors become `{"error": {"code", "message", "details"}}` here and nowhere else.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError

from studio.adapters import secrets
from studio.errors import Forbidden, StudioError, Unauthorized
from studio.observability import logger
from studio.routes import API_PREFIX, ORIGIN_HEADER


@dataclass(frozen=True)
class Caller:
    """Who is calling, from the Cognito authorizer's claims: the token's `sub` (a person or a
    machine client). Which scopes a route needs is API Gateway's check, not the handlers'."""

    user_id: str


def _error_json(code: str, message: str, details: Any) -> str:
    return json.dumps({"error": {"code": code, "message": message, "details": details}}, ensure_ascii=False)


def error_response(status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=_error_json(code, message, details), headers=headers or {})


def _field_of(location: tuple) -> str:
    # ("body", "lineage", "originalText") -> "lineage.originalText"; query/path keep their name.
    parts = [str(p) for p in location if p not in ("body",)]
    if parts and parts[0] in ("query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_details(errors: list[dict]) -> list[dict]:
    return [
        {"field": _field_of(tuple(e.get("loc", ()))), "rule": e.get("msg", "invalid"), "type": e.get("type")}
        for e in errors
    ]


def origin_refusal(event: dict) -> dict | None:
    """None when the request came through CloudFront (and its WAF); else the proxy response that
    refuses it (403), checked before any routing or validation. Secret values: adapters/secrets.py."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    sent = (headers.get(ORIGIN_HEADER) or "").encode()
    try:
        allowed = secrets.origin_values()
    except StudioError as error:
        return _proxy_response(error)
    if sent and any(hmac.compare_digest(sent, value.encode()) for value in allowed):
        return None
    return _proxy_response(Forbidden("Call the API through the site's address (SiteUrl/api), "
                                     "not its execute-api endpoint."))


def _proxy_response(error: StudioError) -> dict:
    return {"statusCode": error.status, "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": _error_json(error.code, error.message, error.details), "isBase64Encoded": False}


def _unreadable(reason: str) -> RequestValidationError:
    return RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": reason, "input": {}}])


class JsonBodies(OpenAPIRequestValidationMiddleware):
    """Request validation that reads a body only as UTF-8 JSON, and answers every other body with a 4xx.

    Powertools reads form and multipart bodies too, and lets a non-UTF-8 body, JSON nested deeper
    than the parser's stack or an integer longer than Python converts escape as 500s. Every JSON
    route gets its body here, so this is the one place those are refused."""

    def _get_body(self, app: APIGatewayRestResolver) -> Any:
        event = app.current_event
        content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
        body = event.body
        if not body:
            return None
        # A body without Content-Type is refused too (the README's contract): it is not declared JSON.
        if content_type != content_types.APPLICATION_JSON:
            raise RequestUnsupportedContentType("Unsupported content type", errors=[
                {"type": "unsupported_content_type", "loc": ("body",), "msg": f"unsupported: {content_type or 'none'}"}])
        try:
            text = base64.b64decode(body, validate=True).decode("utf-8") if event.is_base64_encoded else body
        except (binascii.Error, UnicodeDecodeError) as error:
            raise _unreadable("the body is not UTF-8 text") from error
        try:
            return json.loads(text)
        except RecursionError as error:
            raise _unreadable("the JSON is nested too deeply") from error
        except ValueError as error:  # JSONDecodeError, or an integer longer than Python converts
            raise _unreadable(str(error).split(";")[0][:120]) from error


def make_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True, strip_prefixes=[API_PREFIX])
    # Replaces the request validation Powertools created (it runs first in every route's stack).
    app._request_validation_middleware = JsonBodies()

    @app.exception_handler(RequestUnsupportedContentType)
    def _not_json(_: RequestUnsupportedContentType) -> Response:
        return error_response(415, "unsupported_media_type",
                              "Send the body as JSON with the header Content-Type: application/json.")

    @app.exception_handler(StudioError)
    def _studio_error(error: StudioError) -> Response:
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        if error.status >= 500:
            logger.warning("request failed", extra={"code": error.code, "status": error.status})
        return error_response(error.status, error.code, error.message, error.details, headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response:
        details = validation_details(list(error.errors()))
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(400, "invalid_json", "The request body is not valid JSON.", details)
        summary = "; ".join(f"{d['field']}: {d['rule']}" for d in details[:5])
        return error_response(422, "validation_error", f"Fix these fields: {summary}", details)

    @app.not_found
    def _not_found(_: NotFoundError) -> Response:
        return error_response(404, "not_found", "No such route. See GET /api/openapi.json for the routes.")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("unexpected error")
        return error_response(500, "internal_error",
                              "Something went wrong on our side. Try again; if it persists, report the request id.",
                              {"requestId": app.lambda_context.aws_request_id if app.lambda_context else None})

    return app


def caller(app: APIGatewayRestResolver) -> Caller:
    claims = app.current_event.request_context.authorizer.claims or {}
    user_id = claims.get("sub")
    if not user_id:
        # API Gateway's authorizer guarantees a token; reaching this means a misconfigured route.
        raise Unauthorized("Sign in: the request carries no signed-in user.")
    return Caller(user_id=user_id)


def public_base_url(app: APIGatewayRestResolver, configured: str) -> str:
    """Where images are served for this request: the configured domain, else the viewer's host
    (CloudFront's viewer-request function sets x-forwarded-host), else relative URLs."""
    if configured:
        return configured.rstrip("/")
    headers = app.current_event.headers or {}
    lowered = {k.lower(): v for k, v in headers.items()}
    host = lowered.get("x-forwarded-host")
    if not host:
        return ""
    proto = lowered.get("x-forwarded-proto") or lowered.get("cloudfront-forwarded-proto") or "https"
    return f"{proto}://{host}"
