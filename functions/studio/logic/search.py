"""Search by meaning and by example: index each completed image, then find images near a text or an image.

Indexing runs off the user's path: the worker queues an index job when a generation completes, the
"index" function embeds each image (Nova Multimodal Embeddings, GENERIC_INDEX), writes the vectors to
S3 Vectors with filterable metadata, and asks the vision model for a caption and tags.

A search costs three AWS calls: one embedding of the query text (or one GetVectors for "more like
this" on a generation), one QueryVectors, one BatchGetItem. The query text is not translated first:
Nova Multimodal Embeddings is multilingual and maps text in many languages into the same space as
images, so a translation (one more Converse call, and latency) would buy nothing; see docs/search.md.
"More like this" on an upload reads the file (one GetObject), so it costs four.

Isolation: the metadata filter is built here from the caller's id only, never from input, so
QueryVectors can only return the caller's own images or public ones; every hit is then checked again
against its record (deleted, unshared or foreign records are dropped), so a stale vector never leaks.
"""

from __future__ import annotations

import json
import re
from typing import Callable

from pydantic import BaseModel, Field, ValidationError

from studio.adapters import jobs, records, storage, vectors
from studio.bodies.common import UPLOAD_MAX_BYTES
from studio.bodies.generations import SEARCH_MAX_LIMIT, SEARCH_QUERY_MAX, SearchItem, SearchPage
from studio.catalog import TEXT_MODEL_MAX_IMAGE_BYTES, TEXT_MODEL_MAX_IMAGE_SIDE
from studio.errors import BadRequest, InvalidField, NotFound, StudioError
from studio.logic import generations, presentation  # generations imports this module too
from studio.logic.uploads import check_owner
from studio.observability import count, logger
from studio.settings import Settings
from studio.storage_layout import VECTOR_DIMENSION

GENERATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
UPLOAD_KEY = re.compile(r"^uploads/[A-Za-z0-9_-]{8,64}/[a-z0-9]{8,64}\.(png|jpeg|webp)$")
PROMPT_METADATA_MAX = 2000  # characters of the prompt kept as non-filterable metadata (40 KB cap per vector)
MAX_IMAGE_INDEX = 9

CAPTION_SYSTEM = (
    "You label images for a gallery search. Look at the image and write one short line describing what it "
    "shows (subject, setting, colors, style) and 3 to 8 short lowercase tags (single words or short phrases: "
    "subjects, colors, style, mood). The prompt that made it is context, not truth: describe what you see. "
    "When `language` is given and is not English, also write the caption and the tags in that language "
    "(localCaption, localTags). Answer only by calling the tool."
)
CAPTION_TOOL = {
    "type": "object",
    "properties": {
        "caption": {"type": "string", "description": "One line in English, at most 160 characters"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 8,
                 "description": "3-8 short lowercase English tags"},
        "localCaption": {"type": "string", "description": "The caption in `language` (only when it is not English)"},
        "localTags": {"type": "array", "items": {"type": "string"}, "maxItems": 8,
                      "description": "The tags in `language` (only when it is not English)"},
    },
    "required": ["caption", "tags"],
}


class _Caption(BaseModel):
    caption: str = Field(min_length=1)
    tags: list[str] = Field(min_length=1)
    localCaption: str | None = None
    localTags: list[str] | None = None


# --- the filter: only ever built here ---------------------------------------------------------
def metadata_filter(scope: str, user_id: str) -> dict:
    """The caller's own images (mine), or theirs and everyone's public ones (all)."""
    if scope == "mine":
        return {"owner": {"$eq": user_id}}
    return {"$or": [{"owner": {"$eq": user_id}}, {"public": {"$eq": True}}]}


def _visible(record: dict | None, user_id: str) -> bool:
    if not record or record.get("status") != "COMPLETE":
        return False
    return record["ownerId"] == user_id or bool(record.get("public"))


# --- indexing (the "index" function) ----------------------------------------------------------
def request_indexing(generation_id: str) -> None:
    """Queue the index job of a generation that just completed. Never raises: a generation that
    rendered must not fail because search could not hear about it (backfill catches it up)."""
    try:
        jobs.enqueue(generation_id, queue="index_queue_url")
    except Exception:  # noqa: BLE001 - any failure here is counted, logged and swallowed
        count("IndexEnqueueFailed")
        logger.exception("could not queue the index job", extra={"generationId": generation_id})


