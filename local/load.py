"""`make load`: many people at once against the local stack, bounded in time and requests.

Starts `python -m local` on a free port with a throw-away data directory (or targets --url with its
--data-dir), creates fresh users, then each user at once: signs in, and until the time or request
budget runs out, starts a generation, polls it to COMPLETE or FAILED, and lists its gallery. One user
in ten has spent the day's quota and keeps asking anyway (each 429 is a cancelled transaction, which
must cost the others nothing). At the end every created record is read until it ends, each user's
gallery is read back, and the report gives the requests, the status counts, the connections reset or
refused, p50/p95 latency per route, the records created against those found, and the records that
never ended (stuck).

Exit status 1 when a connection was reset or refused, a 5xx answered, a request other than an
over-quota one was refused, no record was created, a created record is missing, or one is stuck.
Traffic goes to loopback only (or the --url you give).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from local.client import TERMINAL
from local.paths import ROOT

RESETS = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected)
PASSWORD = "Load-Test-Password-1"
START_DEADLINE = 60  # seconds for the stack to answer
POLL_INTERVAL = 0.5
POLL_DEADLINE = 120  # seconds one generation may take before it counts as stuck


@dataclass
class Tally:
    """What every user saw; one lock, appended from every thread."""

    statuses: collections.Counter = field(default_factory=collections.Counter)
    failures: collections.Counter = field(default_factory=collections.Counter)  # reset, refused, timeout, ...
    latencies: list[float] = field(default_factory=list)
    routes: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    over_quota: int = 0  # 429s the over-quota users got (expected, not failures)
    created: dict[str, set[str]] = field(default_factory=lambda: collections.defaultdict(set))
    outcomes: collections.Counter = field(default_factory=collections.Counter)  # COMPLETE, FAILED, stuck
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.failures.values())


class Budget:
    """A deadline and a request count shared by every user."""

    def __init__(self, seconds: float, requests: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.left = requests
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


class User:
    def __init__(self, base: str, email: str, tally: Tally, timeout: float) -> None:
        split = urllib.parse.urlsplit(base)
        self.host, self.port = split.hostname, split.port or 80
        self.email, self.tally, self.timeout = email, tally, timeout
        self.token = ""

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None,
             count: bool = True, route: str = "") -> tuple[int | None, object]:
        """One request on a new connection (as browsers open many); (status or None, parsed body).
        `route`: how the request is reported (the route template), else method and path."""
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            all_headers.setdefault("Content-Type", "application/json")
        if self.token and path.startswith("/api/"):
            all_headers["Authorization"] = f"Bearer {self.token}"
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            raw = response.read()
            status = response.status
        except RESETS:
            return self._failed("reset", count)
        except ConnectionRefusedError:
            return self._failed("refused", count)
        except (socket.timeout, TimeoutError):
            return self._failed("timeout", count)
        except OSError as exc:
            return self._failed(type(exc).__name__, count)
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        if count:
            with self.tally.lock:
                self.tally.statuses[status] += 1
                self.tally.latencies.append(elapsed)
                self.tally.routes[route or f"{method} {path.split('?')[0]}"].append(elapsed)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw

    def _failed(self, kind: str, count: bool) -> tuple[None, None]:
        if count:
            with self.tally.lock:
                self.tally.failures[kind] += 1
        return None, None

    def sign_in(self, client_id: str) -> bool:
        status, body = self.call("POST", "/_cognito/", {
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
            "AuthParameters": {"USERNAME": self.email, "PASSWORD": PASSWORD},
        }, {"Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}, route="POST /_cognito InitiateAuth")
        if status == 200 and isinstance(body, dict):
            self.token = body["AuthenticationResult"]["AccessToken"]
            return True
        return False

    def journey(self, budget: Budget, number: int, over_quota: bool = False) -> None:
        """Generate, poll to the end, list the gallery; again until the budget is spent. A user over
        quota is refused each time (429) and lists the gallery instead."""
        while budget.take():
            status, record = self.call("POST", "/api/generations", {
                "prompt": f"load test {number}: a lighthouse at dusk, oil painting",  # the default model and size
            }, {"Idempotency-Key": uuid.uuid4().hex}, route="POST /api/generations")
            if over_quota and status == 429:
                with self.tally.lock:
                    self.tally.over_quota += 1
                if budget.take():
                    self.call("GET", "/api/gallery?limit=24", route="GET /api/gallery")
                continue
            if status != 202 or not isinstance(record, dict):
                continue
            with self.tally.lock:
                self.tally.created[self.email].add(record["id"])
            self._poll(record["id"], budget)
            if budget.take():
                self.call("GET", "/api/gallery?limit=24", route="GET /api/gallery")

    def _poll(self, generation_id: str, budget: Budget) -> None:
        give_up = time.monotonic() + POLL_DEADLINE
        while time.monotonic() < give_up:
            time.sleep(POLL_INTERVAL)
            if not budget.take():
                return  # out of budget: the final check still finds the record
            status, record = self.call("GET", f"/api/generations/{generation_id}", route="GET /api/generations/{id}")
            if status == 200 and isinstance(record, dict) and record.get("status") in TERMINAL:
                with self.tally.lock:
                    self.tally.outcomes[record["status"]] += 1
                return
        with self.tally.lock:
            self.tally.outcomes["stuck"] += 1

    def unfinished(self, ids: set[str], deadline: float) -> set[str]:
        """The records among `ids` still PENDING or RUNNING at `deadline` (not counted as load)."""
        left = set(ids)
        while left and time.monotonic() < deadline:
            for generation_id in list(left):
                status, record = self.call("GET", f"/api/generations/{generation_id}", count=False)
                if status == 200 and isinstance(record, dict) and record.get("status") in TERMINAL:
                    left.discard(generation_id)
            if left:
                time.sleep(POLL_INTERVAL)
        return left

    def found(self) -> set[str]:
        """Every record id in the user's gallery (all pages); not counted as load."""
        ids: set[str] = set()
        cursor = None
        for _ in range(100):
            path = "/api/gallery?limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
            status, page = self.call("GET", path, count=False)
            if status != 200 or not isinstance(page, dict):
                break
            ids.update(item["id"] for item in page["items"])
            cursor = page.get("nextCursor")
            if not cursor:
                break
        return ids


