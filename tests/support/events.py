"""Real API Gateway REST (v1) proxy events, a Lambda context, and proxy-response parsing."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from studio import routes
from studio.routes import ORIGIN_HEADER
from tests.support.aws import ORIGIN_SECRET_VALUE

ACCOUNT = "123456789012"
API_ID = "abc123defg"
USER_POOL_CLIENT = "5hgq8example0client0id"
# Cognito `sub`s are UUIDs; upload keys embed them (uploads/<sub>/...).
USER_A = "a1a1a1a1-0000-4000-8000-00000000000a"
USER_B = "b2b2b2b2-0000-4000-8000-00000000000b"


def _route_for(method: str, path: str) -> tuple[str, dict[str, str] | None]:
    """(resource template with the API prefix, path parameters) for a concrete path."""
    relative = path[len(routes.API_PREFIX):] if path.startswith(routes.API_PREFIX + "/") else path
    for route in routes.ROUTES:
        pattern = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path) + "$"
        match = re.match(pattern, relative)
        if match and route.method == method:
            return routes.API_PREFIX + route.path, (match.groupdict() or None)
    # An unknown route: API Gateway would not invoke us, but the resolver must still answer 404.
    return routes.API_PREFIX + relative, None


def claims_for(user: str, scope: str) -> dict[str, str]:
    return {
        "sub": user,
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
        "client_id": USER_POOL_CLIENT,
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": scope,
        "auth_time": "1764000000",
        "exp": "Thu Nov 26 18:00:00 UTC 2026",
        "iat": "Thu Nov 26 17:00:00 UTC 2026",
        "jti": str(uuid.uuid4()),
        "username": user,
    }


def api_event(method: str, path: str, *, body: Any = None, user: str | None = USER_A,
              scope: str = routes.USER_SCOPE, headers: dict[str, str] | None = None,
              query: dict[str, Any] | None = None, raw_body: str | None = None) -> dict:
    """An API Gateway REST proxy event as the Cognito-authorized API sends it.

    `body` is serialized as JSON; `raw_body` is sent as is (malformed JSON tests). `user=None`
    builds an event without authorizer claims (the unauthenticated /openapi.json route)."""
    method = method.upper()
    full_path = path if path.startswith(routes.API_PREFIX + "/") else routes.API_PREFIX + path
    resource, path_parameters = _route_for(method, full_path)
    all_headers = {
        "Accept": "application/json",
        "Host": f"{API_ID}.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "pytest",
        "X-Amzn-Trace-Id": "Root=1-6745a0e0-0123456789abcdef01234567",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        ORIGIN_HEADER: ORIGIN_SECRET_VALUE,  # as CloudFront adds it
    }
    if user is not None:
        all_headers["Authorization"] = "Bearer eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiJ0ZXN0In0.c2ln"
    if body is not None or raw_body is not None:
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    all_headers = {k: v for k, v in all_headers.items() if v is not None}  # None removes a header
    query_values = {k: (v if isinstance(v, list) else [v]) for k, v in (query or {}).items()}
    query_values = {k: [str(x).lower() if isinstance(x, bool) else str(x) for x in v] for k, v in query_values.items()}
    request_id = str(uuid.uuid4())
    authorizer: dict[str, Any] = {}
    if user is not None:
        authorizer = {"claims": claims_for(user, scope), "principalId": ""}
    return {
        "resource": resource,
        "path": full_path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query_values.items()} or None,
        "multiValueQueryStringParameters": query_values or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": "Ex7=",
            "requestTime": "26/Nov/2026:17:00:00 +0000",
            "path": f"/prod{full_path}",
            "accountId": ACCOUNT,
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "domainPrefix": API_ID,
            "requestTimeEpoch": 1764176400000,
            "requestId": request_id,
            "identity": {"cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None,
                         "caller": None, "sourceIp": "203.0.113.7", "principalOrgId": None, "accessKey": None,
                         "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None,
                         "userArn": None, "userAgent": "pytest", "user": None},
            "domainName": f"{API_ID}.execute-api.us-east-1.amazonaws.com",
            "apiId": API_ID,
            "authorizer": authorizer,
        },
        "body": raw_body if raw_body is not None else (json.dumps(body) if body is not None else None),
        "isBase64Encoded": False,
    }


@dataclass
class LambdaContext:
    function_name: str = "studio-test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:studio-test-function"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/studio-test-function"
    log_stream_name: str = "2026/11/26/[$LATEST]0123456789abcdef"
    remaining_ms: int = 29_000  # an API function's budget; the worker gets its own (see flow.py)

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw string when it is not JSON

    @property
    def error(self) -> dict:
        return self.body["error"]

    def fields(self) -> list[str]:
        return [d["field"] for d in (self.error.get("details") or [])]


def parse(response: dict) -> Reply:
    headers = dict(response.get("headers") or {})
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, values[-1])
    raw = response.get("body")
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw
    return Reply(response["statusCode"], headers, body)


def call(handler, method: str, path: str, **kwargs) -> Reply:
    return parse(handler(api_event(method, path, **kwargs), LambdaContext()))
