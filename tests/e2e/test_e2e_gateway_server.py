"""The local gateway's server queues a crowd of connections instead of resetting them."""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler

import pytest

from local.gateway import GatewayServer

pytestmark = pytest.mark.e2e
CROWD = 50


def test_fifty_connections_at_once_are_all_queued_while_the_server_is_busy():
    # Given a gateway server that is busy: it accepts nothing while the crowd arrives
    server = GatewayServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    sockets: list[socket.socket] = []
    try:
        # When fifty people connect at once
        refused = 0
        for _ in range(CROWD):
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect(server.server_address)
                sockets.append(s)
            except OSError:  # the kernel drops or resets what the listen backlog cannot hold
                refused += 1
                s.close()
        # Then the kernel queued every one of them for the server to accept
        assert refused == 0
        assert len(sockets) == CROWD
    finally:
        for s in sockets:
            s.close()
        server.server_close()
