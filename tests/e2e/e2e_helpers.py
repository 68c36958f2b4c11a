"""Helpers for the end-to-end tests.

The local stack runs as `python -m local` in a subprocess (as `make local` runs it), on a free port
and a temporary data directory, never the developer's .local-data. Tests talk to it over HTTP only.
When coverage measures subprocesses (coverage's .pth hook), the handlers' lines count too.
"""

from __future__ import annotations

import atexit
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from local.client import StudioClient, http

ROOT = Path(__file__).resolve().parents[2]  # the repository
DEMO_USER = "e2e-demo@studio.local"
DEMO_PASSWORD = "E2e-Demo-Password-1"
OTHER_USER = "e2e-other@studio.local"
OTHER_PASSWORD = "E2e-Other-Password-1"
# Deadlines for a state (never sleeps), generous so that a machine busy with other work still passes:
START_DEADLINE = 90  # seconds for `make local` to answer (it takes about 10 on a quiet machine)
RENDER_DEADLINE = 180  # seconds for a generation to end (a few on a quiet machine)
STOP_DEADLINE = 30  # seconds from SIGTERM to exit
# The handlers' model read timeout (`make local`: 5 s, so a `hang` fault fails fast). A 4x upscale in the
# emulator takes longer than 5 s on a busy machine; the emulator's `hang` lasts 30 s, so 20 s still ends it.
MODEL_READ_TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStack:
    def __init__(self, data_dir: Path, log_path: Path, args: tuple[str, ...] = ()) -> None:
        self.args = args  # more of `python -m local`'s options (e.g. --template)
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.data_dir = data_dir
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.startup_seconds = 0.0

    def start(self) -> None:
        env = dict(os.environ, STUDIO_DEMO_USER=DEMO_USER, STUDIO_DEMO_PASSWORD=DEMO_PASSWORD, PYTHONUNBUFFERED="1",
                   BEDROCK_READ_TIMEOUT_SECONDS=str(MODEL_READ_TIMEOUT))
        for name in ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "STUDIO_BEDROCK", "AWS_PROFILE"):
            env.pop(name, None)
        log = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local", "--port", str(self.port), "--data-dir", str(self.data_dir), *self.args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        atexit.register(self._kill)  # never leave a stack behind, even if pytest dies
        while time.monotonic() - started < START_DEADLINE:
            if self.process.poll() is not None:
                raise RuntimeError(f"the local stack exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _, _ = http("GET", f"{self.url}/config.json", timeout=2)
                if status == 200:
                    self.startup_seconds = time.monotonic() - started
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the local stack was not ready in {START_DEADLINE} s; see {self.log_path}")

    def stop(self, timeout: float = STOP_DEADLINE) -> float:
        """SIGTERM, as a developer's Ctrl-C would; returns how long the clean shutdown took."""
        if not self.process or self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        return time.monotonic() - started

    def _kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()

    def restart(self) -> None:
        self.stop()
        self.start()

    def harness(self):
        """The administrator's view of this stack (local/harness.py)."""
        from local.harness import Harness

        return Harness(self.data_dir)

    def client(self, user: str | None = None, password: str | None = None) -> StudioClient:
        c = StudioClient(self.url)
        if user:
            c.sign_in(user, password)
        return c


def create_user(stack: LocalStack, email: str, password: str) -> None:
    """Sign up through Cognito's public API, then confirm as an administrator would (with the
    harness's key: the gateway serves only the user pool's public operations)."""
    c = stack.client()
    c.cognito("SignUp", {"ClientId": c.config["userPoolClientId"], "Username": email, "Password": password,
                         "UserAttributes": [{"Name": "email", "Value": email}]})
    stack.harness().confirm_user(email)


def png_bytes(width: int = 640, height: int = 480) -> bytes:
    """A reference image with structure (shapes, edges) and a few colors."""
    from PIL import ImageDraw

    image = Image.new("RGB", (width, height), (30, 60, 120))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, width // 2, height // 2), fill=(240, 200, 40))
    draw.ellipse((width // 2, height // 3, width - 10, height - 10), fill=(200, 40, 60))
    draw.line((0, height - 1, width - 1, 0), fill=(255, 255, 255), width=5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def image_size(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.size
