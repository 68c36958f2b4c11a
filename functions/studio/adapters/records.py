"""DynamoDB: generation records, idempotency keys, daily quotas and the gallery feeds.

One table (studio.storage_layout). A record is stored as a plain dict of the API's fields plus the
index attributes; this module alone knows the keys and the conditions.
"""

from __future__ import annotations

import json
import random
import time
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters import clients
from studio.errors import Conflict, QuotaExceeded, StorageError
from studio.settings import settings
from studio.storage_layout import (
    ACTIVE_PARTITION,
    DEADLINE_INDEX,
    INDEXES,
    LEASE_ATTRIBUTE,
    PARTITION_KEY,
    SORT_BY_CREATED,
    SORT_KEY,
    TTL_ATTRIBUTE,
)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
ACTIVE = ("PENDING", "RUNNING")
FEED_ATTRIBUTES = {index.name: index.partition_key for index in INDEXES}
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
QUOTA_TTL_SECONDS = 3 * 24 * 3600
# A write that raced another one (a transaction conflict, throttling, a flag changed under it) is
# tried this many times in all; then the caller gets a 409 "in progress, try again".
WRITE_ATTEMPTS = 4
RETRYABLE_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
                     "RequestLimitExceeded"}
RETRYABLE_ERRORS = {"TransactionConflictException", "TransactionInProgressException", "ThrottlingException",
                    "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
FAILED_CONDITION = "ConditionalCheckFailed"
IN_PROGRESS_MESSAGE = "Another change to this generation is in progress. Try again in a moment."
# Index attributes a record carries only while it is unfinished (studio.storage_layout byDeadline).
ACTIVE_ATTRIBUTES = ("activeFeed", "activeUntil", LEASE_ATTRIBUTE)


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
        if isinstance(value, set):  # a string set (the attempt tokens)
            return sorted(value)
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
    favorite = bool(record.get("favorite"))
    return {
        "ownerFeed": owner,
        "ownerModeFeed": f"{owner}#{mode}",
        "favoriteFeed": owner if favorite else None,
        "favoriteModeFeed": f"{owner}#{mode}" if favorite else None,
        "publicFeed": "public" if shared else None,
        "publicModeFeed": f"public#{mode}" if shared else None,
        "parentFeed": parent_partition(owner, parent) if (parent := record.get("lineage", {}).get("parentId")) else None,
        SORT_BY_CREATED: f"{record['createdAt']}#{record['id']}",
    }


def _storage_error(error: ClientError | BotoCoreError) -> StorageError:
    """ClientError (an AWS answer) or BotoCoreError (no answer: connection refused, read timeout)."""
    code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
    return StorageError("The gallery database did not answer. Try again.", {"awsError": code})


def _code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


def _pause(attempt: int) -> None:
    """Jittered exponential backoff between retries of a raced write (at most ~0.4 s)."""
    time.sleep(random.uniform(0, 0.05 * 2 ** attempt))


def _transact(actions: list[dict], in_progress: str = IN_PROGRESS_MESSAGE) -> list[str] | None:
    """TransactWriteItems: None when it went through, else the per-item cancellation reasons of a
    transaction that a condition cancelled. Conflicts and throttling are retried (bounded), then a
    409 Conflict; only a failed condition is an answer about the data."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            clients.get("dynamodb").transact_write_items(TransactItems=actions)
            return None
        except ClientError as error:
            if _code(error) == "TransactionCanceledException":
                reasons = [r.get("Code") or "None" for r in error.response.get("CancellationReasons", [])]
                if FAILED_CONDITION in reasons:
                    return reasons
                if not RETRYABLE_REASONS & set(reasons):
                    raise _storage_error(error) from error
            elif _code(error) not in RETRYABLE_ERRORS:
                raise _storage_error(error) from error
        except BotoCoreError as error:
            raise _storage_error(error) from error
        if attempt + 1 < WRITE_ATTEMPTS:
            _pause(attempt)
    raise Conflict(in_progress, code="in_progress")


def create_generation(record: dict, *, quota_day: str, quota_limit: int, quota_expires_at: int,
                      idempotency_key: str | None, request_hash: str, idempotency_expires_at: int,
                      retry_after: int, active_until: str) -> None:
    """Reserve quota, store the PENDING record and claim the idempotency key, all or nothing.

    The record is in the byDeadline index until it finishes: the sweeper ends it after `active_until`."""
    owner, images = record["ownerId"], record["imageCount"]
    item = {**record, **feed_attributes(record), PARTITION_KEY: f"GEN#{record['id']}", SORT_KEY: "GEN",
            "quotaDay": quota_day, "activeFeed": ACTIVE_PARTITION, "activeUntil": active_until}
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
    reasons = _transact(actions, "Another request of yours is being processed. Try again in a moment.")
    if reasons is None:
        return
    if len(reasons) > 2 and reasons[2] == FAILED_CONDITION:
        _raise_replay(owner, idempotency_key, request_hash)
    if reasons[0] == FAILED_CONDITION:
        raise QuotaExceeded(
            f"You have reached your daily limit of {quota_limit} images. It resets at midnight UTC.",
            {"limit": quota_limit}, retry_after=retry_after)
    raise StorageError("The gallery database did not answer. Try again.", {"awsError": "ConditionalCheckFailed"})


def _idempotency_key(owner: str, idempotency_key: str) -> dict:
    return _key("IDEM", f"{owner}#{idempotency_key}", "IDEM")


def _raise_replay(owner: str, idempotency_key: str, request_hash: str) -> None:
    try:
        item = clients.get("dynamodb").get_item(TableName=_table(), Key=_idempotency_key(owner, idempotency_key),
                                                ConsistentRead=True).get("Item")
    except (ClientError, BotoCoreError) as error:
        raise _storage_error(error) from error
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
    except (ClientError, BotoCoreError) as error:
        raise _storage_error(error) from error
    return _from_item(item) if item else None


def _update(request: dict) -> dict | None:
    """UpdateItem: its answer, or None when its condition failed."""
    try:
        return clients.get("dynamodb").update_item(**request)
    except ClientError as error:
        if _code(error) == "ConditionalCheckFailedException":
            return None
        raise _storage_error(error) from error
    except BotoCoreError as error:
        raise _storage_error(error) from error


def start(generation_id: str, now: str, attempt: str, lease_until: str) -> dict | None:
    """Claim the job: PENDING -> RUNNING under this attempt token, leased until `lease_until`.

    None when the record is gone, finished, or RUNNING under another attempt whose lease has not
    expired (a duplicate delivery): the record is then left untouched. An expired lease is a worker
    that died; its job may be claimed again. `attempts` keeps every token (their image folders)."""
    answer = _update({
        "TableName": _table(), "Key": generation_key(generation_id),
        "UpdateExpression": f"SET #s = :running, updatedAt = :now, attempt = :attempt, {LEASE_ATTRIBUTE} = :lease "
                            "ADD attempts :attempts",
        "ConditionExpression": "#s = :pending OR (#s = :running AND "
                               f"(attribute_not_exists({LEASE_ATTRIBUTE}) OR {LEASE_ATTRIBUTE} < :now))",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":running": {"S": "RUNNING"}, ":pending": {"S": "PENDING"}, ":now": {"S": now},
                                      ":attempt": {"S": attempt}, ":lease": {"S": lease_until},
                                      ":attempts": {"SS": [attempt]}},
        "ReturnValues": "ALL_NEW",
    })
    return _from_item(answer["Attributes"]) if answer else None


def release(generation_id: str, attempt: str) -> bool:
    """Give up the claim (the job will be retried): the next delivery may claim it at once."""
    return _update({
        "TableName": _table(), "Key": generation_key(generation_id), "UpdateExpression": f"REMOVE {LEASE_ATTRIBUTE}",
        "ConditionExpression": "#s = :running AND attempt = :attempt", "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":running": {"S": "RUNNING"}, ":attempt": {"S": attempt}},
    }) is not None


def _flag_condition(record: dict, name: str, placeholder: str, values: dict) -> str:
    """A condition that the flag still has the value read (or is still absent)."""
    if name not in record:
        return f"attribute_not_exists({placeholder})"
    values[f":was_{name}"] = {"BOOL": bool(record[name])}
    return f"{placeholder} = :was_{name}"


def complete(record: dict, attempt: str, images: list[dict], reference: dict | None, now: str) -> bool:
    """RUNNING -> COMPLETE with its images, for the attempt that holds the claim; False when the
    record was deleted, failed (the sweeper) or claimed by another attempt meanwhile.

    The shared-feed attributes come from the `public` flag of `record` (the item as the claim
    returned it): the update is conditioned on that flag, so a PATCH since the claim fails it, and
    the record is then read again. One write in the usual case, no read."""
    generation_id, current = record["id"], record
    for tries in range(WRITE_ATTEMPTS):
        if not current or current["status"] != "RUNNING" or current.get("attempt") != attempt:
            return False
        values = {":complete": {"S": "COMPLETE"}, ":running": {"S": "RUNNING"}, ":now": {"S": now},
                  ":attempt": {"S": attempt},
                  ":images": _serializer.serialize(json.loads(json.dumps(images), parse_float=Decimal))}
        sets, removes = ["#s = :complete", "images = :images", "updatedAt = :now"], list(ACTIVE_ATTRIBUTES)
        shared = feed_attributes({**current, "status": "COMPLETE"})
        for attribute in ("publicFeed", "publicModeFeed"):
            if shared[attribute]:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = {"S": shared[attribute]}
            else:
                removes.append(attribute)
        if reference:
            sets.append("referenceImage = :reference")
            values[":reference"] = _serializer.serialize(reference)
        condition = "#s = :running AND attempt = :attempt AND " + _flag_condition(current, "public", "#p", values)
        if _update({"TableName": _table(), "Key": generation_key(generation_id),
                    "UpdateExpression": f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
                    "ConditionExpression": condition, "ExpressionAttributeNames": {"#s": "status", "#p": "public"},
                    "ExpressionAttributeValues": values}) is not None:
            return True
        if tries + 1 == WRITE_ATTEMPTS:
            break
        if tries:  # changed again since the last read: contention, back off before reading
            _pause(tries - 1)
        current = get_generation(generation_id)
    raise Conflict(IN_PROGRESS_MESSAGE, code="in_progress")


def _failing(generation_id: str, code: str, message: str, now: str, attempt: str | None) -> dict:
    """The update that moves an unfinished record to FAILED with its reason (only under `attempt`'s
    claim when one is given: a worker never fails a job another attempt holds)."""
    condition = "#s IN (:pending, :running)"
    values = {":failed": {"S": "FAILED"}, ":pending": {"S": "PENDING"}, ":running": {"S": "RUNNING"},
              ":now": {"S": now}, ":error": _serializer.serialize({"code": code, "message": message})}
    if attempt is not None:
        condition = "#s = :running AND attempt = :attempt"
        values[":attempt"] = {"S": attempt}
        del values[":pending"]
    return {
        "TableName": _table(), "Key": generation_key(generation_id),
        "UpdateExpression": f"SET #s = :failed, #e = :error, updatedAt = :now REMOVE {', '.join(ACTIVE_ATTRIBUTES)}",
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#s": "status", "#e": "error"},
        "ExpressionAttributeValues": values,
    }


def _give_back(record: dict) -> dict:
    """The quota update that returns a record's images to its day (the item may have expired)."""
    return {"Update": {
        "TableName": _table(), "Key": _key("QUOTA", record["ownerId"], record["quotaDay"]),
        "UpdateExpression": "ADD used :minus",
        "ConditionExpression": "attribute_exists(used)",
        "ExpressionAttributeValues": {":minus": {"N": str(-int(record["imageCount"]))}},
    }}


def _settle(first: dict, optional: list[dict]) -> bool:
    """Write `first` with the `optional` companions whose items still exist, all or nothing.

    False when `first`'s condition failed. A companion whose condition failed (the quota item or
    the idempotency item expired, being TTL'd) is dropped and the rest written again."""
    actions = [first, *optional]
    while True:
        reasons = _transact(actions)
        if reasons is None:
            return True
        if reasons[0] == FAILED_CONDITION:
            return False
        actions = [first] + [a for a, r in zip(actions[1:], reasons[1:]) if r != FAILED_CONDITION]


def fail(record: dict, code: str, message: str, now: str, *, attempt: str | None = None,
         idempotency_key: str | None = None) -> bool:
    """PENDING/RUNNING -> FAILED and give the images back to the day's quota, once, atomically.

    With `attempt`, only while that attempt holds the claim. With `idempotency_key`, the key is
    released in the same write, so a retry with it starts a new generation. False when the record
    had already finished, was deleted, or is another attempt's."""
    optional = [_give_back(record)]
    if idempotency_key:
        optional.append({"Delete": {
            "TableName": _table(), "Key": _idempotency_key(record["ownerId"], idempotency_key),
            "ConditionExpression": "generationId = :id", "ExpressionAttributeValues": {":id": {"S": record["id"]}},
        }})
    return _settle({"Update": _failing(record["id"], code, message, now, attempt)}, optional)


def update_flags(generation_id: str, owner: str, favorite: bool | None, public: bool | None, now: str) -> dict | None:
    """Set favorite/public on the owner's record, keeping the sparse feed attributes in step.
    None when there is no such record of this owner.

    The feeds depend on the status too (only a COMPLETE record is shared): the update is
    conditioned on the status it read, and re-read when the worker finished the record meanwhile."""
    for tries in range(WRITE_ATTEMPTS):
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
                        ":owner": {"S": owner}, ":status": {"S": record["status"]}}
        for attribute in ("favoriteFeed", "favoriteModeFeed", "publicFeed", "publicModeFeed"):
            if feeds[attribute] is None:
                removes.append(attribute)
            else:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = {"S": feeds[attribute]}
        answer = _update({
            "TableName": _table(), "Key": generation_key(generation_id),
            "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            "ConditionExpression": "ownerId = :owner AND #s = :status",
            "ExpressionAttributeNames": {"#p": "public", "#s": "status"},
            "ExpressionAttributeValues": values, "ReturnValues": "ALL_NEW",
        })
        if answer is not None:
            return _from_item(answer["Attributes"])
        if tries + 1 < WRITE_ATTEMPTS:
            _pause(tries)
    raise Conflict(IN_PROGRESS_MESSAGE, code="in_progress")


