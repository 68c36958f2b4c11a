"""Search by meaning and by example: the images nearest a text or an image, among those the caller may see.

A search costs three AWS calls: one embedding of the query text, one QueryVectors, one BatchGetItem.
"More like this" on a generation costs four: its record first (GetItem: may the caller see it?),
then its vector (GetVectors) instead of an embedding. The query text is not translated first:
Nova Multimodal Embeddings is multilingual and maps text in many languages into the same space as
images, so a translation (one more Converse call, and latency) would buy nothing; see docs/search.md.
"More like this" on an upload reads the file (one GetObject), so it costs four.

Isolation: the metadata filter is built here from the caller's id only, never from input, so
QueryVectors can only return the caller's own images or public ones; every hit is then checked again
against its record (deleted, unshared or foreign records are dropped), so a stale vector never leaks.
"""

from __future__ import annotations

import re

from studio.adapters import generation_records, storage, vectors
from studio.adapters.generation_records import GenerationRecord
from studio.bodies.common import UPLOAD_MAX_BYTES
from studio.bodies.generations import SEARCH_MAX_LIMIT, SEARCH_QUERY_MAX, SearchItem, SearchPage
from studio.catalog import MAX_IMAGES_PER_GENERATION
from studio.errors import BadRequest, InvalidField, NotFound
from studio.logic import access, presentation
from studio.logic.indexing import QUERY_PURPOSE, embed
from studio.logic.uploads import check_owner
from studio.observability import count
from studio.settings import Settings

GENERATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
UPLOAD_KEY = re.compile(r"^uploads/[A-Za-z0-9_-]{8,64}/[a-z0-9]{8,64}\.(png|jpeg|webp)$")
MAX_IMAGE_INDEX = MAX_IMAGES_PER_GENERATION - 1  # a generation has at most this many images
NOT_INDEXED_MESSAGE = ("No indexed image with this id and imageIndex (or it is not yours). New images are "
                       "searchable a few seconds after they complete.")


# --- the filter: only ever built here ---------------------------------------------------------
def metadata_filter(scope: str, user_id: str) -> dict:
    """The caller's own images (mine), or theirs and everyone's public ones (all)."""
    if scope == "mine":
        return {"owner": {"$eq": user_id}}
    return {"$or": [{"owner": {"$eq": user_id}}, {"public": {"$eq": True}}]}


def _shown(record: GenerationRecord | None, user_id: str) -> bool:
    """A hit is shown when its record is finished and the caller may see it (the index may be stale)."""
    return access.can_read(record, user_id) and record["status"] == "COMPLETE"  # type: ignore[index]


# --- search -----------------------------------------------------------------------------------
def _query_vector_for_like(like: str, image_index: int, user_id: str, conf: Settings) -> list[float]:
    if UPLOAD_KEY.match(like):
        from studio.images import upload_thumbnail

        check_owner(like, user_id, "like")
        data = storage.read(like, UPLOAD_MAX_BYTES, "like")
        return embed(conf, QUERY_PURPOSE, image=("webp", upload_thumbnail(data, "like")))
    if not GENERATION_ID.match(like):
        raise InvalidField("like", "a generation id or an uploaded image key (uploads/...)")
    # The record decides who may see the source, as for every other read: the vector's metadata may
    # be stale (an unshare whose index rewrite failed, PATCHes applied out of order).
    if not _shown(generation_records.get(like), user_id):
        raise NotFound(NOT_INDEXED_MESSAGE)
    stored = vectors.get([vectors.key(like, image_index)]).get(vectors.key(like, image_index))
    if not stored or not stored.get("data"):
        raise NotFound(NOT_INDEXED_MESSAGE)
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
        vector = embed(conf, QUERY_PURPOSE, text=q)
        hits = vectors.query(vector, limit, metadata_filter(scope, user_id))
    else:
        vector = _query_vector_for_like(like, image_index, user_id, conf)
        # "More like this" shows other images: the source itself (always the nearest) is left out.
        source = vectors.key(like, image_index)
        hits = [hit for hit in vectors.query(vector, limit + 1, metadata_filter(scope, user_id))
                if hit[0] != source][:limit]
    found = generation_records.get_many([vectors.split_key(k)[0] for k, _, _ in hits])
    items = []
    for key, distance, _metadata in hits:
        generation_id, index = vectors.split_key(key)
        record = found.get(generation_id)
        if not _shown(record, user_id) or index >= len(record.get("images", [])):
            continue  # deleted, unshared or not complete since it was indexed: never shown
        if scope == "mine" and record["ownerId"] != user_id:
            continue
        shown = presentation.generation(record, user_id, base_url)
        items.append(SearchItem(**shown.model_dump(), image_index=index, score=round(max(0.0, 1.0 - distance), 4)))
    count("Searches")
    return SearchPage(items=items)


