"""Fixtures for the Bedrock Runtime emulator tests: one server per module, real boto3 clients."""

from __future__ import annotations

import pytest

from emulator_helpers import make_client
from local.bedrock_emulator import EmulatorServer


@pytest.fixture(scope="module")
def emulator() -> EmulatorServer:
    server = EmulatorServer(port=0, hang_seconds=3).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(emulator: EmulatorServer):
    return make_client(emulator.url)


@pytest.fixture(autouse=True)
def _no_armed_faults(emulator: EmulatorServer):
    emulator.faults.clear()
    yield
    emulator.faults.clear()
