"""Generations through the API: create (validate, reserve quota, store, queue), read, curate, list."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel

from studio.adapters import cdn, jobs, records, secrets, storage
from studio.bodies.generations import GalleryPage, Generation, GenerationPatch, GenerationRequest
from studio.bodies.model_listing import (
    EditOperationInfo,
    ImageModelInfo,
    LifecycleInfo,
    ModelsResponse,
    PixelLimitsInfo,
    SizeInfo,
    TextModelInfo,
)
from studio.catalog import (
    EDIT_OPERATIONS,
    IMAGE_MODELS,
    MAX_IMAGES_PER_GENERATION,
    ImageModel,
    image_model,
    model_for_mode,
)
from studio.errors import BadRequest, Conflict, InvalidField, NotFound, StudioError
from studio.logic import cursor, image_requests, presentation, search, usage
from studio.logic.uploads import check_owner
from studio.observability import count, logger
from studio.settings import Settings
from studio.storage_layout import GENERATION_DEADLINE_SECONDS

IDEMPOTENCY_KEY_RULE = "1-64 characters: letters, digits, '-', '_' or ':'"
STORAGE_FAILURE_MESSAGE = "The generation could not be queued. Nothing was charged to your quota; try again."


def now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    record["lineage"] = {**final.lineage.model_dump(by_alias=True, exclude_none=True), "finalPrompt": final.prompt}
    return store_and_queue(record, request, user_id, idempotency_key, base_url, conf, now)


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
               cost: float) -> dict:
    stamp = now_iso(now)
    return {
        "id": uuid.uuid4().hex, "ownerId": user_id, "status": "PENDING", "mode": mode, "modelId": model_id,
        "imageCount": count, "estimatedCost": round(cost, 4), "createdAt": stamp, "updatedAt": stamp,
        "favorite": False, "public": public,
    }


def store_and_queue(record: dict, request: BaseModel, user_id: str, idempotency_key: str | None, base_url: str,
                    conf: Settings, now: datetime) -> Generation:
    """Reserve quota, store the PENDING record, claim the idempotency key, queue the job."""
    request_hash = hashlib.sha256(request.model_dump_json(by_alias=True, exclude_none=True).encode()).hexdigest()
    day = usage.quota_day(now)
    try:
        records.create_generation(
            record, quota_day=day, quota_limit=conf.daily_image_quota,
            quota_expires_at=int(now.timestamp()) + records.QUOTA_TTL_SECONDS,
            idempotency_key=idempotency_key, request_hash=request_hash,
            idempotency_expires_at=int(now.timestamp()) + records.IDEMPOTENCY_TTL_SECONDS,
            retry_after=usage.seconds_to_midnight(now),
            active_until=now_iso(now + timedelta(seconds=GENERATION_DEADLINE_SECONDS)),
        )
    except records.IdempotentReplay as replay:
        logger.info("idempotent replay", extra={"generationId": replay.generation_id})
        return get(replay.generation_id, user_id, base_url)
    record["quotaDay"] = day
    try:
        jobs.enqueue(record["id"])
    except StudioError:
        # Fail it, give the quota back and free the Idempotency-Key in one write, so the retry the
        # 503 asks for starts afresh. Should that write fail too, the sweeper ends the record.
        try:
            records.fail(record, "storage_error", STORAGE_FAILURE_MESSAGE, now_iso(), idempotency_key=idempotency_key)
        except StudioError:
            logger.exception("could not fail an unqueued generation", extra={"generationId": record["id"]})
        raise
    count("GenerationsRequested")
    count("ImagesRequested", record["imageCount"])
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
    if patch.public is not None:
        search.share(record)  # the search index follows in the same request (retry the PATCH if it fails)
    if patch.public is False:  # unshared: edge copies must not outlive the share
        cdn.invalidate(_keys(record))
    return presentation.generation(record, user_id, base_url)


def _keys(record: dict) -> list[str]:
    keys = [k for image in record.get("images", []) for k in (image["key"], image["thumbnailKey"])]
    if record.get("referenceImage"):
        keys.append(record["referenceImage"]["key"])
    return keys


def delete(generation_id: str, user_id: str) -> None:
    """Images first, then the record as it was read: if storage fails, the record is still there to
    retry with; if the record changed meanwhile (the worker completed it), read it again. An
    unfinished record gives its images back to the day's quota."""
    for _ in range(records.WRITE_ATTEMPTS):
        record = records.get_generation(generation_id)
        if record is None or record["ownerId"] != user_id:
            raise NotFound("No generation with this id (or it is not yours).")
        keys = _keys(record)
        if keys:
            storage.delete_all(keys)
        search.forget(record)  # the search index follows in the same request
        if records.delete(record):
            cdn.invalidate(keys)
            count("GenerationsDeleted")
            return
    raise Conflict(records.IN_PROGRESS_MESSAGE, code="in_progress")


