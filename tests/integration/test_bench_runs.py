"""`make bench` runs end to end: its numbers are for people to read (never asserted: no timed
tests), but a benchmark that crashes measures nothing. Each part runs small, in its own
interpreter, since the benchmarks set up their own environment and emulators."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PARTS = {
    "worker": "from tests.bench import worker_overhead\n"
              "runs = {t: worker_overhead(t, images=2, upscales=1) for t in ('in-process', 'http')}\n"
              "print(json.dumps({t: {k: vars(r) for k, r in v.items()} for t, v in runs.items()}))",
    "search": "from tests.bench_search import local_query_vectors, search_overhead\n"
              "print(json.dumps({'search': search_overhead(images=30), 'query': local_query_vectors((50, 100))}))",
}


def run_part(name: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run([sys.executable, "-c", "import json\n" + PARTS[name]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", PARTS)
def test_each_benchmark_part_runs_and_measures_something(name):
    measured = run_part(name)
    if name == "worker":  # every job rendered COMPLETE (the bench asserts it) on both transports
        assert set(measured) == {"in-process", "http"}
        for runs in measured.values():
            assert set(runs) == {"generation", "upscale"}
            assert all(seconds > 0 for run in runs.values() for seconds in run.values())
    else:
        search_seconds, embed_seconds, ratio, parts = measured["search"]
        assert search_seconds > 0 and embed_seconds > 0 and ratio > 0 and all(v > 0 for v in parts.values())
        assert [size for size, _ in measured["query"]] == [50, 100]
