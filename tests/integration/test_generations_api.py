"""POST /generations and GET /models: validate, reserve quota, store PENDING, queue."""

import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

import gallery.handler
import generate.handler
from studio import catalog
from studio.adapters import clients
from tests.support import images as make
from tests.support.aws import queued_messages
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import generation_items, get, post, quota_used, stored, today
from tests.support.uploads import put_upload

TITAN = "amazon.titan-image-generator-v2:0"
CORE = "stability.stable-image-core-v1:1"


def test_given_a_valid_request_then_202_pending_with_estimated_cost_stored_and_queued(aws):
    reply = post({"prompt": "a lighthouse", "count": 3, "seed": 123, "quality": "premium",
                  "lineage": {"source": "basic", "originalText": "등대", "originalLanguage": "ko",
                              "english": "a lighthouse"}})
    assert reply.status == 202, reply.body
    body = reply.body
    assert body["status"] == "PENDING" and body["mode"] == "text" and body["modelId"] == TITAN
    assert body["estimatedCost"] == pytest.approx(0.036)
    assert body["request"]["seed"] == 123 and body["images"] == [] and body["mine"] is True
    assert body["lineage"] == {"source": "basic", "originalText": "등대", "originalLanguage": "ko",
                               "english": "a lighthouse", "finalPrompt": "a lighthouse"}
    record = stored(body["id"])
    assert record["ownerId"] == USER_A and record["status"] == "PENDING" and record["quotaDay"] == today()
    assert record["request"]["seed"] == 123 and record["imageCount"] == 3
    assert [json.loads(m["Body"]) for m in queued_messages(aws.queue_url)] == [{"generationId": body["id"]}]
    assert quota_used() == 3


def test_given_no_seed_then_the_server_picks_one_in_range_and_stores_it(aws):
    reply = post({"prompt": "p"})
    seed = reply.body["request"]["seed"]
    assert isinstance(seed, int) and 0 <= seed <= 2_147_483_646
    assert stored(reply.body["id"])["request"]["seed"] == seed
    assert get(reply.body["id"]).body["request"]["seed"] == seed


def test_given_the_same_idempotency_key_then_the_first_record_and_no_second_job(aws):
    first = post({"prompt": "p", "count": 2}, headers={"Idempotency-Key": "retry-1"})
    again = post({"prompt": "p", "count": 2}, headers={"Idempotency-Key": "retry-1"})
    assert first.status == again.status == 202
    assert again.body["id"] == first.body["id"] and again.body["request"] == first.body["request"]
    assert len(queued_messages(aws.queue_url)) == 1 and len(generation_items()) == 1
    assert quota_used() == 2


def test_given_a_lower_case_idempotency_key_header_then_it_is_honoured(aws):
    first = post({"prompt": "p"}, headers={"idempotency-key": "lower-1"})
    again = post({"prompt": "p"}, headers={"idempotency-key": "lower-1"})
    assert again.body["id"] == first.body["id"] and len(generation_items()) == 1


def test_given_a_replay_when_the_quota_is_now_full_then_the_first_record_not_429(aws, env):
    env(DAILY_IMAGE_QUOTA="3")
    first = post({"prompt": "p", "count": 2}, headers={"Idempotency-Key": "full-1"})
    again = post({"prompt": "p", "count": 2}, headers={"Idempotency-Key": "full-1"})
    assert again.status == 202 and again.body["id"] == first.body["id"]
    assert quota_used() == 2


def test_given_the_same_key_with_a_different_body_then_409(aws):
    post({"prompt": "p"}, headers={"Idempotency-Key": "k-1"})
    reply = post({"prompt": "another"}, headers={"Idempotency-Key": "k-1"})
    assert reply.status == 409 and reply.error["code"] == "idempotency_conflict"
    assert len(generation_items()) == 1


def test_given_another_user_with_the_same_key_then_a_separate_generation(aws):
    a = post({"prompt": "p"}, headers={"Idempotency-Key": "shared"})
    b = post({"prompt": "p"}, user=USER_B, headers={"Idempotency-Key": "shared"})
    assert b.status == 202 and b.body["id"] != a.body["id"]


@pytest.mark.parametrize("key", ["", "x" * 65, "has space", "naïve", "semi;colon"])
def test_given_a_malformed_idempotency_key_then_422_naming_it(aws, key):
    reply = post({"prompt": "p"}, headers={"Idempotency-Key": key})
    assert reply.status == 422 and reply.fields() == ["Idempotency-Key"]


