"""Who may see a generation: its owner, always; anyone else once its owner shared it AND it is COMPLETE.

Every read by id (GET /generations/{id}, an edit's source, "more like this", a lineage's parent)
and every search result asks here, so the rule is written once. The public feed follows the same
rule through its index (adapters/feeds.py shares only COMPLETE records): a shared image that is
still PENDING, RUNNING or FAILED is not there for other users, by any route (404 by id).
"""

from __future__ import annotations

from studio.adapters.generation_records import GenerationRecord
from studio.errors import NotFound

NOT_FOUND_MESSAGE = "No generation with this id (or it is not yours)."


def can_read(record: GenerationRecord | None, user_id: str) -> bool:
    if not record:
        return False
    if record["ownerId"] == user_id:
        return True
    return bool(record.get("public")) and record.get("status") == "COMPLETE"


def readable_or_404(record: GenerationRecord | None, user_id: str, message: str = NOT_FOUND_MESSAGE) -> GenerationRecord:
    """The record, when the caller may see it; else 404 (another user's private or unfinished record is not there)."""
    if not can_read(record, user_id):
        raise NotFound(message)
    return record  # type: ignore[return-value]
