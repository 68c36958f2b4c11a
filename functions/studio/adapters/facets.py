"""DynamoDB: the facet rows that let the gallery filter by model, operation, aspect, batch or tag with one Query.

The layout is in studio.storage_layout (facets). Which rows a record has follows from the record alone
(`rows`): its facet values times its audiences (its owner; its owner's favorites while it is a favorite;
everyone while it is shared and COMPLETE, as the public feed). Every write that changes what the rows
depend on (creation, completion, the favorite/public flags, tags, delete) puts and deletes the
difference (`changes`) in the same transaction as the record, conditioned on the record as read.
"""

from __future__ import annotations

from typing import Any, Iterable

from studio.adapters import table
from studio.storage_layout import (
    FACET_CARRIED_ATTRIBUTES,
    FACET_PARTITION_PREFIX,
    FACET_PUBLIC_AUDIENCE,
    PARTITION_KEY,
    SORT_KEY,
    SQUARE_TOLERANCE,
    TAGS_ATTRIBUTE,
)


def mine_audience(owner: str) -> str:
    return f"mine:{owner}"


def favorite_audience(owner: str) -> str:
    return f"fav:{owner}"


def partition(audience: str, facet: str, value: str) -> str:
    return f"{FACET_PARTITION_PREFIX}{audience}#{facet}#{value}"


def aspect_of(width: Any, height: Any) -> str | None:
    """square (sides within 5% of each other), landscape or portrait; None without a size."""
    if not isinstance(width, (int, float)) or not isinstance(height, (int, float)) or width <= 0 or height <= 0:
        return None
    if abs(width - height) <= SQUARE_TOLERANCE * max(width, height):
        return "square"
    return "landscape" if width > height else "portrait"


def aspect(record: dict) -> str | None:
    """The aspect of the size asked for (known from creation on, so pending images filter too): an edit's
    output size, else the generation's width and height, else its first image's."""
    request = record.get("request") or {}
    for width, height in ((request.get("outputWidth"), request.get("outputHeight")),
                          (request.get("width"), request.get("height"))):
        if (found := aspect_of(width, height)) is not None:
            return found
    images = record.get("images") or [{}]
    return aspect_of(images[0].get("width"), images[0].get("height"))


def operation(record: dict) -> str:
    """How the image was made: the edit's operation, else the generation's mode."""
    return record.get("operation") or record["mode"]


def carried(record: dict) -> dict[str, str]:
    """What every row of the record carries, so that the other filters are checked on the row itself."""
    values = {"mode": record.get("mode"), "modelId": record.get("modelId"), "operation": operation(record),
              "aspect": aspect(record)}
    return {name: values[name] for name in FACET_CARRIED_ATTRIBUTES if values.get(name)}


def values(record: dict) -> list[tuple[str, str]]:
    """(facet, value) pairs of the record."""
    pairs = [("model", record.get("modelId")), ("operation", operation(record)), ("aspect", aspect(record)),
             ("batch", record.get("batchId"))]
    pairs += [("tag", tag) for tag in record.get(TAGS_ATTRIBUTE, [])]
    return [(facet, value) for facet, value in pairs if value]


def audiences(record: dict) -> list[str]:
    owner = record["ownerId"]
    found = [mine_audience(owner)]
    if record.get("favorite"):
        found.append(favorite_audience(owner))
    if record.get("public") and record.get("status") == "COMPLETE":
        found.append(FACET_PUBLIC_AUDIENCE)
    return found


def sort_value(record: dict) -> str:
    return f"{record['createdAt']}#{record['id']}"


def rows(record: dict) -> dict[str, dict]:
    """partition -> the row (DynamoDB item) the record has there."""
    sort, extra = sort_value(record), {"generationId": record["id"], **carried(record)}
    return {pk: table.to_item({PARTITION_KEY: pk, SORT_KEY: sort, **extra})
            for pk in (partition(a, f, v) for a in audiences(record) for f, v in values(record))}


def row_key(pk: str, record: dict) -> dict:
    return {PARTITION_KEY: {"S": pk}, SORT_KEY: {"S": sort_value(record)}}


def changes(old: dict | None, new: dict | None) -> list[dict]:
    """The transaction actions that move the rows of `old` (None: no record yet) to those of `new`
    (None: deleted). Rows present in both stay (their content never changes: what they carry is fixed
    at creation)."""
    before, after = rows(old) if old else {}, rows(new) if new else {}
    name = table.name()
    return ([{"Delete": {"TableName": name, "Key": row_key(pk, old)}} for pk in before if pk not in after]
            + [{"Put": {"TableName": name, "Item": item}} for pk, item in after.items() if pk not in before])


def puts(record: dict) -> list[dict]:
    """Put every row of the record (idempotent: the backfill)."""
    return [{"Put": {"TableName": table.name(), "Item": item}} for item in rows(record).values()]


def page(pk: str, limit: int, start_key: dict | None, since: str | None = None,
         until: str | None = None) -> tuple[list[dict], dict | None]:
    """One page of a facet partition, newest first, optionally within [since, until] on the sort key:
    the rows ({pk, sk, generationId, and what they carry}), and the key to continue from. One Query, no filter."""
    condition, names, values_ = "#pk = :pk", {"#pk": PARTITION_KEY}, {":pk": {"S": pk}}
    condition += sort_condition(names, values_, SORT_KEY, since, until)
    return table.query({"Limit": limit, "ScanIndexForward": False, "KeyConditionExpression": condition,
                        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values_}, start_key)


def sort_condition(names: dict, values_: dict, attribute: str, since: str | None, until: str | None) -> str:
    """The key condition's sort-key part for a date range (`since`/`until` are sort-key bounds)."""
    if since is None and until is None:
        return ""
    names["#sort"] = attribute
    if since is not None and until is not None:
        values_.update({":since": {"S": since}, ":until": {"S": until}})
        return " AND #sort BETWEEN :since AND :until"
    if since is not None:
        values_[":since"] = {"S": since}
        return " AND #sort >= :since"
    values_[":until"] = {"S": until}
    return " AND #sort <= :until"


def generation_ids(items: Iterable[dict]) -> list[str]:
    return [item["generationId"] for item in items]
