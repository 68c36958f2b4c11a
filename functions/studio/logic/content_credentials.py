"""Sign a stored image's Content Credentials (the worker) and verify any image's (the API).

Signing happens where the file is written: the worker signs each full-size PNG before storing it
(the thumbnail is not signed), then reads the signed file back once, so the record keeps what a
validator sees (`credentials` on each stored image) and GET /generations/{id} never reads S3.
"""

from __future__ import annotations

from studio import credentials
from studio.adapters import generation_records, signing, storage
from studio.bodies.common import UPLOAD_MAX_BYTES
from studio.errors import InvalidField, StorageError
from studio.logic import access, provenance
from studio.logic.uploads import check_owner
from studio.observability import logger
from studio.settings import settings

NO_MANIFEST_MESSAGE = "This image carries no Content Credentials: it has no C2PA manifest."


def sign_image(record: dict, image_index: int, png: bytes, seed: int | None,
               inputs: list[tuple[provenance.IngredientRole, bytes]]) -> tuple[bytes, dict]:
    """(the signed PNG, what its manifest says) for image `image_index` of `record`. `inputs`: the
    ingredient images (the edit's parent as stored, or the generation's reference and style)."""
    conf = settings()
    definition = provenance.definition(record, image_index, seed, include_prompt=conf.credentials_include_prompt)
    ingredients = [credentials.Ingredient(data=data, format=credentials.PNG, title=f"{role.label}.png",
                                          relationship=role.relationship, label=role.label)
                   for role, data in inputs]
    try:
        signed = credentials.sign_png(png, definition, ingredients, signing.sign, signing.certificate_chain(),
                                      conf.credentials_tsa_url)
        store = credentials.read(signed)
    except StorageError:
        raise
    except Exception as error:  # the library's own errors (a refused certificate, a broken ingredient)
        logger.exception("signing Content Credentials failed", extra={"generationId": record["id"]})
        raise StorageError("Could not sign the image's Content Credentials. Try again.") from error
    return signed, provenance.summary(store.manifests, store.active_label, store.validation_state)


def verify(key: str, user_id: str) -> dict:
    """What the manifest of the uploaded image at `key` says (any C2PA image, ours or not), with its
    validation state; the generation id when it is one of ours that `user_id` may see."""
    check_owner(key, user_id, "imageKey")
    data = storage.read(key, UPLOAD_MAX_BYTES, "imageKey")
    try:
        store = credentials.read(data, _mime_type(data))
    except credentials.NoManifest:
        return {"hasManifest": False, "message": NO_MANIFEST_MESSAGE}
    except credentials.Unreadable as error:
        raise InvalidField("imageKey", "not a readable image",
                           "imageKey: the file is not an image whose Content Credentials can be read "
                           f"(PNG, JPEG or WebP): {error}") from error
    result = {"hasManifest": True, "message": _verdict(store.validation_state),
              "credentials": provenance.summary(store.manifests, store.active_label, store.validation_state),
              "failures": [f.get("code", "") for f in store.failures]}
    ours = provenance.ours(store.active)
    generation_id = str(ours.get("generationId", "")) if ours else ""
    if generation_id:
        record = generation_records.get(generation_id)
        if record is not None and access.can_read(record, user_id):
            result["generationId"] = generation_id
    return result


def _verdict(state: str) -> str:
    if state == "Trusted":
        return "The Content Credentials are valid and signed by a trusted signer."
    if state == "Valid":
        return ("The Content Credentials are valid: the image is unchanged since it was signed. The signer is "
                "not on a trust list this service knows.")
    return "The Content Credentials do not validate: the image or its manifest was changed after signing."


def _mime_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return credentials.PNG
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise InvalidField("imageKey", "not a PNG, JPEG or WebP image",
                       "imageKey: Content Credentials can be checked on PNG, JPEG and WebP images.")
