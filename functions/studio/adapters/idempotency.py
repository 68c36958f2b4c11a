"""DynamoDB: Idempotency-Key items. A key names the first generation (or batch) made with it, for a day.

The key is claimed in the transaction that stores the generation (generation_records.create) or the
batch's records (generation_records.create_batch); a retry with the same key and body gets the first
generation or batch back, with another body a 409. A generation that fails before it was queued (a
batch none of whose records was queued) releases its key in the transaction that fails it.
"""

from __future__ import annotations

from studio.adapters import table
from studio.errors import Conflict
from studio.storage_layout import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

IDEMPOTENCY_TTL_SECONDS = 24 * 3600


class IdempotentReplay(Exception):
    """The idempotency key was used before by this caller: here is the first generation's id, or for
    a batch its batchId and its records' ids (in the order of its modelIds)."""

    def __init__(self, generation_id: str | None, batch_id: str | None = None,
                 generation_ids: list[str] | None = None) -> None:
        super().__init__(generation_id or batch_id)
        self.generation_id = generation_id
        self.batch_id = batch_id
        self.generation_ids = generation_ids or []


def _key(owner: str, idempotency_key: str) -> dict:
    return table.key("IDEM", f"{owner}#{idempotency_key}", "IDEM")


def claim(owner: str, idempotency_key: str, generation_id: str, request_hash: str, expires_at: int) -> dict:
    """The transaction action that claims the key for `generation_id` (fails if it is claimed)."""
    return {"Put": {
        "TableName": table.name(),
        "Item": table.to_item({PARTITION_KEY: f"IDEM#{owner}#{idempotency_key}", SORT_KEY: "IDEM",
                               "generationId": generation_id, "requestHash": request_hash,
                               TTL_ATTRIBUTE: expires_at}),
        "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})",
    }}


def claim_batch(owner: str, idempotency_key: str, batch_id: str, generation_ids: list[str], request_hash: str,
                expires_at: int) -> dict:
    """The transaction action that claims the key for a batch (fails if it is claimed)."""
    return {"Put": {
        "TableName": table.name(),
        "Item": table.to_item({PARTITION_KEY: f"IDEM#{owner}#{idempotency_key}", SORT_KEY: "IDEM",
                               "batchId": batch_id, "generationIds": generation_ids, "requestHash": request_hash,
                               TTL_ATTRIBUTE: expires_at}),
        "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})",
    }}


def release(owner: str, idempotency_key: str, record: dict) -> dict:
    """The transaction action that frees the key, if it still names `record` (or the batch it is in)."""
    if record.get("batchId"):
        condition, value = "batchId = :id", record["batchId"]
    else:
        condition, value = "generationId = :id", record["id"]
    return {"Delete": {
        "TableName": table.name(), "Key": _key(owner, idempotency_key),
        "ConditionExpression": condition, "ExpressionAttributeValues": {":id": {"S": value}},
    }}


def raise_replay(owner: str, idempotency_key: str, request_hash: str) -> None:
    """The key was claimed: IdempotentReplay for the same request, Conflict for another one."""
    stored = table.get(_key(owner, idempotency_key))
    if not stored:  # claimed and expired in between: vanishingly rare; ask for a retry
        raise Conflict("That Idempotency-Key is being used by another request. Try again.")
    if stored.get("requestHash") != request_hash:
        raise Conflict("This Idempotency-Key was already used with a different request. Use a new key.",
                       code="idempotency_conflict")
    if stored.get("batchId"):
        raise IdempotentReplay(None, stored["batchId"], list(stored.get("generationIds", [])))
    raise IdempotentReplay(stored["generationId"])
