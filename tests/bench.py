"""Benchmarks (`make bench`): ratios against baselines measured in the same run, never absolute gates.

1. Cold import of each handler module, in a fresh interpreter set up as Lambda runs it
   (LAMBDA_TASK_ROOT set, so the X-Ray SDK skips the sampler a real cold start never builds), as a
   ratio to a fair baseline: a Powertools handler with Logger, Tracer, Metrics, a validating REST
   resolver and one boto3 client (what any API function of ours pays at least). Goal: <= 1.3x.
2. The worker's overhead per image with the image model stubbed (S3 writes of PNG + WebP
   thumbnail, DynamoDB updates, validation), as a ratio to a bare put_object of the same PNG: for a
   1024x1024 render and for a 4096x4096 fast upscale (an edit: the largest output the app stores).
   Twice: against moto in-process, and against a moto server in its own process over HTTP. Beside
   it, what no code of ours can overlap with the writes: the thumbnail alone (decode + resize +
   WebP), and the emulator's answers to the worker's table calls (the claim, the completion) and
   index message, timed inside the jobs. Their sum is the floor of this ratio on this emulator.
3. Search (tests/bench_search.py): the search API against its stubbed embedding call, and the local
   QueryVectors at 1,000 and 10,000 vectors.
4. The web UI's first-load JavaScript + CSS, compressed, as a ratio to its 60 KB budget.
   Inside each job, the Content Credentials signing (studio/logic/content_credentials.py): the job
   as a ratio to the same job without it. Goal: <= 1.3x.
5. The dependencies layer's size unzipped (the AWS SDK is in it: docs/deploy.md), against Lambda's
   250 MB limit, and what the SDK adds to it.
"""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))

COLD_IMPORT_GOAL = 1.3
WORKER_GOAL = 3.0
# Content Credentials: the worker's job with signing, as a ratio to the same job without it (issue 21).
SIGNING_GOAL = 1.3

# The least a Powertools API function of ours pays: Logger, Tracer, Metrics, a validating resolver
# with a pydantic body, and one boto3 client.
BASELINE_HANDLER = """
import boto3
from pydantic import BaseModel
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
logger, tracer, metrics = Logger(), Tracer(), Metrics(namespace="Bench")
client = boto3.client("dynamodb")
app = APIGatewayRestResolver(enable_validation=True)
class Ping(BaseModel):
    text: str
@app.post("/ping")
def ping(body: Ping) -> Ping:
    return body
@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
"""

# As the Lambda runtime sets it: with LAMBDA_TASK_ROOT the X-Ray SDK assumes Lambda's daemon and
# builds no sampler (two botocore clients, ~180 ms that a real cold start never pays).
LAMBDA_ENV = {"LAMBDA_TASK_ROOT": str(FUNCTIONS), "AWS_LAMBDA_FUNCTION_NAME": "bench",
              "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
              "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
              "POWERTOOLS_SERVICE_NAME": "bench", "POWERTOOLS_METRICS_NAMESPACE": "Bench"}


def _cold_import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")},
           "PYTHONPATH": str(FUNCTIONS), **LAMBDA_ENV}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def cold_imports() -> list[tuple[str, float, float]]:
    """(module, median seconds, ratio to the baseline); baseline and modules interleaved per round so
    that a noisy neighbour on the machine weighs on both alike."""
    sys.path.insert(0, str(FUNCTIONS))
    from studio.routes import FUNCTIONS as LAMBDAS

    statements = {"baseline": f"exec({BASELINE_HANDLER!r})"}
    statements.update({f.handler.rsplit(".", 1)[0]: "import " + f.handler.rsplit(".", 1)[0] for f in LAMBDAS})
    # Not at cold start: what the worker's first signature (and the gallery's first verify) loads on
    # top of its handler, the C2PA bindings' native library and the certificate code.
    statements["first signature: + c2pa, cryptography.x509"] = (
        "import generate.worker, c2pa, studio.certificates")
    samples: dict[str, list[float]] = {name: [] for name in statements}
    for _ in range(RUNS):
        for name, statement in statements.items():
            samples[name].append(_cold_import_seconds(statement))
    baseline = statistics.median(samples.pop("baseline"))
    rows = [("baseline: Powertools handler + boto3 client", baseline, 1.0)]
    rows += [(module, statistics.median(times), statistics.median(times) / baseline)
             for module, times in samples.items()]
    return rows


def _stability_answer(png: bytes) -> bytes:
    # Encoded once: building the model's answer is the model's work, not the worker's.
    return json.dumps({"seeds": [1], "finish_reasons": [None], "images": [base64.b64encode(png).decode()]}).encode()


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class WorkerRun:
    worker: float
    bare: float
    thumbnail: float
    services: float  # inside the job: claim + completion (DynamoDB) + the index message (SQS)
    signing: float  # inside the job: Content Credentials (build, KMS Sign, embed, read back)


