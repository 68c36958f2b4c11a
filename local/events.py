"""AppSync Events, served by the local gateway: the same protocol and the same authorization.

  GET  /_events/event/realtime   WebSocket, subprotocols `aws-appsync-event-ws` and `header-<base64url JSON>`
                                 carrying {"host", "Authorization": <user-pool token>}; then connection_init ->
                                 connection_ack, "ka" keep-alives, subscribe -> subscribe_success | subscribe_error,
                                 data {"id", "event": "<JSON string>"}, unsubscribe -> unsubscribe_success
  POST /_events/event            publish {"channel", "events": ["<JSON string>", ...]} (at most 5), SigV4 signed
                                 (service appsync): the IAM gate asks appsync:EventPublish on the channel's namespace
  POST /_events/_faults          {"down": true|false}: stop the channel (every socket closed, new ones refused)
                                 to see the clients fall back to polling; loopback only, like /_bedrock's switches

The rule of who may subscribe is studio.channels.may_subscribe, the same as the namespace's onSubscribe
handler in the cloud (cdk/push_subscribe.js). The WebSocket framing (RFC 6455, text frames, ping, close)
runs in the gateway's own connection thread: one origin for the page, the API and the push.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import socket
import struct
import threading
import uuid
from typing import TYPE_CHECKING

from local.paths import add_functions_to_path

add_functions_to_path()
from studio import channels  # noqa: E402

if TYPE_CHECKING:
    from local.gateway import GatewayRequestHandler

log = logging.getLogger("local.events")

PREFIX = "/_events"
REALTIME_PATH = f"{PREFIX}/event/realtime"
PUBLISH_PATH = f"{PREFIX}/event"
FAULTS_PATH = f"{PREFIX}/_faults"
SUBPROTOCOL = "aws-appsync-event-ws"
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONNECTION_TIMEOUT_MS = 300_000  # what AppSync announces in connection_ack
KEEP_ALIVE_SECONDS = float(os.environ.get("STUDIO_EVENTS_KA_SECONDS", "60"))
MAX_EVENTS = 5  # AppSync Events: at most five events per publish
MAX_FRAME_BYTES = 256 * 1024
OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


class Closed(Exception):
    pass


class Connection:
    """One WebSocket: frames in and out (writes from any thread, under a lock)."""

    def __init__(self, sock: socket.socket, reader) -> None:
        self.sock, self.reader = sock, reader
        self.lock = threading.Lock()
        self.open = True
        self.subscriptions: dict[str, str] = {}  # subscription id -> channel

    def send(self, message: dict) -> None:
        self._frame(OP_TEXT, json.dumps(message).encode())

    def _frame(self, opcode: int, payload: bytes) -> None:
        head = bytes([0x80 | opcode])
        n = len(payload)
        head += bytes([n]) if n < 126 else (bytes([126]) + struct.pack("!H", n) if n < 65536 else
                                            bytes([127]) + struct.pack("!Q", n))
        with self.lock:
            if not self.open:
                raise Closed()
            try:
                self.sock.sendall(head + payload)
            except OSError as exc:
                self.open = False
                raise Closed() from exc

    def close(self, code: int = 1000, reason: str = "") -> None:
        try:
            self._frame(OP_CLOSE, struct.pack("!H", code) + reason.encode()[:120])
        except Closed:
            pass
        with self.lock:
            self.open = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _read_exact(self, n: int) -> bytes:
        data = self.reader.read(n)
        if data is None or len(data) < n:
            raise Closed()
        return data

    def receive(self) -> str:
        """The next text message (blocks; Closed when the socket ends)."""
        chunks: list[bytes] = []
        while True:
            first, second = self._read_exact(2)
            opcode, masked, length = first & 0x0F, second & 0x80, second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read_exact(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read_exact(8))[0]
            if length > MAX_FRAME_BYTES or not masked:  # clients must mask (RFC 6455 5.1)
                self.close(1009 if masked else 1002)
                raise Closed()
            mask = self._read_exact(4)
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read_exact(length)))
            if opcode == OP_CLOSE:
                self.close()
                raise Closed()
            if opcode == OP_PING:
                self._frame(OP_PONG, payload)
                continue
            if opcode == OP_PONG:
                continue
            chunks.append(payload)
            if first & 0x80:  # FIN
                return b"".join(chunks).decode("utf-8", "replace")


def header_from_subprotocols(value: str) -> dict:
    """The auth header a client packs in its `header-<base64url JSON>` subprotocol."""
    for protocol in (p.strip() for p in value.split(",")):
        if protocol.startswith("header-"):
            encoded = protocol[len("header-"):]
            try:
                return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            except (ValueError, TypeError):
                return {}
    return {}


def _authorization(header: dict) -> str:
    return str(next((v for k, v in header.items() if k.lower() == "authorization"), "") or "")


class Hub:
    """The channels: who is subscribed where, publishing to them, and the stop switch."""

    def __init__(self, authorizer) -> None:
        self.authorizer = authorizer
        self.down = False
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[tuple[Connection, str]]] = {}
        self._connections: set[Connection] = set()

    # --- publish -----------------------------------------------------------------------------
    def publish(self, channel: str, events: list[str]) -> int:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        delivered = 0
        for connection, subscription in targets:
            for event in events:
                try:
                    connection.send({"type": "data", "id": subscription, "event": event})
                    delivered += 1
                except Closed:
                    self._drop(connection)
        return delivered

    def set_down(self, down: bool) -> None:
        self.down = down
        if down:
            with self._lock:
                connections = list(self._connections)
            for connection in connections:
                connection.close(1001, "channel stopped")
                self._drop(connection)

    def _drop(self, connection: Connection) -> None:
        with self._lock:
            self._connections.discard(connection)
            for subscribers in self._subscribers.values():
                subscribers.difference_update({s for s in subscribers if s[0] is connection})

    # --- one socket's life -------------------------------------------------------------------
    def serve(self, connection: Connection, connect_header: dict) -> None:
        with self._lock:
            self._connections.add(connection)
        try:
            try:
                self.authorizer.verify_user_pool_token(_authorization(connect_header))
            except Exception:
                # Refused at the client's first message (connection_init), with the reason, then closed.
                connection.receive()
                connection.send({"type": "connection_error", "errors": [
                    {"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]})
                connection.close(4401, "unauthorized")
                return
            threading.Thread(target=self._keep_alive, args=(connection,), name="events-ka", daemon=True).start()
            while connection.open and not self.down:
                self._message(connection, connection.receive())
        except Closed:
            pass
        finally:
            self._drop(connection)

    @staticmethod
    def _keep_alive(connection: Connection) -> None:
        """AppSync's "ka" messages, so a client can tell a quiet channel from a dead one."""
        stop = threading.Event()
        while connection.open and not stop.wait(KEEP_ALIVE_SECONDS):
            try:
                connection.send({"type": "ka"})
            except Closed:
                return

    def _message(self, connection: Connection, text: str) -> None:
        try:
            message = json.loads(text)
            kind, message_id = message.get("type"), message.get("id")
        except (ValueError, AttributeError):
            connection.send({"type": "error", "errors": [{"errorType": "BadRequestException",
                                                          "message": "The message is not JSON."}]})
            return
        if kind == "connection_init":
            connection.send({"type": "connection_ack", "connectionTimeoutMs": CONNECTION_TIMEOUT_MS})
        elif kind == "subscribe":
            self._subscribe(connection, message_id, str(message.get("channel") or ""), message.get("authorization") or {})
        elif kind == "unsubscribe":
            with self._lock:
                channel = connection.subscriptions.pop(message_id, None)
                if channel is not None:
                    self._subscribers.get(channel, set()).discard((connection, message_id))
            if channel is None:
                connection.send({"type": "unsubscribe_error", "id": message_id, "errors": [
                    {"errorType": "UnknownOperationError", "message": "No such subscription."}]})
            else:
                connection.send({"type": "unsubscribe_success", "id": message_id})
        elif kind == "publish":  # the namespace publishes with IAM only: never from a browser's socket
            connection.send({"type": "publish_error", "id": message_id, "errors": [
                {"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]})
        else:
            connection.send({"type": "error", "id": message_id, "errors": [
                {"errorType": "UnsupportedOperation", "message": f"Unknown message type {kind!r}."}]})

    def _subscribe(self, connection: Connection, subscription: str | None, channel: str, authorization: dict) -> None:
        def refuse(error_type: str, text: str) -> None:
            connection.send({"type": "subscribe_error", "id": subscription,
                             "errors": [{"errorType": error_type, "message": text}]})

        if not subscription:
            refuse("BadRequestException", "A subscribe message needs an id.")
            return
        try:
            claims = self.authorizer.verify_user_pool_token(_authorization(authorization))
        except Exception:
            refuse("UnauthorizedException", "You are not authorized to make this call.")
            return
        if not channels.may_subscribe(str(claims.get("sub") or ""), channel):  # the onSubscribe handler's rule
            refuse("UnauthorizedException", "You are not authorized to make this call.")
            return
        with self._lock:
            connection.subscriptions[subscription] = channel
            self._subscribers.setdefault(channel, set()).add((connection, subscription))
        connection.send({"type": "subscribe_success", "id": subscription})


# --- the gateway's side --------------------------------------------------------------------------
def serve_realtime(handler: "GatewayRequestHandler", hub: Hub) -> None:
    """Upgrade the request to a WebSocket and serve it until it closes (in this connection's thread)."""
    key = handler.headers.get("Sec-WebSocket-Key")
    offered = handler.headers.get("Sec-WebSocket-Protocol") or ""
    upgrade = (handler.headers.get("Upgrade") or "").lower() == "websocket"
    if handler.command != "GET" or not upgrade or not key:
        handler._json(400, {"errors": [{"errorType": "BadRequestException", "message": "A WebSocket upgrade is expected."}]})
        return
    if SUBPROTOCOL not in [p.strip() for p in offered.split(",")]:
        handler._json(400, {"errors": [{"errorType": "BadRequestException",
                                        "message": f"The subprotocol {SUBPROTOCOL} is required."}]})
        return
    accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
    handler.send_response(101, "Switching Protocols")
    handler.send_header("Upgrade", "websocket")
    handler.send_header("Connection", "Upgrade")
    handler.send_header("Sec-WebSocket-Accept", accept)
    handler.send_header("Sec-WebSocket-Protocol", SUBPROTOCOL)
    handler.end_headers()
    handler.wfile.flush()
    handler.close_connection = True
    connection = Connection(handler.connection, handler.rfile)
    if hub.down:  # stopped: the socket opens and closes at once ("try again later"), as a dropped one would
        connection.close(1013, "channel stopped")
        return
    hub.serve(connection, header_from_subprotocols(offered))


def serve_publish(handler: "GatewayRequestHandler", hub: Hub, gate, namespace_arn) -> None:
    """POST /event: the IAM gate decides (appsync:EventPublish on the channel's namespace), then every
    subscriber of the channel gets each event."""
    body = handler._body()
    try:
        message = json.loads(body or b"{}")
        channel, events = str(message["channel"]), message["events"]
        if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS or not all(isinstance(e, str) for e in events):
            raise ValueError
        for event in events:
            json.loads(event)  # each event is a JSON value, as a string
    except (ValueError, KeyError, TypeError):
        handler._json(400, {"errors": [{"errorType": "BadRequestException",
                                        "message": f"Send {{\"channel\", \"events\": [1 to {MAX_EVENTS} JSON strings]}}."}]})
        return
    segments = [s for s in channel.split("/") if s]
    if gate is not None:
        from local.iam.evaluate import Request
        from local.iam.requests import Asked, signature

        headers = {k.lower(): v for k, v in handler.headers.items()}
        signed = signature(headers, {})
        if not signed.access_key:  # AppSync answers 401 before any policy is read
            handler._json(401, {"errors": [{"errorType": "UnauthorizedException",
                                            "message": "You are not authorized to make this call."}]})
            return
        asked = Asked(signed, "appsync", "EventPublish",
                      [Request("appsync:EventPublish", namespace_arn(segments[0] if segments else ""))])
        identity, denial = gate.decide(asked)
        if denial is not None:
            handler._json(403 if identity is not None else 401, {"errors": [{
                "errorType": "UnauthorizedException", "message": denial.message(gate.principal_of(identity))}]})
            return
    if hub.down:
        handler._json(503, {"errors": [{"errorType": "ServiceUnavailable", "message": "The channel is stopped."}]})
        return
    hub.publish("/" + "/".join(segments), events)
    handler._json(200, {"failed": [], "successful": [{"identifier": str(uuid.uuid4()), "index": i}
                                                     for i in range(len(events))]})


def serve_faults(handler: "GatewayRequestHandler", hub: Hub) -> None:
    if handler.client_address[0] not in ("127.0.0.1", "::1") or handler.command != "POST":
        handler._json(403, {"errors": [{"errorType": "Forbidden", "message": "Loopback POST only."}]})
        return
    try:
        down = bool(json.loads(handler._body() or b"{}").get("down"))
    except (ValueError, AttributeError):
        handler._json(400, {"errors": [{"errorType": "BadRequestException", "message": "Send {\"down\": bool}."}]})
        return
    hub.set_down(down)
    handler._json(200, {"down": hub.down})
