"""DynamoDB: boards, their items (in the order added) and which boards hold an image.

The key design is in studio.storage_layout (boards). Every read is a GetItem, a Query on one
partition or a BatchGetItem; every change to a board's items moves the item, the membership and the
board's count together, in one transaction.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters import clients, generation_records, table
from studio.adapters.feeds import PARTITION_ATTRIBUTES
from studio.errors import Conflict, StorageError
from studio.storage_layout import (
    BOARD_ITEM_PREFIX,
    BOARD_KIND,
    BOARD_MEMBERSHIP_PREFIX,
    BOARDS_OWNER_INDEX,
    BOARDS_OWNER_PARTITION_PREFIX,
    BOARDS_PURGE_PARTITION,
    BOARDS_SHARED_INDEX,
    BOARDS_SHARED_PARTITION,
    PARTITION_KEY,
    SORT_BY_CREATED,
    SORT_KEY,
)

BATCH_WRITE_MAX = 25
OWNER_FEED = PARTITION_ATTRIBUTES[BOARDS_OWNER_INDEX]  # the index attributes a board carries
SHARED_FEED = PARTITION_ATTRIBUTES[BOARDS_SHARED_INDEX]
IN_PROGRESS_MESSAGE = "Another change to this board is in progress. Try again in a moment."


class BoardRecord(TypedDict, total=False):
    id: str
    ownerId: str
    name: str
    shared: bool
    coverGenerationId: str
    itemCount: int
    createdAt: str
    updatedAt: str


def key(board_id: str) -> dict:
    return table.key(BOARD_KIND, board_id)


def _membership_key(generation_id: str, board_id: str) -> dict:
    return {PARTITION_KEY: {"S": f"GEN#{generation_id}"}, SORT_KEY: {"S": f"{BOARD_MEMBERSHIP_PREFIX}{board_id}"}}


def _item_key(board_id: str, item_sort: str) -> dict:
    return {PARTITION_KEY: {"S": f"{BOARD_KIND}#{board_id}"}, SORT_KEY: {"S": item_sort}}


def item_sort(added_at: str, generation_id: str) -> str:
    return f"{BOARD_ITEM_PREFIX}{added_at}#{generation_id}"


def _list_attributes(board: dict) -> dict[str, Any]:
    """The index attributes that put a board in its owner's list and, when shared, in everyone's."""
    return {OWNER_FEED: owner_partition(board["ownerId"]),
            SHARED_FEED: BOARDS_SHARED_PARTITION if board.get("shared") else None,
            SORT_BY_CREATED: f"{board['createdAt']}#{board['id']}"}


def owner_partition(owner: str) -> str:
    return f"{BOARDS_OWNER_PARTITION_PREFIX}{owner}"


def list_index(scope: str, user_id: str) -> tuple[str, str]:
    """(index, partition) of a list of boards: the caller's, or every shared one."""
    return (BOARDS_OWNER_INDEX, owner_partition(user_id)) if scope == "mine" \
        else (BOARDS_SHARED_INDEX, BOARDS_SHARED_PARTITION)


def create(board: BoardRecord) -> None:
    item = {**board, **_list_attributes(board), PARTITION_KEY: f"{BOARD_KIND}#{board['id']}", SORT_KEY: BOARD_KIND}
    if table.transact([{"Put": {"TableName": table.name(), "Item": table.to_item(item),
                                "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})"}}]) is not None:
        raise Conflict(IN_PROGRESS_MESSAGE, code="in_progress")  # a uuid collision: never in practice


def get(board_id: str) -> BoardRecord | None:
    return table.get(key(board_id))  # type: ignore[return-value]


def _plain_board(item: dict) -> BoardRecord:
    return {k: v for k, v in item.items()  # type: ignore[return-value]
            if k not in (PARTITION_KEY, SORT_KEY, OWNER_FEED, SHARED_FEED, SORT_BY_CREATED)}


def page(index: str, partition: str, limit: int, start_key: dict | None) -> tuple[list[BoardRecord], dict | None]:
    """One page of a list of boards, newest first (one Query on one index, no filter)."""
    items, last = table.query({
        "IndexName": index, "Limit": limit, "ScanIndexForward": False,
        "KeyConditionExpression": "#f = :f", "ExpressionAttributeNames": {"#f": PARTITION_ATTRIBUTES[index]},
        "ExpressionAttributeValues": {":f": {"S": partition}},
    }, start_key)
    return [_plain_board(i) for i in items], last


