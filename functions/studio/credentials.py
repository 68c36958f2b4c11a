"""C2PA Content Credentials through the official bindings (c2pa-python): embed a signed manifest in
a PNG, and read the manifest store of any image. No AWS here: the signature comes from a callback
(studio.adapters.signing.sign in the worker), so this module runs the same with any signer.

The bindings are imported on first use, so the functions that never sign or read do not load the
native library at cold start (about 20 MB).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any, Callable

PNG = "image/png"
# What the reader accepts from an upload (the upload flow allows these types only).
READABLE_TYPES = (PNG, "image/jpeg", "image/webp")
# No claim thumbnail: the full-size file is the product's own, a thumbnail would only add ~40 KB
# per image and its encoding time. No network while reading: a manifest that points at a remote
# store, or a certificate's OCSP responder, is not fetched (the functions have no internet path
# they should use for a stranger's file). No verification inside sign: the worker reads every signed
# file back (studio/logic/content_credentials.py), which validates it once instead of twice.
SETTINGS = {
    "builder": {"thumbnail": {"enabled": False}},
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False, "verify_after_sign": False},
}


@dataclass(frozen=True)
class Ingredient:
    """An image a manifest names: its bytes (with their own manifest, if any), how it was used, and
    the label the actions refer to it by."""

    data: bytes
    format: str
    title: str
    relationship: str  # parentOf, componentOf or inputTo
    label: str


class NoManifest(Exception):
    """The image carries no C2PA manifest."""


class Unreadable(Exception):
    """The bytes are not an image the reader understands (or its manifest store is broken)."""


def _c2pa() -> Any:
    import c2pa

    return c2pa


def _context(c2pa: Any) -> Any:
    return c2pa.Context.from_dict(SETTINGS)


def sign_png(png: bytes, definition: dict, ingredients: list[Ingredient], sign: Callable[[bytes], bytes],
             chain_pem: str, tsa_url: str = "") -> bytes:
    """`png` with `definition` (a manifest definition: claim generator, assertions) and its
    ingredients embedded and signed (ES256) by `sign` for the certificate chain `chain_pem`."""
    c2pa = _c2pa()
    with _context(c2pa) as context, \
            c2pa.Signer.from_callback(sign, c2pa.C2paSigningAlg.ES256, chain_pem, tsa_url or None) as signer, \
            c2pa.Builder(definition, context) as builder:
        for ingredient in ingredients:
            builder.add_ingredient({"title": ingredient.title, "relationship": ingredient.relationship,
                                    "label": ingredient.label}, ingredient.format, io.BytesIO(ingredient.data))
        signed = io.BytesIO()
        builder.sign(signer, PNG, io.BytesIO(png), signed)
        return signed.getvalue()


@dataclass(frozen=True)
class Store:
    """What a reader found: the whole manifest store (as c2pa's JSON) and its validation state."""

    manifests: dict
    active_label: str
    validation_state: str  # Trusted, Valid or Invalid (c2pa's ValidationState)
    failures: list[dict]

    @property
    def active(self) -> dict:
        return self.manifests.get(self.active_label, {})


def read(data: bytes, mime_type: str = PNG) -> Store:
    """The manifest store embedded in `data`. Raises NoManifest when there is none."""
    c2pa = _c2pa()
    try:
        with _context(c2pa) as context:
            reader = c2pa.Reader.try_create(mime_type, io.BytesIO(data), context=context)
            if reader is None:
                raise NoManifest()
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError as error:
        if "ManifestNotFound" in type(error).__name__ or "JUMBF" in str(error):
            raise NoManifest() from error
        raise Unreadable(str(error)) from error
    results = store.get("validation_results") or {}
    failures = list((results.get("activeManifest") or {}).get("failure", []))
    for delta in results.get("ingredientDeltas", []):
        failures += (delta.get("validationDeltas") or {}).get("failure", [])
    return Store(manifests=store.get("manifests", {}), active_label=store.get("active_manifest", ""),
                 validation_state=store.get("validation_state", "Invalid"), failures=failures)