@contextmanager
def _timed(owner: object, names: tuple[str, ...], spent: list[float]) -> Iterator[None]:
    """Adds the seconds each call of owner.<name> takes to spent[-1] (one slot per job)."""
    originals = {name: getattr(owner, name) for name in names}

    def timing(call):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent[-1] += time.perf_counter() - started
        return timed

    for name, call in originals.items():
        setattr(owner, name, timing(call))
    try:
        yield
    finally:
        for name, call in originals.items():
            setattr(owner, name, call)


@contextmanager
def _aws(transport: str) -> Iterator[None]:
    """The AWS services the worker talks to. "in-process": moto as a library, so every call is a
    function call and moto's own server-side work runs on the worker's CPU. "http": a moto server
    in its own process on loopback, so a write moves its bytes through a socket and the service's
    work runs elsewhere, as in AWS (where the network is slower still)."""
    if transport == "in-process":
        from moto import mock_aws

        with mock_aws():
            yield
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:  # wait for the server to listen (a state, with a deadline for a broken install)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the moto server did not start") from None
                time.sleep(0.05)
        os.environ.update(AWS_ENDPOINT_URL=url, AWS_ENDPOINT_URL_S3=url)
        yield
    finally:
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            os.environ.pop(name, None)
        server.terminate()
        server.wait(timeout=30)


def worker_overhead(transport: str = "in-process", images: int = 12,
                    upscales: int = 3) -> dict[str, WorkerRun]:
    """Per job kind, medians of seconds per image: the worker, a bare put_object of the same PNG, and
    the thumbnail alone (the CPU work no transport hides).

    "generation": the default model (Stable Image Core) answering a photo-like 1024x1024 PNG.
    "upscale": a fast upscale (POST /edits) answering a 4096x4096 PNG, the largest output the app stores."""
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      DAILY_IMAGE_QUOTA="100000")
    for name in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")] + ["ALLOWED_IMAGE_MODELS"]:
        os.environ.pop(name, None)
    sys.path.insert(0, str(FUNCTIONS))
    sys.path.insert(0, str(ROOT))
    from PIL import Image
    from studio import caches
    from studio.adapters import clients
    from studio.settings import settings

    from tests.support.aws import create_all

    with _aws(transport):
        caches.reset()
        resources = create_all()
        os.environ.update(TABLE_NAME=resources.table_name, IMAGES_BUCKET=resources.bucket,
                          JOBS_QUEUE_URL=resources.queue_url, CURSOR_SECRET_ARN=resources.secret_arn,
                          INDEX_QUEUE_URL=resources.index_queue_url, CREDENTIALS_KEY_ID=resources.credentials_key_arn,
                          CREDENTIALS_CHAIN_SECRET_ARN=resources.credentials_chain_secret_arn)
        caches.reset()
        from studio.adapters import generation_records
        from studio.bodies.generations import EditRequest, GenerationRequest
        from studio.images import GalleryImage
        from studio.logic import content_credentials, edits, generations, indexing, rendering

        # Noise compresses like a real render, unlike a flat color; the upscale is that noise enlarged.
        photo = Image.effect_noise((1024, 1024), 64).convert("RGB")
        png, large = _png(photo), _png(photo.resize((4096, 4096), Image.Resampling.BICUBIC))
        answers = {"generation": _stability_answer(png), "upscale": _stability_answer(large)}
        current = {"answer": answers["generation"]}

        class StubbedModel:
            def invoke_model(self, **_: object) -> dict:
                return {"body": io.BytesIO(current["answer"])}

        clients.override("bedrock-runtime", StubbedModel())
        s3 = clients.get("s3")  # configured as the worker's own client
        conf = settings()
        sources = [generations.create(GenerationRequest(prompt=f"bench {i}", seed=i), "bench-user", None, "",
                                      conf).id for i in range(images)]
        jobs = {"generation": (sources, png)}
        results = {}
        for kind in ("generation", "upscale"):
            current["answer"] = answers[kind]
            ids, stored = jobs[kind]
            # Interleaved, one bare write, one thumbnail, one job; medians of each: load from other
            # processes on the machine weighs on every side alike.
            bare_times, thumbnail_times, worker_times, service_times, signing_times = [], [], [], [], []
            for index, generation_id in enumerate(ids):
                started = time.perf_counter()
                s3.put_object(Bucket=resources.bucket, Key=f"bench/{kind}-{index}.png", Body=stored,
                              ContentType="image/png")
                bare_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                GalleryImage(stored).thumbnail()
                thumbnail_times.append(time.perf_counter() - started)
                service_times.append(0.0)
                signing_times.append(0.0)
                with _timed(generation_records, ("claim", "complete"), service_times), \
                        _timed(indexing, ("request_indexing",), service_times), \
                        _timed(content_credentials, ("sign_image",), signing_times):
                    started = time.perf_counter()
                    assert rendering.render(generation_id) == "COMPLETE"
                    worker_times.append(time.perf_counter() - started)
            results[kind] = WorkerRun(*(statistics.median(t) for t in
                                        (worker_times, bare_times, thumbnail_times, service_times, signing_times)))
            if kind == "generation":  # the finished generations are the upscales' sources
                jobs["upscale"] = ([edits.create(EditRequest(operation="upscale-fast", generation_id=source),
                                                 "bench-user", None, "", conf).id
                                    for source in sources[:upscales]], large)
    return results


