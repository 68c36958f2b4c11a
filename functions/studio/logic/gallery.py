"""GET /gallery: a page of one feed (mine, everyone's shared, favorites, by mode, an image's edits)."""

from __future__ import annotations

from studio.adapters import feeds, secrets
from studio.bodies.generations import GalleryPage
from studio.logic import cursor, presentation


def list_gallery(scope: str, limit: int, cursor_text: str | None, mode: str | None, favorite: bool | None,
                 user_id: str, base_url: str, parent: str | None = None) -> GalleryPage:
    index, partition = feeds.choose(scope, mode, favorite, user_id, parent)
    key = secrets.cursor_key()
    start = cursor.decode(key, cursor_text, index, partition) if cursor_text else None
    items, last = feeds.page(index, partition, limit, start)
    next_cursor = cursor.encode(key, index, partition, last) if last else None
    return GalleryPage(items=[presentation.generation(i, user_id, base_url) for i in items], next_cursor=next_cursor)
