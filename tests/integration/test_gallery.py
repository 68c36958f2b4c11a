"""GET /gallery, GET/PATCH/DELETE /generations/{id}, GET /openapi.json."""

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import gallery.handler
import generate.handler
from studio import openapi
from studio.adapters import clients
from tests.support import images as make
from tests.support.aws import objects_under
from tests.support.bedrock import titan_answer
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import finish as finish_generation, get, post, run_worker, stored
from tests.support.uploads import put_upload

TITAN = "amazon.titan-image-generator-v2:0"


def gallery_page(user=USER_A, **query):
    return call(gallery.handler.handler, "GET", "/gallery", user=user, query=query or None)


def patch(generation_id, body, user=USER_A):
    return call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body=body, user=user)


def delete(generation_id, user=USER_A):
    return call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}", user=user)


def make_generation(user=USER_A, mode="text", public=False, finish=True):
    """A generation of `user`; finished (COMPLETE, no images) unless finish=False."""
    body = {"prompt": f"{mode} picture", "mode": mode, "public": public}
    if mode == "color":
        body["colors"] = ["#112233"]
    reply = post(body, user=user)
    assert reply.status == 202, reply.body
    if finish:
        finish_generation(reply.body["id"])
    return reply.body["id"]


def newest_first(ids):
    """ids ordered as the gallery must order them: createdAt descending, then id descending."""
    return sorted(ids, key=lambda i: (stored(i)["createdAt"], i), reverse=True)


