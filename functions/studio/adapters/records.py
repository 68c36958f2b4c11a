"""DynamoDB: generation records, idempotency keys, daily quotas and the gallery feeds.

One table (studio.schema). A record is stored as a plain dict of the API's fields plus the
index attributes; this module alone knows the keys and the conditions.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from studio.adapters import clients
from studio.errors import Conflict, QuotaExceeded, StorageError
from studio.schema import INDEXES, PARTITION_KEY, SORT_KEY, SORT_BY_CREATED, TTL_ATTRIBUTE
from studio.settings import settings

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
ACTIVE = ("PENDING", "RUNNING")
FEED_ATTRIBUTES = {index.name: index.partition_key for index in INDEXES}
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
QUOTA_TTL_SECONDS = 3 * 24 * 3600


class IdempotentReplay(Exception):
    """The idempotency key was used before by this caller: here is the first generation's id."""

    def __init__(self, generation_id: str) -> None:
        super().__init__(generation_id)
        self.generation_id = generation_id


def _table() -> str:
    return settings().require("table_name")


def _to_item(values: dict[str, Any]) -> dict:
    plain = json.loads(json.dumps(values), parse_float=Decimal)
    return {k: _serializer.serialize(v) for k, v in plain.items() if v is not None}


def _from_item(item: dict) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {k: plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _key(kind: str, ident: str, sort: str | None = None) -> dict:
    return {PARTITION_KEY: {"S": f"{kind}#{ident}"}, SORT_KEY: {"S": sort or kind}}


def generation_key(generation_id: str) -> dict:
    return _key("GEN", generation_id)


def parent_partition(owner: str, parent_id: str) -> str:
    return f"{owner}#{parent_id}"


def feed_attributes(record: dict) -> dict[str, Any]:
    """The sparse index attributes a record carries, from its owner, mode, status and flags.

    The owner sees every record of theirs (pending and failed ones too); everyone else sees a
    shared record only once it is COMPLETE."""
    owner, mode = record["ownerId"], record["mode"]
    shared = bool(record.get("public")) and record.get("status") == "COMPLETE"
    return {
        "ownerFeed": owner,
        "ownerModeFeed": f"{owner}#{mode}",
        "favoriteFeed": owner if record.get("favorite") else None,
        "publicFeed": "public" if shared else None,
        "publicModeFeed": f"public#{mode}" if shared else None,
        "parentFeed": parent_partition(owner, parent) if (parent := record.get("lineage", {}).get("parentId")) else None,
        SORT_BY_CREATED: f"{record['createdAt']}#{record['id']}",
    }


def _storage_error(error: ClientError) -> StorageError:
    return StorageError("The gallery database did not answer. Try again.", {"awsError": error.response["Error"]["Code"]})


def create_generation(record: dict, *, quota_day: str, quota_limit: int, quota_expires_at: int,
                      idempotency_key: str | None, request_hash: str, idempotency_expires_at: int,
                      retry_after: int) -> None:
    """Reserve quota, store the PENDING record and claim the idempotency key, all or nothing."""
    owner, images = record["ownerId"], record["imageCount"]
    item = {**record, **feed_attributes(record), PARTITION_KEY: f"GEN#{record['id']}", SORT_KEY: "GEN",
            "quotaDay": quota_day}
    actions: list[dict] = [
        {"Update": {
            "TableName": _table(), "Key": _key("QUOTA", owner, quota_day),
            "UpdateExpression": "ADD used :n SET #ttl = :ttl",
            "ConditionExpression": "attribute_not_exists(used) OR used <= :room",
            "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":n": {"N": str(images)}, ":room": {"N": str(quota_limit - images)},
                                          ":ttl": {"N": str(quota_expires_at)}},
        }},
        {"Put": {"TableName": _table(), "Item": _to_item(item),
                 "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})"}},
    ]
    if idempotency_key:
        actions.append({"Put": {
            "TableName": _table(),
            "Item": _to_item({PARTITION_KEY: f"IDEM#{owner}#{idempotency_key}", SORT_KEY: "IDEM",
                              "generationId": record["id"], "requestHash": request_hash,
                              TTL_ATTRIBUTE: idempotency_expires_at}),
            "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})",
        }})
    if quota_limit < images:
        raise QuotaExceeded(f"Your daily limit is {quota_limit} images. It resets at midnight UTC.",
                            retry_after=retry_after)
    try:
        clients.get("dynamodb").transact_write_items(TransactItems=actions)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise _storage_error(error) from error
        reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
        if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
            _raise_replay(owner, idempotency_key, request_hash)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise QuotaExceeded(
                f"You have reached your daily limit of {quota_limit} images. It resets at midnight UTC.",
                {"limit": quota_limit}, retry_after=retry_after) from error
        raise _storage_error(error) from error


