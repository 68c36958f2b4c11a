"""DynamoDB: generation records (generations and edits), one item each, with their state machine's writes.

A record is a plain dict of the API's fields (GenerationRecord) plus the index attributes of its
feeds (adapters/feeds.py). Its status moves PENDING -> RUNNING -> COMPLETE or FAILED only through
the conditional writes here, and only logic/lifecycle.py calls those (tests/unit/test_layering.py).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from studio.adapters import facets, feeds, idempotency, quotas, table, tags
from studio.errors import Conflict, QuotaExceeded, StorageError
from studio.storage_layout import (ACTIVE_PARTITION, FACETS_VERSION, FACETS_VERSION_ATTRIBUTE, LEASE_ATTRIBUTE,
                                   PARTITION_KEY, SORT_KEY)

ACTIVE = ("PENDING", "RUNNING")
# Index attributes a record carries only while it is unfinished (studio.storage_layout byDeadline).
ACTIVE_ATTRIBUTES = ("activeFeed", "activeUntil", LEASE_ATTRIBUTE)
BATCH_GET_MAX = 100


class GenerationRecord(TypedDict, total=False):
    """A stored generation or edit, as the adapters hand it to the logic (index attributes aside)."""

    id: str
    ownerId: str
    status: Literal["PENDING", "RUNNING", "COMPLETE", "FAILED"]
    mode: str
    modelId: str
    operation: str  # edits only
    imageCount: int
    estimatedCost: float
    createdAt: str
    updatedAt: str
    quotaDay: str
    favorite: bool
    public: bool
    request: dict[str, Any]  # the request as sent to the model (private keys shown to the owner only)
    lineage: dict[str, Any]
    source: dict[str, Any]  # edits: the image edited {key, width, height}
    images: list[dict[str, Any]]  # {key, thumbnailKey, width, height, seed}
    referenceImage: dict[str, str]  # {key}: the reference as the model got it
    error: dict[str, str]  # {code, message}
    attempt: str  # the claim's token while RUNNING
    attempts: list[str]  # every claim's token (their image folders)
    annotations: list[dict[str, Any]]
    indexedAt: str
    tags: list[str]  # the image's tags: automatic (the index job) until its owner edits them
    tagsEdited: bool
    batchId: str  # the batch (POST /generations/batch) it belongs to


def key(generation_id: str) -> dict:
    return table.key("GEN", generation_id)


def get(generation_id: str) -> GenerationRecord | None:
    return table.get(key(generation_id))  # type: ignore[return-value]


def get_many(generation_ids: list[str]) -> dict[str, GenerationRecord]:
    """id -> record for the ids that exist, in one BatchGetItem (<= 100 distinct ids); ids still
    unprocessed after one more ask (throttling) are left out."""
    ids = list(dict.fromkeys(generation_ids))[:BATCH_GET_MAX]
    if not ids:
        return {}
    items, _complete = table.batch_get([key(i) for i in ids])
    return {record["id"]: record for record in map(table.from_item, items)}  # type: ignore[misc]


def _new_pending(record: GenerationRecord, quota_day: str, active_until: str) -> list[dict]:
    """The Put of a new PENDING record (in the byDeadline index until it finishes: the sweeper ends it after
    `active_until`), then its facet rows (adapters/facets.py)."""
    item = {**record, **feeds.attributes(record), PARTITION_KEY: f"GEN#{record['id']}", SORT_KEY: "GEN",
            "quotaDay": quota_day, "activeFeed": ACTIVE_PARTITION, "activeUntil": active_until,
            FACETS_VERSION_ATTRIBUTE: FACETS_VERSION}
    return [{"Put": {"TableName": table.name(), "Item": table.to_item(item),
                     "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})"}}, *facets.changes(None, record)]


def create(record: GenerationRecord, *, quota_day: str, quota_limit: int, quota_expires_at: int,
           idempotency_key: str | None, request_hash: str, idempotency_expires_at: int,
           retry_after: int, active_until: str) -> None:
    """Reserve quota, store the PENDING record and claim the idempotency key, all or nothing."""
    owner, images = record["ownerId"], record["imageCount"]
    put, *rows = _new_pending(record, quota_day, active_until)
    actions: list[dict] = [quotas.reserve(owner, quota_day, images, quota_limit, quota_expires_at), put]
    if idempotency_key:
        actions.append(idempotency.claim(owner, idempotency_key, record["id"], request_hash, idempotency_expires_at))
    actions += rows  # after the conditioned items: reasons[2] is the key's
    if quota_limit < images:
        raise QuotaExceeded(f"Your daily limit is {quota_limit} images. It resets at midnight UTC.",
                            retry_after=retry_after)
    reasons = table.transact(actions, "Another request of yours is being processed. Try again in a moment.")
    if reasons is None:
        return
    if idempotency_key and reasons[2] == table.FAILED_CONDITION:
        idempotency.raise_replay(owner, idempotency_key, request_hash)
    if reasons[0] == table.FAILED_CONDITION:
        raise QuotaExceeded(
            f"You have reached your daily limit of {quota_limit} images. It resets at midnight UTC.",
            {"limit": quota_limit}, retry_after=retry_after)
    raise StorageError(table.UNAVAILABLE_MESSAGE, {"awsError": table.FAILED_CONDITION})


def create_batch(records: list[GenerationRecord], *, quota_day: str, quota_limit: int, quota_expires_at: int,
                 idempotency_key: str | None, request_hash: str, idempotency_expires_at: int,
                 retry_after: int, active_until: str) -> None:
    """Reserve the images of every record (one owner), store them all PENDING and claim the
    idempotency key for their batch, in one transaction: the whole batch fits the day's quota and is
    stored, or nothing is (QuotaExceeded; idempotency.IdempotentReplay for a retry)."""
    owner = records[0]["ownerId"]
    images = sum(record["imageCount"] for record in records)
    if quota_limit < images:
        raise QuotaExceeded(f"This batch needs {images} images and your daily limit is {quota_limit}. "
                            "Choose fewer models or images.", {"limit": quota_limit, "requested": images},
                            retry_after=retry_after)
    # One quota update for the sum: a transaction may not touch the same item twice.
    actions: list[dict] = [quotas.reserve(owner, quota_day, images, quota_limit, quota_expires_at)]
    for record in records:
        actions += _new_pending(record, quota_day, active_until)
    if idempotency_key:
        # Last: a failed condition on the final action is the key's (reasons[-1] below).
        actions.append(idempotency.claim_batch(owner, idempotency_key, records[0]["batchId"],
                                               [record["id"] for record in records], request_hash,
                                               idempotency_expires_at))
    reasons = table.transact(actions, "Another request of yours is being processed. Try again in a moment.")
    if reasons is None:
        return
    if idempotency_key and reasons[-1] == table.FAILED_CONDITION:
        idempotency.raise_replay(owner, idempotency_key, request_hash)
    if reasons[0] == table.FAILED_CONDITION:
        raise QuotaExceeded(
            f"This batch needs {images} images, more than you have left of your daily limit of {quota_limit}. "
            "It resets at midnight UTC; choose fewer models or images.",
            {"limit": quota_limit, "requested": images}, retry_after=retry_after)
    raise StorageError(table.UNAVAILABLE_MESSAGE, {"awsError": table.FAILED_CONDITION})


def claim(generation_id: str, now: str, attempt: str, lease_until: str) -> GenerationRecord | None:
    """Claim the job: PENDING -> RUNNING under this attempt token, leased until `lease_until`.

    None when the record is gone, finished, or RUNNING under another attempt whose lease has not
    expired (a duplicate delivery): the record is then left untouched. An expired lease is a worker
    that died; its job may be claimed again. `attempts` keeps every token (their image folders)."""
    answer = table.update({
        "Key": key(generation_id),
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
    return table.from_item(answer["Attributes"]) if answer else None  # type: ignore[return-value]


def release(generation_id: str, attempt: str) -> bool:
    """Give up the claim (the job will be retried): the next delivery may claim it at once."""
    return table.update({
        "Key": key(generation_id), "UpdateExpression": f"REMOVE {LEASE_ATTRIBUTE}",
        "ConditionExpression": "#s = :running AND attempt = :attempt", "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":running": {"S": "RUNNING"}, ":attempt": {"S": attempt}},
    }) is not None


def _flag_condition(record: dict, name: str, placeholder: str, values: dict) -> str:
    """A condition that the flag still has the value read (or is still absent)."""
    if name not in record:
        return f"attribute_not_exists({placeholder})"
    values[f":was_{name}"] = {"BOOL": bool(record[name])}
    return f"{placeholder} = :was_{name}"


def complete(record: GenerationRecord, attempt: str, images: list[dict], reference: dict | None, now: str) -> bool:
    """RUNNING -> COMPLETE with its images, for the attempt that holds the claim; False when the
    record was deleted, failed (the sweeper) or claimed by another attempt meanwhile.

    The shared-feed attributes come from the `public` flag of `record` (the item as the claim
    returned it): the update is conditioned on that flag, so a PATCH since the claim fails it, and
    the record is then read again. One write in the usual case, no read."""
    generation_id, current = record["id"], record
    for tries in range(table.WRITE_ATTEMPTS):
        if not current or current["status"] != "RUNNING" or current.get("attempt") != attempt:
            return False
        values = {":complete": {"S": "COMPLETE"}, ":running": {"S": "RUNNING"}, ":now": {"S": now},
                  ":attempt": {"S": attempt}, ":images": table.to_value(images)}
        sets, removes = ["#s = :complete", "images = :images", "updatedAt = :now"], list(ACTIVE_ATTRIBUTES)
        shared = feeds.attributes({**current, "status": "COMPLETE"})
        for attribute in ("publicFeed", "publicModeFeed"):
            if shared[attribute]:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = {"S": shared[attribute]}
            else:
                removes.append(attribute)
        if reference:
            sets.append("referenceImage = :reference")
            values[":reference"] = table.to_value(reference)
        condition = "#s = :running AND attempt = :attempt AND " + _flag_condition(current, "public", "#p", values)
        request = {"Key": key(generation_id), "UpdateExpression": f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
                   "ConditionExpression": condition, "ExpressionAttributeNames": {"#s": "status", "#p": "public"},
                   "ExpressionAttributeValues": values}
        # A shared image gains its public facet rows now (as the public feed): the same transaction,
        # conditioned on its tags as read too (they are rows of its own).
        rows = facets.changes(current, {**current, "status": "COMPLETE"})
        if not rows:
            if table.update(request) is not None:
                return True
        else:
            request["ConditionExpression"] += " AND " + tags.tags_condition(current, values)
            if table.transact([{"Update": {"TableName": table.name(), **request}}, *rows]) is None:
                return True
        if tries + 1 == table.WRITE_ATTEMPTS:
            break
        if tries:  # changed again since the last read: contention, back off before reading
            table.pause(tries - 1)
        current = get(generation_id)
    raise Conflict(table.IN_PROGRESS_MESSAGE, code="in_progress")


def _failing(generation_id: str, code: str, message: str, now: str, attempt: str | None) -> dict:
    """The update that moves an unfinished record to FAILED with its reason (only under `attempt`'s
    claim when one is given: a worker never fails a job another attempt holds)."""
    condition = "#s IN (:pending, :running)"
    values = {":failed": {"S": "FAILED"}, ":pending": {"S": "PENDING"}, ":running": {"S": "RUNNING"},
              ":now": {"S": now}, ":error": table.to_value({"code": code, "message": message})}
    if attempt is not None:
        condition = "#s = :running AND attempt = :attempt"
        values[":attempt"] = {"S": attempt}
        del values[":pending"]
    return {
        "TableName": table.name(), "Key": key(generation_id),
        "UpdateExpression": f"SET #s = :failed, #e = :error, updatedAt = :now REMOVE {', '.join(ACTIVE_ATTRIBUTES)}",
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#s": "status", "#e": "error"},
        "ExpressionAttributeValues": values,
    }


def fail(record: GenerationRecord, code: str, message: str, now: str, *, attempt: str | None = None,
         idempotency_key: str | None = None) -> bool:
    """PENDING/RUNNING -> FAILED and give the images back to the day's quota, once, atomically.

    With `attempt`, only while that attempt holds the claim. With `idempotency_key`, the key is
    released in the same write, so a retry with it starts a new generation. False when the record
    had already finished, was deleted, or is another attempt's."""
    optional = [quotas.give_back(record)]
    if idempotency_key:
        optional.append(idempotency.release(record["ownerId"], idempotency_key, record))
    return table.settle({"Update": _failing(record["id"], code, message, now, attempt)}, optional)


