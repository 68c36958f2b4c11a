"""Ending a job the worker could not: its attempts' objects and the failure the owner sees.

Apart from the renderer on purpose: the dead-letter handler and the sweeper use these and load
neither Pillow nor the model adapters (tests/unit/test_imports.py checks it).
"""

from __future__ import annotations

from studio.adapters import storage
from studio.adapters.generation_records import GenerationRecord
from studio.errors import StudioError
from studio.logic import lifecycle
from studio.observability import logger
from studio.storage_layout import IMAGES_PREFIX


def attempt_keys(attempt: str, image_count: int) -> list[str]:
    """Every object an attempt can write (images/<attempt>/: PNG and WebP per image, the reference)."""
    folder = f"{IMAGES_PREFIX}{attempt}"
    return [f"{folder}/{i}.{ext}" for i in range(image_count) for ext in ("png", "webp")] + [f"{folder}/reference.png"]


def attempts_keys(record: GenerationRecord) -> list[str]:
    """Every object any attempt at this record can have written."""
    return [k for attempt in record.get("attempts", []) for k in attempt_keys(attempt, int(record["imageCount"]))]


def cleanup(keys: list[str]) -> None:
    try:
        storage.delete_all(keys)
    except StudioError:
        logger.exception("could not delete the objects of a failed attempt", extra={"keys": keys})


def fail_abandoned(generation_id: str) -> bool:
    """A job that exhausted its retries: fail the record and release its quota (dead-letter handler)."""
    record = lifecycle.abandon(generation_id)
    if record is None:
        return False
    cleanup(attempts_keys(record))
    return True
