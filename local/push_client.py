"""A client of the push channel (AppSync Events' WebSocket protocol), for the CLI, the tests and the bench.

The same messages the browser sends (web/js/push.js): connect with the subprotocols
`aws-appsync-event-ws` and `header-<base64url JSON auth header>`, connection_init, then one
subscribe to the user's own channel /<namespace>/<sub>. Data messages carry each event as a JSON string.
"""

from __future__ import annotations

import base64
import json
import time
import uuid

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

SUBPROTOCOL = "aws-appsync-event-ws"


class PushUnavailable(Exception):
    """The channel cannot be used (down, refused, closed): the caller polls instead."""


def auth_header(host: str, token: str) -> dict:
    return {"host": host, "Authorization": token}


def header_subprotocol(header: dict) -> str:
    return "header-" + base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")


def token_sub(token: str) -> str:
    """The `sub` of a JWT (read, not verified: the server verifies it)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


class Channel:
    """One socket subscribed to one channel. Use as a context manager."""

    def __init__(self, realtime_url: str, host: str, token: str, channel: str, timeout: float = 10) -> None:
        self.realtime_url, self.host, self.token, self.channel = realtime_url, host, token, channel
        self.timeout = timeout
        self.socket = None
        self.subscription = str(uuid.uuid4())

    def __enter__(self) -> "Channel":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> "Channel":
        header = auth_header(self.host, self.token)
        try:
            self.socket = connect(self.realtime_url, subprotocols=[SUBPROTOCOL, header_subprotocol(header)],
                                  open_timeout=self.timeout, max_size=2**20,
                                  ping_interval=None).__enter__()  # AppSync keeps alive with "ka" messages
            self.socket.send(json.dumps({"type": "connection_init"}))
            self._expect("connection_ack")
            self.socket.send(json.dumps({"type": "subscribe", "id": self.subscription, "channel": self.channel,
                                         "authorization": header}))
            self._expect("subscribe_success")
        except (OSError, WebSocketException, TimeoutError) as error:
            self.close()
            raise PushUnavailable(str(error)) from error
        return self

    def _expect(self, kind: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.01, deadline - time.monotonic())))
            if message.get("type") == kind:
                return message
            if message.get("type") in ("connection_error", "subscribe_error", "error"):
                self.close()
                raise PushUnavailable(f"{message.get('type')}: {message.get('errors')}")

    def next_event(self, timeout: float) -> dict | None:
        """The next event on the channel (a dict); None when none came within `timeout` seconds.
        PushUnavailable when the socket closed."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                message = json.loads(self.socket.recv(timeout=left))
            except TimeoutError:
                return None
            except (OSError, WebSocketException) as error:
                raise PushUnavailable(str(error)) from error
            if message.get("type") == "data" and message.get("id") == self.subscription:
                return json.loads(message["event"])

    def close(self) -> None:
        if self.socket is not None:
            try:
                self.socket.close()
            except Exception:  # noqa: BLE001 - closing a broken socket
                pass
            self.socket = None
