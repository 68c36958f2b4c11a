"""Boards through the gallery function, on moto: who may see and change a board, items in the order
added and paged in at most two reads, an image on many boards, and what deletes take with them."""

from __future__ import annotations

import boto3
import pytest

import gallery.handler
from studio.adapters import clients
from studio.logic import board_cleanup
from studio.storage_layout import PARTITION_KEY, SORT_KEY
from tests.support.aws import REGION, TABLE
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import finish, post


def api(method, path, user=USER_A, **kwargs):
    return call(gallery.handler.handler, method, path, user=user, **kwargs)


def make_board(name="Trips", user=USER_A, shared=False):
    reply = api("POST", "/boards", user=user, body={"name": name, "shared": shared})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def make_image(user=USER_A, public=False):
    reply = post({"prompt": "a lighthouse", "mode": "text", "public": public}, user=user)
    assert reply.status == 202, reply.body
    finish(reply.body["id"])
    return reply.body["id"]


def item_ids(board_id, user=USER_A, **query):
    reply = api("GET", f"/boards/{board_id}/items", user=user, query=query or None)
    assert reply.status == 200, reply.body
    return [i["id"] for i in reply.body["items"]]


def board_rows():
    """Every board item and membership row in the table (a Scan: a test's look at all of it)."""
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Items"]
    return sorted((i[PARTITION_KEY]["S"], i[SORT_KEY]["S"]) for i in items
                  if i[SORT_KEY]["S"].startswith(("ITEM#", "BOARD#")) or i[PARTITION_KEY]["S"].startswith("BOARDS#"))


def test_given_a_new_board_then_it_is_listed_read_renamed_and_shared(aws):
    board = make_board("  Trips  ")
    assert api("GET", f"/boards/{board}").body | {"createdAt": None, "updatedAt": None} == {
        "id": board, "name": "Trips", "shared": False, "mine": True, "itemCount": 0, "cover": None,
        "createdAt": None, "updatedAt": None}
    other = make_board("Faces")
    assert [b["id"] for b in api("GET", "/boards").body["items"]] == [other, board]  # newest first
    reply = api("PATCH", f"/boards/{board}", body={"name": "Trips 2026", "shared": True})
    assert reply.status == 200 and reply.body["name"] == "Trips 2026" and reply.body["shared"] is True
    assert [b["id"] for b in api("GET", "/boards", query={"scope": "all"}).body["items"]] == [board]
    api("PATCH", f"/boards/{board}", body={"shared": False})
    assert api("GET", "/boards", query={"scope": "all"}).body["items"] == []


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": "x" * 101}, "name"), ({"name": "a\u0007b"}, "name"),
    ({"name": "ok", "shared": "yes"}, "shared"), ({"name": "ok", "owner": "me"}, "owner"),
])
def test_given_a_bad_board_then_422_naming_the_field(aws, body, field):
    reply = api("POST", "/boards", body=body)
    assert reply.status == 422 and reply.error["code"] == "validation_error"
    assert any(field in f for f in reply.fields()), reply.body


def test_given_images_added_then_the_board_lists_them_in_the_order_added_once_each(aws):
    board, first, second, third = make_board(), make_image(), make_image(), make_image()
    for image in (second, first, third, first):  # first again: stays where it was
        reply = api("PUT", f"/boards/{board}/items/{image}")
        assert reply.status == 200 and reply.body["generationId"] == image
    page = api("GET", f"/boards/{board}/items").body
    assert [i["id"] for i in page["items"]] == [second, first, third]
    assert page["board"]["itemCount"] == 3 and all(i["addedAt"] for i in page["items"])
    assert api("DELETE", f"/boards/{board}/items/{first}").status == 204
    assert api("DELETE", f"/boards/{board}/items/{first}").status == 204  # not there: nothing to do
    assert item_ids(board) == [second, third] and api("GET", f"/boards/{board}").body["itemCount"] == 2


def test_given_one_image_on_two_boards_then_deleting_it_takes_it_off_both_and_deleting_a_board_keeps_images(aws):
    trips, faces, image, kept = make_board("Trips"), make_board("Faces"), make_image(), make_image()
    for board in (trips, faces):
        api("PUT", f"/boards/{board}/items/{image}")
        api("PUT", f"/boards/{board}/items/{kept}")
    assert api("PATCH", f"/boards/{trips}", body={"coverGenerationId": image}).body["cover"]["generationId"] == image
    assert api("DELETE", f"/generations/{image}").status == 204
    assert item_ids(trips) == [kept] and item_ids(faces) == [kept]
    trips_now = api("GET", f"/boards/{trips}").body
    assert trips_now["itemCount"] == 1 and trips_now["cover"] is None  # the cover left with the image
    assert api("DELETE", f"/boards/{trips}").status == 204
    assert api("GET", f"/boards/{trips}").status == 404
    assert api("GET", f"/generations/{kept}").status == 200  # the image stays
    assert item_ids(faces) == [kept]
    assert board_rows() == sorted([(f"BOARD#{faces}", r) for r in board_rows_of(faces)]
                                  + [(f"GEN#{kept}", f"BOARD#{faces}")])