def update_flags(generation_id: str, owner: str, favorite: bool | None, public: bool | None,
                 now: str) -> GenerationRecord | None:
    """Set favorite/public on the owner's record, keeping the sparse feed attributes in step.
    None when there is no such record of this owner.

    Both flags and the feeds are written from the record as read, so the update is conditioned on
    the status and both flags it read: a PATCH or a completion that landed meanwhile fails it, and it
    is read again (else a favorite toggle racing an unshare would write public=true back)."""
    for tries in range(table.WRITE_ATTEMPTS):
        record = get(generation_id)
        if not record or record["ownerId"] != owner:
            return None
        changed = {**record}
        if favorite is not None:
            changed["favorite"] = favorite
        if public is not None:
            changed["public"] = public
        shown = feeds.attributes(changed)
        sets, removes = ["#f = :favorite", "#p = :public", "updatedAt = :now"], []
        values: dict = {":favorite": {"BOOL": changed.get("favorite", False)},
                        ":public": {"BOOL": changed.get("public", False)}, ":now": {"S": now},
                        ":owner": {"S": owner}, ":status": {"S": record["status"]}}
        for attribute in ("favoriteFeed", "favoriteModeFeed", "publicFeed", "publicModeFeed"):
            if shown[attribute] is None:
                removes.append(attribute)
            else:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = {"S": shown[attribute]}
        request = {
            "Key": key(generation_id),
            "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            "ConditionExpression": "ownerId = :owner AND #s = :status AND "
                                   + _flag_condition(record, "favorite", "#f", values) + " AND "
                                   + _flag_condition(record, "public", "#p", values),
            "ExpressionAttributeNames": {"#p": "public", "#s": "status", "#f": "favorite"},
            "ExpressionAttributeValues": values,
        }
        # The favorite and public facet rows move in the same write (conditioned on the tags as read too).
        rows = facets.changes(record, changed)
        if not rows:
            answer = table.update({**request, "ReturnValues": "ALL_NEW"})
            if answer is not None:
                return table.from_item(answer["Attributes"])  # type: ignore[return-value]
        else:
            request["ConditionExpression"] += " AND " + tags.tags_condition(record, values)
            if table.transact([{"Update": {"TableName": table.name(), **request}}, *rows]) is None:
                written = {**changed, **{k: v for k, v in shown.items() if v is not None}, "updatedAt": now}
                return {k: v for k, v in written.items()  # type: ignore[return-value]
                        if not (k in shown and shown[k] is None)}
        if tries + 1 < table.WRITE_ATTEMPTS:
            table.pause(tries)
    raise Conflict(table.IN_PROGRESS_MESSAGE, code="in_progress")


