"""The search index's writes: each completed image embedded with its metadata and caption, and the
index kept in step when a generation is shared, unshared or deleted.

Indexing runs off the user's path: the worker queues an index job when a generation completes, the
"index" function embeds each image (Nova Multimodal Embeddings, GENERIC_INDEX), writes the vectors
to S3 Vectors with filterable metadata, and asks the vision model for a caption and tags
(logic/captions.py). A share or a delete rewrites or removes the vectors in the same request; a
delete also queues an index job that finds no record and removes whatever is left (a race with an
index job, a failed cleanup), so no vector outlives its record for longer than the queue's retries.
"""

from __future__ import annotations

from typing import Callable

from studio.adapters import generation_records, jobs, storage, vectors
from studio.adapters.generation_records import GenerationRecord
from studio.bodies.common import UPLOAD_MAX_BYTES
from studio.catalog import MAX_IMAGES_PER_GENERATION
from studio.clock import now_iso
from studio.logic import captions, tags
from studio.observability import count, logger
from studio.settings import Settings
from studio.storage_layout import VECTOR_DIMENSION

# Nova Multimodal Embeddings' purposes (docs/search.md says why): the index holds images, embedded
# for an index; a query (words, or an image for "more like this") is embedded to retrieve images.
INDEX_PURPOSE = "GENERIC_INDEX"
QUERY_PURPOSE = "IMAGE_RETRIEVAL"
PROMPT_METADATA_MAX = 2000  # characters of the prompt kept as non-filterable metadata (40 KB cap per vector)


def request_indexing(generation_id: str) -> None:
    """Queue the index job of a generation that just completed. Never raises: a generation that
    rendered must not fail because search could not hear about it (backfill catches it up)."""
    try:
        jobs.enqueue(generation_id, queue="index_queue_url")
    except Exception:  # noqa: BLE001 - any failure here is counted, logged and swallowed
        count("IndexEnqueueFailed")
        logger.exception("could not queue the index job", extra={"generationId": generation_id})


def _metadata(record: GenerationRecord) -> dict:
    return {"owner": record["ownerId"], "public": bool(record.get("public")), "mode": record["mode"],
            "model": record["modelId"], "createdAt": record["createdAt"],
            "prompt": str(record.get("request", {}).get("prompt", ""))[:PROMPT_METADATA_MAX]}


# Bedrock loads on first use: the functions that import this module only to follow a share or a
# delete (gallery) never pay for it (tests/unit/test_imports.py).
def embed(conf: Settings, purpose: str, **content) -> list[float]:
    """One embedding of a text or an image (format, bytes) for the index or a query."""
    from studio.adapters import bedrock

    return bedrock.embed(conf.embedding_model_id, purpose, VECTOR_DIMENSION, conf.embedding_region, **content)


def index_generation(generation_id: str, conf: Settings) -> str:
    """Make the index follow the record: embed, store and caption every image of a COMPLETE
    generation ("INDEXED"); for a record that is gone, delete whatever vectors it may have left
    ("FORGOTTEN"); else "SKIPPED".

    Deleting is idempotent, so the job is also the retry of every cleanup: a job whose cleanup failed,
    and the job a DELETE queues after the record is gone (request_cleanup), both end here.
    Model and storage errors propagate, so the queue retries the job (and its DLQ keeps it)."""
    record = generation_records.get(generation_id)
    if record is None:
        forget_all(generation_id)
        return "FORGOTTEN"
    if record.get("status") != "COMPLETE" or not record.get("images"):
        return "SKIPPED"
    written, annotations = [], []
    for index, image in enumerate(record["images"]):
        webp = storage.read(image["thumbnailKey"], UPLOAD_MAX_BYTES, "thumbnailKey")
        embedding = embed(conf, INDEX_PURPOSE, image=("webp", webp))
        written.append((vectors.key(generation_id, index), embedding, _metadata(record)))
        annotations.append(captions.caption(webp, record, conf) or {"caption": "", "tags": []})
    vectors.put(written)
    if not generation_records.set_annotations(generation_id, annotations, bool(record.get("public")), now_iso()):
        # Deleted or (un)shared while indexing: follow the record as it is now.
        current = generation_records.get(generation_id)
        if current is None:  # should this fail, the retry finds no record and forgets them all
            vectors.delete([k for k, _, _ in written])
            return "FORGOTTEN"
        vectors.put([(k, v, _metadata(current)) for k, v, _ in written])
        generation_records.set_annotations(generation_id, annotations, bool(current.get("public")), now_iso())
    # The captions' tags become the record's (and its tag rows), unless its owner has edited them.
    tags.apply_automatic(generation_id, annotations)
    count("ImagesIndexed", len(written))
    return "INDEXED"



# --- the index follows delete and share in the same request ---------------------------------------
def _keys(record: GenerationRecord) -> list[str]:
    return [vectors.key(record["id"], i) for i in range(len(record.get("images", [])))]


def forget(record: GenerationRecord) -> None:
    """Delete a generation's vectors (before its record goes, so a failure can be retried)."""
    keys = _keys(record)
    if keys:
        vectors.delete(keys)


def forget_all(generation_id: str) -> None:
    """Delete every vector a generation of this id could have (its record is gone, so its image
    count is unknown): idempotent, a key that is not there is no error."""
    vectors.delete([vectors.key(generation_id, i) for i in range(MAX_IMAGES_PER_GENERATION)])


def request_cleanup(generation_id: str) -> None:
    """After a DELETE removed the record: queue an index job, which finds no record and forgets its
    vectors. It catches vectors an index job wrote after the DELETE's own forget() (a race), and a
    failed cleanup is retried by the queue. Never raises: the delete has happened."""
    request_indexing(generation_id)


def share(record: GenerationRecord) -> None:
    """Rewrite the vectors' metadata after `public` changed (PutVectors replaces a key whole)."""
    keys = _keys(record)
    if not keys:
        return
    stored = vectors.get(keys)
    if stored:
        vectors.put([(k, v["data"], {**v["metadata"], "public": bool(record.get("public"))})
                     for k, v in stored.items() if v["data"]])


# --- backfill ---------------------------------------------------------------------------------
def backfill(conf: Settings, batch_size: int, start_key: dict | None,
             progress: Callable[[str, str], None] = lambda _id, _status: None) -> tuple[int, dict | None]:
    """Index one bounded page of COMPLETE, not yet indexed records: (how many, the key to go on from)."""
    ids, next_key = generation_records.unindexed_page(batch_size, start_key)
    for generation_id in ids:
        progress(generation_id, index_generation(generation_id, conf))
    return len(ids), next_key
