"""DynamoDB: the facet backfill's reads and writes (logic/facet_rows.py, `make backfill-facets`).

Records made before facet rows existed have none and no FACETS_VERSION mark; the tags22 tag rows (pk
TAG#<owner>#<tag>) are replaced by facet rows. Each record's rows are written in one transaction with its mark,
conditioned on what the rows depend on.
"""

from __future__ import annotations

from studio.adapters import facets, table, tags
from studio.adapters.generation_records import GenerationRecord, key
from studio.storage_layout import (
    FACETS_VERSION,
    FACETS_VERSION_ATTRIBUTE,
    LEGACY_TAG_PARTITION_PREFIX,
    PARTITION_KEY,
    SORT_KEY,
)


def records_page(limit: int, start_key: dict | None) -> tuple[list[GenerationRecord], dict | None]:
    """Facet backfill: the generation records that have no facet rows yet (no FACETS_VERSION_ATTRIBUTE), one
    bounded Scan page at a time. A Scan, on purpose: an operator's one-off job, never a request path."""
    request: dict = {
        "Limit": limit, "FilterExpression": "#sk = :gen AND attribute_not_exists(#v)",
        "ExpressionAttributeNames": {"#sk": SORT_KEY, "#v": FACETS_VERSION_ATTRIBUTE},
        "ExpressionAttributeValues": {":gen": {"S": "GEN"}},
    }
    if start_key:
        request["ExclusiveStartKey"] = start_key
    answer = table.scan(request)
    return [table.from_item(i) for i in answer.get("Items", [])], answer.get("LastEvaluatedKey")  # type: ignore[misc]


def write_facet_rows(record: GenerationRecord) -> bool:
    """Facet backfill: write every facet row of the record as read (and remove its tags22-era tag rows) and mark
    it done, in one transaction conditioned on what the rows depend on (status, flags, tags). False when it
    changed meanwhile (read it again) or is gone."""
    values: dict = {":version": {"N": str(FACETS_VERSION)}}
    names: dict = {"#v": FACETS_VERSION_ATTRIBUTE}
    condition = (f"attribute_exists({PARTITION_KEY}) AND " + tags.tags_condition(record, values) + " AND "
                 + tags.flags_condition(record, values, names))
    legacy = [{"Delete": {"TableName": table.name(), "Key": {
        PARTITION_KEY: {"S": f"{LEGACY_TAG_PARTITION_PREFIX}{record['ownerId']}#{tag}"},
        SORT_KEY: {"S": facets.sort_value(record)}}}} for tag in record.get("tags", [])]
    return table.transact([{"Update": {
        "TableName": table.name(), "Key": key(record["id"]), "UpdateExpression": "SET #v = :version",
        "ConditionExpression": condition, "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
    }}, *facets.puts(record), *legacy]) is None
