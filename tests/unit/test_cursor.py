"""Gallery cursors are opaque, signed and bound to their feed."""

import base64
import json

import pytest

from studio.errors import BadRequest
from studio.logic import cursor

KEY = b"secret-key"
POSITION = {"pk": "GEN#abc", "sk": "GEN", "ownerFeed": "user-a", "createdSort": "2026-11-26T17:00:00.000Z#abc"}


def invalid(text, index="byOwner", partition="user-a", key=KEY):
    with pytest.raises(BadRequest) as caught:
        cursor.decode(key, text, index, partition)
    assert caught.value.status == 400 and caught.value.code == "invalid_cursor"
    assert caught.value.details[0]["field"] == "cursor"


def test_given_an_encoded_cursor_when_decoded_for_the_same_feed_then_the_position_comes_back():
    text = cursor.encode(KEY, "byOwner", "user-a", POSITION)
    assert cursor.decode(KEY, text, "byOwner", "user-a") == POSITION
    assert "user-a" not in text and "byOwner" not in text  # opaque: base64url payload, then signature
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_given_a_tampered_payload_then_400_invalid_cursor():
    text = cursor.encode(KEY, "byOwner", "user-a", POSITION)
    payload, signature = text.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["k"]["ownerFeed"] = "user-b"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    invalid(f"{forged}.{signature}")


def test_given_a_tampered_signature_then_400_invalid_cursor():
    text = cursor.encode(KEY, "byOwner", "user-a", POSITION)
    payload, signature = text.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    invalid(f"{payload}.{flipped}")


def test_given_a_cursor_signed_with_another_key_then_400():
    invalid(cursor.encode(b"other-key", "byOwner", "user-a", POSITION))


@pytest.mark.parametrize("garbage", ["", "no-dot-here", "a.b.c", "%%%.%%%", "é.é", "....", "eyJ9.AAAA"])
def test_given_garbage_then_400_not_500(garbage):
    invalid(garbage)


def test_given_a_cursor_from_another_feed_or_partition_then_400():
    text = cursor.encode(KEY, "byOwner", "user-a", POSITION)
    invalid(text, index="byOwnerFavorite")
    invalid(text, partition="user-b")
    invalid(text, index="byPublic", partition="public")


def test_given_a_signed_payload_without_a_position_then_400():
    import hashlib
    import hmac

    payload = json.dumps({"i": "byOwner", "p": "user-a", "k": "not-a-dict"}).encode()
    signature = hmac.new(KEY, payload, hashlib.sha256).digest()[:cursor.SIGNATURE_BYTES]
    invalid(f"{cursor._b64(payload)}.{cursor._b64(signature)}")