def _feed(scope: str, mode: str | None, favorite: bool | None, user_id: str,
          parent: str | None = None) -> tuple[str, str]:
    """(index, partition) for the gallery's filters; each is one Query on one index, no filter."""
    if parent is not None:
        if scope != "mine" or mode or favorite:
            raise BadRequest("parent lists your own edits and re-runs of one generation: use it alone, with scope=mine.",
                             [{"field": "parent", "rule": "only with scope=mine, without mode or favorite"}],
                             code="invalid_filter")
        return "byParent", records.parent_partition(user_id, parent)
    if scope == "mine":
        if favorite:
            return ("byOwnerFavoriteMode", f"{user_id}#{mode}") if mode else ("byOwnerFavorite", user_id)
        return ("byOwnerMode", f"{user_id}#{mode}") if mode else ("byOwner", user_id)
    if favorite:
        raise BadRequest("favorite=true lists your own favorites: use it with scope=mine.",
                         [{"field": "favorite", "rule": "only with scope=mine"}], code="invalid_filter")
    return ("byPublicMode", f"public#{mode}") if mode else ("byPublic", "public")


def list_gallery(scope: str, limit: int, cursor_text: str | None, mode: str | None, favorite: bool | None,
                 user_id: str, base_url: str, parent: str | None = None) -> GalleryPage:
    index, partition = _feed(scope, mode, favorite, user_id, parent)
    key = secrets.cursor_key()
    start = cursor.decode(key, cursor_text, index, partition) if cursor_text else None
    items, last = records.query_feed(index, partition, limit, start)
    next_cursor = cursor.encode(key, index, partition, last) if last else None
    return GalleryPage(items=[presentation.generation(i, user_id, base_url) for i in items], next_cursor=next_cursor)


PALETTE_BY_STYLE_GUIDE = ("No live model has a palette mode: the colors are painted as a swatch image that the "
                          "style guide follows, and named in the prompt.")


def catalog(conf: Settings, user_id: str) -> ModelsResponse:
    models = []
    for model in IMAGE_MODELS:
        if model.model_id not in conf.allowed_image_models:
            continue
        rule = model.sizes
        any_size = None if rule.exact else {
            "minSide": rule.min_side, "maxSide": rule.max_side, "multipleOf": rule.multiple_of,
            "maxPixels": rule.max_pixels, "maxAspect": rule.max_aspect}
        life = model.lifecycle
        models.append(ImageModelInfo(
            model_id=model.model_id, name=model.name, family=model.family,
            default=model.model_id == conf.image_model_id, modes=list(model.modes),
            sizes=[SizeInfo(width=w, height=h) for w, h in rule.presets], any_size=any_size,
            qualities=list(model.qualities), max_prompt_length=model.max_prompt,
            max_negative_prompt_length=model.max_negative_prompt if model.takes_negative_prompt else 0,
            max_images=MAX_IMAGES_PER_GENERATION,
            max_colors=model.max_colors, max_seed=model.max_seed,
            cfg_scale=list(model.cfg_scale) if model.cfg_scale else None,
            price_per_image={q: conf.price_per_image(model.model_id, q) for q in model.qualities},
            lifecycle=LifecycleInfo(status=life.status, legacy_since=life.legacy_since, end_of_life=life.end_of_life),
            legacy=model.legacy,
            how={"color": PALETTE_BY_STYLE_GUIDE} if "color" in model.modes and model.family != "titan" else {},
            shape_from_reference=list(model.shape_from_reference),
        ))
    images_left, text_left = usage.left_today(user_id, conf)
    return ModelsResponse(
        image_models=models,
        edit_operations=[_operation_info(op, conf) for op in EDIT_OPERATIONS if op.model_id in conf.allowed_image_models],
        text_model=TextModelInfo(model_id=conf.text_model_id, price_per_1k_input_tokens=conf.text_price_per_1k_input,
                                 price_per_1k_output_tokens=conf.text_price_per_1k_output),
        daily_image_quota=conf.daily_image_quota,
        daily_text_quota=conf.daily_text_quota,
        images_left_today=images_left,
        text_calls_left=text_left,
    )


def _operation_info(op, conf: Settings) -> EditOperationInfo:
    limits = op.input_limits
    if op.outpaint:
        output = "the image's size plus the pixels added on each side"
    elif op.output_megapixels:
        output = f"about {op.output_megapixels:g} megapixels, the image's aspect ratio"
    else:
        output = "the image's size" if op.scale == 1 else f"{op.scale}x each side"
    return EditOperationInfo(
        operation=op.name, title=op.title, model_id=op.model_id, model_name=op.model_name, needs_prompt=op.needs_prompt,
        takes_prompt=op.takes_prompt, needs_mask=op.needs_mask, takes_mask=op.takes_mask, search_field=op.search_field,
        takes_negative_prompt=op.takes_negative_prompt, takes_grow_mask=op.takes_grow_mask,
        creativity=dict(zip(("min", "max", "default"), op.creativity)) if op.creativity else None,
        input_limits=PixelLimitsInfo(min_pixels=limits.min_pixels, max_pixels=limits.max_pixels,
                                     min_side=limits.min_side, max_side=limits.max_side or None,
                                     max_aspect=limits.max_aspect or None),
        output=output, scale=op.scale, output_megapixels=op.output_megapixels or None,
        price_per_image=conf.price_per_image(op.model_id, "standard"),
    )
