"""Benchmarks (`make bench`): ratios against baselines measured in the same run, never absolute gates.

1. Cold import of each handler module, in a fresh interpreter set up as Lambda runs it
   (LAMBDA_TASK_ROOT set, so the X-Ray SDK skips the sampler a real cold start never builds), as a
   ratio to a fair baseline: a Powertools handler with Logger, Tracer, Metrics, a validating REST
   resolver and one boto3 client (what any API function of ours pays at least). Goal: <= 1.3x.
2. The worker's overhead per image with the image model stubbed (S3 writes of PNG + WebP
   thumbnail, DynamoDB updates, validation), as a ratio to a bare put_object of the same PNG: for a
   1024x1024 render and for a 4096x4096 fast upscale (an edit: the largest output the app stores).
3. Search (tests/bench_search.py): the search API against its stubbed embedding call, and the local
   QueryVectors at 1,000 and 10,000 vectors.
4. The web UI's first-load JavaScript + CSS, compressed, as a ratio to its 60 KB budget.
"""

from __future__ import annotations

import base64
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))

COLD_IMPORT_GOAL = 1.3
WORKER_GOAL = 3.0

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


def worker_overhead(images: int = 12, upscales: int = 3) -> dict[str, tuple[float, float, float]]:
    """Per job kind: (seconds per image for the worker, seconds per bare put_object of the same PNG, ratio).

    "generation": the default model (Stable Image Core) answering a photo-like 1024x1024 PNG.
    "upscale": a fast upscale (POST /edits) answering a 4096x4096 PNG, the largest output the app stores."""
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      DAILY_IMAGE_QUOTA="100000")
    for name in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")] + ["ALLOWED_IMAGE_MODELS"]:
        os.environ.pop(name, None)
    sys.path.insert(0, str(FUNCTIONS))
    sys.path.insert(0, str(ROOT))
    import boto3
    from moto import mock_aws
    from PIL import Image

    from studio.adapters import clients
    from studio.settings import settings
    from tests.support.aws import create_all

    with mock_aws():
        resources = create_all()
        os.environ.update(TABLE_NAME=resources.table_name, IMAGES_BUCKET=resources.bucket,
                          JOBS_QUEUE_URL=resources.queue_url, CURSOR_SECRET_ARN=resources.secret_arn)
        settings.cache_clear()
        clients.reset()
        from studio.logic import edits, generations, rendering
        from studio.models import EditRequest, GenerationRequest

        # Noise compresses like a real render, unlike a flat color; the upscale is that noise enlarged.
        photo = Image.effect_noise((1024, 1024), 64).convert("RGB")
        png, large = _png(photo), _png(photo.resize((4096, 4096), Image.Resampling.BICUBIC))
        answers = {"generation": _stability_answer(png), "upscale": _stability_answer(large)}
        current = {"answer": answers["generation"]}

        class StubbedModel:
            def invoke_model(self, **_: object) -> dict:
                return {"body": io.BytesIO(current["answer"])}

        clients.override("bedrock", StubbedModel())
        s3 = boto3.client("s3")
        conf = settings()
        sources = [generations.create(GenerationRequest(prompt=f"bench {i}", seed=i), "bench-user", None, "",
                                      conf).id for i in range(images)]
        jobs = {"generation": (sources, png)}
        results = {}
        for kind in ("generation", "upscale"):
            current["answer"] = answers[kind]
            ids, stored = jobs[kind]
            # Interleaved, one bare write then one job, medians of each: load from other processes on
            # the machine weighs on both sides alike.
            bare_times, worker_times = [], []
            for index, generation_id in enumerate(ids):
                started = time.perf_counter()
                s3.put_object(Bucket=resources.bucket, Key=f"bench/{kind}-{index}.png", Body=stored,
                              ContentType="image/png")
                bare_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                assert rendering.render(generation_id) == "COMPLETE"
                worker_times.append(time.perf_counter() - started)
            bare, worker = statistics.median(bare_times), statistics.median(worker_times)
            results[kind] = (worker, bare, worker / bare)
            if kind == "generation":  # the finished generations are the upscales' sources
                jobs["upscale"] = ([edits.create(EditRequest(operation="upscale-fast", generation_id=source),
                                                 "bench-user", None, "", conf).id
                                    for source in sources[:upscales]], large)
    return results


def main() -> None:
    print(f"Cold import of each Lambda entry module as Lambda runs it (LAMBDA_TASK_ROOT set; median of {RUNS} "
          f"fresh interpreters; goal <= {COLD_IMPORT_GOAL}x)")
    for module, seconds, ratio in cold_imports():
        verdict = "" if module.startswith("baseline") else ("ok" if ratio <= COLD_IMPORT_GOAL else "OVER GOAL")
        print(f"  {module:44s} {seconds * 1000:8.1f} ms   x{ratio:5.2f}  {verdict}")
    print(f"Worker overhead per image, model stubbed (moto in-process; goal <= {WORKER_GOAL}x)")
    labels = {"generation": "render 1024x1024: PNG + WebP + DynamoDB", "upscale": "upscale to 4096x4096 (edit)"}
    for kind, (worker, bare, ratio) in worker_overhead().items():
        print(f"  baseline: put_object of the same PNG ({kind:10s}) {bare * 1000:8.1f} ms   x 1.00")
        print(f"  {labels[kind]:44s} {worker * 1000:8.1f} ms   x{ratio:5.2f}  "
              + ("ok" if ratio <= WORKER_GOAL else "OVER GOAL"))
    from tests.bench_search import measure as measure_search

    measure_search()
    try:
        from tests.bench_web import measure
    except ImportError:
        print("Web first load: tests/bench_web.py not present")
    else:
        measure()


if __name__ == "__main__":
    main()