def test_given_a_quota_of_3_when_2_then_2_images_then_the_second_is_429_and_nothing_is_stored(aws, env):
    env(DAILY_IMAGE_QUOTA="3")
    assert post({"prompt": "p", "count": 2}).status == 202
    reply = post({"prompt": "p", "count": 2})
    assert reply.status == 429 and reply.error["code"] == "quota_exceeded"
    assert 1 <= int(reply.headers["Retry-After"]) <= 86400
    assert len(generation_items()) == 1 and len(queued_messages(aws.queue_url)) == 1
    assert quota_used() == 2
    assert post({"prompt": "p", "count": 1}).status == 202  # exactly up to the limit
    assert quota_used() == 3


def test_given_more_images_than_the_whole_quota_then_429(aws, env):
    env(DAILY_IMAGE_QUOTA="1")
    reply = post({"prompt": "p", "count": 2})
    assert reply.status == 429 and reply.headers["Retry-After"]
    assert generation_items() == []


def test_given_the_quota_is_per_user_then_another_user_is_not_affected(aws, env):
    env(DAILY_IMAGE_QUOTA="1")
    assert post({"prompt": "p"}).status == 202
    assert post({"prompt": "p"}, user=USER_B).status == 202


def images_left(user=USER_A):
    reply = call(generate.handler.handler, "GET", "/models", user=user)
    assert reply.status == 200
    return reply.body["imagesLeftToday"]


def test_get_models_says_how_many_images_are_left_today_for_the_caller(aws, env):
    env(DAILY_IMAGE_QUOTA="5")
    assert images_left() == 5
    created = post({"prompt": "p", "count": 2})
    assert created.status == 202 and images_left() == 3 and images_left(USER_B) == 5
    assert call(gallery.handler.handler, "DELETE", f"/generations/{created.body['id']}").status == 204
    assert images_left() == 5  # an unfinished generation deleted gives its images back


def test_images_and_text_left_today_are_read_in_one_call(aws, monkeypatch):
    dynamodb, calls = clients.get("dynamodb"), []
    for name in ("get_item", "batch_get_item", "query"):
        real = getattr(dynamodb, name)
        monkeypatch.setattr(dynamodb, name, lambda _real=real, _name=name, **kw: calls.append(_name) or _real(**kw))
    reply = call(generate.handler.handler, "GET", "/models")
    assert reply.status == 200 and calls == ["batch_get_item"]


@pytest.mark.parametrize("model_id", ["no.such-model-v1:0", "amazon.titan-image-generator-v1"])
def test_given_an_unknown_model_then_422_naming_model_id(aws, model_id):
    reply = post({"prompt": "p", "modelId": model_id})
    assert reply.status == 422 and reply.fields() == ["modelId"]


def test_given_a_known_but_not_allowed_model_then_422(aws, env):
    env(ALLOWED_IMAGE_MODELS=TITAN)
    reply = post({"prompt": "p", "modelId": "amazon.nova-canvas-v1:0"})
    assert reply.status == 422 and reply.fields() == ["modelId"]


def test_given_color_mode_on_stable_image_core_then_400_unsupported_mode(aws):
    reply = post({"prompt": "p", "mode": "color", "colors": ["#ff0000"], "modelId": CORE})
    assert reply.status == 400 and reply.error["code"] == "unsupported_mode" and reply.fields() == ["mode"]


def test_given_structure_without_a_reference_then_422_naming_reference_image_key(aws):
    reply = post({"prompt": "p", "mode": "structure"})
    assert reply.status == 422 and reply.fields() == ["referenceImageKey"]


def test_given_another_users_reference_then_404(aws):
    key = put_upload(USER_B, make.png())
    reply = post({"prompt": "p", "mode": "variation", "referenceImageKey": key})
    assert reply.status == 404 and reply.error["code"] == "reference_missing"
    assert generation_items() == []


def test_given_a_reference_that_was_never_uploaded_then_404(aws):
    reply = post({"prompt": "p", "mode": "variation", "referenceImageKey": f"uploads/{USER_A}/{'f' * 32}.png"})
    assert reply.status == 404 and reply.error["code"] == "reference_missing"


