"""`python -m local.bedrock_emulator --port N`: run the Bedrock emulator (runtime + control plane) in the foreground."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from . import FAULTS, EmulatorServer


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.bedrock_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4010, help="0 picks a free port")
    parser.add_argument("--hang-seconds", type=float, default=30.0, help="how long the 'hang' fault sleeps")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    server = EmulatorServer(args.host, args.port, hang_seconds=args.hang_seconds)
    print(f"Bedrock Runtime emulator on {server.url}", flush=True)
    print(f"  export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={server.url}   # InvokeModel, Converse", flush=True)
    print(f"  export AWS_ENDPOINT_URL_BEDROCK={server.url}           # control plane (make preflight)", flush=True)
    print(f"  faults: {', '.join(FAULTS)} (POST {server.url}/_emulator/faults or [fault:NAME] in a prompt)",
          flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
