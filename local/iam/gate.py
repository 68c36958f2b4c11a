"""The IAM gate of the local world: every AWS call a function makes is allowed or refused as AWS would.

Each function signs its calls with its own access key (local/containers.py gives each container
its role's key), so the gate knows who calls; `requests.read_request` says which actions on which
resources the call needs; `evaluate.evaluate` decides with the role's synthesized policy and the
resource's own policy (a bucket's, a queue's). A refused call gets the service's own AccessDenied
answer, in its protocol, and is recorded (`denials`, and a JSON line in the data directory), so a
test can name the function, the action and the resource that a narrowed grant broke.

Identities besides the functions: the harness (bootstrap, persistence, tests: the key "local",
allowed everything, as an administrator is), CloudFront (reads /images/* under the images bucket's
policy, as its origin access control does) and anonymous callers (Cognito's public operations only).
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

from local.iam.deployment import Deployment, FunctionSpec
from local.iam.evaluate import Principal, Request, evaluate
from local.iam.requests import Asked, form_fields, read_request

log = logging.getLogger("local.iam")

ADMIN_KEY = "local"
ADMIN_SECRET = "local"
CLOUDFRONT_KEY = "local-cloudfront"
# Cognito operations a browser calls without AWS credentials (the user pool's public API).
COGNITO_PUBLIC = frozenset({
    "InitiateAuth", "RespondToAuthChallenge", "SignUp", "ConfirmSignUp", "ResendConfirmationCode",
    "ForgotPassword", "ConfirmForgotPassword", "GetUser", "GlobalSignOut", "RevokeToken", "ChangePassword",
    "GetTokensFromRefreshToken", "UpdateUserAttributes", "VerifyUserAttribute", "GetUserAttributeVerificationCode",
    "DeleteUser", "AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference", "ListDevices",
})
# Every call here is HTTPS in the cloud (the SDKs' default): policies that deny plain HTTP
# (aws:SecureTransport, as enforceSSL writes them) must not refuse the local loopback.
CONTEXT = {"aws:SecureTransport": "true"}


@dataclass(frozen=True)
class Identity:
    name: str  # a function's name, "admin" or "cloudfront"
    access_key: str
    secret_key: str
    spec: FunctionSpec | None = None  # a function's role
    service: str = ""  # an AWS service principal


@dataclass
class Denial:
    function: str
    action: str
    resource: str
    reason: str
    operation: str
    service: str
    at: float

    def message(self, principal: str) -> str:
        why = ("with an explicit deny in a policy" if self.reason == "explicit deny"
               else f"because no identity-based policy allows the {self.action} action")
        return f"User: {principal} is not authorized to perform: {self.action} on resource: {self.resource} {why}"

    def line(self) -> str:
        return f"IAM denied: {self.function} may not {self.action} on {self.resource} ({self.reason}; {self.operation})"


class Identities:
    """The local access keys: one per function role (random secrets, made at each start), the
    harness's and CloudFront's."""

    def __init__(self, deployment: Deployment) -> None:
        self.admin = Identity("admin", ADMIN_KEY, ADMIN_SECRET)
        self.cloudfront = Identity("cloudfront", CLOUDFRONT_KEY, secrets.token_hex(16), service="cloudfront.amazonaws.com")
        self.functions = {name: Identity(name, f"local-{name}", secrets.token_hex(16), spec=spec)
                          for name, spec in deployment.functions.items()}
        self._by_key = {i.access_key: i for i in (self.admin, self.cloudfront, *self.functions.values())}

    def by_key(self, access_key: str) -> Identity | None:
        return self._by_key.get(access_key)

    def secret_for(self, access_key: str) -> str | None:
        identity = self._by_key.get(access_key)
        return identity.secret_key if identity else None


class Gate:
    def __init__(self, deployment: Deployment, identities: Identities, *, account: str, region: str,
                 distribution_arn: str, secret_arn: Callable[[str], str] = lambda s: s,
                 profile_destinations: Callable[[str], list[str]] = lambda _p: [],
                 record: Path | None = None) -> None:
        self.deployment, self.identities = deployment, identities
        self.account, self.region, self.distribution_arn = account, region, distribution_arn
        self.secret_arn, self.profile_destinations = secret_arn, profile_destinations
        self.record = record
        self.denials: list[Denial] = []
        self.checked: dict[tuple[str, str], int] = {}  # (function, action) -> how many calls were allowed
        self._lock = threading.Lock()

    def read(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Asked:
        form = form_fields(headers.get("content-type", ""), body) if method == "POST" else None
        return read_request(method, path, query, headers, body, account=self.account, default_region=self.region,
                            secret_arn=self.secret_arn, form=form, profile_destinations=self.profile_destinations)

    def _resource_policy(self, resource: str) -> list[dict]:
        policies = self.deployment.resource_policies
        if resource.startswith("arn:aws:s3:::"):
            return policies.get(resource.split("/", 1)[0], [])
        return policies.get(resource, [])

    def decide(self, asked: Asked) -> tuple[Identity | None, Denial | None]:
        """(who, None) when every action the call needs is allowed; else the first refused one."""
        identity = self.identities.by_key(asked.signature.access_key) if asked.signature.access_key else None
        if identity is self.identities.admin:
            return identity, None
        if identity is None:
            if not asked.signature.access_key and asked.service == "cognito-idp" and asked.operation in COGNITO_PUBLIC:
                return None, None
            who = f"unknown access key {asked.signature.access_key}" if asked.signature.access_key else "anonymous"
            check = asked.checks[0] if asked.checks else Request(f"{asked.service}:{asked.operation}", "*")
            return None, self._deny(who, check, "not signed by a known key", asked)
        for check in asked.checks:
            if identity.spec is not None:
                principal = Principal(arn=identity.spec.role_arn, account=self.account)
                request = Request(check.action, check.resource,
                                  {**CONTEXT, "aws:PrincipalArn": identity.spec.role_arn,
                                   "aws:PrincipalAccount": self.account, **check.context})
                decision = evaluate(request, identity.spec.statements, self._resource_policy(check.resource), principal)
            else:  # a service principal: only the resource's policy can allow it
                request = Request(check.action, check.resource,
                                  {**CONTEXT, "aws:SourceArn": self.distribution_arn,
                                   "aws:SourceAccount": self.account, **check.context})
                decision = evaluate(request, [], self._resource_policy(check.resource),
                                    Principal(service=identity.service, account=self.account))
            if not decision.allowed:
                return identity, self._deny(identity.name, check, decision.reason, asked)
            with self._lock:
                key = (identity.name, check.action)
                self.checked[key] = self.checked.get(key, 0) + 1
        return identity, None

    def allows(self, identity_name: str, action: str, resource: str) -> bool:
        """Whether a function's role allows an action (for the S3 answer to a missing key)."""
        identity = self.identities.functions.get(identity_name)
        if identity is None or identity.spec is None:
            return identity_name == "admin"
        principal = Principal(arn=identity.spec.role_arn, account=self.account)
        return evaluate(Request(action, resource, dict(CONTEXT)), identity.spec.statements,
                        self._resource_policy(resource), principal).allowed

    def _deny(self, who: str, check: Request, reason: str, asked: Asked) -> Denial:
        denial = Denial(function=who, action=check.action, resource=check.resource, reason=reason,
                        operation=asked.operation, service=asked.service, at=time.time())
        with self._lock:
            self.denials.append(denial)
            if self.record is not None:
                with self.record.open("a") as out:
                    out.write(json.dumps(asdict(denial)) + "\n")
        log.warning(denial.line())
        return denial

    def authorize_http(self, method: str, path: str, query: str, headers: dict[str, str],
                       body: bytes) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """For a server of its own (the Bedrock emulator): None to serve the call, else the refusal."""
        asked = self.read(method, path, query, headers, body)
        identity, denial = self.decide(asked)
        if denial is None:
            return None
        return access_denied(asked.service, denial.message(self.principal_of(identity)))

    def principal_of(self, identity: Identity | None) -> str:
        if identity is None:
            return "anonymous"
        return identity.spec.session_arn if identity.spec else f"arn:aws:iam::{self.account}:{identity.name}"