@pytest.mark.parametrize("body,field", [
    ({"prompt": ""}, "prompt"), ({"prompt": "  "}, "prompt"), ({}, "prompt"), ({"prompt": "x" * 513}, "prompt"),
    ({"prompt": "p", "negativePrompt": "n" * 513}, "negativePrompt"),
    ({"prompt": "p", "mode": "inpaint"}, "mode"), ({"prompt": "p", "count": 0}, "count"),
    ({"prompt": "p", "count": 6}, "count"), ({"prompt": "p", "width": 1000, "height": 1000}, "width"),
    ({"prompt": "p", "width": 8192}, "width"), ({"prompt": "p", "height": 32}, "height"),
    ({"prompt": "p", "cfgScale": 1.0}, "cfgScale"), ({"prompt": "p", "cfgScale": 10.5}, "cfgScale"),
    ({"prompt": "p", "seed": -1}, "seed"), ({"prompt": "p", "seed": 2_147_483_647}, "seed"),
    ({"prompt": "p", "quality": "ultra"}, "quality"),
    ({"prompt": "p", "mode": "color", "colors": ["red"]}, "colors.0"),
    ({"prompt": "p", "mode": "color"}, "colors"),
    ({"prompt": "p", "mode": "color", "colors": ["#000000"] * 11}, "colors"),
    ({"prompt": "p", "colors": ["#000000"]}, "colors"),
    ({"prompt": "p", "controlMode": "DEPTH"}, "controlMode"),
    ({"prompt": "p", "controlStrength": 1.5}, "controlStrength"),
    ({"prompt": "p", "controlMode": "CANNY_EDGE"}, "controlMode"),
    ({"prompt": "p", "similarityStrength": 0.1}, "similarityStrength"),
    ({"prompt": "p", "similarityStrength": 0.5}, "similarityStrength"),
    ({"prompt": "p", "referenceImageKey": "s3://bucket/x.png"}, "referenceImageKey"),
    ({"prompt": "p", "unknown": True}, "unknown"),
    ({"prompt": "p", "lineage": {"originalText": "t" * 2001}}, "lineage.originalText"),
    ({"prompt": "p", "lineage": {"source": "magic"}}, "lineage.source"),
    ({"prompt": "p", "lineage": {"extra": 1}}, "lineage.extra"),
    ({"prompt": "p", "modelId": CORE, "cfgScale": 5}, "cfgScale"),
    ({"prompt": "p", "modelId": CORE, "quality": "premium"}, "quality"),
])
def test_given_a_field_breaking_a_rule_then_422_naming_the_field(aws, body, field):
    reply = post(body)
    assert reply.status == 422, reply.body
    assert reply.error["code"] == "validation_error" and field in reply.fields()
    assert generation_items() == [] and queued_messages(aws.queue_url) == []


def test_given_malformed_json_then_400_invalid_json(aws):
    reply = call(generate.handler.handler, "POST", "/generations", raw_body='{"prompt": ')
    assert reply.status == 400 and reply.error["code"] == "invalid_json"


@pytest.mark.parametrize("failure", [
    ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendMessage"),
    EndpointConnectionError(endpoint_url="https://sqs.us-east-1.amazonaws.com/"),
], ids=["service-error", "connection-error"])
def test_given_the_queue_is_unreachable_then_503_and_the_record_fails_with_the_quota_released(aws, monkeypatch,
                                                                                             failure):
    sqs = clients.get("sqs")

    def unavailable(**_):
        raise failure

    monkeypatch.setattr(sqs, "send_message", unavailable)
    reply = post({"prompt": "p", "count": 2})
    assert reply.status == 503 and reply.error["code"] == "storage_error"
    [item] = generation_items()
    assert item["status"]["S"] == "FAILED" and item["error"]["M"]["code"]["S"] == "storage_error"
    assert quota_used() == 0


def test_given_a_table_failure_then_503_storage_error(aws, monkeypatch):
    dynamodb = clients.get("dynamodb")

    def broken(**_):
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, "TransactWriteItems")

    monkeypatch.setattr(dynamodb, "transact_write_items", broken)
    reply = post({"prompt": "p"})
    assert reply.status == 503 and reply.error["details"] == {"awsError": "InternalServerError"}