class StartedStack:
    """`python -m local` on a free port, data in a temporary directory, stopped with SIGTERM."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://localhost:{self.port}"
        self.tmp = tempfile.TemporaryDirectory(prefix="studio-load-")
        self.log = Path(self.tmp.name) / "stack.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name in ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "STUDIO_BEDROCK", "AWS_PROFILE"):
            env.pop(name, None)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "local", "--port", str(self.port), "--no-persist",
                 "--data-dir", str(Path(self.tmp.name) / "data")],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the local stack exited with {self.process.returncode}: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the local stack did not answer within {START_DEADLINE} s")

    def stop(self) -> float:
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.tmp.cleanup()
        return time.monotonic() - started


def create_users(base: str, count: int, tally: Tally, data_dir: Path | None) -> tuple[list[User], str]:
    """Fresh users: each signs up (Cognito's public API) and is confirmed by the administrator (the
    stack's harness key, from its data directory)."""
    from local.harness import Harness

    if data_dir is None:
        raise RuntimeError("to create users on a running stack, give its --data-dir (the harness's key is there)")
    harness = Harness(data_dir)
    setup = User(base, "", tally, timeout=30)
    status, config = setup.call("GET", "/config.json", count=False)
    if status != 200 or not isinstance(config, dict):
        raise RuntimeError(f"GET /config.json answered {status}: is the stack at {base} running?")
    run = uuid.uuid4().hex[:8]
    users = []
    for i in range(count):
        email = f"load-{run}-{i}@studio.local"
        status, body = setup.call("POST", "/_cognito/", {
            "ClientId": config["userPoolClientId"], "Username": email, "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": email}]}, {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp"}, count=False)
        if status != 200:
            raise RuntimeError(f"SignUp for {email} answered {status}: {body}")
        harness.confirm_user(email)
        users.append(User(base, email, tally, timeout=60))
    return users, config["userPoolClientId"]


OVER_QUOTA_EVERY = 10  # one user in ten has spent the day's quota


def spend_quota(data_dir: Path, person: User) -> None:
    """The user's image quota for today is spent (the harness writes the day's counter)."""
    import base64
    from datetime import datetime, timezone

    from local.harness import Harness

    payload = person.token.split(".")[1]
    sub = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
    harness = Harness(data_dir)
    harness.client("dynamodb").put_item(TableName=harness.resources["table_name"], Item={
        "pk": {"S": f"QUOTA#{sub}"}, "sk": {"S": datetime.now(timezone.utc).strftime("%Y-%m-%d")},
        "used": {"N": "1000000"}})


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(base: str, users: int, seconds: float, max_requests: int, data_dir: Path | None = None) -> dict:
    tally = Tally()
    people, client_id = create_users(base, users, tally, data_dir)
    budget_box: list[Budget] = []
    barrier = threading.Barrier(users, action=lambda: budget_box.append(Budget(seconds, max_requests)))

    def one(i: int, person: User) -> None:
        barrier.wait()  # everyone at once: the burst a listen backlog must absorb
        if person.sign_in(client_id):
            over = data_dir is not None and i % OVER_QUOTA_EVERY == OVER_QUOTA_EVERY - 1
            if over:
                spend_quota(data_dir, person)
            person.journey(budget_box[0], i, over_quota=over)

    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(i, p), daemon=True) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + POLL_DEADLINE + 60)
    elapsed = time.monotonic() - started
    settle_by = time.monotonic() + POLL_DEADLINE
    stuck = sum(len(p.unfinished(tally.created[p.email], settle_by)) for p in people)
    created = sum(len(ids) for ids in tally.created.values())
    found = sum(len(tally.created[p.email] & p.found()) for p in people)
    lat = sorted(tally.latencies)
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "requests": tally.requests,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "resets": tally.failures["reset"],
        "refused": tally.failures["refused"],
        "other_failures": {k: v for k, v in tally.failures.items() if k not in ("reset", "refused")},
        "p50_ms": round(percentile(lat, 50) * 1000),
        "p95_ms": round(percentile(lat, 95) * 1000),
        "routes": {route: {"requests": len(times), "p50_ms": round(percentile(sorted(times), 50) * 1000),
                           "p95_ms": round(percentile(sorted(times), 95) * 1000)}
                   for route, times in sorted(tally.routes.items())},
        "over_quota_refusals": tally.over_quota,
        "stuck": stuck,
        "records_created": created,
        "records_found": found,
        "generations": dict(tally.outcomes),
    }


