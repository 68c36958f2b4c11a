"""Writing an HTTP answer given as (status, headers, body) from a BaseHTTPRequestHandler."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

# Set by the writer, never copied from the answer being relayed.
FRAMING = ("content-length", "transfer-encoding", "connection")


def send(handler: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    handler.send_response(status)
    for key, value in headers:
        if key.lower() not in FRAMING:
            handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