def all_pages(user=USER_A, **query):
    ids, cursor, pages = [], None, 0
    while True:
        reply = gallery_page(user, **query, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, reply.body
        ids += [i["id"] for i in reply.body["items"]]
        pages += 1
        cursor = reply.body["nextCursor"]
        if not cursor:
            return ids, pages


# --- listing -------------------------------------------------------------------------------
def test_given_my_generations_then_the_gallery_lists_them_newest_first(aws):
    ids = [make_generation() for _ in range(4)]
    make_generation(user=USER_B)
    reply = gallery_page()
    assert reply.status == 200
    assert [i["id"] for i in reply.body["items"]] == newest_first(ids)
    assert reply.body["nextCursor"] is None
    assert all(i["mine"] for i in reply.body["items"])


def test_given_seven_items_and_limit_three_then_three_pages_without_duplicates_or_gaps(aws):
    ids = [make_generation() for _ in range(7)]
    first = gallery_page(limit=3)
    assert len(first.body["items"]) == 3 and first.body["nextCursor"]
    seen, pages = all_pages(limit=3)
    assert seen == newest_first(ids) and pages == 3


def test_given_a_mode_filter_then_only_that_mode_and_paging_stays_in_the_mode(aws):
    colors = [make_generation(mode="color") for _ in range(3)]
    [make_generation(mode="text") for _ in range(2)]
    seen, _ = all_pages(mode="color", limit=2)
    assert seen == newest_first(colors)


def test_given_favorites_then_the_favorite_feed_follows_patch(aws):
    a, b, c = (make_generation(mode=m) for m in ("text", "color", "text"))
    assert gallery_page(favorite="true").body["items"] == []
    reply = patch(a, {"favorite": True})
    assert reply.status == 200 and reply.body["favorite"] is True and reply.body["id"] == a
    patch(b, {"favorite": True})
    assert [i["id"] for i in gallery_page(favorite="true").body["items"]] == newest_first([a, b])
    assert [i["id"] for i in gallery_page(favorite="true", mode="color").body["items"]] == [b]
    assert patch(a, {"favorite": False}).body["favorite"] is False
    assert [i["id"] for i in gallery_page(favorite="true").body["items"]] == [b]
    assert {i["id"] for i in gallery_page(favorite="false").body["items"]} == {a, b, c}


def counting_queries(monkeypatch):
    """Every gallery Query: (its request, items read by DynamoDB, items returned)."""
    dynamodb = clients.get("dynamodb")
    real, seen = dynamodb.query, []

    def query(**request):
        answer = real(**request)
        seen.append((request, answer["ScannedCount"], answer["Count"]))
        return answer

    monkeypatch.setattr(dynamodb, "query", query)
    return seen


@pytest.mark.parametrize("filters", [
    {}, {"mode": "color"}, {"favorite": "true"}, {"favorite": "true", "mode": "color"},
    {"scope": "all"}, {"scope": "all", "mode": "color"},
], ids=lambda f: "&".join(f"{k}={v}" for k, v in f.items()) or "mine")
def test_given_every_gallery_filter_then_each_page_reads_exactly_what_it_returns(aws, monkeypatch, filters):
    ids = {m: [make_generation(mode=m, public=True) for _ in range(3)] for m in ("text", "color")}
    for generation_id in ids["text"] + ids["color"]:
        patch(generation_id, {"favorite": True})
    seen = counting_queries(monkeypatch)
    pages, cursor = [], None
    while True:
        query = {**filters, "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = gallery_page(**query).body
        pages.append([i["id"] for i in body["items"]])
        cursor = body["nextCursor"]
        if not cursor:
            break
    expected = ids["color"] if filters.get("mode") == "color" else ids["text"] + ids["color"]
    assert sorted(i for page in pages for i in page) == sorted(expected)
    assert all(len(page) == 2 for page in pages[:-1])  # no short pages before the end
    for request, read, returned in seen:
        assert "FilterExpression" not in request and read == returned


def test_given_a_favorite_unfavorited_then_it_leaves_the_favorite_mode_feed(aws):
    generation_id = make_generation(mode="color")
    patch(generation_id, {"favorite": True})
    assert [i["id"] for i in gallery_page(favorite="true", mode="color").body["items"]] == [generation_id]
    patch(generation_id, {"favorite": False})
    assert gallery_page(favorite="true", mode="color").body["items"] == []
    assert "favoriteModeFeed" not in stored(generation_id)


def test_given_scope_all_then_only_public_records_of_everyone(aws):
    mine_public = make_generation(public=True)
    make_generation(public=False)
    theirs_public = make_generation(user=USER_B, public=True, mode="color")
    make_generation(user=USER_B)
    reply = gallery_page(scope="all")
    assert [i["id"] for i in reply.body["items"]] == newest_first([mine_public, theirs_public])
    mine = {i["id"]: i["mine"] for i in reply.body["items"]}
    assert mine == {mine_public: True, theirs_public: False}
    assert [i["id"] for i in gallery_page(scope="all", mode="color").body["items"]] == [theirs_public]


def test_given_a_public_generation_still_pending_then_only_its_owner_sees_it(aws):
    generation_id = make_generation(public=True, finish=False)
    assert gallery_page(USER_B, scope="all").body["items"] == []
    assert [i["id"] for i in gallery_page(USER_A).body["items"]] == [generation_id]
    finish_generation(generation_id)
    assert [i["id"] for i in gallery_page(USER_B, scope="all").body["items"]] == [generation_id]


def test_given_a_public_generation_still_pending_then_every_read_by_another_user_is_404(aws):
    # issue 19.8: the public feed waits for COMPLETE; a read by id, an edit and a lineage agree with it
    generation_id = make_generation(public=True, finish=False)
    assert get(generation_id).status == 200
    reply = get(generation_id, user=USER_B)
    assert reply.status == 404 and reply.error["code"] == "not_found"
    edit = call(generate.handler.handler, "POST", "/edits", user=USER_B,
                body={"operation": "upscale-fast", "generationId": generation_id})
    assert edit.status == 404, edit.body
    rerun = post({"prompt": "p", "lineage": {"source": "rerun", "parentId": generation_id}}, user=USER_B)
    assert rerun.status == 404 and rerun.error["code"] == "parent_not_found"
    finish_generation(generation_id)
    assert get(generation_id, user=USER_B).status == 200
    assert post({"prompt": "p", "lineage": {"source": "rerun", "parentId": generation_id}}, user=USER_B).status == 202


def test_given_patch_public_then_it_enters_and_leaves_the_public_feed(aws):
    generation_id = make_generation()
    assert gallery_page(USER_B, scope="all").body["items"] == []
    assert patch(generation_id, {"public": True}).body["public"] is True
    assert [i["id"] for i in gallery_page(USER_B, scope="all").body["items"]] == [generation_id]
    assert [i["id"] for i in gallery_page(USER_B, scope="all", mode="text").body["items"]] == [generation_id]
    patch(generation_id, {"public": False})
    assert gallery_page(USER_B, scope="all").body["items"] == []
    assert gallery_page(USER_B, scope="all", mode="text").body["items"] == []


def test_given_scope_all_and_favorite_true_then_400(aws):
    reply = gallery_page(scope="all", favorite="true")
    assert reply.status == 400 and reply.error["code"] == "invalid_filter" and reply.fields() == ["favorite"]


@pytest.mark.parametrize("query,field", [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"),
                                         ({"limit": "many"}, "limit"), ({"scope": "everyone"}, "scope"),
                                         ({"mode": "inpaint"}, "mode"), ({"favorite": "maybe"}, "favorite"),
                                         ({"cursor": "c" * 2049}, "cursor")])
def test_given_an_invalid_query_then_422_naming_the_parameter(aws, query, field):
    reply = gallery_page(**query)
    assert reply.status == 422 and field in reply.fields()


def cursor_of(user=USER_A, **query):
    [make_generation(user=user) for _ in range(3)]
    cursor = gallery_page(user, limit=1, **query).body["nextCursor"]
    assert cursor
    return cursor


@pytest.mark.parametrize("forge", [lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),
                                   lambda c: "x" + c, lambda c: "not-a-cursor", lambda c: c.split(".")[0]])
def test_given_a_forged_or_tampered_cursor_then_400_invalid_cursor(aws, forge):
    reply = gallery_page(limit=1, cursor=forge(cursor_of()))
    assert reply.status == 400 and reply.error["code"] == "invalid_cursor"


def test_given_user_as_cursor_used_by_user_b_then_400(aws):
    cursor = cursor_of(USER_A)
    make_generation(user=USER_B)
    reply = gallery_page(USER_B, limit=1, cursor=cursor)
    assert reply.status == 400 and reply.error["code"] == "invalid_cursor"
    assert all(i["mine"] for i in gallery_page(USER_B).body["items"])


def test_given_a_cursor_from_another_filter_then_400(aws):
    cursor = cursor_of()
    assert gallery_page(limit=1, cursor=cursor, mode="text").status == 400
    assert gallery_page(limit=1, cursor=cursor, scope="all").status == 400


def test_given_the_cursor_secret_is_unreadable_then_503(aws, monkeypatch):
    def denied(**_):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetSecretValue")

    monkeypatch.setattr(clients.get("secretsmanager"), "get_secret_value", denied)
    reply = gallery_page()
    assert reply.status == 503 and reply.error["code"] == "storage_error"


# --- one record ----------------------------------------------------------------------------
def test_given_my_record_then_get_returns_it(aws):
    key = put_upload(USER_A, make.png())
    generation_id = post({"prompt": "p", "mode": "variation", "referenceImageKey": key,
                          "lineage": {"source": "reference", "referenceImageKey": key}}).body["id"]
    reply = get(generation_id)
    assert reply.status == 200 and reply.body["id"] == generation_id and reply.body["mine"] is True
    assert reply.body["request"]["referenceImageKey"] == key  # the owner sees their own upload key
    assert reply.body["lineage"]["referenceImageKey"] == key
    assert "ownerId" not in reply.body


def test_given_a_missing_record_then_404_on_get_patch_delete(aws):
    assert get("nope").status == 404
    assert patch("nope", {"favorite": True}).status == 404
    reply = delete("nope")
    assert reply.status == 404 and reply.error["code"] == "not_found"


def test_given_another_users_private_record_then_404_on_get_patch_delete(aws):
    generation_id = make_generation(user=USER_B)
    for reply in (get(generation_id), patch(generation_id, {"favorite": True}), delete(generation_id)):
        assert reply.status == 404 and reply.error["code"] == "not_found"
    assert stored(generation_id) is not None and not stored(generation_id)["favorite"]


def test_given_another_users_public_record_then_readable_but_not_changeable(aws):
    key = put_upload(USER_B, make.png())
    generation_id = post({"prompt": "p", "mode": "variation", "referenceImageKey": key, "public": True,
                          "lineage": {"source": "reference", "referenceImageKey": key}}, user=USER_B).body["id"]
    finish_generation(generation_id)  # shared with others once COMPLETE
    reply = get(generation_id)
    assert reply.status == 200 and reply.body["mine"] is False
    assert USER_B not in json.dumps(reply.body)  # no owner id, not even inside an upload key
    assert patch(generation_id, {"favorite": True}).status == 404
    assert patch(generation_id, {"public": False}).status == 404
    assert delete(generation_id).status == 404
    assert stored(generation_id)["public"] is True


@pytest.mark.parametrize("body,field", [({}, "favorite"), ({"favorite": "maybe"}, "favorite"),
                                        ({"favorite": True, "owner": "me"}, "owner")])
def test_given_an_invalid_patch_then_422_naming_the_field(aws, body, field):
    generation_id = make_generation()
    reply = patch(generation_id, body)
    assert reply.status == 422 and field in reply.fields()


def test_given_a_complete_generation_when_deleted_then_204_and_its_objects_are_gone(aws, bedrock):
    key = put_upload(USER_A, make.png((200, 100)))
    generation_id = post({"prompt": "a lighthouse", "mode": "variation", "referenceImageKey": key, "seed": 3,
                          "count": 2}).body["id"]
    from tests.support.bedrock import Matches

    bedrock.invoke(TITAN, Matches(lambda body: json.loads(body)["taskType"] == "IMAGE_VARIATION"),
                   titan_answer(make.png(), make.png()))
    run_worker(aws)
    assert len(objects_under("images/")) == 5  # 2 PNG, 2 WebP, the reference as sent
    reply = delete(generation_id)
    assert reply.status == 204 and not reply.body
    assert objects_under("images/") == []
    assert get(generation_id).status == 404
    assert gallery_page().body["items"] == []
    assert delete(generation_id).status == 404


def test_given_s3_refuses_the_delete_then_503(aws, bedrock, monkeypatch):
    generation_id = post({"prompt": "a lighthouse", "seed": 3}).body["id"]
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": {"numberOfImages": 1, "width": 1024, "height": 1024,
                                                     "quality": "standard", "seed": 3}}, titan_answer(make.png()))
    run_worker(aws)

    def refused(**_):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DeleteObjects")

    monkeypatch.setattr(clients.get("s3"), "delete_objects", refused)
    reply = delete(generation_id)
    assert reply.status == 503 and reply.error["code"] == "storage_error"
    # Nothing is lost: the record is still there, so the delete can be retried.
    assert stored(generation_id)["status"] == "COMPLETE"
    monkeypatch.undo()
    assert delete(generation_id).status == 204 and stored(generation_id) is None
    assert objects_under("images/") == []


# --- the OpenAPI document ------------------------------------------------------------------
CHECKED_IN = Path(gallery.handler.__file__).with_name("openapi.json")


def test_given_no_token_then_get_openapi_json_returns_the_checked_in_document(aws):
    reply = call(gallery.handler.handler, "GET", "/openapi.json", user=None)
    assert reply.status == 200 and reply.headers["Content-Type"] == "application/json"
    assert reply.body == json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    assert reply.body["info"]["title"] == "Image Prompt Studio API"


def test_given_the_code_then_the_checked_in_openapi_document_is_current():
    """Regenerate with: make openapi"""
    assert CHECKED_IN.read_text(encoding="utf-8") == openapi.render()
