"""Tags you can edit (issue 22, point 2): the index job's automatic tags, the owner's edits through
PATCH /generations/{id}, and GET /gallery?tag= served by the tag rows (one Query per page). The rows
must stay in step with the record on every write: edit, index job, delete."""

from __future__ import annotations

import gallery.handler
from studio.adapters import clients
from studio.settings import settings
from tests.integration.test_search import GREEN, RED, CallCounter, indexed
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import stored


def tag_pk(tag: str, user: str = USER_A) -> str:
    return f"FACET#mine:{user}#tag#{tag}"


def tag_rows() -> dict[str, list[str]]:
    """Every tag row in the table (facet rows of the tag facet, any audience): partition -> generation ids
    (a test-side Scan, to see them all)."""
    items = clients.get("dynamodb").scan(TableName=settings().require("table_name"))["Items"]
    rows: dict[str, list[str]] = {}
    for item in items:
        if item["pk"]["S"].startswith("FACET#") and "#tag#" in item["pk"]["S"]:
            rows.setdefault(item["pk"]["S"], []).append(item["generationId"]["S"])
    return rows


def patch(generation_id: str, body: dict, user: str = USER_A):
    return call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", user=user, body=body)


def by_tag(tag: str, user: str = USER_A, **query):
    return call(gallery.handler.handler, "GET", "/gallery", user=user, query={"tag": tag, **query})


def test_the_index_job_stores_the_automatic_tags_with_their_rows(aws, bedrock):
    generation_id = indexed(aws, bedrock)
    assert stored(generation_id)["tags"] == ["red", "rose", "warm"]
    assert tag_rows() == {tag_pk(t): [generation_id] for t in ("red", "rose", "warm")}
    reply = by_tag("Rose ")
    assert reply.status == 200 and [i["id"] for i in reply.body["items"]] == [generation_id]
    assert reply.body["items"][0]["tags"] == ["red", "rose", "warm"]


def test_an_owners_edit_moves_the_rows_and_the_index_job_no_longer_overrides_it(aws, bedrock):
    generation_id = indexed(aws, bedrock)
    reply = patch(generation_id, {"addTags": ["  Golden   Hour "], "removeTags": ["WARM"]})
    assert reply.status == 200, reply.body
    assert reply.body["tags"] == ["red", "rose", "golden hour"]
    assert set(tag_rows()) == {tag_pk(t) for t in ("red", "rose", "golden hour")}
    assert [i["id"] for i in by_tag("golden hour").body["items"]] == [generation_id]
    assert by_tag("warm").body["items"] == []
    # Replacing them all
    assert patch(generation_id, {"tags": ["Sunset"]}).body["tags"] == ["sunset"]
    assert tag_rows() == {tag_pk("sunset"): [generation_id]}
    # A later index job (a re-index) keeps the owner's tags
    from studio.logic import tags
    assert tags.apply_automatic(generation_id, [{"caption": "x", "tags": ["other"]}]) is False
    assert stored(generation_id)["tags"] == ["sunset"] and tag_rows() == {tag_pk("sunset"): [generation_id]}


def test_deleting_an_image_removes_its_tag_rows(aws, bedrock):
    generation_id = indexed(aws, bedrock)
    patch(generation_id, {"addTags": ["keep"]})
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    assert tag_rows() == {}
    assert by_tag("keep").body["items"] == []


def test_a_tag_page_is_one_query_and_one_batch_get_newest_first_and_pages_on(aws, bedrock):
    first = indexed(aws, bedrock)
    second = indexed(aws, bedrock, directions=((GREEN, 0.0),))
    third = indexed(aws, bedrock, directions=((RED, 0.0),))
    counter = CallCounter()
    page = by_tag("rose", limit=2)
    assert page.status == 200
    assert [i["id"] for i in page.body["items"]] == [third, second]
    assert sorted(c for c in counter.calls if c != "GetSecretValue") == ["BatchGetItem", "Query"]
    rest = by_tag("rose", limit=2, cursor=page.body["nextCursor"])
    assert [i["id"] for i in rest.body["items"]] == [first]
    # A cursor is bound to its tag
    assert by_tag("red", limit=2, cursor=page.body["nextCursor"]).status == 400


def test_tags_are_the_owners_only(aws, bedrock):
    generation_id = indexed(aws, bedrock, public=True)
    assert patch(generation_id, {"addTags": ["mine"]}, user=USER_B).status == 404
    assert by_tag("rose", user=USER_B).body["items"] == []
    assert "mine" not in stored(generation_id)["tags"]


def test_bad_tags_and_filters_get_a_clear_4xx(aws, bedrock):
    generation_id = indexed(aws, bedrock)
    too_many = patch(generation_id, {"tags": [f"t{i}" for i in range(21)]})
    assert too_many.status == 422 and "at most 20" in too_many.body["error"]["message"]
    bad = patch(generation_id, {"addTags": ["a#b"]})
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "addTags"
    assert patch(generation_id, {"tags": ["x" * 41]}).status == 422
    assert patch(generation_id, {"tags": ["   "]}).status == 422
    assert stored(generation_id)["tags"] == ["red", "rose", "warm"]  # nothing half-applied
    # tag combines with scope=all and favorite now (issue 22 point 3): a private, not favorite image is in neither
    assert by_tag("rose", scope="all").body["items"] == [] and by_tag("rose", favorite="true").body["items"] == []
    assert by_tag("rose", parent=generation_id).status == 400  # parent stays alone
    assert by_tag("rose", scope="all", favorite="true").status == 400
    assert by_tag("a#b").status == 422
