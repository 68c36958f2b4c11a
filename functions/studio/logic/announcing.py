"""Push: each written status change of a generation, and each export's end, announced on its owner's channel.

Called by lifecycle._changed, so only after the record's write went through (never for a write that
lost a race). The event carries the record as GET /generations/{id} presents it to its owner (COMPLETE:
its images; FAILED: its error). An export's COMPLETE or FAILED is announced the same way, after the
write that ended it (logic/exports.py), as GET /exports/{id} presents it (COMPLETE: its download link).
A push that fails never fails the job: the record is written and a client that missed the event finds
it by polling; it is logged and counted (PushFailed).
"""

from __future__ import annotations

from pydantic import BaseModel

from studio import channels
from studio.adapters import push
from studio.logic import presentation
from studio.observability import count, logger
from studio.settings import settings

EVENT_TYPE = "generation"
EXPORT_EVENT_TYPE = "export"


def event_for(record: dict) -> dict:
    """What a subscriber receives: the record as its owner sees it through the API."""
    shown = presentation.generation(record, record["ownerId"], settings().public_base_url)
    return {"type": EVENT_TYPE, "id": record["id"], "status": record["status"],
            "generation": shown.model_dump(mode="json", by_alias=True)}


def announce(record: dict) -> bool:
    """Publish the record's new status to its owner; True when it was pushed."""
    if record.get("status") not in channels.PUSHED_STATUSES:
        return False
    return _publish(record["ownerId"], event_for(record), {"generationId": record.get("id")})


def announce_export(owner_id: str, export: BaseModel) -> bool:
    """Publish an export's end (COMPLETE or FAILED, as GET /exports/{id} shows it) to its owner."""
    shown = export.model_dump(mode="json", by_alias=True)
    event = {"type": EXPORT_EVENT_TYPE, "id": shown["id"], "status": shown["status"], "export": shown}
    return _publish(owner_id, event, {"exportId": shown["id"]})


def _publish(owner_id: str, event: dict, about: dict) -> bool:
    if not push.enabled():
        return False
    try:
        push.publish(channels.channel(owner_id), [event])
    except Exception:  # noqa: BLE001 - whatever broke, the job goes on; polling still finds the record
        logger.warning("could not push a status", exc_info=True, extra={**about, "status": event["status"]})
        count("PushFailed")
        return False
    count("PushPublished")
    return True
