"""DynamoDB: export records (pk EXPORT#<id>, sk EXPORT), kept until their TTL (storage_layout)."""

from __future__ import annotations

from typing import Any, TypedDict

from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters import clients, table
from studio.storage_layout import EXPORT_KIND, LEASE_ATTRIBUTE


class ExportRecord(TypedDict, total=False):
    id: str
    ownerId: str
    status: str  # PENDING, RUNNING, COMPLETE, FAILED
    boardId: str
    generationIds: list[str]
    requested: int
    exported: int
    imageCount: int
    sizeBytes: int
    objectKey: str
    error: dict[str, str]
    attempt: str
    createdAt: str
    updatedAt: str
    expiresAt: int  # epoch seconds: the table's TTL


def key(export_id: str) -> dict:
    return table.key(EXPORT_KIND, export_id)


def create(record: ExportRecord) -> None:
    """Store a new export (its id is new: a condition guards against a clash all the same)."""
    try:
        clients.get("dynamodb").put_item(TableName=table.name(), Item={**key(record["id"]), **table.to_item(record)},
                                         ConditionExpression="attribute_not_exists(pk)")
    except (ClientError, BotoCoreError) as error:
        raise table.storage_error(error) from error


def get(export_id: str) -> ExportRecord | None:
    return table.get(key(export_id))  # type: ignore[return-value]


def claim(export_id: str, attempt: str, now: str, lease_until: str) -> ExportRecord | None:
    """PENDING (or RUNNING whose lease ended: its worker died) -> RUNNING under this attempt; the record
    after it, or None when another attempt holds it or it has ended."""
    answer = table.update({
        "Key": key(export_id),
        "UpdateExpression": "SET #s = :running, attempt = :a, updatedAt = :now, #lease = :lease",
        "ConditionExpression": "#s = :pending OR (#s = :running AND #lease < :now)",
        "ExpressionAttributeNames": {"#s": "status", "#lease": LEASE_ATTRIBUTE},
        "ExpressionAttributeValues": {":running": {"S": "RUNNING"}, ":pending": {"S": "PENDING"},
                                      ":a": {"S": attempt}, ":now": {"S": now}, ":lease": {"S": lease_until}},
        "ReturnValues": "ALL_NEW",
    })
    return table.from_item(answer["Attributes"]) if answer else None  # type: ignore[return-value]


def finish(export_id: str, attempt: str, status: str, now: str, values: dict[str, Any]) -> bool:
    """End the export (COMPLETE or FAILED) with `values`, only while this attempt holds it."""
    names = {"#s": "status", "#lease": LEASE_ATTRIBUTE}
    sets = ["#s = :status", "updatedAt = :now"]
    attributes = {":status": {"S": status}, ":now": {"S": now}, ":a": {"S": attempt}}
    for index, (name, value) in enumerate(values.items()):
        names[f"#v{index}"] = name
        attributes[f":v{index}"] = table.to_value(value)
        sets.append(f"#v{index} = :v{index}")
    return table.update({
        "Key": key(export_id), "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE #lease",
        "ConditionExpression": "attempt = :a", "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": attributes,
    }) is not None


def fail_unfinished(export_id: str, code: str, message: str, now: str) -> ExportRecord | None:
    """FAILED, whoever held it, unless it already ended (the jobs DLQ: every delivery failed): the
    record as it is now, or None when it had ended (or is gone)."""
    answer = table.update({
        "Key": key(export_id), "UpdateExpression": "SET #s = :failed, updatedAt = :now, #e = :error",
        "ConditionExpression": "#s IN (:pending, :running)",
        "ExpressionAttributeNames": {"#s": "status", "#e": "error"},
        "ExpressionAttributeValues": {":failed": {"S": "FAILED"}, ":now": {"S": now},
                                      ":pending": {"S": "PENDING"}, ":running": {"S": "RUNNING"},
                                      ":error": table.to_value({"code": code, "message": message})},
        "ReturnValues": "ALL_NEW",
    })
    return table.from_item(answer["Attributes"]) if answer else None  # type: ignore[return-value]