def layer_size() -> None:
    """The layer's size as built for Lambda (layers/build/<hash>/python, built now if missing) and the SDK's share."""
    import tempfile

    from cdk import constants as c
    from cdk.layer import LAYER_CACHE, build_layer, layer_hash

    def site_of(lock: Path) -> Path:
        site = LAYER_CACHE / layer_hash(lock) / "python"
        if not site.is_dir():
            with tempfile.TemporaryDirectory() as out:
                build_layer(Path(out), lock)
        return site

    def size(paths) -> int:
        return sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())

    site = site_of(c.LAYER_LOCK)
    total = size([site])
    sdk = size([p for p in site.iterdir() if p.name.split("-")[0].split(".")[0] in
                ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "python_dateutil", "urllib3", "six")])
    print(f"Dependencies layer unzipped: {total / 1e6:6.1f} MB of Lambda's 250 MB (x{total / 250e6:4.2f}); "
          f"the AWS SDK in it: {sdk / 1e6:5.1f} MB")
    both = total + size([site_of(c.CREDENTIALS_LAYER_LOCK)])
    print(f"  + the Content Credentials layer ({', '.join(c.CREDENTIALS_LAYER_FUNCTIONS)} only): "
          f"{both / 1e6:6.1f} MB together (x{both / 250e6:4.2f})")


def main() -> None:
    print(f"Cold import of each Lambda entry module as Lambda runs it (LAMBDA_TASK_ROOT set; median of {RUNS} "
          f"fresh interpreters; goal <= {COLD_IMPORT_GOAL}x)")
    for module, seconds, ratio in cold_imports():
        verdict = "" if module.startswith("baseline") else ("ok" if ratio <= COLD_IMPORT_GOAL else "OVER GOAL")
        print(f"  {module:44s} {seconds * 1000:8.1f} ms   x{ratio:5.2f}  {verdict}")
    print(f"Worker overhead per image, model stubbed (goal <= {WORKER_GOAL}x a bare put_object of the same PNG)")
    labels = {"generation": "render 1024x1024: PNG + WebP + DynamoDB", "upscale": "upscale to 4096x4096 (edit)"}
    transports = {"in-process": "moto in-process (a write is a function call; moto's work is on our CPU)",
                  "http": "moto server over HTTP (bytes through a socket; the service in its own process)"}
    for transport, title in transports.items():
        print(f"  {title}")
        for kind, run in worker_overhead(transport).items():
            ratio = run.worker / run.bare
            print(f"    baseline: put_object of the same PNG ({kind:10s}) {run.bare * 1000:8.1f} ms   x 1.00")
            print(f"    {labels[kind]:44s} {run.worker * 1000:8.1f} ms   x{ratio:5.2f}  "
                  + ("ok" if ratio <= WORKER_GOAL else "OVER GOAL"))
            floor = run.thumbnail + run.services
            print(f"      what no overlap hides: the thumbnail      {run.thumbnail * 1000:8.1f} ms   "
                  f"x{run.thumbnail / run.bare:5.2f}")
            print(f"        + the emulator's table and queue calls {run.services * 1000:8.1f} ms   "
                  f"x{run.services / run.bare:5.2f}")
            unsigned = run.worker - run.signing
            print(f"      Content Credentials signing (KMS Sign + embed + read back) {run.signing * 1000:8.1f} ms; "
                  f"the job x{run.worker / unsigned:5.2f} of the job without it  "
                  + ("ok" if run.worker / unsigned <= SIGNING_GOAL else "OVER GOAL"))
            print(f"        = this emulator's floor for the job    {floor * 1000:8.1f} ms   x{floor / run.bare:5.2f}")
    from tests.bench_search import measure as measure_search

    measure_search()
    layer_size()
    try:
        from tests.bench_web import measure
    except ImportError:
        print("Web first load: tests/bench_web.py not present")
    else:
        measure()


if __name__ == "__main__":
    main()
