"""Gallery filters (issue 22 point 3): model, operation, aspect, date range, tag and batchId, each combined with
scope=mine / scope=all / favorite=true and with each other, served by the facet rows (storage_layout.py): a
single filter's page is one Query and one BatchGetItem, whatever the gallery's size. The rows must move with
the record on every write (creation, completion, favorite/public, delete)."""

from __future__ import annotations

import boto3
import pytest

import gallery.handler
from studio.adapters import facets, feeds
from tests.integration.test_boards import counting_reads, make_board
from tests.integration.test_generation_batches import CORE, SD35, ULTRA, post_batch
from tests.support.aws import REGION, TABLE
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import finish, post, stored


def page(user=USER_A, **query):
    return call(gallery.handler.handler, "GET", "/gallery", user=user, query={k: str(v) for k, v in query.items()})


def ids(reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [i["id"] for i in reply.body["items"]]


def every_page(user=USER_A, allow_empty: bool = False, **query) -> tuple[list[str], list[int]]:
    """All the ids of a filtered gallery, page by page, and the size of each page. None may be empty while a
    cursor follows, unless `allow_empty`: a combined filter may reach its bound with no match (an empty page and
    a cursor)."""
    found, sizes, cursor = [], [], None
    while True:
        reply = page(user, **query, **({"cursor": cursor} if cursor else {}))
        found += ids(reply)
        sizes.append(len(reply.body["items"]))
        cursor = reply.body["nextCursor"]
        if not cursor:
            return found, sizes
        assert allow_empty or reply.body["items"], "a page with a nextCursor has items"


def patch(generation_id, body, user=USER_A):
    return call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", user=user, body=body)


def facet_rows() -> dict[str, list[str]]:
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Items"]
    rows: dict[str, list[str]] = {}
    for item in items:
        if item["pk"]["S"].startswith("FACET#"):
            rows.setdefault(item["pk"]["S"], []).append(item["generationId"]["S"])
    return rows


def image(public=False, user=USER_A, **body):
    reply = post({"prompt": "a lighthouse", "mode": "text", "public": public, **body}, user=user)
    assert reply.status == 202, reply.body
    finish(reply.body["id"])
    return reply.body["id"]


def test_the_rows_follow_the_record_through_completion_flags_and_delete(aws):
    shared = image(public=True, width=1024, height=1024)
    model = stored(shared)["modelId"]
    pending = post({"prompt": "a tower", "mode": "text", "public": True, "width": 1024, "height": 1024}).body["id"]
    # The owner sees both (pending too); everyone else only the shared, completed one
    assert ids(page(model=model)) == [pending, shared]
    assert ids(page(model=model, scope="all", user=USER_B)) == [shared]
    assert ids(page(aspect="square", scope="all")) == [shared] and ids(page(aspect="portrait", scope="all")) == []
    assert ids(page(operation="text", favorite="true")) == []
    # Favorite, then unshare: the rows move with the flags
    assert patch(shared, {"favorite": True}).status == 200
    assert ids(page(operation="text", favorite="true")) == [shared]
    assert patch(shared, {"public": False}).body["public"] is False
    assert ids(page(model=model, scope="all", user=USER_B)) == []
    assert ids(page(aspect="square", favorite="true")) == [shared]
    # Completing a shared image publishes its rows
    finish(pending)
    assert ids(page(model=model, scope="all", user=USER_B)) == [pending]
    # Delete takes every row along
    for generation_id in (shared, pending):
        assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    assert facet_rows() == {}


def test_a_batch_is_listed_for_its_owner_and_never_reveals_private_images(aws):
    reply = post_batch({"prompt": "a lighthouse", "modelIds": [CORE, ULTRA, SD35], "public": True})
    assert reply.status == 202, reply.body
    batch, members = reply.body["batchId"], [g["id"] for g in reply.body["generations"]]
    assert sorted(ids(page(batchId=batch))) == sorted(members)
    assert ids(page(batchId=batch, model=ULTRA)) == [members[1]]
    # Another user: nothing of it in their own images, and in everyone's only once completed (and shared)
    assert ids(page(batchId=batch, user=USER_B)) == [] and ids(page(batchId=batch, scope="all", user=USER_B)) == []
    finish(members[0])
    assert ids(page(batchId=batch, scope="all", user=USER_B)) == [members[0]]


def test_bad_values_are_422_and_combinations_that_cannot_be_served_400(aws):
    unknown = page(model="no-such-model")
    assert unknown.status == 422 and CORE in unknown.body["error"]["message"]
    bad_operation = page(operation="paint")
    assert bad_operation.status == 422 and "inpaint" in str(bad_operation.body)
    assert page(aspect="wide").status == 422
    swapped = page(createdFrom="2026-12-02", createdTo="2026-12-01")
    assert swapped.status == 422 and swapped.body["error"]["details"][0]["field"] == "createdFrom"
    assert page(createdFrom="2026-13-01").status == 422
    assert page(createdTo="2026-12-01T10:00:00").status == 422  # not UTC
    parent = page(parent="abc", model=CORE)
    assert parent.status == 400 and parent.body["error"]["code"] == "invalid_filter"
    assert "model" in parent.body["error"]["message"]
    assert page(scope="all", favorite="true", model=CORE).body["error"]["code"] == "invalid_filter"


# --- a gallery of 1,000 images -----------------------------------------------------------------
MODELS = (CORE, ULTRA, SD35)
SIZES = ((1024, 1024), (1344, 768), (768, 1344), (1000, 1040))  # square, landscape, portrait, square (4%)


def seed(owner: str, count: int) -> list[dict]:
    """`count` COMPLETE records of `owner` with their feed attributes and facet rows, written straight into the
    table (batch writes): models, edits, sizes, favorites and shared ones mixed. Newest first."""
    template = stored(image(user=owner))  # a real record's request and lineage, so that the API can show them
    records, items = [], []
    for n in range(count):
        width, height = SIZES[n % 4]
        record = {"id": f"seed{n:05d}", "ownerId": owner, "status": "COMPLETE", "mode": "text",
                  "modelId": MODELS[n % 3], "createdAt": f"2026-11-{1 + n // 100:02d}T00:{n // 60 % 60:02d}:"
                                                        f"{n % 60:02d}.000Z",
                  "request": {**template["request"], "width": width, "height": height}, "favorite": n % 5 == 0,
                  "public": n % 2 == 0, "imageCount": 1, "images": [], "lineage": template["lineage"],
                  "updatedAt": "2026-11-30T00:00:00.000Z"}
        if n % 7 == 0:  # an edit: its output size is what counts
            record.update(mode="edit", operation="erase", modelId="stability.stable-image-erase-object-v1:0")
            record["request"] = {"operation": "erase", "imageIndex": 0, "left": 0, "right": 0, "up": 0, "down": 0,
                                 "seed": 1, "outputWidth": width, "outputHeight": height}
        records.append(record)
        attributes = {k: v for k, v in feeds.attributes(record).items() if v is not None}
        items.append(facets.table.to_item({**record, **attributes, "pk": f"GEN#{record['id']}", "sk": "GEN"}))
        items += facets.rows(record).values()
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for first in range(0, len(items), 25):
        dynamodb.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": i}} for i in items[first:first + 25]]})
    return sorted(records + [template], key=facets.sort_value, reverse=True)


@pytest.fixture()
def thousand(aws):
    return seed(USER_A, 1000)


def test_given_1000_images_a_single_filter_page_is_one_query_and_one_batch_get_and_combined_ones_fill_up(
        thousand, monkeypatch):
    if facets.aspect({"request": {"outputWidth": 1, "outputHeight": 1}}) != "square":
        pytest.fail("seed sizes")
    seen = counting_reads(monkeypatch)
    for query, expected in (
        ({"model": ULTRA}, [r for r in thousand if r["modelId"] == ULTRA]),
        ({"operation": "erase", "scope": "all"}, [r for r in thousand if r.get("operation") == "erase" and r.get("public")]),
        ({"aspect": "square", "favorite": "true"},
         [r for r in thousand if r.get("favorite") and facets.aspect(r) == "square"]),
        ({"model": CORE, "createdFrom": "2026-11-03", "createdTo": "2026-11-04"},
         [r for r in thousand if r["modelId"] == CORE and "2026-11-03" <= r["createdAt"][:10] <= "2026-11-04"]),
    ):
        listed, cursor = [], None
        while True:
            seen.clear()
            body = page(limit=100, **query, **({"cursor": cursor} if cursor else {})).body
            assert sorted(seen) == ["batch_get_item", "query"], (query, seen)  # the "2 reads"
            listed += [i["id"] for i in body["items"]]
            cursor = body["nextCursor"]
            if not cursor:
                break
            assert body["items"]
        assert listed == [r["id"] for r in expected], query

    # Combined filters (one seeding of the table for both: it is the slow part) read on until the page is full
    expected = [r["id"] for r in thousand
                if r["modelId"] == SD35 and facets.aspect(r) == "portrait" and r.get("public")]
    found, sizes = every_page(model=SD35, aspect="portrait", scope="all", limit=30)
    assert found == expected and len(expected) > 30 and all(size == 30 for size in sizes[:-1])
    # with mode: checked on the rows too
    found, _sizes = every_page(operation="erase", mode="edit", aspect="portrait", limit=20)
    assert found == [r["id"] for r in thousand if r.get("operation") == "erase" and facets.aspect(r) == "portrait"]
    # The cursor is bound to the filters
    cursor = page(model=SD35, aspect="landscape", limit=5).body["nextCursor"]
    assert page(model=SD35, aspect="portrait", limit=5, cursor=cursor).status == 400
    assert page(model=SD35, limit=5, cursor=cursor).status == 400
    # The bound: a request reads at most MAX_COMBINED_QUERIES Queries of rows; when none of them matched, the page
    # is empty and still has a cursor (documented), and reading on ends the list
    from studio.logic import gallery as gallery_logic
    monkeypatch.setattr(gallery_logic, "COMBINED_QUERY_ROWS", 50)
    monkeypatch.setattr(gallery_logic, "MAX_COMBINED_QUERIES", 2)
    seen.clear()
    first = page(model=SD35, operation="erase", limit=10).body  # no erase is made by SD3.5
    assert seen == ["query", "query"] and first["items"] == [] and first["nextCursor"]
    found, sizes = every_page(allow_empty=True, model=SD35, operation="erase", limit=10)
    # the erase rows are read (an edit operation is the narrower source): 143 of them, 100 a request
    assert found == [] and len(sizes) == 2
    monkeypatch.undo()
    seen = counting_reads(monkeypatch)
    # A date range on the plain feed is a key condition: one Query
    seen.clear()
    listed = ids(page(createdFrom="2026-11-10T00:00:00Z", limit=100))
    assert seen == ["query"] and listed == [r["id"] for r in thousand if r["createdAt"] >= "2026-11-10"][:100]


def test_a_boards_items_take_the_same_filters_in_board_order(aws):
    board = make_board()
    square, wide, other = image(width=1024, height=1024), image(width=1408, height=768), image(width=1024, height=1024)
    for generation_id in (wide, square, other):
        assert call(gallery.handler.handler, "PUT", f"/boards/{board}/items/{generation_id}").status == 200
    patch(other, {"tags": ["sea"]})

    def board_ids(user=USER_A, **query):
        reply = call(gallery.handler.handler, "GET", f"/boards/{board}/items", user=user,
                     query={k: str(v) for k, v in query.items()})
        assert reply.status == 200, reply.body
        return [i["id"] for i in reply.body["items"]]

    assert board_ids(aspect="square") == [square, other]
    assert board_ids(aspect="square", tag="sea") == [other]
    assert board_ids(operation="text", createdFrom="2000-01-01") == [wide, square, other]
    assert board_ids(createdTo="2000-01-01") == []
    assert call(gallery.handler.handler, "GET", f"/boards/{board}/items", user=USER_B,
                query={"aspect": "square"}).status == 404  # private board


def test_the_facet_backfill_writes_the_rows_of_older_records_resumes_and_is_safe_to_run_twice(aws, tmp_path):
    from studio import backfill_facets
    shared, private = image(public=True), image()
    assert patch(shared, {"tags": ["sea"], "favorite": True}).status == 200
    before = facet_rows()
    # shared: 3 audiences x (model, operation, aspect, tag); private: its owner's model, operation, aspect
    # (both made by the same model, the same way, the same size: their partitions are shared)
    assert sum(len(v) for v in before.values()) == 3 * 4 + 3
    # Given records from before facets: no rows, no mark, and a tags22-era tag row
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for pk, generation_ids in before.items():
        for generation_id in generation_ids:
            dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": facets.sort_value(stored(generation_id))}})
    for generation_id in (shared, private):
        dynamodb.update_item(TableName=TABLE, Key={"pk": {"S": f"GEN#{generation_id}"}, "sk": {"S": "GEN"}},
                             UpdateExpression="REMOVE facetsVersion")
    legacy = {"pk": {"S": f"TAG#{USER_A}#sea"}, "sk": {"S": facets.sort_value(stored(shared))},
              "generationId": {"S": shared}}
    dynamodb.put_item(TableName=TABLE, Item=legacy)
    assert facet_rows() == {} and ids(page(tag="sea")) == []
    # When the backfill runs in pages of one record (stopping after one page, then resuming)
    state, lines = tmp_path / "facets.json", []
    assert backfill_facets.main(["--batch-size", "1", "--max-batches", "1", "--state", str(state)],
                                out=lines.append) == 0
    assert state.exists()
    assert backfill_facets.main(["--batch-size", "1", "--state", str(state)], out=lines.append) == 0
    # Then every row is back, the legacy tag row is gone, and the filters find them
    assert facet_rows() == before and not state.exists()
    assert sum("FACETS_WRITTEN" in line for line in lines) == 2
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key={"pk": legacy["pk"], "sk": legacy["sk"]})
    assert ids(page(tag="sea", favorite="true")) == [shared]
    # And a second run finds nothing to do
    lines.clear()
    assert backfill_facets.main(["--state", str(state)], out=lines.append) == 0
    assert not any("FACETS_WRITTEN" in line for line in lines)


def test_a_stray_public_row_never_shows_a_private_image(aws):
    private = image()
    record = stored(private)
    # A row that should not be there (a bug, a half-restored backup): the page still checks the record
    boto3.client("dynamodb", region_name=REGION).put_item(TableName=TABLE, Item={
        "pk": {"S": facets.partition("public", "model", record["modelId"])}, "sk": {"S": facets.sort_value(record)},
        "generationId": {"S": private}})
    assert ids(page(model=record["modelId"], scope="all", user=USER_B)) == []
    assert ids(page(model=record["modelId"])) == [private]
