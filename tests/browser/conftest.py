"""Browser tests: Debian's Chromium driven by Playwright (sync API) against the local stack.

The stack is `python -m local` in a subprocess on a free port with a temporary data directory
(set STUDIO_BROWSER_URL to test an already running stack instead). axe-core comes from the npm
lockfile in this folder (`npm ci --prefix tests/browser`; the session installs it when missing).
Screenshots of each view, at desktop and phone sizes, go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_helpers import DESKTOP, PHONE, sign_in_page
from tests.support.iam import assert_none_refused
from tests.support.suites import once, until_suite_ends

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
DEMO_USER = "browser-demo@studio.local"
DEMO_PASSWORD = "Browser-Demo-Password-1"
# Deadlines for a state (never waits): generous, so a machine busy with other work still passes. They
# apply to every action (the context) and every `expect` (Playwright's own default is 5 s).
STATE_DEADLINE_MS = 60_000
expect.set_options(timeout=STATE_DEADLINE_MS)
START_DEADLINE = 90  # seconds: a deadline for readiness (about 10 on a quiet machine), never a wait


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 2) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status


class Stack:
    def __init__(self, url: str, user: str, password: str, process: subprocess.Popen | None = None,
                 data_dir: Path | None = None) -> None:
        self.url, self.user, self.password, self.process, self.data_dir = url, user, password, process, data_dir

    def harness(self):
        """The administrator's view of this stack (local/harness.py)."""
        from local.harness import Harness

        return Harness(self.data_dir)

    def client(self):
        from local.client import StudioClient

        client = StudioClient(self.url)
        client.sign_in(self.user, self.password)
        return client

    def new_user(self, prefix: str, password: str):
        """A user of its own (signed up, confirmed by the administrator, signed in through the API), for a
        test whose quota, gallery or boards must not be shared: (email, its StudioClient)."""
        from local.client import StudioClient

        email = f"{prefix}-{uuid.uuid4().hex[:6]}@studio.local"
        client = StudioClient(self.url)
        client.cognito("SignUp", {"ClientId": client.config["userPoolClientId"], "Username": email,
                                  "Password": password, "UserAttributes": [{"Name": "email", "Value": email}]})
        self.harness().confirm_user(email)
        client.sign_in(email, password)
        return email, client