def delete(record: dict) -> bool:
    """Delete the record as it was read (same owner, same status); an unfinished one gives its
    images back to the quota in the same write. False when it is gone or changed meanwhile: read
    it again (a record that completed since has images to delete first)."""
    deleting = {"Delete": {
        "TableName": _table(), "Key": generation_key(record["id"]),
        "ConditionExpression": "ownerId = :owner AND #s = :status", "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":owner": {"S": record["ownerId"]}, ":status": {"S": record["status"]}},
    }}
    return _settle(deleting, [_give_back(record)] if record["status"] in ACTIVE and "quotaDay" in record else [])


def _query(request: dict) -> tuple[list[dict], dict | None]:
    try:
        answer = clients.get("dynamodb").query(**request)
    except (ClientError, BotoCoreError) as error:
        raise _storage_error(error) from error
    last = answer.get("LastEvaluatedKey")
    return [_from_item(i) for i in answer.get("Items", [])], ({k: v["S"] for k, v in last.items()} if last else None)


def query_feed(index: str, partition: str, limit: int, start_key: dict | None) -> tuple[list[dict], dict | None]:
    """One page of a feed, newest first; the key to continue from (plain strings), or None.

    A key condition only, never a FilterExpression: a page reads exactly the items it returns."""
    request: dict = {
        "TableName": _table(), "IndexName": index, "Limit": limit, "ScanIndexForward": False,
        "KeyConditionExpression": "#f = :f", "ExpressionAttributeNames": {"#f": FEED_ATTRIBUTES[index]},
        "ExpressionAttributeValues": {":f": {"S": partition}},
    }
    if start_key:
        request["ExclusiveStartKey"] = {k: {"S": v} for k, v in start_key.items()}
    return _query(request)


