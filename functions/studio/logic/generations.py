"""Generations through the API: create (validate, reserve quota, store, queue), read, curate, list."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone

from studio.adapters import cdn, jobs, records, secrets, storage
from studio.catalog import IMAGE_MODELS, MAX_IMAGES_PER_GENERATION, image_model
from studio.errors import BadRequest, InvalidField, NotFound, StudioError
from studio.logic import cursor, image_requests, presentation, usage
from studio.logic.uploads import check_owner
from studio.models import (
    GalleryPage,
    Generation,
    GenerationPatch,
    GenerationRequest,
    ImageModelInfo,
    ModelsResponse,
    SizeInfo,
    TextModelInfo,
)
from studio.observability import count, logger
from studio.settings import Settings

IDEMPOTENCY_KEY_RULE = "1-64 characters: letters, digits, '-', '_' or ':'"
STORAGE_FAILURE_MESSAGE = "The generation could not be queued. Nothing was charged to your quota; try again."


def now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not (1 <= len(key) <= 64) or not all(c.isalnum() or c in "-_:" for c in key) or not key.isascii():
        raise InvalidField("Idempotency-Key", IDEMPOTENCY_KEY_RULE)
    return key


def create(request: GenerationRequest, user_id: str, idempotency_key: str | None, base_url: str,
           conf: Settings, now: datetime | None = None) -> Generation:
    now = now or datetime.now(timezone.utc)
    idempotency_key = _check_idempotency_key(idempotency_key)
    model_id = request.model_id or conf.image_model_id
    model = image_model(model_id)
    if model is None or model_id not in conf.allowed_image_models:
        raise InvalidField("modelId", f"one of {', '.join(conf.allowed_image_models)}",
                           f"modelId: {model_id} is not enabled here; use one of {', '.join(conf.allowed_image_models)}")
    image_requests.check_against_model(request, model)
    reference_key = request.reference_image_key
    if reference_key:
        check_owner(reference_key, user_id, "referenceImageKey")
        if not storage.exists(reference_key):
            raise NotFound(f"referenceImageKey: no uploaded image at {reference_key}. Uploads are kept for one day; "
                           "upload it again.", code="reference_missing")
    request_hash = hashlib.sha256(request.model_dump_json(by_alias=True, exclude_none=True).encode()).hexdigest()
    final = image_requests.normalized(request, model)
    stamp = now_iso(now)
    record = {
        "id": uuid.uuid4().hex,
        "ownerId": user_id,
        "status": "PENDING",
        "mode": final.mode,
        "modelId": model.model_id,
        "request": final.model_dump(by_alias=True, exclude_none=True, exclude={"lineage", "public"}),
        "lineage": {**final.lineage.model_dump(by_alias=True, exclude_none=True), "finalPrompt": final.prompt},
        "imageCount": final.count,
        "estimatedCost": round(conf.price_per_image(model.model_id, final.quality) * final.count, 4),
        "createdAt": stamp,
        "updatedAt": stamp,
        "favorite": False,
        "public": final.public,
    }
    try:
        records.create_generation(
            record, quota_day=now.strftime("%Y-%m-%d"), quota_limit=conf.daily_image_quota,
            quota_expires_at=int(now.timestamp()) + records.QUOTA_TTL_SECONDS,
            idempotency_key=idempotency_key, request_hash=request_hash,
            idempotency_expires_at=int(now.timestamp()) + records.IDEMPOTENCY_TTL_SECONDS,
            retry_after=usage.seconds_to_midnight(now),
        )
    except records.IdempotentReplay as replay:
        logger.info("idempotent replay", extra={"generationId": replay.generation_id})
        return get(replay.generation_id, user_id, base_url)
    record["quotaDay"] = now.strftime("%Y-%m-%d")
    try:
        jobs.enqueue(record["id"])
    except StudioError:
        records.fail(record, "storage_error", STORAGE_FAILURE_MESSAGE, now_iso())
        raise
    count("GenerationsRequested")
    count("ImagesRequested", final.count)
    return presentation.generation(record, user_id, base_url)


def _visible(record: dict | None, user_id: str) -> dict:
    if not record or (record["ownerId"] != user_id and not record.get("public")):
        raise NotFound("No generation with this id (or it is not yours).")
    return record


def get(generation_id: str, user_id: str, base_url: str) -> Generation:
    return presentation.generation(_visible(records.get_generation(generation_id), user_id), user_id, base_url)


def update(generation_id: str, patch: GenerationPatch, user_id: str, base_url: str) -> Generation:
    if patch.favorite is None and patch.public is None:
        raise InvalidField("favorite", "send favorite and/or public (booleans)")
    record = records.update_flags(generation_id, user_id, patch.favorite, patch.public, now_iso())
    if record is None:
        raise NotFound("No generation with this id (or it is not yours).")
    if patch.public is False:  # unshared: edge copies must not outlive the share
        cdn.invalidate(_keys(record))
    return presentation.generation(record, user_id, base_url)


def _keys(record: dict) -> list[str]:
    keys = [k for image in record.get("images", []) for k in (image["key"], image["thumbnailKey"])]
    if record.get("referenceImage"):
        keys.append(record["referenceImage"]["key"])
    return keys


def delete(generation_id: str, user_id: str) -> None:
    """Images first, then the record: if storage fails, the record is still there to retry with."""
    record = records.get_generation(generation_id)
    if record is None or record["ownerId"] != user_id:
        raise NotFound("No generation with this id (or it is not yours).")
    keys = _keys(record)
    if keys:
        storage.delete_all(keys)
    if records.delete(generation_id, user_id) is None:
        raise NotFound("No generation with this id (or it is not yours).")
    cdn.invalidate(keys)
    count("GenerationsDeleted")


def _feed(scope: str, mode: str | None, favorite: bool | None, user_id: str) -> tuple[str, str, str | None]:
    """(index, partition, mode filter) for the gallery's filters; each is one Query on one index."""
    if scope == "mine":
        if favorite:
            return "byOwnerFavorite", user_id, mode
        return ("byOwnerMode", f"{user_id}#{mode}", None) if mode else ("byOwner", user_id, None)
    if favorite:
        raise BadRequest("favorite=true lists your own favorites: use it with scope=mine.",
                         [{"field": "favorite", "rule": "only with scope=mine"}], code="invalid_filter")
    return ("byPublicMode", f"public#{mode}", None) if mode else ("byPublic", "public", None)


