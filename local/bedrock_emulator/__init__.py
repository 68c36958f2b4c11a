"""Bedrock Runtime emulator: InvokeModel (image models) and Converse (text + vision) for boto3, offline.

    from local.bedrock_emulator import EmulatorServer
    server = EmulatorServer(host="127.0.0.1", port=0, hang_seconds=30).start()
    os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = server.url
    ...
    server.stop()

Standalone: `python -m local.bedrock_emulator --port 4010`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The Stability pixel sizes come from the app's catalog (functions/studio/catalog.py).
_FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
if _FUNCTIONS.is_dir() and str(_FUNCTIONS) not in sys.path:
    try:
        import studio.catalog  # noqa: F401
    except ImportError:
        sys.path.append(str(_FUNCTIONS))

from .errors import BedrockError  # noqa: E402
from .server import FAULTS, EmulatorServer, wait_ready  # noqa: E402

__all__ = ["EmulatorServer", "BedrockError", "FAULTS", "wait_ready"]
