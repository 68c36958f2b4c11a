"""Exports: POST /exports queues a ZIP of a board or a selection, the worker assembles it into S3,
GET /exports/{id} reports it and, once COMPLETE, hands out a short-lived presigned download.

The ZIP never travels through a Lambda response: the worker streams each stored image (bytes
unchanged, so Content Credentials embedded in them survive) into a ZIP that is itself streamed to
exports/<owner>/<id>.zip as a multipart upload (memory holds one 16 MB part; nothing goes to /tmp).
The images' bytes are bounded by EXPORT_MAX_BYTES, so an export fits the worker's time. Only images the export's owner may see go in (logic/access.py),
checked when the ZIP is assembled, not when it was asked for.
"""

from __future__ import annotations

import json
import secrets
import uuid
import zipfile
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from studio.adapters import boards as board_records
from studio.adapters import exports as export_records
from studio.adapters import generation_records, jobs, storage
from studio.adapters.exports import ExportRecord
from studio.bodies.exports import Export, ExportErrorInfo, ExportRequest
from studio.clock import now_iso
from studio.errors import NotFound, PayloadTooLarge, StorageError, StudioError
from studio.logic import access, announcing, presentation
from studio.logic.boards import can_read as can_read_board
from studio.logic.boards import NOT_FOUND_MESSAGE as BOARD_NOT_FOUND_MESSAGE
from studio.observability import count, logger
from studio.storage_layout import (
    BOARD_MAX_ITEMS,
    EXPORT_EXPIRY_DAYS,
    EXPORT_MAX_BYTES,
    EXPORT_URL_SECONDS,
    EXPORTS_PREFIX,
)

NOT_FOUND_MESSAGE = "No export with this id (or it is not yours). Exports are kept for one day."
METADATA_NAME = "metadata.json"
# Records read per BatchGetItem, and board items per Query page, while assembling.
RECORDS_PER_READ = 100
ITEMS_PER_QUERY = 1000
# A claimed export is held this long past the invocation's end (clock skew between containers).
LEASE_MARGIN_SECONDS = 30


class ExportFailed(Exception):
    """Why an export ended FAILED: a code of its record (never an HTTP answer) and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def failure(error: StudioError) -> ExportFailed:
    """The reason an export's record shows, for each domain error met while assembling it."""
    if isinstance(error, PayloadTooLarge):
        return ExportFailed("export_too_large", f"The images add up to more than {EXPORT_MAX_BYTES // 2 ** 20} MB: "
                                                "export fewer at a time.")
    if isinstance(error, NotFound) and error.code == "not_found":  # a stored image (storage.copy_to)
        return ExportFailed("source_missing", f"{error.message} Export again without it.")
    if isinstance(error, NotFound):
        return ExportFailed(error.code, error.message)  # board_not_found: unshared or deleted meanwhile
    return ExportFailed("storage_error", "Storage did not answer while assembling the export. Ask for it again.")


def _iso(epoch: int) -> str:
    return now_iso(datetime.fromtimestamp(epoch, timezone.utc))


def object_key(record: ExportRecord) -> str:
    return f"{EXPORTS_PREFIX}{record['ownerId']}/{record['id']}.zip"


def present(record: ExportRecord, with_download: bool = True) -> Export:
    download_url = expires = None
    if record["status"] == "COMPLETE" and with_download:
        download_url = storage.presigned_download(record["objectKey"], f"export-{record['id']}.zip", EXPORT_URL_SECONDS)
        expires = now_iso(datetime.now(timezone.utc) + timedelta(seconds=EXPORT_URL_SECONDS))
    error = record.get("error")
    return Export(id=record["id"], status=record["status"], board_id=record.get("boardId"),
                  requested=record["requested"], exported=record.get("exported"),
                  image_count=record.get("imageCount"), size_bytes=record.get("sizeBytes"),
                  download_url=download_url, download_expires_at=expires,
                  error=ExportErrorInfo(**error) if error else None, created_at=record["createdAt"],
                  updated_at=record["updatedAt"], expires_at=_iso(record["expiresAt"]))


def create(request: ExportRequest, user_id: str) -> Export:
    """Store a PENDING export and queue it for the worker (202)."""
    now = datetime.now(timezone.utc)
    record: ExportRecord = {"id": uuid.uuid4().hex, "ownerId": user_id, "status": "PENDING",
                            "createdAt": now_iso(now), "updatedAt": now_iso(now),
                            "expiresAt": int((now + timedelta(days=EXPORT_EXPIRY_DAYS)).timestamp())}
    if request.board_id is not None:
        board = board_records.get(request.board_id)
        if not can_read_board(board, user_id):
            raise NotFound(BOARD_NOT_FOUND_MESSAGE, code="board_not_found")
        record.update(boardId=request.board_id, requested=board.get("itemCount", 0))  # type: ignore[union-attr]
    else:
        ids = list(dict.fromkeys(request.generation_ids or []))
        record.update(generationIds=ids, requested=len(ids))
    record["objectKey"] = object_key(record)
    export_records.create(record)
    try:
        jobs.enqueue_export(record["id"])
    except StorageError:
        # Not left PENDING for a day: the caller sees it failed and can ask again.
        export_records.fail_unfinished(record["id"], "storage_error", "Could not queue the export. Try again.",
                                       now_iso())
        raise
    count("ExportsRequested")
    return present(record, with_download=False)


def get(export_id: str, user_id: str) -> Export:
    record = export_records.get(export_id)
    if not record or record["ownerId"] != user_id:
        raise NotFound(NOT_FOUND_MESSAGE, code="export_not_found")
    return present(record)


# --- the worker's part ---------------------------------------------------------------------------