def report(result: dict) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in result["statuses"].items()) or "none"
    return "\n".join([
        f"{result['users']} users for {result['seconds']} s: {result['requests']} requests "
        f"({result['requests'] / max(result['seconds'], 0.1):.1f}/s)",
        f"  statuses: {statuses}",
        f"  connections reset: {result['resets']}, refused: {result['refused']}, "
        f"other failures: {result['other_failures'] or 0}",
        f"  latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms; per route:",
        *(f"    {route:<34} {r['requests']:>6} requests  p50 {r['p50_ms']:>6} ms  p95 {r['p95_ms']:>6} ms"
          for route, r in result["routes"].items()),
        f"  over-quota generations refused (429, expected): {result['over_quota_refusals']}",
        f"  records created {result['records_created']}, found {result['records_found']}; "
        f"generations ended: {result['generations'] or 'none'}; never ended (stuck): {result['stuck']}",
    ])


def healthy(result: dict) -> bool:
    server_errors = sum(v for k, v in result["statuses"].items() if k.startswith("5"))
    return (not result["resets"] and not result["refused"] and not result["other_failures"]
            and not server_errors and result["records_created"] > 0 and not result["stuck"]
            and result["records_created"] == result["records_found"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running stack (default: start one on a free port)")
    parser.add_argument("--data-dir", type=Path, help="the running stack's data directory (with --url)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="how long the users keep going (default 60)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="stop after this many requests")
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    args = parser.parse_args(argv)
    stack = None if args.url else StartedStack()
    try:
        result = run(args.url or stack.url, args.users, args.seconds, args.max_requests,
                     args.data_dir if args.url else Path(stack.tmp.name) / "data")
    finally:
        if stack is not None:
            stopped = stack.stop()
    if stack is not None:
        result["shutdown_seconds"] = round(stopped, 1)
    print(report(result) + (f"\n  the stack stopped {result['shutdown_seconds']} s after SIGTERM"
                            if stack is not None else ""))
    if args.json:
        print(json.dumps(result))
    return 0 if healthy(result) else 1


if __name__ == "__main__":
    sys.exit(main())
