"""The worker's job: render one generation, store its images, finish its record.

A job is claimed with an attempt token and a lease (lifecycle.claim): a duplicate delivery of a
claimed job renders nothing but queues a copy of the job for when that lease ends (had the
holder died, the copy claims the job then), and only the attempt that holds the claim can
complete or fail the record. The attempt's images go under images/<attempt>/, so whoever ends
a job knows its objects.

Every job ends with the record COMPLETE or FAILED. A failure leaves no objects behind and gives
the images back to the owner's daily quota, whatever the exception; an unexpected one is then
re-raised so SQS reports it. A record that cannot be completed (the table did not answer) keeps
its claim released for the retry; the dead-letter handler and the sweeper end what is left.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta, timezone
from typing import Callable

from studio import routes
from studio.adapters import bedrock, generation_records, jobs, storage
from studio.bodies.common import UPLOAD_MAX_BYTES
from studio.bodies.generations import EditRequest, GenerationRequest
from studio.catalog import EDIT_MODE, STABILITY_INPUT, ImageModel, edit_operation, image_model, invocation_id
from studio.clock import now_iso
from studio.errors import (
    ContentFiltered,
    InvalidField,
    ModelError,
    ModelThrottled,
    ModelUnavailable,
    NotFound,
    StorageError,
    StudioError,
)
from studio.images import GalleryImage, for_image_model, mask_for, png_dimensions
from studio.logic import content_credentials, image_requests, indexing, lifecycle, provenance
from studio.logic.abandoned import attempt_keys, cleanup
from studio.observability import count, logger
from studio.settings import settings
from studio.storage_layout import IMAGES_PREFIX, LEASE_ATTRIBUTE

# Seconds kept free after the last model call to store the images and finish the record.
STORE_RESERVE_SECONDS = 15
# The largest gallery PNG an edit may start from (a 4x upscale of a megapixel image is ~20-40 MB).
EDIT_SOURCE_MAX_BYTES = 64 * 1024 * 1024
OUTPUT_SIZE_KEYS = ("outputWidth", "outputHeight")
# A claim outlives the invocation that holds it by this much (clock skew between containers).
LEASE_MARGIN_SECONDS = 30
# A duplicate delivery's copy of the job looks again this long after the other claim's lease ends.
RECHECK_MARGIN_SECONDS = 5


def _lease_until(time_left_ms: Callable[[], int] | None) -> str:
    seconds = time_left_ms() / 1000 if time_left_ms else routes.function("generate-worker").timeout_seconds
    return now_iso(datetime.now(timezone.utc) + timedelta(seconds=seconds + LEASE_MARGIN_SECONDS))


def _seconds_claimed_elsewhere(generation_id: str) -> int:
    """Seconds left on another delivery's live claim of the job; 0 when there is none (the record
    finished, was deleted, or was freed in between)."""
    current = generation_records.get(generation_id)
    if not current or current["status"] != "RUNNING" or not current.get(LEASE_ATTRIBUTE):
        return 0
    left = datetime.fromisoformat(current[LEASE_ATTRIBUTE]) - datetime.now(timezone.utc)  # now_iso's "Z" reads as UTC
    return max(0, math.ceil(left.total_seconds()))


def failure_code(error: StudioError) -> str:
    """The typed reason a failed generation shows, for each domain error."""
    if isinstance(error, ContentFiltered):
        return "content_filtered"
    if isinstance(error, ModelThrottled):
        return "model_throttled"
    if isinstance(error, ModelUnavailable):
        return "model_timeout" if error.code == "model_timeout" else "model_unavailable"
    if isinstance(error, ModelError):
        return "model_error"
    if isinstance(error, StorageError):
        return "storage_error"
    if isinstance(error, NotFound):
        return "reference_missing"
    return "reference_invalid" if error.status == 422 else "internal_error"


def render(generation_id: str, time_left_ms: Callable[[], int] | None = None) -> str:
    """Process one queued generation; returns its final status ('SKIPPED' when already done or
    deleted, 'DEFERRED' when another delivery holds it).

    `time_left_ms` is the Lambda context's clock: a model call starts only when its worst case
    (every retry timing out) still fits, so the record is failed cleanly instead of the function
    being killed mid-job."""
    attempt = secrets.token_urlsafe(18)
    record = lifecycle.claim(generation_id, attempt, _lease_until(time_left_ms))
    if record is None:
        held = _seconds_claimed_elsewhere(generation_id)
        if held:
            # An SQS duplicate: this message is consumed, so a copy looks again when the other claim
            # ends. Had its worker died, the job is then claimed again instead of left for the sweeper.
            jobs.enqueue(generation_id, delay_seconds=held + RECHECK_MARGIN_SECONDS)
            logger.info("generation claimed by another delivery: queued again for when its lease ends",
                        extra={"generationId": generation_id, "seconds": held})
            return "DEFERRED"
        logger.info("generation finished or deleted", extra={"generationId": generation_id})
        return "SKIPPED"
    try:
        images, reference = _render_and_store(record, attempt, time_left_ms)
    except StudioError as error:
        _fail(record, attempt, failure_code(error), error.message)
        return "FAILED"
    except Exception:
        cleanup(attempt_keys(attempt, int(record["imageCount"])))
        _fail(record, attempt, "internal_error", lifecycle.ABANDONED_MESSAGE)
        raise
    keys = [k for i in images for k in (i["key"], i["thumbnailKey"])] + ([reference["key"]] if reference else [])
    try:
        completed = lifecycle.complete(record, attempt, images, reference)
    except Exception:
        # Not completed: SQS retries the job, which renders into a new folder, so these images
        # would be orphans (unless the write went through after all).
        current = _current(generation_id)
        if current is not False and (not current or current.get("images") != images):
            cleanup(keys)
            _release(generation_id, attempt)
        raise
    if not completed:
        # Deleted, failed or claimed by another attempt while rendering: these images are nobody's.
        storage.delete_all(keys)
        return "SKIPPED"
    count("ImagesGenerated", len(images))
    indexing.request_indexing(generation_id)  # never raises: search must not fail a generation
    return "COMPLETE"


def _fail(record: dict, attempt: str, code: str, message: str) -> None:
    try:
        failed = lifecycle.fail(record, code, message, attempt=attempt)
    except StudioError:
        _release(record["id"], attempt)  # the retry (or the sweeper) ends it
        raise
    if failed:  # else it was deleted, swept or claimed by another attempt meanwhile
        count("GenerationsFailed")
        logger.info("generation failed", extra={"generationId": record["id"], "code": code})


def _current(generation_id: str) -> dict | None | bool:
    """The record now; False when even that cannot be read (then the images are kept: the sweeper
    or a retry decides)."""
    try:
        return generation_records.get(generation_id)
    except StudioError:
        return False


def _release(generation_id: str, attempt: str) -> None:
    try:
        lifecycle.release(generation_id, attempt)
    except StudioError:
        logger.exception("could not release the claim", extra={"generationId": generation_id})


def _check_time(time_left_ms: Callable[[], int] | None) -> None:
    conf = settings()
    worst_case_ms = (conf.model_read_timeout * conf.model_max_attempts + STORE_RESERVE_SECONDS) * 1000
    if time_left_ms is not None and time_left_ms() < worst_case_ms:
        raise ModelUnavailable("The image model was too slow to finish every image in time. Try again, "
                               "or ask for fewer images.", code="model_timeout")


def _render_and_store(record: dict, attempt: str,
                      time_left_ms: Callable[[], int] | None) -> tuple[list[dict], dict | None]:
    if record["mode"] == EDIT_MODE:
        rendered, inputs = _render_edit(record, time_left_ms)
        reference_png = None
    else:
        rendered, reference_png, inputs = _render_generation(record, time_left_ms)

    folder = f"{IMAGES_PREFIX}{attempt}"
    images, reference = [], None
    with storage.Batch() as batch:  # all or none: a bad image or a failed write removes what was written
        if reference_png is not None:
            reference = {"key": f"{folder}/reference.png"}
            batch.put(reference["key"], reference_png, "image/png")
        for index, image in enumerate(rendered):
            key, thumb = f"{folder}/{index}.png", f"{folder}/{index}.webp"
            try:
                stored = GalleryImage(image.data)
                batch.put(thumb, stored.thumbnail(), "image/webp")  # decodes every pixel: a broken image fails here
            except ValueError as error:
                raise ModelError("The image model returned something that is not an image.") from error
            # The full-size file carries its signed Content Credentials (signed while the thumbnail uploads);
            # the thumbnail need not.
            signed, summary = content_credentials.sign_image(record, index, stored.png, image.seed, inputs)
            batch.put(key, signed, "image/png")
            images.append({"key": key, "thumbnailKey": thumb, "width": stored.width, "height": stored.height,
                           "seed": image.seed, "credentials": summary})
    return images, reference


def _invoke(model_id: str, body: dict, time_left_ms: Callable[[], int] | None) -> dict:
    _check_time(time_left_ms)
    return bedrock.invoke_json(invocation_id(model_id, settings().image_profile_prefix), body)


def _render_generation(record: dict, time_left_ms: Callable[[], int] | None) -> tuple[list, bytes | None, list]:
    """(the rendered images, the reference as the model got it, the Content Credentials inputs)."""
    model = image_model(record["modelId"])
    if model is None:
        raise ModelError(f"The model {record['modelId']} is no longer configured.")
    request = GenerationRequest.model_validate(record["request"])
    reference_png = _reference(model, request.reference_image_key, "referenceImageKey")
    style_png = _reference(model, request.style_image_key, "styleImageKey")
    rendered = []
    for body in image_requests.model_bodies(request, model, reference_png, style_png):
        rendered.extend(image_requests.parse_answer(model, body, _invoke(model.model_id, body, time_left_ms)))
    inputs = [(role, png) for role, png in zip(provenance.generation_roles(record),
                                                [p for p in (reference_png, style_png) if p is not None])]
    return rendered, reference_png, inputs


def _reference(model: ImageModel, key: str | None, field: str) -> bytes | None:
    """An uploaded reference fitted to the model; an Image Service's documented limits checked first."""
    if not key:
        return None
    png = for_image_model(storage.read(key, UPLOAD_MAX_BYTES, field), model.max_reference_side,
                          model.min_reference_side, field)
    if model.needs_profile:
        problem = STABILITY_INPUT.problem(*png_dimensions(png))
        if problem:
            raise InvalidField(field, problem, f"{field}: {model.name} cannot use this image: {problem}. "
                               "Crop it closer to a square and upload it again.")
    return png


def _render_edit(record: dict, time_left_ms: Callable[[], int] | None) -> tuple[list, list]:
    """One Image Services call on the source image (and its mask, scaled to the source's size); with
    the source as stored (its own Content Credentials inside) as the parent ingredient."""
    operation = edit_operation(record.get("operation", ""))
    if operation is None:
        raise ModelError(f"The edit {record.get('operation')} is no longer offered.")
    request = EditRequest.model_validate({k: v for k, v in record["request"].items() if k not in OUTPUT_SIZE_KEYS})
    source = record["source"]
    image = storage.read(source["key"], EDIT_SOURCE_MAX_BYTES, "the image to edit")
    mask = None
    if request.mask_key:
        mask = mask_for(storage.read(request.mask_key, UPLOAD_MAX_BYTES, "maskKey"), source["width"], source["height"])
    body = image_requests.edit_body(request, operation, image, mask, request.seed)
    rendered = image_requests.parse_answer(None, body, _invoke(operation.model_id, body, time_left_ms))
    return rendered, [(provenance.edit_role(), image)]