def _raise_replay(owner: str, idempotency_key: str, request_hash: str) -> None:
    item = clients.get("dynamodb").get_item(TableName=_table(), Key=_key("IDEM", f"{owner}#{idempotency_key}", "IDEM"),
                                            ConsistentRead=True).get("Item")
    if not item:  # claimed and expired in between: vanishingly rare; ask for a retry
        raise Conflict("That Idempotency-Key is being used by another request. Try again.")
    stored = _from_item(item)
    if stored.get("requestHash") != request_hash:
        raise Conflict("This Idempotency-Key was already used with a different request. Use a new key.",
                       code="idempotency_conflict")
    raise IdempotentReplay(stored["generationId"])


def get_generation(generation_id: str) -> dict | None:
    try:
        item = clients.get("dynamodb").get_item(TableName=_table(), Key=generation_key(generation_id),
                                                ConsistentRead=True).get("Item")
    except ClientError as error:
        raise _storage_error(error) from error
    return _from_item(item) if item else None


def start(generation_id: str, now: str) -> dict | None:
    """PENDING/RUNNING -> RUNNING; None when the record is gone or already finished."""
    try:
        answer = clients.get("dynamodb").update_item(
            TableName=_table(), Key=generation_key(generation_id),
            UpdateExpression="SET #s = :running, updatedAt = :now",
            ConditionExpression="#s IN (:pending, :running)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":running": {"S": "RUNNING"}, ":pending": {"S": "PENDING"}, ":now": {"S": now}},
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise _storage_error(error) from error
    return _from_item(answer["Attributes"])


def complete(record: dict, images: list[dict], reference: dict | None, now: str) -> bool:
    """RUNNING -> COMPLETE with its images (and into the shared feeds when public); False when the
    record was deleted meanwhile."""
    generation_id = record["id"]
    values = {":complete": {"S": "COMPLETE"}, ":running": {"S": "RUNNING"}, ":now": {"S": now},
              ":images": _serializer.serialize(json.loads(json.dumps(images), parse_float=Decimal))}
    expression = "SET #s = :complete, images = :images, updatedAt = :now"
    shared = feed_attributes({**record, "status": "COMPLETE"})
    for attribute in ("publicFeed", "publicModeFeed"):
        if shared[attribute]:
            expression += f", {attribute} = :{attribute}"
            values[f":{attribute}"] = {"S": shared[attribute]}
    if reference:
        expression += ", referenceImage = :reference"
        values[":reference"] = _serializer.serialize(reference)
    try:
        clients.get("dynamodb").update_item(
            TableName=_table(), Key=generation_key(generation_id), UpdateExpression=expression,
            ConditionExpression="#s = :running", ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values,
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise _storage_error(error) from error
    return True


def _failing(generation_id: str, code: str, message: str, now: str) -> dict:
    """The update that moves an unfinished record to FAILED with its reason."""
    return {
        "TableName": _table(), "Key": generation_key(generation_id),
        "UpdateExpression": "SET #s = :failed, #e = :error, updatedAt = :now",
        "ConditionExpression": "#s IN (:pending, :running)",
        "ExpressionAttributeNames": {"#s": "status", "#e": "error"},
        "ExpressionAttributeValues": {
            ":failed": {"S": "FAILED"}, ":pending": {"S": "PENDING"}, ":running": {"S": "RUNNING"},
            ":now": {"S": now}, ":error": _serializer.serialize({"code": code, "message": message}),
        },
    }


def fail(record: dict, code: str, message: str, now: str) -> bool:
    """PENDING/RUNNING -> FAILED and give the images back to the day's quota, once, atomically.

    False when the record had already finished or was deleted."""
    failing = _failing(record["id"], code, message, now)
    actions = [
        {"Update": failing},
        {"Update": {
            "TableName": _table(), "Key": _key("QUOTA", record["ownerId"], record["quotaDay"]),
            "UpdateExpression": "ADD used :minus",
            "ConditionExpression": "attribute_exists(used)",
            "ExpressionAttributeValues": {":minus": {"N": str(-int(record["imageCount"]))}},
        }},
    ]
    try:
        clients.get("dynamodb").transact_write_items(TransactItems=actions)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise _storage_error(error) from error
        reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return False
        # The quota item expired (a job older than its TTL): fail the record without it.
        try:
            clients.get("dynamodb").update_item(**failing)
        except ClientError as retry_error:
            if retry_error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise _storage_error(retry_error) from retry_error
    return True

def update_flags(generation_id: str, owner: str, favorite: bool | None, public: bool | None, now: str) -> dict | None:
    """Set favorite/public on the owner's record, keeping the sparse feed attributes in step.
    None when there is no such record of this owner."""
    record = get_generation(generation_id)
    if not record or record["ownerId"] != owner:
        return None
    changed = {**record}
    if favorite is not None:
        changed["favorite"] = favorite
    if public is not None:
        changed["public"] = public
    feeds = feed_attributes(changed)
    sets, removes = ["favorite = :favorite", "#p = :public", "updatedAt = :now"], []
    values: dict = {":favorite": {"BOOL": changed.get("favorite", False)},
                    ":public": {"BOOL": changed.get("public", False)}, ":now": {"S": now},
                    ":owner": {"S": owner}}
    for attribute in ("favoriteFeed", "publicFeed", "publicModeFeed"):
        if feeds[attribute] is None:
            removes.append(attribute)
        else:
            sets.append(f"{attribute} = :{attribute}")
            values[f":{attribute}"] = {"S": feeds[attribute]}
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    try:
        answer = clients.get("dynamodb").update_item(
            TableName=_table(), Key=generation_key(generation_id), UpdateExpression=expression,
            ConditionExpression="ownerId = :owner", ExpressionAttributeNames={"#p": "public"},
            ExpressionAttributeValues=values, ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise _storage_error(error) from error
    return _from_item(answer["Attributes"])


def delete(generation_id: str, owner: str) -> dict | None:
    """Delete the owner's record; the deleted record, or None when there was none of this owner."""
    try:
        answer = clients.get("dynamodb").delete_item(
            TableName=_table(), Key=generation_key(generation_id), ConditionExpression="ownerId = :owner",
            ExpressionAttributeValues={":owner": {"S": owner}}, ReturnValues="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise _storage_error(error) from error
    return _from_item(answer["Attributes"]) if answer.get("Attributes") else None


def query_feed(index: str, partition: str, limit: int, start_key: dict | None,
               mode_filter: str | None = None) -> tuple[list[dict], dict | None]:
    """One page of a feed, newest first; the key to continue from (plain strings), or None."""
    request: dict = {
        "TableName": _table(), "IndexName": index, "Limit": limit, "ScanIndexForward": False,
        "KeyConditionExpression": "#f = :f", "ExpressionAttributeNames": {"#f": FEED_ATTRIBUTES[index]},
        "ExpressionAttributeValues": {":f": {"S": partition}},
    }
    if mode_filter:
        request["FilterExpression"] = "#m = :m"
        request["ExpressionAttributeNames"]["#m"] = "mode"
        request["ExpressionAttributeValues"][":m"] = {"S": mode_filter}
    if start_key:
        request["ExclusiveStartKey"] = {k: {"S": v} for k, v in start_key.items()}
    try:
        answer = clients.get("dynamodb").query(**request)
    except ClientError as error:
        raise _storage_error(error) from error
    last = answer.get("LastEvaluatedKey")
    return [_from_item(i) for i in answer.get("Items", [])], ({k: v["S"] for k, v in last.items()} if last else None)


def use_text_call(owner: str, day: str, limit: int, expires_at: int, retry_after: int) -> int:
    """Count one text-model call (translate, suggest, describe) against the owner's day, or refuse
    it when the day's `limit` is reached: the image quota's conditional ADD, on its own item."""
    try:
        answer = clients.get("dynamodb").update_item(
            TableName=_table(), Key=_key("TEXTQUOTA", owner, day),
            UpdateExpression="ADD used :one SET #ttl = :ttl",
            ConditionExpression="attribute_not_exists(used) OR used < :limit",
            ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}, ":ttl": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise QuotaExceeded(
                f"You have reached your daily limit of {limit} text requests (translate, suggest, describe). "
                "It resets at midnight UTC.", {"limit": limit, "kind": "text"}, retry_after=retry_after) from error
        raise _storage_error(error) from error
    return int(answer["Attributes"]["used"]["N"])


def text_calls_used(owner: str, day: str) -> int:
    """How many text-model calls the owner made today (0 when none)."""
    try:
        item = clients.get("dynamodb").get_item(TableName=_table(), Key=_key("TEXTQUOTA", owner, day),
                                                ProjectionExpression="used").get("Item")
    except ClientError as error:
        raise _storage_error(error) from error
    return int(item["used"]["N"]) if item else 0
