"""Opaque, tamper-evident gallery cursors: the position in a feed, signed with HMAC-SHA256.

A cursor is bound to the feed it came from (index and partition), so even a validly signed
cursor cannot be replayed against another user's feed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from studio.errors import BadRequest

SIGNATURE_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(key: bytes, index: str, partition: str, position: dict[str, str]) -> str:
    payload = json.dumps({"i": index, "p": partition, "k": position}, separators=(",", ":"), sort_keys=True).encode()
    signature = hmac.new(key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return f"{_b64(payload)}.{_b64(signature)}"


def decode(key: bytes, cursor: str, index: str, partition: str) -> dict[str, str]:
    invalid = BadRequest("cursor: not a cursor this gallery issued for these filters. Start again without a cursor.",
                         [{"field": "cursor", "rule": "must be the nextCursor of the previous page"}],
                         code="invalid_cursor")
    try:
        payload_text, signature_text = cursor.split(".", 1)
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except ValueError as error:
        raise invalid from error
    expected = hmac.new(key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    if not hmac.compare_digest(signature, expected):
        raise invalid
    data = json.loads(payload)
    if data.get("i") != index or data.get("p") != partition or not isinstance(data.get("k"), dict):
        raise invalid
    return {str(k): str(v) for k, v in data["k"].items()}
