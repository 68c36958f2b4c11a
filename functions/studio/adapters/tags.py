"""DynamoDB: an image's tags, and their facet rows (the gallery filters by tag with one Query).

Tags are facets (studio.storage_layout, adapters/facets.py): each tag has a row per audience of the
record. The record's `tags` and its rows change together, in one transaction conditioned on the tags
(and the flags that choose the audiences) as read: a write that raced another one fails its condition
and the caller reads again, so the rows never drift from the record.
"""

from __future__ import annotations

from studio.adapters import facets, table
from studio.storage_layout import TAGS_ATTRIBUTE, TAGS_EDITED_ATTRIBUTE

# A transaction holds at most 100 actions; replacing 20 tags by 20 others on a favorite, shared image
# moves 3 x 40 rows, so such a change is written in two steps (remove, then add), each consistent.
TRANSACTION_MAX = 100


def tags_condition(record: dict, values: dict) -> str:
    """A condition that the record's tags are still those read (or still absent)."""
    if TAGS_ATTRIBUTE not in record:
        return f"attribute_not_exists({TAGS_ATTRIBUTE})"
    values[":was_tags"] = table.to_value(record[TAGS_ATTRIBUTE])
    return f"{TAGS_ATTRIBUTE} = :was_tags"


def flags_condition(record: dict, values: dict, names: dict) -> str:
    """A condition that the favorite and public flags and the status are still those read (the audiences)."""
    parts = []
    for flag, placeholder in (("favorite", "#fav"), ("public", "#pub")):
        names[placeholder] = flag
        if flag in record:
            values[f":was_{flag}"] = {"BOOL": bool(record[flag])}
            parts.append(f"{placeholder} = :was_{flag}")
        else:
            parts.append(f"attribute_not_exists({placeholder})")
    names["#status"] = "status"
    values[":was_status"] = {"S": record["status"]}
    parts.append("#status = :was_status")
    return " AND ".join(parts)


def replace(record: dict, new_tags: list[str], *, edited: bool) -> bool:
    """Set the record's tags to `new_tags` and move its rows with them, all or nothing.

    `edited` marks an owner's edit; without it (the index job's automatic tags) the write also
    requires that the owner has not edited them. False when the record is gone or its tags (or
    owner, flags, status) changed since `record` was read: read it again."""
    old = record.get(TAGS_ATTRIBUTE, [])
    kept = [tag for tag in old if tag in new_tags]
    steps = [new_tags]
    if len(facets.changes(record, {**record, TAGS_ATTRIBUTE: new_tags})) + 1 > TRANSACTION_MAX:
        steps = [kept, new_tags]  # first drop the tags that go, then add the new ones
    current = record
    for step in steps:
        if not _write(current, step, edited=edited):
            return False
        current = {**current, TAGS_ATTRIBUTE: step, **({TAGS_EDITED_ATTRIBUTE: True} if edited else {})}
    return True


def _write(record: dict, new_tags: list[str], *, edited: bool) -> bool:
    values: dict = {":tags": table.to_value(new_tags), ":owner": {"S": record["ownerId"]}}
    names: dict = {}
    condition = (f"ownerId = :owner AND {tags_condition(record, values)} AND "
                 f"{flags_condition(record, values, names)}")
    update = f"SET {TAGS_ATTRIBUTE} = :tags"
    if edited:
        values[":edited"] = {"BOOL": True}
        update += f", {TAGS_EDITED_ATTRIBUTE} = :edited"
    else:
        condition += f" AND attribute_not_exists({TAGS_EDITED_ATTRIBUTE})"
    actions: list[dict] = [{"Update": {
        "TableName": table.name(), "Key": table.key("GEN", record["id"]), "UpdateExpression": update,
        "ConditionExpression": condition, "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}}]
    actions += facets.changes(record, {**record, TAGS_ATTRIBUTE: new_tags})
    return table.transact(actions) is None