def update(board_id: str, owner: str, *, name: str | None, shared: bool | None, cover: str | None,
           clear_cover: bool, now: str) -> tuple[BoardRecord | None, str | None]:
    """Rename, share or unshare the owner's board, set or clear its cover: (the board as written, None),
    or (None, why): "board" when it is not the owner's board, "cover" when the cover is not on it."""
    # Every attribute by placeholder: "name" and "shared" are among DynamoDB's reserved words.
    sets, removes = ["#updatedAt = :now"], []
    values: dict = {":now": {"S": now}, ":owner": {"S": owner}}
    names: dict = {"#updatedAt": "updatedAt", "#ownerId": "ownerId"}
    if name is not None:
        sets.append("#name = :name")
        values[":name"] = {"S": name}
    if shared is not None:
        sets.append("#shared = :shared")
        values[":shared"] = {"BOOL": shared}
        if shared:
            sets.append("#shared_feed = :feed")
            values[":feed"] = {"S": BOARDS_SHARED_PARTITION}
        else:
            removes.append("#shared_feed")
    if clear_cover:
        removes.append("#coverGenerationId")
    elif cover is not None:
        sets.append("#coverGenerationId = :cover")
        values[":cover"] = {"S": cover}
    used = " ".join(sets + removes)
    names.update({f"#{n}": n for n in ("name", "shared", "coverGenerationId") if f"#{n}" in used})
    if "#shared_feed" in used:
        names["#shared_feed"] = SHARED_FEED
    updating = {"TableName": table.name(), "Key": key(board_id),
                "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
                "ConditionExpression": "#ownerId = :owner", "ExpressionAttributeValues": values,
                "ExpressionAttributeNames": names}
    actions: list[dict] = [{"Update": updating}]
    if cover is not None and not clear_cover:
        actions.append({"ConditionCheck": {"TableName": table.name(), "Key": _membership_key(cover, board_id),
                                           "ConditionExpression": f"attribute_exists({PARTITION_KEY})"}})
    reasons = table.transact(actions, IN_PROGRESS_MESSAGE)
    if reasons is None:
        return get(board_id), None
    return None, ("board" if reasons[0] == table.FAILED_CONDITION else "cover")


def add(board_id: str, owner: str, generation_id: str, added_at: str, max_items: int) -> set[str]:
    """Put the image on the owner's board, after the ones already there: an empty set when it was
    added, else every reason it was not: "board" (not the owner's board, or full), "generation" (no
    such image the owner may see), "present" (it already is on the board: nothing changed)."""
    sort = item_sort(added_at, generation_id)
    membership = {PARTITION_KEY: f"GEN#{generation_id}", SORT_KEY: f"{BOARD_MEMBERSHIP_PREFIX}{board_id}",
                  "boardId": board_id, "generationId": generation_id, "itemSort": sort, "addedAt": added_at}
    item = {PARTITION_KEY: f"{BOARD_KIND}#{board_id}", SORT_KEY: sort, "generationId": generation_id,
            "addedAt": added_at}
    reasons = table.transact([
        {"Update": {"TableName": table.name(), "Key": key(board_id),
                    "UpdateExpression": "ADD itemCount :one SET updatedAt = :now",
                    "ConditionExpression": "ownerId = :owner AND itemCount < :max",
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":now": {"S": added_at},
                                                  ":owner": {"S": owner}, ":max": {"N": str(max_items)}}}},
        # The owner's own image, or one its owner shared: the same rule as reading it (logic/access.py).
        {"ConditionCheck": {"TableName": table.name(), "Key": generation_records.key(generation_id),
                            "ConditionExpression": "ownerId = :owner OR (#p = :true AND #s = :complete)",
                            "ExpressionAttributeNames": {"#p": "public", "#s": "status"},
                            "ExpressionAttributeValues": {":owner": {"S": owner}, ":true": {"BOOL": True},
                                                          ":complete": {"S": "COMPLETE"}}}},
        {"Put": {"TableName": table.name(), "Item": table.to_item(membership),
                 "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})"}},
        {"Put": {"TableName": table.name(), "Item": table.to_item(item)}},
    ], IN_PROGRESS_MESSAGE)
    if reasons is None:
        return set()
    return {why for reason, why in zip(reasons, ("board", "generation", "present")) if reason == table.FAILED_CONDITION}


def membership(board_id: str, generation_id: str) -> dict | None:
    """The image's membership of the board ({boardId, generationId, itemSort, addedAt}), or None."""
    return table.get(_membership_key(generation_id, board_id))


def remove(board_id: str, owner: str, found: dict) -> bool:
    """Take the image off the owner's board (its membership as read): False when it was already gone
    (or the board is not the owner's)."""
    reasons = table.transact([
        {"Delete": {"TableName": table.name(), "Key": _membership_key(found["generationId"], board_id),
                    "ConditionExpression": f"attribute_exists({PARTITION_KEY})"}},
        {"Delete": {"TableName": table.name(), "Key": _item_key(board_id, found["itemSort"])}},
        {"Update": {"TableName": table.name(), "Key": key(board_id),
                    "UpdateExpression": "ADD itemCount :minus_one",
                    "ConditionExpression": "ownerId = :owner",
                    "ExpressionAttributeValues": {":minus_one": {"N": "-1"}, ":owner": {"S": owner}}}},
    ], IN_PROGRESS_MESSAGE)
    return reasons is None


def drop_cover_if(board_id: str, generation_id: str) -> None:
    """Clear the board's cover when it is this image (it left the board)."""
    table.update({"Key": key(board_id), "UpdateExpression": "REMOVE coverGenerationId",
                  "ConditionExpression": "coverGenerationId = :g",
                  "ExpressionAttributeValues": {":g": {"S": generation_id}}})