def list_gallery(scope: str, limit: int, cursor_text: str | None, mode: str | None, favorite: bool | None,
                 user_id: str, base_url: str) -> GalleryPage:
    index, partition, mode_filter = _feed(scope, mode, favorite, user_id)
    key = secrets.cursor_key()
    start = cursor.decode(key, cursor_text, index, partition) if cursor_text else None
    items, last = records.query_feed(index, partition, limit, start, mode_filter)
    next_cursor = cursor.encode(key, index, partition, last) if last else None
    return GalleryPage(items=[presentation.generation(i, user_id, base_url) for i in items], next_cursor=next_cursor)


def catalog(conf: Settings, user_id: str) -> ModelsResponse:
    models = []
    for model in IMAGE_MODELS:
        if model.model_id not in conf.allowed_image_models:
            continue
        rule = model.sizes
        any_size = None if rule.exact else {
            "minSide": rule.min_side, "maxSide": rule.max_side, "multipleOf": rule.multiple_of,
            "maxPixels": rule.max_pixels, "maxAspect": rule.max_aspect}
        models.append(ImageModelInfo(
            model_id=model.model_id, name=model.name, family=model.family,
            default=model.model_id == conf.image_model_id, modes=list(model.modes),
            sizes=[SizeInfo(width=w, height=h) for w, h in rule.presets], any_size=any_size,
            qualities=list(model.qualities), max_prompt_length=model.max_prompt,
            max_negative_prompt_length=model.max_negative_prompt, max_images=MAX_IMAGES_PER_GENERATION,
            max_colors=model.max_colors, max_seed=model.max_seed,
            cfg_scale=list(model.cfg_scale) if model.cfg_scale else None,
            price_per_image={q: conf.price_per_image(model.model_id, q) for q in model.qualities},
            legacy=model.legacy,
        ))
    return ModelsResponse(
        image_models=models,
        text_model=TextModelInfo(model_id=conf.text_model_id, price_per_1k_input_tokens=conf.text_price_per_1k_input,
                                 price_per_1k_output_tokens=conf.text_price_per_1k_output),
        daily_image_quota=conf.daily_image_quota,
        daily_text_quota=conf.daily_text_quota,
        text_calls_left=usage.text_calls_left(user_id, conf),
    )