def access_denied(service: str, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """The service's own AccessDenied answer, in its protocol (botocore reads each as AccessDenied*)."""
    request_id = str(uuid.uuid4())
    if service in ("s3",):
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>{_xml(message)}'
               f"</Message><RequestId>{request_id}</RequestId></Error>")
        return 403, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], xml.encode()
    if service == "cloudfront":
        xml = (f'<?xml version="1.0"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
               f"<Message>{_xml(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return 403, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()
    if service in ("bedrock", "s3vectors"):  # REST-JSON: the error type is a header
        return 403, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException"),
                     ("x-amzn-RequestId", request_id)], json.dumps({"message": message}).encode()
    headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", request_id)]
    if service == "sqs":  # query-compatible JSON: botocore takes the legacy code from this header
        headers.append(("x-amzn-query-error", "AccessDenied;Sender"))
    body = {"__type": "com.amazon.coral.service#AccessDeniedException", "message": message, "Message": message}
    return (403 if service == "sqs" else 400), headers, json.dumps(body).encode()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class GatedMoto:
    """moto's WSGI application behind the gate.

    Also where the local world behaves as AWS does in two ways moto does not: DynamoDB calls are
    served one at a time (moto's backend is not safe under concurrent transactions: a failed one
    restored a copy of the table, losing other threads' writes), and a read of a missing S3 object
    by a role without s3:ListBucket is answered 403 AccessDenied, not 404 (S3 hides whether a key
    exists from who may not list the bucket)."""

    def __init__(self, app, gate: Gate) -> None:
        self.app, self.gate = app, gate
        self._dynamodb = threading.Lock()

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        path = environ.get("PATH_INFO", "/")
        if path.startswith("/moto-api") or path.endswith("/.well-known/jwks.json"):
            return self.app(environ, start_response)  # moto's own API (harness only, loopback); the JWKS is public
        asked = self.gate.read(environ["REQUEST_METHOD"], path, environ.get("QUERY_STRING", ""), headers, body)
        identity, denial = self.gate.decide(asked)
        if denial is not None:
            status, response_headers, payload = access_denied(asked.service, denial.message(self.gate.principal_of(identity)))
            start_response(f"{status} Forbidden" if status == 403 else f"{status} Bad Request",
                           response_headers + [("Content-Length", str(len(payload)))])
            return [payload]
        if asked.service == "dynamodb":
            with self._dynamodb:
                return list(self.app(environ, start_response))
        if (asked.service == "s3" and asked.operation in ("GetObject", "HeadObject") and identity is not None
                and identity.spec is not None and asked.checks):
            bucket = asked.checks[0].resource.split("/", 1)[0]
            if not self.gate.allows(identity.name, "s3:ListBucket", bucket):
                return self._hide_missing(environ, start_response, asked)
        return self.app(environ, start_response)

    def _hide_missing(self, environ: dict, start_response, asked: Asked) -> Iterable[bytes]:
        captured: dict = {}

        def capture(status: str, headers: list, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        payload = b"".join(self.app(environ, capture))
        if captured["status"].startswith("404"):
            _status, headers, body = access_denied("s3", "Access Denied")
            body = b"" if asked.operation == "HeadObject" else body
            start_response("403 Forbidden", headers + [("Content-Length", str(len(body)))])
            return [body]
        start_response(captured["status"], captured["headers"])
        return [payload]