def test_given_an_unexpected_error_then_500_with_the_request_id(aws, monkeypatch):
    from studio.logic import generations

    monkeypatch.setattr(generations, "create", lambda *a, **k: 1 / 0)
    reply = post({"prompt": "p"})
    assert reply.status == 500 and reply.error["code"] == "internal_error"
    assert reply.error["details"]["requestId"]
    assert "ZeroDivision" not in json.dumps(reply.body)


# --- GET /models ---------------------------------------------------------------------------
def test_given_all_models_allowed_then_get_models_lists_each_with_modes_sizes_and_prices(aws, env):
    env(IMAGE_PRICES_JSON=json.dumps({TITAN: {"standard": 0.02}}), DAILY_IMAGE_QUOTA="42")
    reply = call(generate.handler.handler, "GET", "/models")
    assert reply.status == 200
    by_id = {m["modelId"]: m for m in reply.body["imageModels"]}
    assert list(by_id) == [m.model_id for m in catalog.IMAGE_MODELS]
    titan = by_id[TITAN]
    assert titan["default"] is True and titan["modes"] == ["text", "color", "structure", "variation"]
    assert len(titan["sizes"]) == 25 and {"width": 1173, "height": 640} in titan["sizes"]
    assert titan["pricePerImage"] == {"standard": 0.02, "premium": 0.012}
    assert titan["anySize"] is None and titan["legacy"] and titan["cfgScale"] == [1.1, 10.0]
    nova = by_id["amazon.nova-canvas-v1:0"]
    assert nova["anySize"] == {"minSide": 320, "maxSide": 4096, "multipleOf": 16, "maxPixels": 4194304,
                               "maxAspect": 4.0}
    assert nova["maxPromptLength"] == 1024 and nova["default"] is False
    core = by_id[CORE]
    assert core["modes"] == ["text"] and core["cfgScale"] is None and core["qualities"] == ["standard"]
    assert reply.body["textModel"]["modelId"] == catalog.DEFAULT_TEXT_MODEL_ID
    assert reply.body["dailyImageQuota"] == 42


def test_given_an_allow_list_then_only_those_models_are_listed(aws, env):
    env(ALLOWED_IMAGE_MODELS=f"{CORE},{TITAN}")
    reply = call(generate.handler.handler, "GET", "/models")
    assert [m["modelId"] for m in reply.body["imageModels"]] == [CORE, TITAN]
    assert reply.body["editOperations"] == []  # no edit service in the list


# --- lineage is the image's true story (issue 19.5) ----------------------------------------------
def test_given_lineage_naming_another_users_private_generation_then_404_and_nothing_stored(aws):
    private = post({"prompt": "mine only"}, user=USER_B).body["id"]
    reply = post({"prompt": "p", "lineage": {"source": "rerun", "parentId": private}})
    assert reply.status == 404 and reply.body["error"]["code"] == "parent_not_found"
    assert reply.body["error"]["details"][0]["field"] == "lineage.parentId"
    assert [i["id"]["S"] for i in generation_items()] == [private] and quota_used() == 0


def test_given_lineage_naming_no_generation_then_404(aws):
    reply = post({"prompt": "p", "lineage": {"source": "rerun", "parentId": "no-such-generation"}})
    assert reply.status == 404 and reply.body["error"]["code"] == "parent_not_found"


def test_given_lineage_naming_a_visible_generation_then_it_is_stored(aws):
    mine = post({"prompt": "first"}).body["id"]
    reply = post({"prompt": "again", "lineage": {"source": "rerun", "parentId": mine}})
    assert reply.status == 202 and stored(reply.body["id"])["lineage"]["parentId"] == mine


@pytest.mark.parametrize("claim", [{"operation": "erase"}, {"parentImageIndex": 0}, {"source": "edit"},
                                   {"sourceImageKey": "uploads/" + USER_A + "/0123456789abcdef.png"}])
def test_given_lineage_claiming_what_only_the_server_writes_then_422(aws, claim):
    reply = post({"prompt": "p", "lineage": {"source": "api", **claim}})
    assert reply.status == 422, reply.body
    assert reply.body["error"]["details"][0]["field"] == "lineage." + next(iter(claim))
    assert generation_items() == []


def test_given_lineage_naming_another_users_upload_then_404(aws):
    reply = post({"prompt": "p", "lineage": {"source": "reference",
                                             "referenceImageKey": f"uploads/{USER_B}/0123456789abcdef.png"}})
    assert reply.status == 404 and generation_items() == []
