"""The sweeper: ends the generations that outlived their deadline, whatever stopped them.

A record can stay PENDING or RUNNING when its job was never queued and the compensating write
failed too, or when every delivery of its job died before recording anything. Each unfinished
record is in the byDeadline index (studio.storage_layout) until it finishes, so the sweeper finds the
overdue ones with a Query, never a Scan: it fails each (code "expired", its images back to the
quota) and deletes the objects its attempts may have written.
"""

from __future__ import annotations

from datetime import datetime

from studio.adapters import records, storage
from studio.errors import StudioError
from studio.logic.abandoned import attempt_keys
from studio.logic.generations import now_iso
from studio.observability import count, logger

EXPIRED_CODE = "expired"
EXPIRED_MESSAGE = "The generation did not finish in time. Nothing was charged to your quota; try again."
PAGE_SIZE = 50


def sweep(now: datetime | None = None, max_pages: int = 20) -> int:
    """Fail every record past its deadline (at most `max_pages` pages a run); how many were ended."""
    stamp = now_iso(now)
    ended, start = 0, None
    for _ in range(max_pages):
        overdue, start = records.overdue(stamp, PAGE_SIZE, start)
        for record in overdue:
            try:
                ended += _end(record, stamp)
            except StudioError:  # the next run tries again
                logger.exception("could not end an expired generation", extra={"generationId": record["id"]})
        if not start:
            break
    if ended:
        count("GenerationsExpired", ended)
    return ended


def _end(record: dict, stamp: str) -> int:
    """Fail one overdue record, then delete what its attempts wrote; 0 when it finished meanwhile."""
    if not records.fail(record, EXPIRED_CODE, EXPIRED_MESSAGE, stamp):
        return 0
    keys = [k for attempt in record.get("attempts", []) for k in attempt_keys(attempt, int(record["imageCount"]))]
    if keys:
        storage.delete_all(keys)
    logger.warning("expired generation", extra={"generationId": record["id"], "status": record["status"]})
    return 1