def delete(record: GenerationRecord) -> bool:
    """Delete the record as it was read (same owner, same status); an unfinished one gives its
    images back to the quota in the same write. False when it is gone or changed meanwhile: read
    it again (a record that completed since has images to delete first)."""
    values: dict = {":owner": {"S": record["ownerId"]}}
    names: dict = {}
    # Its facet rows (tags included) go in the same write, as read: a tag, favorite or public change
    # since fails the condition (read it again).
    deleting = {"Delete": {
        "TableName": table.name(), "Key": key(record["id"]),
        "ConditionExpression": "ownerId = :owner AND " + tags.tags_condition(record, values) + " AND "
                               + tags.flags_condition(record, values, names),
        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
    }}
    quota = [quotas.give_back(record)] if record["status"] in ACTIVE and "quotaDay" in record else []
    return table.settle(deleting, quota + facets.changes(record, None))


def set_annotations(generation_id: str, annotations: list[dict], public: bool, now: str) -> bool:
    """Store the images' captions and tags and mark the record indexed, if it still exists with
    the same public flag the index was written with (False otherwise: the caller re-checks)."""
    return table.update({
        "Key": key(generation_id),
        "UpdateExpression": "SET annotations = :a, indexedAt = :now",
        "ConditionExpression": f"attribute_exists({PARTITION_KEY}) AND #p = :public",
        "ExpressionAttributeNames": {"#p": "public"},
        "ExpressionAttributeValues": {":a": table.to_value(annotations), ":now": {"S": now},
                                      ":public": {"BOOL": public}},
    }) is not None


def unindexed_page(limit: int, start_key: dict | None) -> tuple[list[str], dict | None]:
    """Backfill: ids of COMPLETE generations not yet indexed, one bounded Scan page at a time.

    A Scan, on purpose: an operator's one-off job over the whole table, never a request path."""
    request: dict = {
        "Limit": limit,
        "FilterExpression": "#sk = :gen AND #s = :complete AND attribute_not_exists(indexedAt)",
        "ExpressionAttributeNames": {"#sk": SORT_KEY, "#s": "status"},
        "ExpressionAttributeValues": {":gen": {"S": "GEN"}, ":complete": {"S": "COMPLETE"}},
        "ProjectionExpression": "id",
    }
    if start_key:
        request["ExclusiveStartKey"] = start_key
    answer = table.scan(request)
    return [i["id"]["S"] for i in answer.get("Items", [])], answer.get("LastEvaluatedKey")
