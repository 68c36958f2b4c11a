"""Generations through the API: create (validate, reserve quota, store, queue), read, curate, delete."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import datetime, timezone

from pydantic import BaseModel

from studio.adapters import cdn, generation_records, idempotency, jobs, storage, table
from studio.adapters.generation_records import GenerationRecord
from studio.bodies.generations import (
    BatchGenerationRequest,
    Generation,
    GenerationBatch,
    GenerationPatch,
    GenerationRequest,
)
from studio.catalog import ImageModel, image_model, model_for_mode
from studio.clock import now_iso
from studio.errors import BadRequest, Conflict, InvalidField, NotFound, StudioError
from studio.logic import access, board_cleanup, image_requests, indexing, lifecycle, lineage, presentation, tags
from studio.logic.uploads import check_owner
from studio.observability import count, logger
from studio.settings import Settings

IDEMPOTENCY_KEY_RULE = "1-64 characters: letters, digits, '-', '_' or ':'"
STORAGE_FAILURE_MESSAGE = "The generation could not be queued. Nothing was charged to your quota; try again."


def check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not (1 <= len(key) <= 64) or not all(c.isalnum() or c in "-_:" for c in key) or not key.isascii():
        raise InvalidField("Idempotency-Key", IDEMPOTENCY_KEY_RULE)
    return key


def create(request: GenerationRequest, user_id: str, idempotency_key: str | None, base_url: str,
           conf: Settings, now: datetime | None = None) -> Generation:
    now = now or datetime.now(timezone.utc)
    idempotency_key = check_idempotency_key(idempotency_key)
    model = _model_for(request, conf)
    image_requests.check_against_model(request, model)
    for field, key in (("referenceImageKey", request.reference_image_key), ("styleImageKey", request.style_image_key)):
        if key:
            check_upload_exists(key, user_id, field)
    final = image_requests.normalized(request, model)
    record = new_record(user_id, final.mode, model.model_id, now, public=final.public, count=final.count,
                        cost=conf.price_per_image(model.model_id, final.quality) * final.count)
    record["request"] = final.model_dump(by_alias=True, exclude_none=True, exclude={"lineage", "public"})
    record["lineage"] = {**lineage.client_lineage(final.lineage, user_id), "finalPrompt": final.prompt}
    return store_and_queue(record, request, user_id, idempotency_key, base_url, conf, now)


def create_batch(request: BatchGenerationRequest, user_id: str, idempotency_key: str | None, base_url: str,
                 conf: Settings, now: datetime | None = None, rng: random.Random | None = None) -> GenerationBatch:
    """The same prompt on 2-3 models: one record per model, sharing a batchId and one seed. Every
    model is checked before anything is stored, and the images of all are reserved in one write:
    the whole batch is accepted (202) or refused (4xx, 429), never a part of it. An Idempotency-Key
    is claimed in that write, as for one generation: a retry with the same key and body gets the
    first batch back (its records as they are now), with another body a 409."""
    now = now or datetime.now(timezone.utc)
    idempotency_key = check_idempotency_key(idempotency_key)
    models = [_batch_model(model_id, conf) for model_id in request.model_ids]
    base = GenerationRequest.model_construct(**{name: getattr(request, name) for name in GenerationRequest.model_fields},
                                             _fields_set=request.model_fields_set - {"model_ids"})
    for model in models:
        image_requests.check_against_model(base, model)
    for field, key in (("referenceImageKey", request.reference_image_key), ("styleImageKey", request.style_image_key)):
        if key:
            check_upload_exists(key, user_id, field)
    # One seed for every model, in the range all of them take, so that the results differ by model only.
    seed = request.seed if request.seed is not None else (rng or random.SystemRandom()).randint(
        0, min(model.max_seed for model in models))
    client_lineage = lineage.client_lineage(base.lineage, user_id)
    batch_id = uuid.uuid4().hex
    records: list[GenerationRecord] = []
    for model in models:
        final = image_requests.normalized(base.model_copy(update={"model_id": model.model_id, "seed": seed}), model)
        record = new_record(user_id, final.mode, model.model_id, now, public=final.public, count=final.count,
                            cost=conf.price_per_image(model.model_id, final.quality) * final.count)
        record["batchId"] = batch_id
        record["request"] = final.model_dump(by_alias=True, exclude_none=True, exclude={"lineage", "public"})
        record["lineage"] = {**client_lineage, "finalPrompt": final.prompt}
        records.append(record)
    try:
        lifecycle.create_batch(records, request_hash=_request_hash(request), idempotency_key=idempotency_key,
                               conf=conf, now=now)
    except idempotency.IdempotentReplay as replay:
        logger.info("idempotent replay", extra={"batchId": replay.batch_id})
        return get_batch(replay, user_id, base_url)
    for position, record in enumerate(records):
        try:
            jobs.enqueue(record["id"])
        except StudioError:
            # The queued ones render (their images are theirs); the rest fail and give their images back.
            # When none was queued, the first failure frees the Idempotency-Key too, so the retry the
            # 503 asks for starts afresh; once one renders, a retry gets this batch back instead.
            for unqueued in records[position:]:
                free_key = idempotency_key if position == 0 and unqueued is records[0] else None
                try:
                    lifecycle.fail(unqueued, "storage_error", STORAGE_FAILURE_MESSAGE, idempotency_key=free_key)
                except StudioError:
                    logger.exception("could not fail an unqueued generation", extra={"generationId": unqueued["id"]})
            raise
    count("GenerationBatchesRequested")
    count("GenerationsRequested", len(records))
    count("ImagesRequested", sum(r["imageCount"] for r in records))
    return GenerationBatch(batch_id=batch_id, generations=[presentation.generation(r, user_id, base_url) for r in records],
                           estimated_cost=round(sum(r["estimatedCost"] for r in records), 4))


def get_batch(replay: idempotency.IdempotentReplay, user_id: str, base_url: str) -> GenerationBatch:
    """The batch an Idempotency-Key named, its records as they are now (one deleted since is left out)."""
    found = generation_records.get_many(replay.generation_ids)
    records = [found[i] for i in replay.generation_ids if i in found and found[i]["ownerId"] == user_id]
    return GenerationBatch(batch_id=replay.batch_id, generations=[presentation.generation(r, user_id, base_url)
                                                                   for r in records],
                           estimated_cost=round(sum(r["estimatedCost"] for r in records), 4))


def _request_hash(request: BaseModel) -> str:
    return hashlib.sha256(request.model_dump_json(by_alias=True, exclude_none=True).encode()).hexdigest()


def _batch_model(model_id: str, conf: Settings) -> ImageModel:
    model = image_model(model_id)
    if model is None or model_id not in conf.allowed_image_models:
        creators = [m for m in conf.allowed_image_models if image_model(m)]
        raise InvalidField("modelIds", f"each one of {', '.join(creators)}",
                           f"modelIds: {model_id} is not enabled here; use 2-3 of {', '.join(creators)}")
    return model


def _model_for(request: GenerationRequest, conf: Settings) -> ImageModel:
    """The model named in the request, or the one that serves its mode (the default for text)."""
    enabled = conf.allowed_image_models
    if request.model_id:
        model = image_model(request.model_id)
        if model is None or request.model_id not in enabled:
            creators = [m for m in enabled if image_model(m)]
            raise InvalidField("modelId", f"one of {', '.join(creators)}",
                               f"modelId: {request.model_id} is not enabled here; use one of {', '.join(creators)}")
        return model
    model = model_for_mode(request.mode, enabled, conf.image_model_id)
    if model is None:
        raise BadRequest(f"No model enabled here renders in {request.mode} mode. Choose another mode, or ask the "
                         "operator to enable a model that has it (GET /models lists what is enabled).",
                         [{"field": "mode", "rule": "a mode of an enabled model"}], code="unsupported_mode")
    return model


def check_upload_exists(key: str, user_id: str, field: str) -> None:
    check_owner(key, user_id, field)
    if not storage.exists(key):
        raise NotFound(f"{field}: no uploaded image at {key}. Uploads are kept for one day; upload it again.",
                       code="reference_missing")


def new_record(user_id: str, mode: str, model_id: str, now: datetime, *, public: bool, count: int,
               cost: float) -> GenerationRecord:
    stamp = now_iso(now)
    return {
        "id": uuid.uuid4().hex, "ownerId": user_id, "status": "PENDING", "mode": mode, "modelId": model_id,
        "imageCount": count, "estimatedCost": round(cost, 4), "createdAt": stamp, "updatedAt": stamp,
        "favorite": False, "public": public,
    }


def store_and_queue(record: GenerationRecord, request: BaseModel, user_id: str, idempotency_key: str | None, base_url: str,
                    conf: Settings, now: datetime) -> Generation:
    """Reserve quota, store the PENDING record, claim the idempotency key, queue the job."""
    try:
        lifecycle.create(record, request_hash=_request_hash(request), idempotency_key=idempotency_key, conf=conf, now=now)
    except idempotency.IdempotentReplay as replay:
        logger.info("idempotent replay", extra={"generationId": replay.generation_id})
        return get(replay.generation_id, user_id, base_url)
    try:
        jobs.enqueue(record["id"])
    except StudioError:
        # Fail it, give the quota back and free the Idempotency-Key in one write, so the retry the
        # 503 asks for starts afresh. Should that write fail too, the sweeper ends the record.
        try:
            lifecycle.fail(record, "storage_error", STORAGE_FAILURE_MESSAGE, idempotency_key=idempotency_key)
        except StudioError:
            logger.exception("could not fail an unqueued generation", extra={"generationId": record["id"]})
        raise
    count("GenerationsRequested")
    count("ImagesRequested", record["imageCount"])
    return presentation.generation(record, user_id, base_url)


def get(generation_id: str, user_id: str, base_url: str) -> Generation:
    record = access.readable_or_404(generation_records.get(generation_id), user_id)
    return presentation.generation(record, user_id, base_url)


def update(generation_id: str, patch: GenerationPatch, user_id: str, base_url: str) -> Generation:
    tag_edit = (patch.tags, patch.add_tags, patch.remove_tags)
    if patch.favorite is None and patch.public is None and tag_edit == (None, None, None):
        raise InvalidField("favorite", "send favorite and/or public (booleans), or tags, addTags or removeTags (lists)")
    if tag_edit != (None, None, None):
        # Tags first: a tag that breaks the rule (422) must not leave the flags half-applied.
        record = tags.edit(generation_id, user_id, *tag_edit)
        if patch.favorite is None and patch.public is None:
            return presentation.generation(record, user_id, base_url)
    record = generation_records.update_flags(generation_id, user_id, patch.favorite, patch.public, now_iso())
    if record is None:
        raise NotFound(access.NOT_FOUND_MESSAGE)
    if patch.public is False:
        # Unshared: edge copies must not outlive the share. First, so a failed index rewrite (503)
        # cannot skip it; the invalidation itself never raises (adapters/cdn.py).
        cdn.invalidate(_keys(record))
    if patch.public is not None:
        indexing.share(record)  # the search index follows in the same request (retry the PATCH if it fails)
    return presentation.generation(record, user_id, base_url)


def _keys(record: GenerationRecord) -> list[str]:
    keys = [k for image in record.get("images", []) for k in (image["key"], image["thumbnailKey"])]
    if record.get("referenceImage"):
        keys.append(record["referenceImage"]["key"])
    return keys


def _off_boards_again(generation_id: str) -> None:
    """Added to a board between the first clean-up and the delete (an add needs the record to exist,
    so none can follow the delete). Should this fail, a board page leaves the missing image out."""
    try:
        board_cleanup.forget_image(generation_id)
    except StudioError:
        logger.exception("could not take a deleted image off its boards", extra={"generationId": generation_id})


def delete(generation_id: str, user_id: str) -> None:
    """Images first, then the record as it was read: if storage fails, the record is still there to
    retry with; if the record changed meanwhile (the worker completed it), read it again. An
    unfinished record gives its images back to the day's quota."""
    for _ in range(table.WRITE_ATTEMPTS):
        record = generation_records.get(generation_id)
        if record is None or record["ownerId"] != user_id:
            raise NotFound(access.NOT_FOUND_MESSAGE)
        keys = _keys(record)
        if keys:
            storage.delete_all(keys)
        indexing.forget(record)  # the search index follows in the same request
        board_cleanup.forget_image(generation_id)  # off its boards first: a failure leaves the record to retry with
        if generation_records.delete(record):
            _off_boards_again(generation_id)
            if record["status"] == "COMPLETE":  # only a completed record can have vectors
                indexing.request_cleanup(generation_id)
            cdn.invalidate(keys)
            count("GenerationsDeleted")
            return
    raise Conflict(table.IN_PROGRESS_MESSAGE, code="in_progress")
