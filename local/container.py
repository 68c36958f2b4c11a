"""One Lambda container: `python -m local.container <fd> <function>`, started by local/containers.py.

It imports the function's handler once (its init, with its own environment: its synthesized
variables and its role's credentials), then serves invocations one at a time over the socket it
was given: a 4-byte length and a JSON message each way. It exits when the socket closes or it is
told to stop, normally (so coverage and atexit hooks run). If `make local` dies, its end of the
socket closes and the container exits once its event in hand is done (not PR_SET_PDEATHSIG: that
follows the thread that started the container, and request threads end all the time).
"""

from __future__ import annotations

import importlib
import json
import socket
import struct
import sys
import time
import traceback
import uuid

HEADER = struct.Struct(">I")


def send(sock: socket.socket, message: dict) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    sock.sendall(HEADER.pack(len(data)) + data)


def receive(sock: socket.socket) -> dict | None:
    """The next message, or None when the other side closed the socket."""
    head = _read(sock, HEADER.size)
    if head is None:
        return None
    data = _read(sock, HEADER.unpack(head)[0])
    return None if data is None else json.loads(data)


def _read(sock: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class LambdaContext:
    """The context object Lambda hands a handler (the attributes Powertools and the handlers read)."""

    def __init__(self, function_name: str, timeout_ms: int, memory_mb: int, request_id: str | None = None) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main(argv: list[str]) -> int:
    fd, handler_path = int(argv[0]), argv[1]
    sock = socket.socket(fileno=fd)
    try:
        return serve(sock, handler_path)
    except (BrokenPipeError, ConnectionResetError):
        return 0  # `make local` went away: nothing is left to answer
    except KeyboardInterrupt:
        return 0  # Ctrl+C reaches the whole process group; `make local` stops this container itself
    finally:
        sock.close()


def serve(sock: socket.socket, handler_path: str) -> int:
    module_name, _, attribute = handler_path.rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as error:  # an init error: Lambda reports it on the first invocation
        traceback.print_exc()
        send(sock, {"ready": False, "error": {"type": type(error).__name__, "message": str(error)}})
        return 1
    send(sock, {"ready": True})
    while True:
        message = receive(sock)
        if message is None or message.get("stop"):
            break
        context = LambdaContext(**message["context"])
        try:
            reply = {"result": message_safe(handler(message["event"], context))}
        except Exception as error:  # the function failed: Lambda reports errorType and errorMessage
            traceback.print_exc()
            reply = {"error": {"type": type(error).__name__, "message": str(error)}}
        send(sock, reply)
    return 0


def message_safe(value):
    """A handler's return value as JSON carries it (Lambda serializes the result the same way)."""
    return json.loads(json.dumps(value, default=str))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
