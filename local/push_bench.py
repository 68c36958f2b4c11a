"""Push against polling (issue 23), in one run: how long after the worker writes COMPLETE does the
client have it, and how many API requests does each finished image cost.

Starts `python -m local` on a free port (or targets --url with its --data-dir), creates fresh users,
and for 1 user and for 50 users at once, each user renders with both strategies:
  polling  the UI's backoff before push: POST, then GET /generations/{id} after 0.6 s, each wait x1.4, up to 5 s;
  push     subscribe to the user's channel first (local.push_client: the browser's protocol), POST, wait
           for COMPLETE on the channel (a GET only when nothing came for 60 s, as the UI does).
The latency is the client's receipt time minus the record's updatedAt (the COMPLETE write's time,
same machine clock, milliseconds). Printed: p50/p95 per strategy and user count, and API requests
per finished image.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from local.client import StudioClient
from local.load import PASSWORD, StartedStack, Tally, create_users, percentile
from local.push_client import PushUnavailable

POLL_FIRST, POLL_FACTOR, POLL_MAX = 0.6, 1.4, 5.0  # web/js/store.js's backoff
PUSH_SAFETY = 60.0
RENDER_DEADLINE = 240.0
PROMPT = "a lighthouse at dusk, bench"


def written_at(record: dict) -> float:
    return datetime.fromisoformat(record["updatedAt"].replace("Z", "+00:00")).timestamp()


class Counted(StudioClient):
    """A client that counts its API requests."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.api_requests = 0

    def request(self, method, path, body=None, query=None):
        self.api_requests += 1
        return super().request(method, path, body, query)


def by_polling(client: Counted) -> tuple[float, str]:
    record = client.generate(prompt=PROMPT)
    delay, ends = POLL_FIRST, time.monotonic() + RENDER_DEADLINE
    while record["status"] not in ("COMPLETE", "FAILED"):
        if time.monotonic() > ends:
            raise TimeoutError(record["id"])
        time.sleep(delay)
        record = client.generation(record["id"])
        delay = min(delay * POLL_FACTOR, POLL_MAX)
    return time.time() - written_at(record), record["status"]


def by_push(client: Counted) -> tuple[float, str]:
    with client.channel() as channel:
        record = client.generate(prompt=PROMPT)
        ends = time.monotonic() + RENDER_DEADLINE
        while record["status"] not in ("COMPLETE", "FAILED"):
            if time.monotonic() > ends:
                raise TimeoutError(record["id"])
            event = channel.next_event(timeout=PUSH_SAFETY)
            if event is None:  # the UI's safety net
                record = client.generation(record["id"])
            elif event["id"] == record["id"]:
                record = event["generation"]
        return time.time() - written_at(record), record["status"]


STRATEGIES = {"polling": by_polling, "push": by_push}


def measure(base: str, emails: list[str], strategy: str, rounds: int) -> dict:
    latencies, requests, finished, failures = [], 0, 0, []
    lock = threading.Lock()
    barrier = threading.Barrier(len(emails))

    def one(email: str) -> None:
        nonlocal requests, finished
        client = Counted(base)
        client.sign_in(email, PASSWORD)
        client.config  # noqa: B018 - read before the clock starts
        barrier.wait()
        for _ in range(rounds):
            before = client.api_requests
            try:
                latency, status = STRATEGIES[strategy](client)
            except (TimeoutError, PushUnavailable, OSError) as error:
                with lock:
                    failures.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                requests += client.api_requests - before
                if status == "COMPLETE":
                    finished += 1
                    latencies.append(latency)
                else:
                    failures.append(status)

    threads = [threading.Thread(target=one, args=(e,), daemon=True) for e in emails]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = sorted(latencies)
    return {"strategy": strategy, "users": len(emails), "finished": finished,
            "p50_ms": round(percentile(lat, 50) * 1000), "p95_ms": round(percentile(lat, 95) * 1000),
            "requests_per_image": round(requests / finished, 2) if finished else None, "failures": failures}


def run(base: str, data_dir: Path, user_counts: list[int], rounds_alone: int) -> list[dict]:
    people, _ = create_users(base, max(user_counts), Tally(), data_dir)
    emails = [p.email for p in people]
    results = []
    for users in user_counts:
        rounds = rounds_alone if users == 1 else 1
        for strategy in ("polling", "push"):
            results.append(measure(base, emails[:users], strategy, rounds))
    return results


def report(results: list[dict]) -> str:
    lines = ["push vs polling: from the COMPLETE write to the client having it",
             f"  {'strategy':<8} {'users':>5} {'images':>6} {'p50':>8} {'p95':>8} {'API requests/image':>20}"]
    for r in results:
        lines.append(f"  {r['strategy']:<8} {r['users']:>5} {r['finished']:>6} {r['p50_ms']:>6} ms {r['p95_ms']:>6} ms "
                     f"{r['requests_per_image'] if r['requests_per_image'] is not None else '-':>20}"
                     + (f"   failures: {len(r['failures'])} ({r['failures'][0]})" if r["failures"] else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.push_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running stack (default: start one on a free port)")
    parser.add_argument("--data-dir", type=Path, help="the running stack's data directory (with --url)")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 50], help="user counts (default 1 50)")
    parser.add_argument("--rounds", type=int, default=8, help="renders per strategy for 1 user (default 8)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    stack = None if args.url else StartedStack()
    try:
        results = run(args.url or stack.url, args.data_dir if args.url else Path(stack.tmp.name) / "data",
                      args.users, args.rounds)
    finally:
        if stack is not None:
            stack.stop()
    print(report(results))
    if args.json:
        print(json.dumps(results))
    return 0 if all(r["finished"] and not r["failures"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
