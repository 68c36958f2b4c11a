"""`make local` as a process: a bad demo user is one clear line; SIGTERM under load exits promptly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from e2e_helpers import ROOT, LocalStack
from local import load

pytestmark = pytest.mark.e2e
EXIT_DEADLINE = 30  # seconds from SIGTERM to exit, whatever the machine's load
AFTER_STOPPED = 3  # seconds from "Stopped" to exit: nothing is left to do by then


def run_local(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    return subprocess.run([sys.executable, "-m", "local", "--port", "0", "--data-dir", str(tmp_path / "data")],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("env, words", [
    ({"STUDIO_DEMO_USER": "demo"}, ["'demo' is not an email address"]),
    ({"STUDIO_DEMO_USER": "ok@studio.local", "STUDIO_DEMO_PASSWORD": "short"}, ["password", "at least 8 characters"]),
])
def test_a_demo_user_the_pool_refuses_stops_with_one_line_that_says_what_to_fix(tmp_path, env, words):
    # When make local starts with a demo user name or password the user pool refuses
    result = run_local(tmp_path, **env)
    # Then it exits non-zero with one line naming the setting, and no traceback
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    line = output.splitlines()[-1]
    assert line.startswith("cannot start:") and "STUDIO_DEMO_USER" in line
    assert all(word in line for word in words), line


def test_sigterm_while_requests_are_in_flight_exits_promptly(tmp_path):
    # Given a stack busy with 10 people generating, polling and listing
    stack = LocalStack(tmp_path / "data", tmp_path / "stack.log")
    stack.start()
    try:
        tally = load.Tally()
        people, client_id = load.create_users(stack.url, 10, tally, stack.data_dir)
        budget = load.Budget(seconds=120, requests=100_000)

        def one(i: int, person: load.User) -> None:
            if person.sign_in(client_id):
                person.journey(budget, i)

        for i, person in enumerate(people):
            threading.Thread(target=one, args=(i, person), daemon=True).start()
        deadline = time.monotonic() + 60
        while tally.requests < 30 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tally.requests >= 30, "the load never got going"

        # When it gets SIGTERM with requests in flight
        stack.process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        stopped_at = None
        while stack.process.poll() is None and time.monotonic() - sent < EXIT_DEADLINE:
            if stopped_at is None and "Stopped in" in stack.log_path.read_text(errors="replace"):
                stopped_at = time.monotonic()
            time.sleep(0.05)
        exited_at = time.monotonic()
        budget.left = 0  # the users stop too

        # Then it saves, says so, and exits cleanly right after, well within the deadline
        assert stack.process.poll() == 0, f"still running {EXIT_DEADLINE} s after SIGTERM"
        log = stack.log_path.read_text(errors="replace")
        assert "Stopped in" in log
        stopped_at = stopped_at or exited_at
        assert exited_at - stopped_at < AFTER_STOPPED, f"lingered {exited_at - stopped_at:.1f} s after 'Stopped'"
    finally:
        stack._kill()
