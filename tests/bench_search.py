"""Search benchmarks (part of `make bench`), as ratios against baselines measured in the same run.

1. GET /gallery/search through the gallery handler (embedding stubbed, moto for QueryVectors and
   BatchGetItem, 200 indexed images) against the stubbed embedding call it makes.
2. The local QueryVectors (local.vector_query, exact cosine, 1024 dimensions, a metadata filter) at
   1,000 and 10,000 vectors, against the same query at 1,000.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIMENSION = 1024
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def _unit(rng: random.Random) -> list[float]:
    v = [rng.gauss(0, 1) for _ in range(DIMENSION)]
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def _median_seconds(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def search_overhead(images: int = 200) -> tuple[float, float, float]:
    """(seconds per search, seconds per stubbed embedding call, ratio)."""
    sys.path.insert(0, str(ROOT / "functions"))
    sys.path.insert(0, str(ROOT))
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      POWERTOOLS_METRICS_DISABLED="true", POWERTOOLS_LOG_LEVEL="ERROR", POWERTOOLS_TRACE_DISABLED="true")
    for name in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    from moto import mock_aws

    from studio import caches
    from studio.adapters import bedrock, clients, feeds, generation_records, table, vectors
    from studio.settings import settings
    from tests.support import aws as support
    from tests.support.events import USER_A, call

    rng = random.Random(7)
    query_vector = _unit(rng)

    class StubbedEmbeddings:
        def invoke_model(self, **_: object) -> dict:
            return {"body": io.BytesIO(json.dumps({"embeddings": [{"embeddingType": "TEXT",
                                                                   "embedding": query_vector}]}).encode())}

    with mock_aws():
        resources = support.create_all()
        os.environ.update(TABLE_NAME=resources.table_name, IMAGES_BUCKET=resources.bucket,
                          JOBS_QUEUE_URL=resources.queue_url, CURSOR_SECRET_ARN=resources.secret_arn,
                          INDEX_QUEUE_URL=resources.index_queue_url, VECTOR_INDEX_ARN=support.VECTOR_INDEX_ARN,
                          ORIGIN_SECRET_ARN=resources.origin_secret_arn)
        caches.reset()
        clients.override("bedrock-runtime", StubbedEmbeddings())
        import gallery.handler

        stamp = "2026-12-01T00:00:00.000Z"
        written = []
        for i in range(images):
            record = {"id": f"bench{i:05d}", "ownerId": USER_A, "status": "COMPLETE", "mode": "text",
                      "modelId": "amazon.nova-canvas-v1:0",
                      "request": {"mode": "text", "prompt": f"bench {i}", "width": 1024, "height": 1024, "count": 1,
                                  "quality": "standard", "modelId": "amazon.nova-canvas-v1:0", "seed": i},
                      "lineage": {"source": "api", "finalPrompt": f"bench {i}"}, "imageCount": 1, "estimatedCost": 0.04, "createdAt": stamp, "updatedAt": stamp,
                      "favorite": False, "public": False,
                      "images": [{"key": f"images/b/{i}.png", "thumbnailKey": f"images/b/{i}.webp",
                                  "width": 1024, "height": 1024, "seed": i}]}
            item = {**record, **feeds.attributes(record), "pk": f"GEN#{record['id']}", "sk": "GEN"}
            clients.get("dynamodb").put_item(TableName=resources.table_name, Item=table.to_item(item))
            written.append((vectors.key(record["id"], 0), _unit(rng),
                            {"owner": USER_A, "public": False, "mode": "text", "model": record["modelId"],
                             "createdAt": stamp, "prompt": record["request"]["prompt"]}))
        vectors.put(written)
        conf = settings()

        def embed() -> None:
            bedrock.embed(conf.embedding_model_id, "IMAGE_RETRIEVAL", DIMENSION, conf.embedding_region, text="a red rose")

        def search() -> None:
            reply = call(gallery.handler.handler, "GET", "/gallery/search", user=USER_A,
                         query={"q": "a red rose", "limit": "24"})
            assert reply.status == 200 and len(reply.body["items"]) == 24, reply.body

        from studio.logic.search import metadata_filter

        hits: list = []

        def query() -> None:
            hits[:] = vectors.query(query_vector, 24, metadata_filter("mine", USER_A))

        def batch_get() -> None:
            generation_records.get_many([vectors.split_key(k)[0] for k, _, _ in hits])

        search()  # warm: imports, clients
        embed_seconds = _median_seconds(embed, RUNS * 4)
        search_seconds = _median_seconds(search)
        parts = {"QueryVectors (moto + local stand-in)": _median_seconds(query),
                 "BatchGetItem of 24 records (moto)": _median_seconds(batch_get)}
    return search_seconds, embed_seconds, search_seconds / embed_seconds, parts


def local_query_vectors(sizes: tuple[int, ...] = (1_000, 10_000)) -> list[tuple[int, float]]:
    """[(vectors, seconds per QueryVectors)] for the local stand-in over `sizes` stored vectors."""
    sys.path.insert(0, str(ROOT))
    from local.vector_query import query

    rng = random.Random(11)
    stored = [(f"g{i}#0", _unit(rng), {"owner": f"u{i % 50}", "public": i % 3 == 0}) for i in range(max(sizes))]
    probe = _unit(rng)
    flt = {"$or": [{"owner": {"$eq": "u1"}}, {"public": {"$eq": True}}]}
    rows = []
    for size in sizes:
        subset = stored[:size]
        seconds = _median_seconds(lambda: query(subset, metric="cosine", dimension=DIMENSION,
                                                query_vector={"float32": probe}, top_k=24, filter_=flt,
                                                return_metadata=True, return_distance=True), runs=3)
        rows.append((size, seconds))
    return rows


def measure() -> None:
    seconds, embed, ratio, parts = search_overhead()
    print("Search API (GET /gallery/search, embedding stubbed, moto, 200 indexed images, limit 24)")
    print(f"  baseline: the stubbed embedding call         {embed * 1000:8.2f} ms   x  1.00")
    for name, part in parts.items():
        print(f"  of which {name:36s} {part * 1000:8.2f} ms   x{part / embed:6.1f}")
    own = max(0.0, seconds - embed - sum(parts.values()))
    print(f"  of which the handler's own work (the rest)   {own * 1000:8.2f} ms   x{own / embed:6.1f}")
    print(f"  search: the whole request through the handler {seconds * 1000:7.2f} ms   x{ratio:6.1f}")
    rows = local_query_vectors()
    base = rows[0][1]
    print("Local QueryVectors (exact cosine, 1024 dimensions, owner/public filter, topK 24)")
    for size, secs in rows:
        print(f"  {size:>6,} vectors                            {secs * 1000:8.1f} ms   x{secs / base:6.2f}")


if __name__ == "__main__":
    measure()