def _board_generation_ids(board_id: str) -> list[str]:
    ids, start = [], None
    while True:
        items, start = board_records.items_page(board_id, ITEMS_PER_QUERY, start)
        ids += [item["generationId"] for item in items]
        if not start or len(ids) >= BOARD_MAX_ITEMS:
            return ids


def _visible_records(generation_ids: list[str], owner: str) -> list[dict]:
    """The COMPLETE records the owner may see, in the order asked."""
    found: dict[str, dict] = {}
    for start in range(0, len(generation_ids), RECORDS_PER_READ):
        found.update(generation_records.get_many(generation_ids[start:start + RECORDS_PER_READ]))
    return [record for gid in generation_ids
            if (record := found.get(gid)) and access.can_read(record, owner) and record.get("status") == "COMPLETE"]


def metadata(record: dict, owner: str, files: list[str]) -> dict[str, Any]:
    """What metadata.json says of one generation: as GET /generations/{id} shows it to the owner of the
    export (another user's upload keys are not in it)."""
    shown = presentation.generation(record, owner, "").model_dump(by_alias=True, mode="json")
    request = shown["request"]
    tags = [tag for annotation in shown.get("annotations") or [] for tag in annotation.get("tags", [])]
    return {
        "id": shown["id"], "prompt": request.get("prompt"), "negativePrompt": request.get("negativePrompt"),
        "model": shown["modelId"], "mode": shown["mode"], "operation": shown.get("operation"),
        "images": [{"file": name, "seed": image.get("seed"), "width": image.get("width"),
                    "height": image.get("height")} for name, image in zip(files, shown["images"])],
        "request": request, "lineage": shown["lineage"], "tags": list(dict.fromkeys(tags)),
        "createdAt": shown["createdAt"], "mine": shown["mine"],
    }


def _write_zip(records: list[dict], owner: str, out) -> int:
    """Every image of `records`, then metadata.json; the number of image files. Stored, not deflated:
    PNGs are compressed already."""
    budget, files_written, entries = EXPORT_MAX_BYTES, 0, []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for record in records:
            names = []
            for index, image in enumerate(record.get("images", [])):
                name = f"{record['id']}-{index}.{image['key'].rsplit('.', 1)[-1]}"
                with archive.open(name, "w", force_zip64=True) as entry:
                    budget -= storage.copy_to(image["key"], entry, budget)
                names.append(name)
                files_written += 1
            entries.append(metadata(record, owner, names))
        archive.writestr(METADATA_NAME, json.dumps({"images": entries}, ensure_ascii=False, indent=2))
    return files_written


def _lease_until(time_left_ms: Callable[[], int] | None) -> str:
    seconds = (time_left_ms() / 1000 if time_left_ms else 600) + LEASE_MARGIN_SECONDS
    return now_iso(datetime.now(timezone.utc) + timedelta(seconds=seconds))


def assemble(export_id: str, time_left_ms: Callable[[], int] | None = None) -> str:
    """Build one export's ZIP into S3 and end its record COMPLETE, or FAILED with a code. What it did:
    COMPLETE, FAILED, or SKIPPED (gone, ended, or held by a live attempt elsewhere)."""
    attempt = secrets.token_hex(8)
    record = export_records.claim(export_id, attempt, now_iso(), _lease_until(time_left_ms))
    if record is None:
        return "SKIPPED"
    owner = record["ownerId"]
    try:
        if record.get("boardId"):
            if not can_read_board(board_records.get(record["boardId"]), owner):
                raise NotFound(BOARD_NOT_FOUND_MESSAGE, code="board_not_found")
            generation_ids = _board_generation_ids(record["boardId"])
        else:
            generation_ids = record.get("generationIds", [])
        records = _visible_records(generation_ids, owner)
        if not records:
            raise ExportFailed("nothing_to_export", "None of these images is one you may see, or none has completed.")
        with storage.StreamingUpload(record["objectKey"], "application/zip") as upload:
            image_count = _write_zip(records, owner, upload)
        size = upload.size
    except (ExportFailed, NotFound, PayloadTooLarge, StorageError) as error:
        reason = error if isinstance(error, ExportFailed) else failure(error)
        logger.warning("export failed", extra={"exportId": export_id, "code": reason.code})
        _finish(record, attempt, "FAILED", {"error": {"code": reason.code, "message": reason.message}})
        count("ExportsFailed")
        return "FAILED"
    except Exception:
        _finish(record, attempt, "FAILED", {"error": {
            "code": "internal_error", "message": "The export failed on our side. Ask for it again."}})
        raise
    _finish(record, attempt, "COMPLETE", {"exported": len(records), "imageCount": image_count, "sizeBytes": size})
    count("ExportsCompleted")
    return "COMPLETE"


def _finish(record: ExportRecord, attempt: str, status: str, values: dict[str, Any]) -> None:
    """End the export under this attempt, then (only if that write went through) push the end to its
    owner, as GET /exports/{id} would show it: a page waiting for the ZIP needs no polling."""
    now = now_iso()
    if export_records.finish(record["id"], attempt, status, now, values):
        _announce({**record, **values, "status": status, "updatedAt": now})  # type: ignore[typeddict-item]


def _announce(record: ExportRecord) -> None:
    try:
        shown = present(record)
    except StorageError:  # the download link could not be signed: the owner's GET signs it
        logger.warning("could not sign a pushed export's download link", extra={"exportId": record["id"]})
        shown = present(record, with_download=False)
    announcing.announce_export(record["ownerId"], shown)


def fail_abandoned(export_id: str) -> bool:
    """The jobs DLQ: an export whose every delivery failed ends FAILED (not left RUNNING for a day)."""
    record = export_records.fail_unfinished(export_id, "internal_error",
                                            "The export could not be assembled. Ask for it again.", now_iso())
    if record is not None:
        _announce(record)
    return record is not None