def _start_stack(base: Path) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    # The model read timeout of the e2e stacks (e2e_helpers.MODEL_READ_TIMEOUT): `make local`'s 5 s is too
    # short for the emulator on a busy machine.
    env = dict(os.environ, STUDIO_DEMO_USER=DEMO_USER, STUDIO_DEMO_PASSWORD=DEMO_PASSWORD, PYTHONUNBUFFERED="1",
               BEDROCK_READ_TIMEOUT_SECONDS="20")
    for name in ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "STUDIO_BEDROCK", "AWS_PROFILE"):
        env.pop(name, None)
    python = ROOT / ".venv" / "bin" / "python"
    log_path = base / f"stack-{port}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(python if python.exists() else sys.executable), "-m", "local", "--port", str(port),
             "--data-dir", str(base / "data")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://localhost:{port}"
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the local stack exited with {process.returncode}; {log_path}:\n{tail}")
        try:
            if _get(f"{url}/config.json") == 200:
                return process, url, log_path
        except OSError:
            pass
        if time.monotonic() - started > START_DEADLINE:
            _stop(process)
            raise RuntimeError(f"the local stack was not ready in {START_DEADLINE} s; see {log_path}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    external = os.environ.get("STUDIO_BROWSER_URL")
    if external:
        yield Stack(external.rstrip("/"), os.environ.get("STUDIO_DEMO_USER", "demo@studio.local"),
                    os.environ.get("STUDIO_DEMO_PASSWORD", "Studio-Demo-2026!"))
        return
    base = tmp_path_factory.mktemp("browser-stack")
    try:
        process, url, _ = _start_stack(base)
    except RuntimeError:
        # A free port can be taken between choosing it and binding it: one more try on another.
        process, url, _ = _start_stack(base)
    finish = once(lambda: (_stop(process), assert_none_refused(base / "data")))
    until_suite_ends(__file__, finish)
    try:
        yield Stack(url, DEMO_USER, DEMO_PASSWORD, process, base / "data")
    finally:
        finish()


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = HERE / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("axe-core is missing and npm is not installed: run `npm ci --prefix tests/browser`")
        subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"], check=True, capture_output=True)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` (apt-get install chromium); never `playwright install`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        close = once(b.close)
        until_suite_ends(__file__, close)  # Chromium goes with the suite's last test, like its stack
        yield b
        close()


class Session:
    """One browser context (one tab) with helpers: sign in, check accessibility, take screenshots."""

    def __init__(self, browser, stack: Stack, axe: str, viewport: dict, locale: str) -> None:
        self.stack = stack
        self.axe = axe
        self.context = browser.new_context(viewport=viewport, locale=locale, accept_downloads=True)
        self.context.set_default_timeout(STATE_DEADLINE_MS)
        self.context.route("**/__test__/axe.min.js", lambda route: route.fulfill(
            status=200, content_type="application/javascript", body=axe))
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("console", self._console)
        self.size = "phone" if viewport["width"] < 600 else "desktop"
        self.language = locale[:2]

    def _console(self, message) -> None:
        text = message.text
        # Chromium's own network log, which no page code can prevent: a refused resource, and a socket that
        # failed or closed while the push channel was down (the fallback tests stop it on purpose; a page
        # whose push is broken is caught by the tests that count its GETs, not by this log).
        network_log = "Failed to load resource" in text or text.startswith("WebSocket connection to")
        if message.type == "error" and not network_log:
            self.problems.append(f"console error: {text}")
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP: {text}")

    def open(self, path: str = "/") -> None:
        self.page.goto(self.stack.url + path)

    def sign_in(self, user: str | None = None, password: str | None = None, then: str | None = "#composer") -> None:
        """Sign in through the form, in this tab's language (the demo user unless told); see sign_in_page."""
        sign_in_page(self.page, self.stack.url, user or self.stack.user, password or self.stack.password,
                     self.language, then)

    def axe_check(self, name: str, context: str | None = None) -> list[dict]:
        """Run axe-core on the page (or one element); fail on serious or critical violations."""
        page = self.page
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # The site's CSP (script-src 'self') rightly refuses an inline script, so axe is served
            # from a same-origin test-only URL that Playwright answers; the CSP stays on.
            page.add_script_tag(url=f"{self.stack.url}/__test__/axe.min.js")
        result = page.evaluate(
            """async (selector) => {
                const r = await axe.run(selector ? document.querySelector(selector) : document,
                  { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
                return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary) }));
            }""",
            context,
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe found serious/critical violations on {name}:\n" + json.dumps(bad, indent=2)
        return result

    def shot(self, name: str, full_page: bool = True) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}-{self.size}.png"
        if full_page:  # a sticky header would otherwise be drawn where the page was scrolled to
            self.page.evaluate("() => window.scrollTo(0, 0)")
        self.page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session_factory(browser, stack, axe_source):
    sessions: list[Session] = []

    def make(viewport: dict = DESKTOP, locale: str = "en-US") -> Session:
        s = Session(browser, stack, axe_source, viewport, locale)
        sessions.append(s)
        return s

    yield make
    problems = [p for s in sessions for p in s.problems]
    for s in sessions:
        s.close()
    assert not problems, "the page reported errors:\n" + "\n".join(problems)


@pytest.fixture
def desk(session_factory) -> Session:
    return session_factory(DESKTOP)


@pytest.fixture
def phone(session_factory) -> Session:
    return session_factory(PHONE)


@pytest.fixture(scope="session")
def api(stack):
    """A signed-in API client (standard library) for seeding data and checking what the UI did."""
    return stack.client()