def items_page(board_id: str, limit: int, start_key: dict | None) -> tuple[list[dict], dict | None]:
    """One page of a board's items, oldest first: [{generationId, addedAt}] (one Query, no filter)."""
    return table.query({
        "Limit": limit, "ScanIndexForward": True,
        "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :items)",
        "ExpressionAttributeNames": {"#pk": PARTITION_KEY, "#sk": SORT_KEY},
        "ExpressionAttributeValues": {":pk": {"S": f"{BOARD_KIND}#{board_id}"}, ":items": {"S": BOARD_ITEM_PREFIX}},
        "ProjectionExpression": "#pk, #sk, generationId, addedAt",
    }, start_key)


def board_and_records(board_id: str, generation_ids: list[str]) -> tuple[BoardRecord | None, dict[str, dict]]:
    """The board and the records of these images, in one BatchGetItem (at most 99 ids)."""
    ids = list(dict.fromkeys(generation_ids))
    items, complete = table.batch_get([key(board_id), *(generation_records.key(i) for i in ids)])
    board, records = None, {}
    for item in map(table.from_item, items):
        if item[SORT_KEY] == BOARD_KIND:
            board = _plain_board(item)
        else:
            records[item["id"]] = item
    if board is None and not complete:  # throttled, not absent: never answer 404 for a board that is there
        raise StorageError(table.UNAVAILABLE_MESSAGE, {"awsError": "UnprocessedKeys"})
    return board, records  # type: ignore[return-value]


def boards_of(generation_id: str) -> list[dict]:
    """Every membership of the image (which boards hold it): one Query on its partition, paged."""
    found, start = [], None
    while True:
        items, start = table.query({
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :boards)",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY, "#sk": SORT_KEY},
            "ExpressionAttributeValues": {":pk": {"S": f"GEN#{generation_id}"},
                                          ":boards": {"S": BOARD_MEMBERSHIP_PREFIX}},
            "ConsistentRead": True,
        }, start)
        found += items
        if not start:
            return found


def forget_memberships(memberships: list[dict]) -> None:
    """Delete these memberships and their board items (an image that was deleted), and count them
    off their boards (a board deleted meanwhile is left alone)."""
    keys = [k for m in memberships for k in (_membership_key(m["generationId"], m["boardId"]),
                                              _item_key(m["boardId"], m["itemSort"]))]
    delete_keys(keys)
    for m in memberships:
        table.update({"Key": key(m["boardId"]), "UpdateExpression": "ADD itemCount :minus_one",
                      "ConditionExpression": f"attribute_exists({PARTITION_KEY})",
                      "ExpressionAttributeValues": {":minus_one": {"N": "-1"}}})
        drop_cover_if(m["boardId"], m["generationId"])


def delete_keys(keys: list[dict]) -> None:
    """BatchWriteItem deletes, 25 a call; unprocessed ones (throttling) asked again, bounded."""
    dynamodb, tablename = clients.get("dynamodb"), table.name()
    for first in range(0, len(keys), BATCH_WRITE_MAX):
        request = {tablename: [{"DeleteRequest": {"Key": k}} for k in keys[first:first + BATCH_WRITE_MAX]]}
        for attempt in range(table.WRITE_ATTEMPTS):
            try:
                request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            except (ClientError, BotoCoreError) as error:
                raise table.storage_error(error) from error
            if not request:
                break
            table.pause(attempt)
        if request:
            raise Conflict(IN_PROGRESS_MESSAGE, code="in_progress")


def delete(board: BoardRecord) -> bool:
    """Delete the owner's board and mark its rows for removal, in one write: False when it is gone."""
    purge = {PARTITION_KEY: BOARDS_PURGE_PARTITION, SORT_KEY: board["id"], "boardId": board["id"],
             "deletedAt": board["updatedAt"]}
    return table.transact([
        {"Delete": {"TableName": table.name(), "Key": key(board["id"]), "ConditionExpression": "ownerId = :owner",
                    "ExpressionAttributeValues": {":owner": {"S": board["ownerId"]}}}},
        {"Put": {"TableName": table.name(), "Item": table.to_item(purge)}},
    ], IN_PROGRESS_MESSAGE) is None


def purge(board_id: str, deadline: float) -> bool:
    """Remove a deleted board's items and memberships, a page at a time, until done (True, and the
    purge mark goes) or until time.monotonic() passes `deadline` (False: the sweeper carries on)."""
    start = None
    while time.monotonic() < deadline:
        items, start = items_page(board_id, 500, None)
        keys = [k for i in items for k in (_item_key(board_id, i[SORT_KEY]),
                                           _membership_key(i["generationId"], board_id))]
        delete_keys(keys)
        if not start:
            delete_keys([{PARTITION_KEY: {"S": BOARDS_PURGE_PARTITION}, SORT_KEY: {"S": board_id}}])
            return True
    return False


def purges_pending(limit: int) -> list[str]:
    """Deleted boards whose rows are still there (one Query on the purge partition)."""
    items, _ = table.query({
        "Limit": limit, "KeyConditionExpression": "#pk = :pk", "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
        "ExpressionAttributeValues": {":pk": {"S": BOARDS_PURGE_PARTITION}},
    })
    return [i["boardId"] for i in items]