def overdue(now: str, limit: int, start_key: dict | None = None) -> tuple[list[dict], dict | None]:
    """Unfinished records whose deadline is before `now`, oldest deadline first (byDeadline index)."""
    request: dict = {
        "TableName": _table(), "IndexName": DEADLINE_INDEX, "Limit": limit,
        "KeyConditionExpression": "activeFeed = :active AND activeUntil < :now",
        "ExpressionAttributeValues": {":active": {"S": ACTIVE_PARTITION}, ":now": {"S": now}},
    }
    if start_key:
        request["ExclusiveStartKey"] = {k: {"S": v} for k, v in start_key.items()}
    return _query(request)


def use_text_call(owner: str, day: str, limit: int, expires_at: int, retry_after: int) -> int:
    """Count one text-model call (translate, suggest, describe) against the owner's day, or refuse
    it when the day's `limit` is reached: the image quota's conditional ADD, on its own item."""
    answer = _update({
        "TableName": _table(), "Key": _key("TEXTQUOTA", owner, day),
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


def _batch_get(keys: list[dict], **options: Any) -> tuple[list[dict], bool]:
    """BatchGetItem of `keys` (<= 100) on the table: (the items found, whether every key was
    answered). Unprocessed keys (throttling) are asked again once."""
    request, items = {_table(): {"Keys": keys, **options}}, []
    for _attempt in range(2):
        try:
            answer = clients.get("dynamodb").batch_get_item(RequestItems=request)
        except (ClientError, BotoCoreError) as error:
            raise _storage_error(error) from error
        items += answer.get("Responses", {}).get(_table(), [])
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            return items, True
    return items, False


def used_on(owner: str, day: str) -> tuple[int, int]:
    """(images, text calls) the owner has used on `day` (0 for a day not begun), in one
    BatchGetItem of the two quota items."""
    items, complete = _batch_get([_key("QUOTA", owner, day), _key("TEXTQUOTA", owner, day)], ConsistentRead=True,
                                 ProjectionExpression="#pk, used", ExpressionAttributeNames={"#pk": PARTITION_KEY})
    if not complete:
        raise StorageError("The gallery database did not answer. Try again.")
    used = {item[PARTITION_KEY]["S"].split("#", 1)[0]: max(0, int(item.get("used", {"N": "0"})["N"])) for item in items}
    return used.get("QUOTA", 0), used.get("TEXTQUOTA", 0)


# --- search ---------------------------------------------------------------------------------
BATCH_GET_MAX = 100


def get_many(generation_ids: list[str]) -> dict[str, dict]:
    """id -> record for the ids that exist, in one BatchGetItem (<= 100 distinct ids); ids still
    unprocessed after one more ask (throttling) are left out."""
    ids = list(dict.fromkeys(generation_ids))[:BATCH_GET_MAX]
    if not ids:
        return {}
    items, _complete = _batch_get([generation_key(i) for i in ids])
    return {record["id"]: record for record in map(_from_item, items)}


def set_annotations(generation_id: str, annotations: list[dict], public: bool, now: str) -> bool:
    """Store the images' captions and tags and mark the record indexed, if it still exists with
    the same public flag the index was written with (False otherwise: the caller re-checks)."""
    return _update({
        "TableName": _table(), "Key": generation_key(generation_id),
        "UpdateExpression": "SET annotations = :a, indexedAt = :now",
        "ConditionExpression": f"attribute_exists({PARTITION_KEY}) AND #p = :public",
        "ExpressionAttributeNames": {"#p": "public"},
        "ExpressionAttributeValues": {":a": _serializer.serialize(json.loads(json.dumps(annotations))),
                                      ":now": {"S": now}, ":public": {"BOOL": public}},
    }) is not None


def unindexed_page(limit: int, start_key: dict | None) -> tuple[list[str], dict | None]:
    """Backfill: ids of COMPLETE generations not yet indexed, one bounded Scan page at a time.

    A Scan, on purpose: an operator's one-off job over the whole table, never a request path."""
    request: dict = {
        "TableName": _table(), "Limit": limit,
        "FilterExpression": "#sk = :gen AND #s = :complete AND attribute_not_exists(indexedAt)",
        "ExpressionAttributeNames": {"#sk": SORT_KEY, "#s": "status"},
        "ExpressionAttributeValues": {":gen": {"S": "GEN"}, ":complete": {"S": "COMPLETE"}},
        "ProjectionExpression": "id",
    }
    if start_key:
        request["ExclusiveStartKey"] = start_key
    try:
        answer = clients.get("dynamodb").scan(**request)
    except (ClientError, BotoCoreError) as error:
        raise _storage_error(error) from error
    return [i["id"]["S"] for i in answer.get("Items", [])], answer.get("LastEvaluatedKey")
