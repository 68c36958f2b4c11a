"""Reference-image uploads: a presigned POST per file, under the caller's own prefix."""

from __future__ import annotations

import secrets

from studio.adapters import storage
from studio.bodies.common import UPLOAD_MAX_BYTES
from studio.bodies.prompts import UploadRequest, UploadResponse
from studio.errors import NotFound, PayloadTooLarge
from studio.storage_layout import UPLOADS_PREFIX

UPLOAD_FORM_SECONDS = 900
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}


def create_upload(request: UploadRequest, user_id: str) -> UploadResponse:
    if request.size > UPLOAD_MAX_BYTES:
        raise PayloadTooLarge(f"size: the image is {request.size} bytes; the limit is {UPLOAD_MAX_BYTES} (10 MB). "
                              "Resize it or export it as JPEG or WebP.",
                              [{"field": "size", "rule": f"at most {UPLOAD_MAX_BYTES}"}])
    key = f"{UPLOADS_PREFIX}{user_id}/{secrets.token_hex(16)}.{EXTENSIONS[request.content_type]}"
    form = storage.presigned_upload(key, request.content_type, request.size, UPLOAD_FORM_SECONDS)
    return UploadResponse(image_key=key, url=form["url"], fields=form["fields"], expires_in=UPLOAD_FORM_SECONDS,
                          max_bytes=UPLOAD_MAX_BYTES)


def check_owner(image_key: str, user_id: str, field: str) -> None:
    """Only the uploader may use an upload; anyone else is told it does not exist."""
    parts = image_key.split("/")
    if len(parts) != 3 or parts[1] != user_id:
        raise NotFound(f"{field}: no uploaded image at {image_key}.", code="reference_missing")
