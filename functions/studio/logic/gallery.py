"""GET /gallery: a page of one feed (mine, everyone's shared, favorites, by mode, an image's edits)."""

from __future__ import annotations

from studio.adapters import feeds, generation_records, secrets
from studio.adapters import tags as tag_rows
from studio.bodies.generations import GalleryPage
from studio.errors import BadRequest
from studio.logic import cursor, presentation, tags


TAG_FEED = "byTag"  # the cursor's name for the tag rows' partition (a Query on the table, no index)


def list_gallery(scope: str, limit: int, cursor_text: str | None, mode: str | None, favorite: bool | None,
                 user_id: str, base_url: str, parent: str | None = None, tag: str | None = None) -> GalleryPage:
    if tag is not None:
        return _tagged(scope, limit, cursor_text, mode, favorite, parent, tag, user_id, base_url)
    index, partition = feeds.choose(scope, mode, favorite, user_id, parent)
    key = secrets.cursor_key()
    start = cursor.decode(key, cursor_text, index, partition) if cursor_text else None
    items, last = feeds.page(index, partition, limit, start)
    next_cursor = cursor.encode(key, index, partition, last) if last else None
    return GalleryPage(items=[presentation.generation(i, user_id, base_url) for i in items], next_cursor=next_cursor)


def _tagged(scope: str, limit: int, cursor_text: str | None, mode: str | None, favorite: bool | None,
            parent: str | None, tag: str, user_id: str, base_url: str) -> GalleryPage:
    """Your images with one tag, newest first: one Query on the tag's rows, one BatchGetItem of the records."""
    if scope != "mine" or mode or favorite or parent:
        raise BadRequest("tag lists your own images with that tag: use it with scope=mine, without mode, favorite or "
                         "parent.", [{"field": "tag", "rule": "only with scope=mine, alone"}], code="invalid_filter")
    wanted = tags.normalized(tag, "tag")
    partition = tag_rows.partition(user_id, wanted)
    key = secrets.cursor_key()
    start = cursor.decode(key, cursor_text, TAG_FEED, partition) if cursor_text else None
    ids, last = tag_rows.page(user_id, wanted, limit, start)
    records = generation_records.get_many(ids)
    # A record deleted takes its rows in the same write, so every id is found (bar throttling).
    items = [presentation.generation(records[i], user_id, base_url) for i in ids if i in records]
    return GalleryPage(items=items, next_cursor=cursor.encode(key, TAG_FEED, partition, last) if last else None)
