"""Real Amazon Bedrock for `make local` (STUDIO_BEDROCK=aws), with each function's role still checked.

The functions sign their calls with their local role's key, which AWS does not know. This proxy
checks each call against the caller's synthesized policy (the same gate moto and the emulator are
behind), then signs it again with your AWS credentials (the default boto3 chain: profile, keys or
SSO) for the region the function called, and forwards it to Bedrock's endpoint there.
"""

from __future__ import annotations

import http.client
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from local import responses
from local.iam.requests import BEDROCK_RUNTIME, signature

log = logging.getLogger("local.bedrock")
FORWARDED = ("content-type", "accept", "x-amzn-bedrock-trace", "x-amzn-bedrock-guardrailidentifier",
             "x-amzn-bedrock-guardrailversion", "x-amzn-bedrock-performanceconfig-latency")
UPSTREAM_TIMEOUT = 300


def upstream_host(path: str, region: str) -> str:
    """Bedrock Runtime serves the model calls, Bedrock the control plane (GetFoundationModel...)."""
    service = "bedrock-runtime" if BEDROCK_RUNTIME.match(path) else "bedrock"
    return f"{service}.{region}.amazonaws.com"


def resign(method: str, host: str, path_and_query: str, headers: dict[str, str], body: bytes, region: str,
           credentials) -> dict[str, str]:
    """The headers of the same request signed with `credentials` for Bedrock in `region`."""
    request = AWSRequest(method=method, url=f"https://{host}{path_and_query}", data=body,
                         headers={k: v for k, v in headers.items() if k.lower() in FORWARDED})
    SigV4Auth(credentials, "bedrock", region).add_auth(request)
    return dict(request.headers.items())


class BedrockProxy:
    def __init__(self, authorize: Callable, host: str = "127.0.0.1", port: int = 0,
                 connect: Callable[[str], http.client.HTTPConnection] | None = None) -> None:
        self.authorize = authorize
        self.connect = connect or (lambda host: http.client.HTTPSConnection(host, timeout=UPSTREAM_TIMEOUT))
        self.session = boto3.Session()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: object) -> None:
                log.debug(fmt, *args)

            def do_GET(self) -> None:  # noqa: N802
                proxy.handle(self)

            do_POST = do_GET

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def has_credentials(self) -> bool:
        return self.session.get_credentials() is not None

    def start(self) -> "BedrockProxy":
        self._thread = threading.Thread(target=self._server.serve_forever, name="bedrock-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        split = urllib.parse.urlsplit(request.path)
        headers = {k.lower(): v for k, v in request.headers.items()}
        refusal = self.authorize(request.command, split.path, split.query, headers, body)
        if refusal is None:
            region = signature(headers, urllib.parse.parse_qs(split.query)).region or "us-east-1"
            credentials = self.session.get_credentials()
            if credentials is None:
                refusal = (403, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "UnrecognizedClientException")],
                           b'{"message": "make local has no AWS credentials to call Amazon Bedrock with"}')
            else:
                refusal = self._forward(request.command, split, headers, body, region, credentials.get_frozen_credentials())
        responses.send(request, *refusal)

    def _forward(self, method: str, split, headers: dict[str, str], body: bytes, region: str,
                 credentials) -> tuple[int, list[tuple[str, str]], bytes]:
        host = upstream_host(split.path, region)
        path_and_query = split.path + (f"?{split.query}" if split.query else "")
        signed = resign(method, host, path_and_query, headers, body, region, credentials)
        connection = self.connect(host)
        try:
            connection.request(method, path_and_query, body=body, headers=signed)
            answer = connection.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()
