"""A generation's life: PENDING -> RUNNING -> COMPLETE or FAILED, changed here and nowhere else.

Every status change of a record goes through one of these functions, each one conditional write
(adapters/generation_records.py): `create` (PENDING, with its quota and Idempotency-Key), `claim`
(RUNNING under an attempt's lease), `complete`, and the ways to FAILED: `fail` (the worker, or a
generation that could not be queued), `abandon` (the dead-letter handler) and `expire` (the
sweeper). After each change that happened, `_changed` runs: the one place that hears of them all.

Loads no renderer: the dead-letter handler and the sweeper use it (tests/unit/test_imports.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from studio.adapters import generation_records, idempotency, quotas
from studio.adapters.generation_records import GenerationRecord
from studio.clock import now_iso
from studio.logic import announcing, usage
from studio.observability import logger
from studio.settings import Settings
from studio.storage_layout import GENERATION_DEADLINE_SECONDS

ABANDONED_MESSAGE = "The generation could not be processed. Nothing was charged to your quota; try again."
EXPIRED_CODE = "expired"
EXPIRED_MESSAGE = "The generation did not finish in time. Nothing was charged to your quota; try again."


def _changed(record: GenerationRecord, status: str) -> None:
    """Runs after every status change that was written (never before, never for one that lost a race):
    logs it and pushes it to the owner's open pages (logic/announcing.py; a push never raises)."""
    logger.info("generation status", extra={"generationId": record["id"], "status": status})
    announcing.announce({**record, "status": status})


def create(record: GenerationRecord, *, request_hash: str, idempotency_key: str | None, conf: Settings,
           now: datetime) -> None:
    """Store the PENDING record, reserve its images on the owner's day and claim the Idempotency-Key,
    all or nothing (QuotaExceeded; idempotency.IdempotentReplay for a retry). The record carries
    its quota day and a deadline, after which the sweeper ends it."""
    day = usage.quota_day(now)
    generation_records.create(
        record, quota_day=day, quota_limit=conf.daily_image_quota,
        quota_expires_at=int(now.timestamp()) + quotas.QUOTA_TTL_SECONDS,
        idempotency_key=idempotency_key, request_hash=request_hash,
        idempotency_expires_at=int(now.timestamp()) + idempotency.IDEMPOTENCY_TTL_SECONDS,
        retry_after=usage.seconds_to_midnight(now),
        active_until=now_iso(now + timedelta(seconds=GENERATION_DEADLINE_SECONDS)),
    )
    record["quotaDay"] = day
    _changed(record, "PENDING")


def create_batch(records: list[GenerationRecord], *, request_hash: str, idempotency_key: str | None,
                 conf: Settings, now: datetime) -> None:
    """Store a batch's PENDING records with all their images reserved and the Idempotency-Key claimed
    for the batch, all or nothing (QuotaExceeded; idempotency.IdempotentReplay for a retry)."""
    day = usage.quota_day(now)
    generation_records.create_batch(
        records, quota_day=day, quota_limit=conf.daily_image_quota,
        quota_expires_at=int(now.timestamp()) + quotas.QUOTA_TTL_SECONDS,
        idempotency_key=idempotency_key, request_hash=request_hash,
        idempotency_expires_at=int(now.timestamp()) + idempotency.IDEMPOTENCY_TTL_SECONDS,
        retry_after=usage.seconds_to_midnight(now),
        active_until=now_iso(now + timedelta(seconds=GENERATION_DEADLINE_SECONDS)),
    )
    for record in records:
        record["quotaDay"] = day
        _changed(record, "PENDING")


def claim(generation_id: str, attempt: str, lease_until: str) -> GenerationRecord | None:
    """PENDING (or RUNNING with an expired lease) -> RUNNING under `attempt`; None when the job is
    finished, deleted or held by another delivery."""
    record = generation_records.claim(generation_id, now_iso(), attempt, lease_until)
    if record is not None:
        _changed(record, "RUNNING")
    return record


def release(generation_id: str, attempt: str) -> bool:
    """Give up `attempt`'s claim (the record stays RUNNING; the job's retry may claim it at once)."""
    return generation_records.release(generation_id, attempt)


def complete(record: GenerationRecord, attempt: str, images: list[dict], reference: dict | None) -> bool:
    """RUNNING -> COMPLETE with its images, for the attempt holding the claim."""
    now = now_iso()
    completed = generation_records.complete(record, attempt, images, reference, now)
    if completed:
        _changed({**record, "status": "COMPLETE", "images": images, "updatedAt": now,
                  **({"referenceImage": reference} if reference else {})}, "COMPLETE")
    return completed


def fail(record: GenerationRecord, code: str, message: str, *, attempt: str | None = None,
         idempotency_key: str | None = None, now: str | None = None) -> bool:
    """PENDING/RUNNING -> FAILED with a typed reason, its images given back to the day's quota (and
    `idempotency_key` freed, for a generation that was never queued). With `attempt`, only while
    that attempt holds the claim. False when it had ended, was deleted or is another attempt's."""
    now = now or now_iso()
    failed = generation_records.fail(record, code, message, now, attempt=attempt, idempotency_key=idempotency_key)
    if failed:
        _changed({**record, "status": "FAILED", "error": {"code": code, "message": message}, "updatedAt": now},
                 "FAILED")
    return failed


def abandon(generation_id: str) -> GenerationRecord | None:
    """A job that exhausted its retries (the dead-letter handler): FAILED, code internal_error.
    The record as it was, when this ended it; None when it had ended or is gone."""
    record = generation_records.get(generation_id)
    if record is None or record["status"] not in generation_records.ACTIVE:
        return None
    return record if fail(record, "internal_error", ABANDONED_MESSAGE) else None


def expire(record: GenerationRecord, now: str) -> bool:
    """A record past its deadline (the sweeper): FAILED, code expired."""
    return fail(record, EXPIRED_CODE, EXPIRED_MESSAGE, now=now)
