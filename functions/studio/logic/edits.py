"""Edits through the API: one operation on one image, stored and queued like a generation.

An edit starts from an image of a finished generation the caller can see, or from one of the
caller's uploads. It is a new record (mode "edit") whose lineage names its parent and the
operation, so an edit chain reads upward from any record and downward through GET /gallery?parent=.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone

from studio.adapters import generation_records, storage
from studio.bodies.common import UPLOAD_MAX_BYTES
from studio.bodies.generations import EditRequest, Generation
from studio.catalog import EDIT_MODE, EDIT_OPERATIONS, EditOperation, edit_operation
from studio.errors import BadRequest, Conflict, InvalidField
from studio.images import check_mask, inspect
from studio.logic import access, image_requests, lineage
from studio.logic.generations import check_idempotency_key, new_record, store_and_queue
from studio.logic.uploads import check_owner
from studio.settings import Settings

# Masks are painted in the browser: small greyscale PNGs. Anything larger is not a mask.
MASK_MAX_BYTES = UPLOAD_MAX_BYTES
MAX_SEED = 4_294_967_294


def operation_for(request: EditRequest, conf: Settings) -> EditOperation:
    operation = edit_operation(request.operation)  # the request model already limits the names
    if operation.model_id not in conf.allowed_image_models:
        enabled = [op.name for op in EDIT_OPERATIONS if op.model_id in conf.allowed_image_models]
        raise BadRequest(
            f"{operation.name} is not enabled here (its model {operation.model_id} is not in allowedImageModels). "
            "GET /models lists the edit operations this deployment offers.",
            [{"field": "operation", "rule": f"one of {', '.join(enabled) or 'none (no edit model is enabled)'}"}],
            code="unsupported_operation")
    return operation


def source_of(request: EditRequest, user_id: str) -> dict:
    """Where the edit's source image is and how large: {"key", "width", "height"} plus its lineage."""
    if (request.generation_id is None) == (request.image_key is None):
        raise InvalidField("generationId", "send exactly one of generationId (with imageIndex) or imageKey")
    if request.image_key is not None:
        check_owner(request.image_key, user_id, "imageKey")
        picture = inspect(storage.read(request.image_key, UPLOAD_MAX_BYTES, "imageKey"), "imageKey")
        return {"key": request.image_key, "width": picture.width, "height": picture.height,
                "lineage": {"sourceImageKey": request.image_key}}
    parent = access.readable_or_404(generation_records.get(request.generation_id), user_id,
                                    "generationId: no generation with this id (or it is not yours).")
    if parent["status"] != "COMPLETE":
        raise Conflict(f"generationId: this generation is {parent['status']}; only a finished image can be edited. "
                       "Wait for it to complete.", code="source_not_ready")
    images = parent.get("images", [])
    if request.image_index >= len(images):
        raise InvalidField("imageIndex", f"between 0 and {len(images) - 1} (this generation has {len(images)} images)")
    image = images[request.image_index]
    return {"key": image["key"], "width": image["width"], "height": image["height"],
            "lineage": {"parentId": parent["id"], "parentImageIndex": request.image_index,
                        "rootId": lineage.root_of(parent)}}


def create(request: EditRequest, user_id: str, idempotency_key: str | None, base_url: str, conf: Settings,
           now: datetime | None = None, rng: random.Random | None = None) -> Generation:
    now = now or datetime.now(timezone.utc)
    idempotency_key = check_idempotency_key(idempotency_key)
    operation = operation_for(request, conf)
    image_requests.check_edit(request, operation)
    source = source_of(request, user_id)
    field = "imageKey" if request.image_key else "generationId"
    image_requests.check_edit_source(operation, source["width"], source["height"], field)
    if request.mask_key:
        check_owner(request.mask_key, user_id, "maskKey")
        check_mask(storage.read(request.mask_key, MASK_MAX_BYTES, "maskKey"), source["width"], source["height"])
    seed = request.seed if request.seed is not None else (rng or random.SystemRandom()).randint(0, MAX_SEED)
    final = request.model_copy(update={"seed": seed})
    width, height = operation.output_size(source["width"], source["height"], request.left, request.right,
                                          request.up, request.down)
    record = new_record(user_id, EDIT_MODE, operation.model_id, now, public=final.public, count=1,
                        cost=conf.price_per_image(operation.model_id, "standard"))
    record["operation"] = operation.name
    record["request"] = final.model_dump(by_alias=True, exclude_none=True, exclude={"lineage", "public"})
    record["request"].update(outputWidth=width, outputHeight=height)
    record["source"] = {k: source[k] for k in ("key", "width", "height")}
    record["lineage"] = {**lineage.client_lineage(final.lineage, user_id, edit=True), "source": "edit",
                         "operation": operation.name, **source["lineage"]}
    if final.prompt:
        record["lineage"]["finalPrompt"] = final.prompt
    return store_and_queue(record, request, user_id, idempotency_key, base_url, conf, now)
