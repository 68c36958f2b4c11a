"""The sweeper: ends the generations that outlived their deadline, whatever stopped them.

A record can stay PENDING or RUNNING when its job was never queued and the compensating write
failed too, or when every delivery of its job died before recording anything. Each unfinished
record is in the byDeadline index (studio.storage_layout) until it finishes, so the sweeper finds the
overdue ones with a Query, never a Scan: it fails each (code "expired", its images back to the
quota) and deletes the objects its attempts may have written.
"""

from __future__ import annotations

from datetime import datetime

from studio.adapters import feeds, storage
from studio.clock import now_iso
from studio.errors import StudioError
from studio.logic import lifecycle
from studio.logic.abandoned import attempts_keys
from studio.observability import count, logger

PAGE_SIZE = 50


def sweep(now: datetime | None = None, max_pages: int = 20) -> int:
    """Fail every record past its deadline (at most `max_pages` pages a run); how many were ended."""
    stamp = now_iso(now)
    ended, start = 0, None
    for _ in range(max_pages):
        overdue, start = feeds.overdue(stamp, PAGE_SIZE, start)
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
    if not lifecycle.expire(record, stamp):
        return 0
    keys = attempts_keys(record)
    if keys:
        storage.delete_all(keys)
    logger.warning("expired generation", extra={"generationId": record["id"], "status": record["status"]})
    return 1
