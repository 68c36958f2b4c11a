"""DynamoDB: an image's tags and the tag rows that let the gallery filter by tag with one Query.

The layout is in studio.storage_layout (tags). The record's `tags` and its rows change together, in
one transaction conditioned on the tags as read: a write that raced another one fails its condition
and the caller reads again, so the rows never drift from the record.
"""

from __future__ import annotations

from studio.adapters import table
from studio.storage_layout import (
    PARTITION_KEY,
    SORT_KEY,
    TAG_PARTITION_PREFIX,
    TAGS_ATTRIBUTE,
    TAGS_EDITED_ATTRIBUTE,
)


def partition(owner: str, tag: str) -> str:
    return f"{TAG_PARTITION_PREFIX}{owner}#{tag}"


def row_key(record: dict, tag: str) -> dict:
    return {PARTITION_KEY: {"S": partition(record["ownerId"], tag)},
            SORT_KEY: {"S": f"{record['createdAt']}#{record['id']}"}}


def tags_condition(record: dict, values: dict) -> str:
    """A condition that the record's tags are still those read (or still absent)."""
    if TAGS_ATTRIBUTE not in record:
        return f"attribute_not_exists({TAGS_ATTRIBUTE})"
    values[":was_tags"] = table.to_value(record[TAGS_ATTRIBUTE])
    return f"{TAGS_ATTRIBUTE} = :was_tags"


def row_deletes(record: dict) -> list[dict]:
    """The transaction actions that remove every tag row of the record as read (a delete)."""
    return [{"Delete": {"TableName": table.name(), "Key": row_key(record, tag)}}
            for tag in record.get(TAGS_ATTRIBUTE, [])]


def replace(record: dict, new_tags: list[str], *, edited: bool) -> bool:
    """Set the record's tags to `new_tags` and move its rows with them, all or nothing.

    `edited` marks an owner's edit; without it (the index job's automatic tags) the write also
    requires that the owner has not edited them. False when the record is gone or its tags (or
    owner) changed since `record` was read: read it again."""
    old = record.get(TAGS_ATTRIBUTE, [])
    values: dict = {":tags": table.to_value(new_tags), ":owner": {"S": record["ownerId"]}}
    condition = f"ownerId = :owner AND {tags_condition(record, values)}"
    update = f"SET {TAGS_ATTRIBUTE} = :tags"
    if edited:
        values[":edited"] = {"BOOL": True}
        update += f", {TAGS_EDITED_ATTRIBUTE} = :edited"
    else:
        condition += f" AND attribute_not_exists({TAGS_EDITED_ATTRIBUTE})"
    name = table.name()
    actions: list[dict] = [{"Update": {
        "TableName": name, "Key": table.key("GEN", record["id"]), "UpdateExpression": update,
        "ConditionExpression": condition, "ExpressionAttributeValues": values}}]
    actions += [{"Delete": {"TableName": name, "Key": row_key(record, tag)}} for tag in old if tag not in new_tags]
    actions += [{"Put": {"TableName": name, "Item": {**row_key(record, tag), "generationId": {"S": record["id"]}}}}
                for tag in new_tags if tag not in old]
    return table.transact(actions) is None


def page(owner: str, tag: str, limit: int, start_key: dict | None) -> tuple[list[str], dict | None]:
    """One page of the owner's images with this tag, newest first: their ids (one Query, no filter)."""
    items, last = table.query({
        "Limit": limit, "ScanIndexForward": False, "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": PARTITION_KEY}, "ProjectionExpression": "generationId",
        "ExpressionAttributeValues": {":pk": {"S": partition(owner, tag)}},
    }, start_key)
    return [item["generationId"] for item in items], last
