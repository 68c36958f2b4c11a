"""DynamoDB: each user's daily quotas, images and text calls, one counter item per user and UTC day.

An image generation reserves its images in the same transaction that stores its record
(generation_records.create), and a generation that fails or is deleted unfinished gives them back
in the transaction that ends it: the counter always equals what the day's records hold.
"""

from __future__ import annotations

from studio.adapters import table
from studio.errors import QuotaExceeded, StorageError
from studio.storage_layout import PARTITION_KEY, TTL_ATTRIBUTE

QUOTA_TTL_SECONDS = 3 * 24 * 3600
IMAGES, TEXT = "QUOTA", "TEXTQUOTA"


def reserve(owner: str, day: str, images: int, limit: int, expires_at: int) -> dict:
    """The transaction action that counts `images` more on the owner's day, if they fit `limit`."""
    return {"Update": {
        "TableName": table.name(), "Key": table.key(IMAGES, owner, day),
        "UpdateExpression": "ADD used :n SET #ttl = :ttl",
        "ConditionExpression": "attribute_not_exists(used) OR used <= :room",
        "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
        "ExpressionAttributeValues": {":n": {"N": str(images)}, ":room": {"N": str(limit - images)},
                                      ":ttl": {"N": str(expires_at)}},
    }}


def give_back(record: dict) -> dict:
    """The transaction action that returns a record's images to its day (the item may have expired)."""
    return {"Update": {
        "TableName": table.name(), "Key": table.key(IMAGES, record["ownerId"], record["quotaDay"]),
        "UpdateExpression": "ADD used :minus",
        "ConditionExpression": "attribute_exists(used)",
        "ExpressionAttributeValues": {":minus": {"N": str(-int(record["imageCount"]))}},
    }}


def use_text_call(owner: str, day: str, limit: int, expires_at: int, retry_after: int) -> int:
    """Count one text-model call (translate, suggest, describe) against the owner's day, or refuse
    it when the day's `limit` is reached: the image quota's conditional ADD, on its own item."""
    answer = table.update({
        "Key": table.key(TEXT, owner, day),
        "UpdateExpression": "ADD used :one SET #ttl = :ttl",
        "ConditionExpression": "attribute_not_exists(used) OR used < :limit",
        "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
        "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": str(limit)}, ":ttl": {"N": str(expires_at)}},
        "ReturnValues": "UPDATED_NEW",
    })
    if answer is None:
        raise QuotaExceeded(
            f"You have reached your daily limit of {limit} text requests (translate, suggest, describe). "
            "It resets at midnight UTC.", {"limit": limit, "kind": "text"}, retry_after=retry_after)
    return int(answer["Attributes"]["used"]["N"])


def give_back_text_call(owner: str, day: str) -> bool:
    """Return one text call to the owner's `day` (a call the model failed); never below 0. False when
    there was nothing to give back (the day's item expired or is already at 0)."""
    return table.update({
        "Key": table.key(TEXT, owner, day),
        "UpdateExpression": "ADD used :minus",
        "ConditionExpression": "used > :zero",
        "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":zero": {"N": "0"}},
    }) is not None


def day_keys(owner: str, day: str) -> list[dict]:
    """The keys of the owner's two quota items of `day` (images, text calls)."""
    return [table.key(IMAGES, owner, day), table.key(TEXT, owner, day)]


def used_in(items: list[dict]) -> tuple[int, int]:
    """(images, text calls) counted by the quota items among `items` (DynamoDB items; others ignored)."""
    used = {item[PARTITION_KEY]["S"].split("#", 1)[0]: max(0, int(item.get("used", {"N": "0"})["N"])) for item in items}
    return used.get(IMAGES, 0), used.get(TEXT, 0)


def used_on(owner: str, day: str, also: list[dict] = ()) -> tuple[tuple[int, int], list[dict]]:
    """((images, text calls) the owner has used on `day`, 0 for a day not begun), and the items of the
    `also` keys, in one BatchGetItem (GET /models reads the model states with it)."""
    items, complete = table.batch_get([*day_keys(owner, day), *also], ConsistentRead=True)
    if not complete:
        raise StorageError(table.UNAVAILABLE_MESSAGE)
    return used_in(items), items
