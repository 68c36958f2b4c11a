"""Who may see a generation: its owner, or anyone once its owner shared it.

Every read by id (GET /generations/{id}, an edit's source, "more like this") and every search
result asks here, so the rule is written once.
"""

from __future__ import annotations

from studio.adapters.generation_records import GenerationRecord
from studio.errors import NotFound

NOT_FOUND_MESSAGE = "No generation with this id (or it is not yours)."


def can_read(record: GenerationRecord | None, user_id: str) -> bool:
    return bool(record) and (record["ownerId"] == user_id or bool(record.get("public")))


def readable_or_404(record: GenerationRecord | None, user_id: str, message: str = NOT_FOUND_MESSAGE) -> GenerationRecord:
    """The record, when the caller may see it; else 404 (another user's private record is not there)."""
    if not can_read(record, user_id):
        raise NotFound(message)
    return record  # type: ignore[return-value]
