"""DynamoDB: the gallery's feeds and the sweeper's list of unfinished records, each one index.

Which index serves which view, and the partition each record carries for it, are written here
once (the indexes themselves are in studio.storage_layout). A page is one Query on one index with
a key condition only, never a FilterExpression: it reads exactly the items it returns, whatever
the table's size.
"""

from __future__ import annotations

from typing import Any

from studio.adapters import facets, table
from studio.errors import BadRequest
from studio.storage_layout import ACTIVE_PARTITION, DEADLINE_INDEX, INDEXES, SORT_BY_CREATED

PARTITION_ATTRIBUTES = {index.name: index.partition_key for index in INDEXES}


def parent_partition(owner: str, parent_id: str) -> str:
    return f"{owner}#{parent_id}"


def attributes(record: dict) -> dict[str, Any]:
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


def choose(scope: str, mode: str | None, favorite: bool | None, user_id: str,
           parent: str | None = None) -> tuple[str, str]:
    """(index, partition) for the gallery's filters; each is one Query on one index, no filter."""
    if parent is not None:
        if scope != "mine" or mode or favorite:
            raise BadRequest("parent lists your own edits and re-runs of one generation: use it alone, with scope=mine.",
                             [{"field": "parent", "rule": "only with scope=mine, without mode or favorite"}],
                             code="invalid_filter")
        return "byParent", parent_partition(user_id, parent)
    if scope == "mine":
        if favorite:
            return ("byOwnerFavoriteMode", f"{user_id}#{mode}") if mode else ("byOwnerFavorite", user_id)
        return ("byOwnerMode", f"{user_id}#{mode}") if mode else ("byOwner", user_id)
    if favorite:
        raise BadRequest("favorite=true lists your own favorites: use it with scope=mine.",
                         [{"field": "favorite", "rule": "only with scope=mine"}], code="invalid_filter")
    return ("byPublicMode", f"public#{mode}") if mode else ("byPublic", "public")


def page(index: str, partition: str, limit: int, start_key: dict | None, since: str | None = None,
         until: str | None = None) -> tuple[list[dict], dict | None]:
    """One page of a feed, newest first, optionally within [since, until] on createdSort (a key condition:
    it still reads only what it returns); the key to continue from (plain strings), or None."""
    names, values = {"#f": PARTITION_ATTRIBUTES[index]}, {":f": {"S": partition}}
    condition = "#f = :f" + facets.sort_condition(names, values, SORT_BY_CREATED, since, until)
    return table.query({
        "IndexName": index, "Limit": limit, "ScanIndexForward": False,
        "KeyConditionExpression": condition, "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
    }, start_key)


def overdue(now: str, limit: int, start_key: dict | None = None) -> tuple[list[dict], dict | None]:
    """Unfinished records whose deadline is before `now`, oldest deadline first (byDeadline index)."""
    return table.query({
        "IndexName": DEADLINE_INDEX, "Limit": limit,
        "KeyConditionExpression": "activeFeed = :active AND activeUntil < :now",
        "ExpressionAttributeValues": {":active": {"S": ACTIVE_PARTITION}, ":now": {"S": now}},
    }, start_key)
