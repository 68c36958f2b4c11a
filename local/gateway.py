"""The local gateway: CloudFront + API Gateway in front of the handlers, on one origin.

  /api/*          the Cognito authorizer (local.auth), then the route's handler with a REST proxy event
  /images/*       objects of the images bucket (long, immutable cache)
  /config.json    generated: where to sign in
  /_cognito       Cognito's JSON API (moto), same-origin for the browser and the CLI
  /_s3/*          S3 (moto); AWS_ENDPOINT_URL_S3 points here, so presigned POSTs are same-origin
  /_bedrock/*     the Bedrock emulator (its /_emulator/faults switches), when it is the one in use
  /oauth2/token   Cognito's token endpoint for the machine client (client credentials)
  everything else web/, with the SPA fallback to index.html
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import logging
import mimetypes
import re
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from cdk import headers
from local import aws, events
from local.auth import Authorizer, Forbidden, Unauthorized
from local.containers import Functions
from local.paths import WEB_DIR, add_functions_to_path

add_functions_to_path()
from studio import channels, gateway_errors, routes  # noqa: E402
from studio.routes import ORIGIN_HEADER  # noqa: E402

log = logging.getLogger("local.gateway")

API_HOST = "localapi.execute-api.us-east-1.amazonaws.com"  # what API Gateway sees as Host behind CloudFront
API_MAX_REQUEST_BYTES = gateway_errors.MAX_REQUEST_BYTES  # API Gateway's payload limit
LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024  # Lambda's synchronous response limit
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
    "transfer-encoding", "upgrade", "host", "content-length",
}
COMPRESSIBLE = re.compile(r"^(text/|application/(json|javascript|xml|manifest\+json)|image/svg\+xml)")
mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("application/javascript", ".mjs")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("image/webp", ".webp")


def security_headers(s3_origin: str, push_origin: str = "") -> dict[str, str]:
    """The CloudFront response headers policy (cdk/web.py: content_security_policy and the
    ResponseHeadersPolicy), minus HSTS, which browsers ignore over http. connect-src lists the S3
    endpoint the presigned upload form posts to (in the cloud: the bucket's endpoints and Cognito;
    here: this origin, where /_s3 and /_cognito live), and the push WebSocket (here: /_events on this host)."""
    return {
        "Content-Security-Policy": headers.content_security_policy([o for o in (s3_origin, push_origin) if o]),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": headers.FRAME_OPTIONS,
        "Referrer-Policy": headers.REFERRER_POLICY,
    }


class GatewayServer(ThreadingHTTPServer):
    """One thread per connection (keep-alive connections keep theirs until the client closes).

    http.server listens with a backlog of 5: a burst of 50 people connecting at once overflowed it
    and the kernel reset the connections it could not queue. The kernel caps the backlog at
    net.core.somaxconn. Stopping does not wait for open connections (they are daemon threads)."""

    request_queue_size = 1024
    daemon_threads = True
    block_on_close = False


class Route:
    def __init__(self, route: routes.Route) -> None:
        self.route = route
        self.resource = routes.API_PREFIX + route.path
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.resource))
        self.regex = re.compile(f"^{pattern}$")


class Gateway:
    def __init__(
        self,
        resources: aws.Resources,
        functions: Functions,
        authorizer: Authorizer,
        host: str,
        port: int,
        public_host: str,
        region: str = aws.REGION,
        web_dir: Path = WEB_DIR,
        on_change: Callable[[], None] | None = None,
        identities=None,
    ) -> None:
        self.res = resources
        # The local access keys (local/iam/gate.py): who signed an S3 call, and CloudFront's own key.
        self.identities = identities
        self.functions = functions
        self.authorizer = authorizer
        self.public_host = public_host
        self.region = region
        self.web_dir = web_dir
        self.on_change = on_change or (lambda: None)
        self.bedrock_url: str | None = None  # the emulator, proxied at /_bedrock for its fault switches
        self.routes = [Route(r) for r in routes.ROUTES]
        moto = urllib.parse.urlsplit(resources.moto_url)
        self.moto_host, self.moto_port = moto.hostname, moto.port
        self.headers = security_headers(f"http://{public_host}", f"ws://{public_host}")
        # Push (AppSync Events): the channels, and the IAM gate its publish endpoint asks (the stack sets it).
        self.events = events.Hub(authorizer)
        self.gate = None
        gateway = self

        class Handler(GatewayRequestHandler):
            pass

        Handler.gateway = gateway
        self.server = GatewayServer((host, port), Handler)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def config(self, origin: str) -> dict:
        return {
            "apiBase": routes.API_PREFIX,
            "region": self.region,
            "userPoolId": self.res.user_pool_id,
            "userPoolClientId": self.res.web_client_id,
            "cognitoEndpoint": f"{origin}/_cognito",
            "cognitoDomain": None,
            "signIn": "password",
            "environment": "local",
            "machineClientId": self.res.machine_client_id,
            "events": {"realtimeUrl": "ws" + origin[len("http"):] + events.REALTIME_PATH,
                       "host": self.res.events_http_domain(self.region), "namespace": channels.NAMESPACE},
        }

    def match(self, method: str, path: str) -> tuple[routes.Route | None, dict | None, bool]:
        """(route, path parameters, path exists with another method)."""
        path_known = False
        for r in self.routes:
            m = r.regex.match(path)
            if m:
                path_known = True
                if r.route.method == method:
                    return r.route, m.groupdict(), True
        return None, None, path_known


class GatewayRequestHandler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    server_version = "ImagePromptStudioLocal"

    def log_message(self, fmt: str, *args) -> None:  # quiet; errors go through logging
        log.debug("%s " + fmt, self.address_string(), *args)

    # --- plumbing ---------------------------------------------------------------------------
    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, headers: dict | list | None = None, *, secure: bool = True,
              compress: bool = False) -> None:
        pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        names = {k.lower() for k, _ in pairs}
        if secure:
            pairs += [(k, v) for k, v in self.gateway.headers.items() if k.lower() not in names]
        if compress and len(body) > 256 and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, compresslevel=6)
            pairs.append(("Content-Encoding", "gzip"))
            pairs.append(("Vary", "Accept-Encoding"))
        self.send_response(status)
        for k, v in pairs:
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        self._send(status, json.dumps(payload).encode(), h)

    def _gateway_error(self, error: gateway_errors.GatewayError, headers: dict | None = None) -> None:
        """API Gateway's own answer, with the GatewayResponse the stack configures (cdk/api.py)."""
        self._json(error.status, error.body(), {**error.headers, **(headers or {})})

    def _dispatch(self) -> None:
        try:
            path = urllib.parse.urlsplit(self.path).path
            if path == routes.API_PREFIX or path.startswith(routes.API_PREFIX + "/"):
                self._api()
            elif path.startswith("/_s3/") or path == "/_s3":
                self._s3()
            elif path.rstrip("/") == "/_cognito" or path.startswith("/_cognito/"):
                self._cognito(path)
            elif (path == "/_bedrock" or path.startswith("/_bedrock/")) and self.gateway.bedrock_url:
                target = urllib.parse.urlsplit(self.gateway.bedrock_url)
                self._proxy(self.path[len("/_bedrock"):] or "/", track=False, host=target.hostname, port=target.port)
            elif path == events.REALTIME_PATH:
                events.serve_realtime(self, self.gateway.events)
            elif path == events.PUBLISH_PATH:
                events.serve_publish(self, self.gateway.events, self.gateway.gate, lambda namespace: (
                    self.gateway.res.events_namespace_arn(self.gateway.region, aws.ACCOUNT_ID, namespace)))
            elif path == events.FAULTS_PATH:
                events.serve_faults(self, self.gateway.events)
            elif path == "/oauth2/token":
                self._token()
            elif path.startswith("/images/"):
                self._image(path)
            elif path == "/config.json":
                self._send(200, json.dumps(self.gateway.config(self._origin())).encode(),
                           {"Content-Type": "application/json", "Cache-Control": "no-cache"})
            else:
                self._static(path)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:
            log.exception("gateway error on %s %s", self.command, self.path)
            try:
                self._json(500, {"error": {"code": "gateway_error", "message": "The local gateway failed; see its log.",
                                            "details": None}})
            except Exception:
                pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _origin(self) -> str:
        return f"http://{self.headers.get('Host') or self.gateway.public_host}"

    # --- static site --------------------------------------------------------------------------
    def _static(self, path: str) -> None:
        if self.command not in ("GET", "HEAD"):
            self._send(405, b"", {"Allow": "GET, HEAD"})
            return
        root = self.gateway.web_dir.resolve()
        rel = urllib.parse.unquote(path).lstrip("/") or "index.html"
        file = (root / rel).resolve()
        if root not in file.parents and file != root:
            self._send(404, b"Not found", {"Content-Type": "text/plain"})
            return
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file() and "." not in Path(rel).name:
            file = root / "index.html"  # single-page app: client-side routes
        if not file.is_file():
            self._send(404, b"Not found", {"Content-Type": "text/plain"})
            return
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        cache = "no-cache" if file.name == "index.html" else "public, max-age=300"
        self._send(200, file.read_bytes(), {"Content-Type": ctype, "Cache-Control": cache},
                   compress=bool(COMPRESSIBLE.match(ctype)))

    # --- images -------------------------------------------------------------------------------
    def _image(self, path: str) -> None:
        if self.command not in ("GET", "HEAD"):
            self._send(405, b"", {"Allow": "GET, HEAD"})
            return
        key = urllib.parse.unquote(path.lstrip("/"))
        # CloudFront reads the bucket through its origin access control: the bucket's policy decides.
        identities = self.gateway.identities
        cloudfront = (identities.cloudfront.access_key, identities.cloudfront.secret_key) if identities else ("local", "local")
        s3 = aws.client("s3", self.gateway.res.moto_url, cloudfront)
        try:
            got = s3.get_object(Bucket=self.gateway.res.images_bucket, Key=key)
        except s3.exceptions.NoSuchKey:
            self._send(404, b"Not found", {"Content-Type": "text/plain"})
            return
        except Exception as exc:
            if "404" in str(exc) or "NoSuchKey" in str(exc):
                self._send(404, b"Not found", {"Content-Type": "text/plain"})
                return
            if "AccessDenied" in str(exc) or "403" in str(exc):  # CloudFront's answer when the origin refuses
                self._send(403, b"Access denied", {"Content-Type": "text/plain"})
                return
            raise
        stored = (got.get("ContentType") or "").split(";")[0].strip().lower()
        self._send(200, got["Body"].read(), {
            # Only the image types the app writes are served as such: anything else is a download.
            "Content-Type": stored if stored in S3_SAFE_TYPES else "application/octet-stream",
            **({} if stored in S3_SAFE_TYPES else {"Content-Disposition": "attachment"}),
            "Cache-Control": "public, max-age=31536000, immutable",
            "ETag": got.get("ETag", ""),
        })

    # --- proxies to moto ----------------------------------------------------------------------
    def _proxy(self, target: str, track: bool, host: str | None = None, port: int | None = None,
               body: bytes | None = None, sandbox: bool = False, unsigned: bool = False) -> None:
        body = self._body() if body is None else body
        host, port = host or self.gateway.moto_host, port or self.gateway.moto_port
        conn = http.client.HTTPConnection(host, port, timeout=60)
        dropped = HOP_BY_HOP | ({"authorization", "x-amz-security-token"} if unsigned else set())
        headers = {k: v for k, v in self.headers.items() if k.lower() not in dropped}
        headers["Host"] = f"{host}:{port}"
        headers["Content-Length"] = str(len(body))
        try:
            conn.request(self.command, target, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            out = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP and k.lower() != "server"]
        finally:
            conn.close()
        if track and response.status < 400:
            self.gateway.on_change()
        if sandbox:
            out = [(k, v) for k, v in out if k.lower() not in {n.lower() for n in S3_SANDBOX}] + list(S3_SANDBOX.items())
        self._send(response.status, data, out, secure=False)

    def _cognito(self, path: str) -> None:
        """Cognito's public API, as the user pool's endpoint serves it to a browser: the operations a
        signed-out or signed-in user calls (sign in, sign up, refresh, sign out...), never the
        administrator's (AdminCreateUser, ListUsers...), which AWS answers only to signed IAM callers.
        The pool's signing keys (JWKS) are public."""
        from local.iam.gate import COGNITO_PUBLIC

        if path.endswith("/.well-known/jwks.json") and self.command == "GET":
            jwks = self.gateway.authorizer.jwks
            if jwks is not None:
                self._send(200, json.dumps(jwks).encode(), {"Content-Type": "application/json"})
                return
        operation = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
        if self.command == "POST" and operation not in COGNITO_PUBLIC:
            self._body()
            self._send(400, json.dumps({"__type": "MissingAuthenticationTokenException",
                                        "message": f"{operation or 'This operation'} needs AWS credentials; this "
                                                   "endpoint serves only the user pool's public operations."}).encode(),
                       {"Content-Type": "application/x-amz-json-1.1"}, secure=False)
            return
        if self.command not in ("POST", "OPTIONS"):
            self._send(404, b"", secure=False)
            return
        self._proxy(self.path[len("/_cognito"):] or "/", track=self.command == "POST", unsigned=True)

    def _s3(self) -> None:
        """S3 via moto, which checks no signature: S3 does, so this does for what a browser can send.

        A form POST must carry a valid SigV4 policy signature (post_policy_problem). Any other call must
        be signed (the handlers' SDK calls, presigned URLs): an anonymous one, such as a browser opening
        an uploaded object on this origin, is refused as S3 refuses it on a private bucket. What S3
        answers is never rendered as a page here (sandboxed, no sniffing)."""
        target = self.path[len("/_s3"):] or "/"
        ctype = self.headers.get("Content-Type") or ""
        if self.command == "POST" and ctype.startswith("multipart/form-data"):
            body = self._body()
            identities = self.gateway.identities
            problem = post_policy_problem(ctype, body, identities.secret_for if identities else _local_secret)
            if problem:
                self._s3_error(*problem)
                return
            self._proxy(target, track=True, body=body)
            return
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        signed = (self.headers.get("Authorization") or "").startswith("AWS4-HMAC-SHA256 ") or "X-Amz-Signature" in query
        if not signed and self.command != "OPTIONS":  # OPTIONS: the CORS preflight of the form POST
            self._body()
            self._s3_error(403, "AccessDenied", "Access Denied")
            return
        self._proxy(target, track=self.command != "GET", sandbox=True)

    def _s3_error(self, status: int, code: str, message: str) -> None:
        xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>"
               f"<Message>{message}</Message><RequestId>{uuid.uuid4().hex[:16]}</RequestId></Error>")
        self._send(status, xml.encode(), {"Content-Type": "application/xml", **S3_SANDBOX}, secure=False)

    # --- Cognito's token endpoint (client credentials) -----------------------------------------
    def _token(self) -> None:
        if self.command != "POST":
            self._send(405, b"", {"Allow": "POST"})
            return
        form = urllib.parse.parse_qs(self._body().decode())
        client_id = (form.get("client_id") or [""])[0]
        client_secret = (form.get("client_secret") or [""])[0]
        auth = self.headers.get("Authorization") or ""
        if auth.lower().startswith("basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if (form.get("grant_type") or [""])[0] != "client_credentials":
            self._json(400, {"error": "unsupported_grant_type"})
            return
        try:
            token = self.gateway.authorizer.client_credentials(client_id, client_secret, (form.get("scope") or [None])[0])
        except Unauthorized:
            self._json(401, {"error": "invalid_client"})
            return
        except Forbidden as exc:
            self._json(400, {"error": str(exc)})
            return
        self._json(200, token, {"Cache-Control": "no-store"})

    # --- API Gateway --------------------------------------------------------------------------
    def _api(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        route, params, path_known = self.gateway.match(self.command, split.path)
        if int(self.headers.get("Content-Length") or 0) > API_MAX_REQUEST_BYTES:
            self.close_connection = True
            self._gateway_error(gateway_errors.REQUEST_TOO_LARGE)
            return
        body = self._body()
        if route is None:
            if self.command == "OPTIONS" and path_known:
                self._send(204, b"", {"Allow": "OPTIONS"})
            elif path_known:
                self._json(405, {"error": {"code": "method_not_allowed",
                                           "message": f"{self.command} is not allowed on {split.path}.", "details": None}})
            else:
                self._json(404, {"error": {"code": "not_found",
                                           "message": "No such route. See GET /api/openapi.json for the routes.",
                                           "details": None}})
            return
        claims: dict | None = None
        if route.scope is not None:
            try:
                claims = self.gateway.authorizer.verify(self.headers.get("Authorization"), route.scopes)
            except Unauthorized:
                self._gateway_error(gateway_errors.UNAUTHORIZED, {"x-amzn-ErrorType": "UnauthorizedException"})
                return
            except Forbidden:
                self._gateway_error(gateway_errors.ACCESS_DENIED, {"x-amzn-ErrorType": "AccessDeniedException"})
                return
        event = self._event(route, params or {}, split.query, body, claims)
        try:
            response, _ = self.gateway.functions.invoke(route.function, event)
        except Exception:
            # Lambda reports an unhandled error; API Gateway answers 502 without details.
            log.exception("%s raised (API Gateway answers 502)", route.function)
            self._gateway_error(gateway_errors.SERVER_ERROR)
            return
        if self.command != "GET":
            self.gateway.on_change()
        self._proxy_response(response)

    def _event(self, route: routes.Route, params: dict, query: str, body: bytes, claims: dict | None) -> dict:
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        replaced = ("host", "connection", "content-length", "transfer-encoding", "x-forwarded-host",
                    "x-forwarded-proto", "x-forwarded-for", "x-viewer-ip", ORIGIN_HEADER)
        for k, v in self.headers.items():
            if k.lower() in replaced:
                continue
            headers[k] = v
            multi_headers.setdefault(k, []).append(v)
        viewer_host = self.headers.get("Host") or self.gateway.public_host
        # What CloudFront's viewer-request function on /api/* adds (cdk/web.py FORWARD_HOST_CODE).
        for k, v in (("Host", API_HOST), ("x-forwarded-host", viewer_host), ("X-Forwarded-Proto", "http"),
                     ("X-Forwarded-For", self.client_address[0]), ("x-viewer-ip", self.client_address[0]),
                     # and what its origin configuration adds (cdk/web.py: the secret origin header)
                     (ORIGIN_HEADER, self.gateway.res.origin_secret)):
            headers[k] = v
            multi_headers[k] = [v]
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        multi_query: dict[str, list[str]] = {}
        for k, v in pairs:
            multi_query.setdefault(k, []).append(v)
        try:
            text, is_b64 = (body.decode("utf-8") if body else None), False
        except UnicodeDecodeError:
            text, is_b64 = base64.b64encode(body).decode(), True
        now = time.time()
        request_id = str(uuid.uuid4())
        resource = routes.API_PREFIX + route.path
        path = urllib.parse.urlsplit(self.path).path
        return {
            "resource": resource,
            "path": path,
            "httpMethod": self.command,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": {k: urllib.parse.unquote(v) for k, v in params.items()} or None,
            "stageVariables": None,
            "requestContext": {
                "resourceId": "local",
                "resourcePath": resource,
                "httpMethod": self.command,
                "extendedRequestId": request_id[:16],
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "path": f"/prod{path}",
                "accountId": aws.ACCOUNT_ID,
                "protocol": "HTTP/1.1",
                "stage": "prod",
                "domainPrefix": API_HOST.split(".")[0],
                "requestTimeEpoch": int(now * 1000),
                "requestId": request_id,
                "identity": {
                    "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None, "caller": None,
                    "sourceIp": self.client_address[0], "principalOrgId": None, "accessKey": None,
                    "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None, "userArn": None,
                    "userAgent": self.headers.get("User-Agent"), "user": None,
                },
                "domainName": API_HOST,
                "apiId": API_HOST.split(".")[0],
                **({"authorizer": {"claims": _claims_as_api_gateway(claims)}} if claims is not None else {}),
            },
            "body": text,
            "isBase64Encoded": is_b64,
        }

    def _proxy_response(self, response: dict) -> None:
        if not isinstance(response, dict) or "statusCode" not in response:
            log.error("handler returned a malformed proxy response: %r", response)
            self._gateway_error(gateway_errors.SERVER_ERROR)
            return
        body = response.get("body") or ""
        if len(body) > LAMBDA_MAX_RESPONSE_BYTES:
            log.error("the response is %d bytes; Lambda refuses more than 6 MB (API Gateway answers 502)", len(body))
            self._gateway_error(gateway_errors.SERVER_ERROR)
            return
        data = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode("utf-8")
        pairs: list[tuple[str, str]] = []
        single = response.get("headers") or {}
        multi = response.get("multiValueHeaders") or {}
        for k, v in single.items():
            if k not in multi:
                pairs.append((k, str(v)))
        for k, values in multi.items():
            pairs.extend((k, str(v)) for v in values)
        if not any(k.lower() == "content-type" for k, _ in pairs):
            pairs.append(("Content-Type", "application/json"))
        pairs.append(("x-amzn-RequestId", str(uuid.uuid4())))
        self._send(int(response["statusCode"]), data, pairs)


S3_SAFE_TYPES = ("image/png", "image/jpeg", "image/webp")  # what the app stores and serves
# On every answer of /_s3: whatever an object is, the browser neither renders it as a page nor sniffs it.
S3_SANDBOX = {"Content-Security-Policy": "default-src 'none'; sandbox", "X-Content-Type-Options": "nosniff"}


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    import hashlib
    import hmac

    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _local_secret(access_key: str) -> str | None:
    """The harness's key (without an IAM gate, the only one S3 here knows)."""
    return "local" if access_key == "local" else None


def post_policy_problem(content_type: str, body: bytes,
                        secret_for: Callable[[str], str | None] = _local_secret) -> tuple[int, str, str] | None:
    """Check a presigned POST form as S3 does: signed (SigV4 over the base64 policy with a key
    derived from the secret key), not expired, every field allowed by a condition and every
    condition met. Returns (status, code, message) for S3's error XML, or None when S3 would store it."""
    import email.parser
    import email.policy
    import hashlib
    import hmac
    from datetime import datetime, timezone

    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, str] = {}
    file_size = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None:
            continue
        if name == "file":
            file_size = len(part.get_payload(decode=True) or b"")
            break  # S3 ignores the fields after the file
        fields[name.lower()] = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    if file_size is None:
        return 400, "InvalidArgument", "POST requires exactly one file upload per request."
    if "policy" not in fields or "x-amz-signature" not in fields:
        # The bucket allows no anonymous writes: an unsigned form is refused.
        return 403, "AccessDenied", "Access Denied"
    if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
        return 400, "InvalidArgument", "Only the AWS4-HMAC-SHA256 algorithm is supported (x-amz-algorithm)."
    credential = fields.get("x-amz-credential", "").split("/")
    if len(credential) != 5 or credential[3:] != ["s3", "aws4_request"] or not fields.get("x-amz-date", "").startswith(
            credential[1]):
        return 400, "InvalidArgument", "The x-amz-credential or x-amz-date field is malformed."
    secret = secret_for(credential[0])
    if secret is None:
        return 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
    expected = hmac.new(_signing_key(secret, credential[1], credential[2], "s3"), fields["policy"].encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["x-amz-signature"].strip().lower()):
        return 403, "SignatureDoesNotMatch", ("The request signature we calculated does not match the signature you "
                                              "provided. Check your key and signing method.")
    try:
        policy = json.loads(base64.b64decode(fields["policy"]))
        expires = datetime.strptime(policy["expiration"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except (ValueError, KeyError, TypeError):
        return 400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON."
    if expires < datetime.now(timezone.utc):
        return 403, "AccessDenied", "Invalid according to Policy: Policy expired."
    covered = {"policy", "x-amz-signature", "file"}
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            (name, expected_value), = condition.items()
            covered.add(name.lower())
            if name.lower() == "bucket":
                continue
            if fields.get(name.lower()) != expected_value:
                return 403, "AccessDenied", (f"Invalid according to Policy: Policy Condition failed: "
                                             f"[\"eq\", \"${name}\", \"{expected_value}\"]")
        elif condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if file_size > high:
                return 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
            if file_size < low:
                return 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
        elif condition[0] in ("eq", "starts-with"):
            name = condition[1].lstrip("$").lower()
            covered.add(name)
            value = fields.get(name, "")
            ok = value == condition[2] if condition[0] == "eq" else value.startswith(condition[2])
            if not ok:
                return 403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}"
    extra = sorted(f for f in fields if f not in covered and not f.startswith("x-ignore-"))
    if extra:
        return 403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {', '.join(extra)}"
    return None


def _claims_as_api_gateway(claims: dict | None) -> dict:
    """API Gateway hands claims to the function as strings (lists flattened, numbers as text)."""
    out = {}
    for k, v in (claims or {}).items():
        if isinstance(v, bool):
            out[k] = str(v).lower()
        elif isinstance(v, (list, tuple)):
            out[k] = "[" + " ".join(str(x) for x in v) + "]"
        elif k in ("exp", "iat", "auth_time") and isinstance(v, (int, float)):
            # REST APIs render these as dates: "Thu Nov 26 17:01:37 UTC 2026"
            out[k] = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(v))
        else:
            out[k] = str(v)
    return out
