"""DynamoDB's core for every aggregate in the one table: items in and out, keys, conditional
writes, transactions, queries and their errors.

The aggregates (generation records, feeds, quotas, idempotency keys) build their requests and
call these; none of them calls boto3 itself. An AWS error becomes a StorageError (503) here; a
write that raced another one is retried (bounded) and then becomes a 409 "in progress, try again".
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
from studio.errors import Conflict, StorageError
from studio.settings import settings
from studio.storage_layout import PARTITION_KEY, SORT_KEY

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
# A write that raced another one (a transaction conflict, throttling, a flag changed under it) is
# tried this many times in all; then the caller gets a 409 "in progress, try again".
WRITE_ATTEMPTS = 4
RETRYABLE_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
                     "RequestLimitExceeded"}
RETRYABLE_ERRORS = {"TransactionConflictException", "TransactionInProgressException", "ThrottlingException",
                    "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
FAILED_CONDITION = "ConditionalCheckFailed"
IN_PROGRESS_MESSAGE = "Another change to this generation is in progress. Try again in a moment."
UNAVAILABLE_MESSAGE = "The gallery database did not answer. Try again."


def name() -> str:
    return settings().require("table_name")


def to_item(values: dict[str, Any]) -> dict:
    """A plain dict (None values left out) as a DynamoDB item."""
    plain = json.loads(json.dumps(values), parse_float=Decimal)
    return {k: _serializer.serialize(v) for k, v in plain.items() if v is not None}


def to_value(value: Any) -> dict:
    """One plain value (a list of images, a dict) as a DynamoDB attribute value."""
    return _serializer.serialize(json.loads(json.dumps(value), parse_float=Decimal))


def from_item(item: dict) -> dict[str, Any]:
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


def key(kind: str, ident: str, sort: str | None = None) -> dict:
    """An item's primary key: partition "<KIND>#<id>", sort key the kind (or `sort`)."""
    return {PARTITION_KEY: {"S": f"{kind}#{ident}"}, SORT_KEY: {"S": sort or kind}}


def storage_error(error: ClientError | BotoCoreError) -> StorageError:
    """ClientError (an AWS answer) or BotoCoreError (no answer: connection refused, read timeout)."""
    code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
    return StorageError(UNAVAILABLE_MESSAGE, {"awsError": code})


def _code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


def pause(attempt: int) -> None:
    """Jittered exponential backoff between retries of a raced write (at most ~0.4 s)."""
    time.sleep(random.uniform(0, 0.05 * 2 ** attempt))


def transact(actions: list[dict], in_progress: str = IN_PROGRESS_MESSAGE) -> list[str] | None:
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
                    raise storage_error(error) from error
            elif _code(error) not in RETRYABLE_ERRORS:
                raise storage_error(error) from error
        except BotoCoreError as error:
            raise storage_error(error) from error
        if attempt + 1 < WRITE_ATTEMPTS:
            pause(attempt)
    raise Conflict(in_progress, code="in_progress")


def settle(first: dict, optional: list[dict]) -> bool:
    """Write `first` with the `optional` companions whose items still exist, all or nothing.

    False when `first`'s condition failed. A companion whose condition failed (the quota item or
    the idempotency item expired, being TTL'd) is dropped and the rest written again."""
    actions = [first, *optional]
    while True:
        reasons = transact(actions)
        if reasons is None:
            return True
        if reasons[0] == FAILED_CONDITION:
            return False
        actions = [first] + [a for a, r in zip(actions[1:], reasons[1:]) if r != FAILED_CONDITION]


def get(item_key: dict) -> dict | None:
    """A strongly consistent GetItem: the item as a plain dict, or None."""
    try:
        item = clients.get("dynamodb").get_item(TableName=name(), Key=item_key, ConsistentRead=True).get("Item")
    except (ClientError, BotoCoreError) as error:
        raise storage_error(error) from error
    return from_item(item) if item else None


def update(request: dict) -> dict | None:
    """UpdateItem (the table name added): its answer, or None when its condition failed."""
    try:
        return clients.get("dynamodb").update_item(TableName=name(), **request)
    except ClientError as error:
        if _code(error) == "ConditionalCheckFailedException":
            return None
        raise storage_error(error) from error
    except BotoCoreError as error:
        raise storage_error(error) from error


def query(request: dict, start_key: dict | None = None) -> tuple[list[dict], dict | None]:
    """One Query page (the table name added, continuing from `start_key`, plain strings): the items
    and the key to continue from (plain strings), or None."""
    if start_key:
        request = {**request, "ExclusiveStartKey": {k: {"S": v} for k, v in start_key.items()}}
    try:
        answer = clients.get("dynamodb").query(TableName=name(), **request)
    except (ClientError, BotoCoreError) as error:
        raise storage_error(error) from error
    last = answer.get("LastEvaluatedKey")
    return [from_item(i) for i in answer.get("Items", [])], ({k: v["S"] for k, v in last.items()} if last else None)


def scan(request: dict) -> dict:
    """One Scan page (the table name added): DynamoDB's answer as it is."""
    try:
        return clients.get("dynamodb").scan(TableName=name(), **request)
    except (ClientError, BotoCoreError) as error:
        raise storage_error(error) from error


def batch_get(keys: list[dict], **options: Any) -> tuple[list[dict], bool]:
    """BatchGetItem of `keys` (<= 100) on the table: (the items found, whether every key was
    answered). Unprocessed keys (throttling) are asked again once."""
    table = name()
    request, items = {table: {"Keys": keys, **options}}, []
    for _attempt in range(2):
        try:
            answer = clients.get("dynamodb").batch_get_item(RequestItems=request)
        except (ClientError, BotoCoreError) as error:
            raise storage_error(error) from error
        items += answer.get("Responses", {}).get(table, [])
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            return items, True
    return items, False