def board_rows_of(board_id):
    items = boto3.client("dynamodb", region_name=REGION).query(
        TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": f"BOARD#{board_id}"}})
    return [i[SORT_KEY]["S"] for i in items["Items"] if i[SORT_KEY]["S"].startswith("ITEM#")]


def test_given_another_users_private_board_then_it_is_not_there_for_them(aws):
    board, image = make_board(), make_image()
    api("PUT", f"/boards/{board}/items/{image}")
    b_image = make_image(USER_B)
    for method, path, body in [("GET", f"/boards/{board}", None), ("GET", f"/boards/{board}/items", None),
                               ("PATCH", f"/boards/{board}", {"name": "mine now"}), ("DELETE", f"/boards/{board}", None),
                               ("PUT", f"/boards/{board}/items/{b_image}", None),
                               ("DELETE", f"/boards/{board}/items/{image}", None),
                               ("POST", f"/boards/{board}/items/batch", {"add": [b_image]})]:
        reply = api(method, path, user=USER_B, body=body)
        assert (reply.status, reply.error["code"]) == (404, "board_not_found"), (method, path, reply.body)
    assert api("GET", "/boards", user=USER_B).body["items"] == []
    assert api("GET", "/boards", user=USER_B, query={"scope": "all"}).body["items"] == []
    assert item_ids(board) == [image] and api("GET", f"/boards/{board}").body["name"] == "Trips"


def test_given_a_shared_board_then_another_user_reads_it_but_cannot_change_it(aws):
    board, shared_image, private_image = make_board(shared=True), make_image(public=True), make_image()
    for image in (shared_image, private_image):
        api("PUT", f"/boards/{board}/items/{image}")
    b_image = make_image(USER_B)
    seen = api("GET", f"/boards/{board}", user=USER_B).body
    assert seen["mine"] is False and seen["shared"] is True
    # The board never shows B an image its owner kept private.
    assert item_ids(board, USER_B) == [shared_image] and item_ids(board) == [shared_image, private_image]
    for method, path, body in [("PATCH", f"/boards/{board}", {"name": "mine now"}), ("DELETE", f"/boards/{board}", None),
                               ("PUT", f"/boards/{board}/items/{b_image}", None),
                               ("DELETE", f"/boards/{board}/items/{shared_image}", None),
                               ("POST", f"/boards/{board}/items/batch", {"remove": [shared_image]})]:
        reply = api(method, path, user=USER_B, body=body)
        assert (reply.status, reply.error["code"]) == (403, "board_read_only"), (method, path, reply.body)
    assert item_ids(board) == [shared_image, private_image]


def test_given_another_users_image_then_only_a_shared_one_goes_on_my_board(aws):
    board, private, shared = make_board(), make_image(USER_B), make_image(USER_B, public=True)
    reply = api("PUT", f"/boards/{board}/items/{private}")
    assert (reply.status, reply.error["code"]) == (404, "not_found")
    assert api("PUT", f"/boards/{board}/items/{shared}").status == 200
    assert api("PUT", f"/boards/{board}/items/nosuchimage").status == 404
    # B unshares it: it stays on the board's rows but A no longer sees it there.
    assert call(gallery.handler.handler, "PATCH", f"/generations/{shared}", user=USER_B, body={"public": False}).status == 200
    assert item_ids(board) == []


def test_given_a_batch_then_each_image_goes_on_or_off_and_the_failures_are_named(aws):
    board, a, b, c = make_board(), make_image(), make_image(), make_image()
    api("PUT", f"/boards/{board}/items/{c}")
    reply = api("POST", f"/boards/{board}/items/batch", body={"add": [a, "missing", b, a], "remove": [c]})
    assert reply.status == 200, reply.body
    assert reply.body["added"] == [a, b] and reply.body["removed"] == [c]
    assert [(f["generationId"], f["code"]) for f in reply.body["failed"]] == [("missing", "not_found")]
    assert reply.body["board"]["itemCount"] == 2 and item_ids(board) == [a, b]
    assert api("POST", f"/boards/{board}/items/batch", body={}).status == 422
    assert api("POST", f"/boards/{board}/items/batch", body={"add": ["x"] * 51}).status == 422


def test_given_a_cover_not_on_the_board_then_422_and_a_cover_on_it_is_shown(aws):
    board, image, elsewhere = make_board(), make_image(), make_image()
    api("PUT", f"/boards/{board}/items/{image}")
    reply = api("PATCH", f"/boards/{board}", body={"coverGenerationId": elsewhere})
    assert reply.status == 422 and reply.fields() == ["coverGenerationId"]
    assert api("PATCH", f"/boards/{board}", body={"coverGenerationId": image}).body["cover"]["generationId"] == image
    assert api("GET", "/boards").body["items"][0]["cover"]["generationId"] == image
    assert api("PATCH", f"/boards/{board}", body={"clearCover": True}).body["cover"] is None


def seed_board(board_id, owner, count):
    """`count` COMPLETE images of `owner` on the board, written straight into the table (batch writes),
    each a copy of one real record."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    template = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": f"GEN#{make_image(owner)}"}, "sk": {"S": "GEN"}})
    template = {k: v for k, v in template["Item"].items() if not k.endswith("Feed") and k != "createdSort"}
    rows, ids = [], []
    for n in range(count):
        gid, stamp = f"seed{n:05d}", f"2026-11-26T00:{n // 60 % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z"
        ids.append(gid)
        rows += [
            {**template, "pk": {"S": f"GEN#{gid}"}, "id": {"S": gid}, "createdAt": {"S": stamp}},
            {"pk": {"S": f"BOARD#{board_id}"}, "sk": {"S": f"ITEM#{stamp}#{gid}"}, "generationId": {"S": gid},
             "addedAt": {"S": stamp}},
            {"pk": {"S": f"GEN#{gid}"}, "sk": {"S": f"BOARD#{board_id}"}, "boardId": {"S": board_id},
             "generationId": {"S": gid}, "itemSort": {"S": f"ITEM#{stamp}#{gid}"}, "addedAt": {"S": stamp}},
        ]
    for first in range(0, len(rows), 25):
        dynamodb.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": r}} for r in rows[first:first + 25]]})
    dynamodb.update_item(TableName=TABLE, Key={"pk": {"S": f"BOARD#{board_id}"}, "sk": {"S": "BOARD"}},
                         UpdateExpression="SET itemCount = :n", ExpressionAttributeValues={":n": {"N": str(count)}})
    return ids


def counting_reads(monkeypatch):
    """The DynamoDB read calls the app makes (Query, GetItem, BatchGetItem), by name."""
    dynamodb, seen = clients.get("dynamodb"), []
    for name in ("query", "get_item", "batch_get_item"):
        real = getattr(dynamodb, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            seen.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(dynamodb, name, counted)
    return seen


def test_given_a_board_of_1000_images_then_every_page_takes_two_reads_in_the_order_added(aws, monkeypatch):
    board = make_board("Big")
    ids = seed_board(board, USER_A, 1000)
    seen = counting_reads(monkeypatch)
    listed, cursor, pages = [], None, 0
    while True:
        seen.clear()
        body = api("GET", f"/boards/{board}/items", query={"limit": 96, **({"cursor": cursor} if cursor else {})}).body
        assert sorted(seen) == ["batch_get_item", "query"], seen  # one Query, one BatchGetItem
        listed += [i["id"] for i in body["items"]]
        pages, cursor = pages + 1, body["nextCursor"]
        if not cursor:
            break
    assert listed == ids and pages == 11


def test_given_a_delete_cut_short_then_the_sweeper_finishes_removing_the_boards_rows(aws, monkeypatch):
    board = make_board("Big")
    seed_board(board, USER_A, 60)
    monkeypatch.setattr(board_cleanup, "REQUEST_SECONDS", 0.0)  # the request's budget is used up at once
    assert api("DELETE", f"/boards/{board}").status == 204
    assert api("GET", f"/boards/{board}").status == 404
    assert len(board_rows()) == 121  # 60 items, 60 memberships, the purge mark
    assert board_cleanup.purge_deleted(seconds=30) == 1
    assert board_rows() == []


def test_given_a_tampered_or_foreign_cursor_then_400(aws):
    board, other = make_board(), make_board("Other")
    seed_board(board, USER_A, 3)
    cursor = api("GET", f"/boards/{board}/items", query={"limit": 1}).body["nextCursor"]
    assert api("GET", f"/boards/{other}/items", query={"cursor": cursor}).error["code"] == "invalid_cursor"
    assert api("GET", f"/boards/{board}/items", query={"cursor": cursor[:-2] + "xx"}).error["code"] == "invalid_cursor"


def test_given_the_board_left_unprocessed_by_a_throttled_batch_read_then_503_not_404(aws, monkeypatch):
    board = make_board()
    dynamodb = clients.get("dynamodb")

    def throttled(RequestItems, **_):  # noqa: N803 (boto3's parameter name)
        return {"Responses": {TABLE: []}, "UnprocessedKeys": RequestItems}

    monkeypatch.setattr(dynamodb, "batch_get_item", throttled)
    reply = api("GET", f"/boards/{board}/items")
    assert (reply.status, reply.error["code"]) == (503, "storage_error")


def test_given_a_full_board_then_a_new_image_is_409_board_full_and_one_already_on_it_keeps_its_place(aws, monkeypatch):
    board, first, second = make_board(), make_image(), make_image()
    api("PUT", f"/boards/{board}/items/{first}")
    monkeypatch.setattr("studio.logic.boards.BOARD_MAX_ITEMS", 1)
    reply = api("PUT", f"/boards/{board}/items/{second}")
    assert (reply.status, reply.error["code"]) == (409, "board_full")
    again = api("PUT", f"/boards/{board}/items/{first}")
    assert again.status == 200 and item_ids(board) == [first]