def _metadata(record: dict) -> dict:
    return {"owner": record["ownerId"], "public": bool(record.get("public")), "mode": record["mode"],
            "model": record["modelId"], "createdAt": record["createdAt"],
            "prompt": str(record.get("request", {}).get("prompt", ""))[:PROMPT_METADATA_MAX]}


def _user_language(record: dict) -> str | None:
    language = (record.get("lineage") or {}).get("originalLanguage")
    return language if language and not str(language).lower().startswith("en") else None


# Bedrock and Pillow load on first use: generations (gallery, generate, the dead-letter handler and
# the sweeper) imports this module for share/forget only (tests/unit/test_imports.py).
def _embed(conf: Settings, purpose: str, **content) -> list[float]:
    from studio.adapters import bedrock

    return bedrock.embed(conf.embedding_model_id, purpose, VECTOR_DIMENSION, **content)


def caption(image_webp: bytes, record: dict, conf: Settings) -> dict | None:
    """One image's caption and tags (None when the model could not give them: search works without)."""
    from studio.adapters import bedrock
    from studio.images import for_text_model

    language = _user_language(record)
    picture = for_text_model(image_webp, TEXT_MODEL_MAX_IMAGE_SIDE, TEXT_MODEL_MAX_IMAGE_BYTES)
    content = [{"image": {"format": picture.format, "source": {"bytes": picture.data}}},
               {"text": json.dumps({"prompt": record.get("request", {}).get("prompt", ""), "language": language},
                                   ensure_ascii=False)}]
    try:
        answer, _usage = bedrock.converse_tool(
            conf.text_model_id, system=CAPTION_SYSTEM, content=content, tool_name="caption_image",
            tool_description="Record the image's caption and tags", input_schema=CAPTION_TOOL,
            temperature=0.2, max_tokens=600)
        parsed = _Caption.model_validate(answer)
    except (StudioError, ValidationError):
        count("CaptionsFailed")
        logger.warning("no caption for an image", extra={"generationId": record["id"]})
        return None
    tags = [t.strip().lower() for t in parsed.tags if t.strip()][:8]
    annotation: dict = {"caption": parsed.caption.strip()[:300], "tags": list(dict.fromkeys(tags))}
    if language and parsed.localCaption:
        annotation.update(language=language, localCaption=parsed.localCaption.strip()[:300],
                          localTags=list(dict.fromkeys(t.strip() for t in (parsed.localTags or []) if t.strip()))[:8])
    return annotation


def index_generation(generation_id: str, conf: Settings) -> str:
    """Embed, store and caption every image of a COMPLETE generation: "INDEXED" or "SKIPPED".

    Model and storage errors propagate, so the queue retries the job (and its DLQ keeps it)."""
    record = records.get_generation(generation_id)
    if not record or record.get("status") != "COMPLETE" or not record.get("images"):
        return "SKIPPED"
    written, annotations = [], []
    for index, image in enumerate(record["images"]):
        webp = storage.read(image["thumbnailKey"], UPLOAD_MAX_BYTES, "thumbnailKey")
        embedding = _embed(conf, "GENERIC_INDEX", image=("webp", webp))
        written.append((vectors.key(generation_id, index), embedding, _metadata(record)))
        annotations.append(caption(webp, record, conf) or {"caption": "", "tags": []})
    vectors.put(written)
    if not records.set_annotations(generation_id, annotations, bool(record.get("public")), generations.now_iso()):
        # Deleted or (un)shared while indexing: follow the record as it is now.
        current = records.get_generation(generation_id)
        if current is None:
            vectors.delete([k for k, _, _ in written])
            return "SKIPPED"
        vectors.put([(k, v, _metadata(current)) for k, v, _ in written])
        records.set_annotations(generation_id, annotations, bool(current.get("public")), generations.now_iso())
    count("ImagesIndexed", len(written))
    return "INDEXED"


# --- curation: the index follows delete and share in the same request --------------------------
def _keys(record: dict) -> list[str]:
    return [vectors.key(record["id"], i) for i in range(len(record.get("images", [])))]


def forget(record: dict) -> None:
    """Delete a generation's vectors (before its record goes, so a failure can be retried)."""
    keys = _keys(record)
    if keys:
        vectors.delete(keys)


def share(record: dict) -> None:
    """Rewrite the vectors' metadata after `public` changed (PutVectors replaces a key whole)."""
    keys = _keys(record)
    if not keys:
        return
    stored = vectors.get(keys)
    if stored:
        vectors.put([(k, v["data"], {**v["metadata"], "public": bool(record.get("public"))})
                     for k, v in stored.items() if v["data"]])


# --- search -----------------------------------------------------------------------------------
def _query_vector_for_like(like: str, image_index: int, user_id: str, conf: Settings) -> list[float]:
    if UPLOAD_KEY.match(like):
        from studio.images import upload_thumbnail

        check_owner(like, user_id, "like")
        data = storage.read(like, UPLOAD_MAX_BYTES, "like")
        return _embed(conf, "GENERIC_RETRIEVAL", image=("webp", upload_thumbnail(data, "like")))
    if not GENERATION_ID.match(like):
        raise InvalidField("like", "a generation id or an uploaded image key (uploads/...)")
    stored = vectors.get([vectors.key(like, image_index)]).get(vectors.key(like, image_index))
    metadata = (stored or {}).get("metadata", {})
    if not stored or not stored.get("data") or (metadata.get("owner") != user_id and metadata.get("public") is not True):
        raise NotFound("No indexed image with this id and imageIndex (or it is not yours). New images are "
                       "searchable a few seconds after they complete.")
    return stored["data"]


def search(q: str | None, like: str | None, image_index: int, scope: str, limit: int, user_id: str,
           base_url: str, conf: Settings) -> SearchPage:
    if (q is None) == (like is None):
        raise BadRequest("Search with either q (words) or like (an image), not both and not neither.",
                         [{"field": "q", "rule": "exactly one of q, like"}], code="invalid_search")
    if not 1 <= limit <= SEARCH_MAX_LIMIT:
        raise InvalidField("limit", f"between 1 and {SEARCH_MAX_LIMIT}")
    if not 0 <= image_index <= MAX_IMAGE_INDEX:
        raise InvalidField("imageIndex", f"between 0 and {MAX_IMAGE_INDEX}")
    if q is not None:
        q = q.strip()
        if not q or len(q) > SEARCH_QUERY_MAX:
            raise InvalidField("q", f"1-{SEARCH_QUERY_MAX} characters, not only spaces")
        vector = _embed(conf, "GENERIC_RETRIEVAL", text=q)
        hits = vectors.query(vector, limit, metadata_filter(scope, user_id))
    else:
        vector = _query_vector_for_like(like, image_index, user_id, conf)
        # "More like this" shows other images: the source itself (always the nearest) is left out.
        source = vectors.key(like, image_index)
        hits = [hit for hit in vectors.query(vector, limit + 1, metadata_filter(scope, user_id))
                if hit[0] != source][:limit]
    found = records.get_many([vectors.split_key(k)[0] for k, _, _ in hits])
    items = []
    for key, distance, _metadata in hits:
        generation_id, index = vectors.split_key(key)
        record = found.get(generation_id)
        if not _visible(record, user_id) or index >= len(record.get("images", [])):
            continue  # deleted, unshared or not complete since it was indexed: never shown
        if scope == "mine" and record["ownerId"] != user_id:
            continue
        shown = presentation.generation(record, user_id, base_url)
        items.append(SearchItem(**shown.model_dump(), image_index=index, score=round(max(0.0, 1.0 - distance), 4)))
    count("Searches")
    return SearchPage(items=items)


# --- backfill ---------------------------------------------------------------------------------
def backfill(conf: Settings, batch_size: int, start_key: dict | None,
             progress: Callable[[str, str], None] = lambda _id, _status: None) -> tuple[int, dict | None]:
    """Index one bounded page of COMPLETE, not yet indexed records: (how many, the key to go on from)."""
    ids, next_key = records.unindexed_page(batch_size, start_key)
    for generation_id in ids:
        progress(generation_id, index_generation(generation_id, conf))
    return len(ids), next_key
