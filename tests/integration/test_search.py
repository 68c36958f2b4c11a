"""Search: the index function (embeddings, vectors, captions), GET /gallery/search, and the index
following delete and unshare. moto stores the vectors (QueryVectors: local.vector_query), Bedrock
answers through Stubber, so the exact embedding requests are checked too."""

from __future__ import annotations

import json

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

import gallery.handler
import index.handler
from studio import backfill as backfill_command
from studio.adapters import clients, generation_records, vectors
from studio.errors import StorageError
from studio.logic import indexing, search
from studio.storage_layout import VECTOR_DIMENSION
from studio.settings import settings
from tests.support import images as make
from tests.support.aws import REGION, VECTOR_INDEX_ARN, queued_messages, sqs_event
from tests.support.bedrock import Matches, b64_image, titan_answer
from tests.support.events import USER_A, USER_B, LambdaContext, call
from tests.support.flow import post, run_worker, stored
from tests.support.uploads import put_upload

TITAN = "amazon.titan-image-generator-v2:0"
EMBED = "amazon.nova-2-multimodal-embeddings-v1:0"
ANY_BODY = Matches(lambda _: True, "any body")
RED, GREEN, BLUE = 0, 1, 2


def axis(i: int, tilt: float = 0.0) -> list[float]:
    """A unit vector near axis i (tilt moves it a little toward the last axis)."""
    v = [0.0] * VECTOR_DIMENSION
    v[i], v[-1] = 1.0, tilt
    norm = (1 + tilt * tilt) ** 0.5
    return [x / norm for x in v]


def embed_answer(vector: list[float], kind: str = "IMAGE") -> dict:
    return {"embeddings": [{"embeddingType": kind, "embedding": vector}]}


def image_embedding_request(purpose: str = "GENERIC_INDEX") -> Matches:
    def check(body) -> bool:
        data = json.loads(body)
        params = data["singleEmbeddingParams"]
        return (data["taskType"] == "SINGLE_EMBEDDING" and set(data) == {"taskType", "singleEmbeddingParams"}
                and params["embeddingPurpose"] == purpose and params["embeddingDimension"] == 1024
                and params["image"]["format"] == "webp"
                and b64_image(lambda im: im.format == "WEBP") == params["image"]["source"]["bytes"])
    return Matches(check, f"image embedding ({purpose})")


def caption_answer(bedrock, tags=("red", "rose", "warm")) -> None:
    bedrock.converse(None, "caption_image", {"caption": "A red rose in warm light.", "tags": list(tags)})


def run_index(resources) -> dict:
    messages = queued_messages(resources.index_queue_url)
    assert messages, "no index job was queued"
    return index.handler.handler(sqs_event(messages, resources.index_queue_arn), LambdaContext())


def indexed(aws, bedrock, user=USER_A, directions=((RED, 0.0),), public=False, prompt="a rose") -> str:
    """A COMPLETE generation of `user` with one image per direction, indexed with those embeddings."""
    reply = post({"prompt": prompt, "count": len(directions), "public": public}, user=user)
    assert reply.status == 202, reply.body
    bedrock.invoke(TITAN, ANY_BODY, titan_answer(*[make.png((64, 64))] * len(directions)))
    run_worker(aws)
    for direction, tilt in directions:
        bedrock.invoke(EMBED, image_embedding_request(), embed_answer(axis(direction, tilt)))
        caption_answer(bedrock)
    assert run_index(aws) == {"batchItemFailures": []}
    return reply.body["id"]


def find(user=USER_A, **query):
    return call(gallery.handler.handler, "GET", "/gallery/search", user=user, query=query)


def text_query(bedrock, vector, text="red") -> None:
    bedrock.invoke(EMBED, {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {
        "embeddingPurpose": "IMAGE_RETRIEVAL", "embeddingDimension": 1024,
        "text": {"truncationMode": "END", "value": text}}}, embed_answer(vector, "TEXT"))


def stored_vectors(generation_id: str, count: int = 1) -> dict:
    return vectors.get([vectors.key(generation_id, i) for i in range(count)])


class CallCounter:
    """Counts the AWS API calls the application's clients make."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        for name in ("s3", "dynamodb", "sqs", "bedrock-runtime", "s3vectors", "secretsmanager"):
            # provide-client-params fires before Stubber answers (at before-call), so stubbed calls count too
            clients.get(name).meta.events.register("provide-client-params", self._count)

    def _count(self, model, **_kwargs) -> None:
        self.calls.append(model.name)


# --- indexing -------------------------------------------------------------------------------
def test_given_a_completed_generation_then_the_index_function_writes_each_image_with_its_metadata(aws, bedrock):
    # Given a generation of two images, rendered by the worker (which queues the index job)
    generation_id = indexed(aws, bedrock, directions=((RED, 0.0), (GREEN, 0.0)), prompt="two roses")
    # Then each image has a vector keyed <id>#<index> with the filterable metadata and the prompt
    found = stored_vectors(generation_id, 2)
    record = stored(generation_id)
    assert sorted(found) == [f"{generation_id}#0", f"{generation_id}#1"]
    assert found[f"{generation_id}#1"]["data"][GREEN] == pytest.approx(1.0)
    assert found[f"{generation_id}#0"]["metadata"] == {
        "owner": USER_A, "public": False, "mode": "text", "model": TITAN, "createdAt": record["createdAt"],
        "prompt": "two roses"}
    # And the record carries a caption and tags per image, and is marked indexed
    assert [a["tags"] for a in record["annotations"]] == [["red", "rose", "warm"]] * 2
    assert record["indexedAt"]
    bedrock.assert_done()


def test_given_a_user_language_then_the_caption_is_asked_in_it_too(aws, bedrock):
    reply = post({"prompt": "a rose", "lineage": {"source": "basic", "originalText": "장미",
                                                  "originalLanguage": "ko"}})
    bedrock.invoke(TITAN, ANY_BODY, titan_answer(make.png((64, 64))))
    run_worker(aws)
    bedrock.invoke(EMBED, image_embedding_request(), embed_answer(axis(RED)))
    asked = Matches(lambda messages: '"language": "ko"' in messages[0]["content"][1]["text"], "language ko")
    bedrock.converse({"modelId": settings().text_model_id, "system": Matches(lambda _: True, "system"),
                      "messages": asked, "inferenceConfig": Matches(lambda _: True, "config"),
                      "toolConfig": Matches(lambda c: c["toolChoice"] == {"tool": {"name": "caption_image"}}, "tool")},
                     "caption_image", {"caption": "A red rose.", "tags": ["red", "rose", "flower"],
                                       "localCaption": "붉은 장미.", "localTags": ["빨간", "장미", "꽃"]})
    run_index(aws)
    assert stored(reply.body["id"])["annotations"] == [{
        "caption": "A red rose.", "tags": ["red", "rose", "flower"], "language": "ko",
        "localCaption": "붉은 장미.", "localTags": ["빨간", "장미", "꽃"]}]


def test_given_the_caption_fails_then_the_image_is_still_searchable(aws, bedrock):
    reply = post({"prompt": "a rose"})
    bedrock.invoke(TITAN, ANY_BODY, titan_answer(make.png((64, 64))))
    run_worker(aws)
    bedrock.invoke(EMBED, image_embedding_request(), embed_answer(axis(RED)))
    bedrock.converse_error("ThrottlingException", "Too many requests")
    assert run_index(aws) == {"batchItemFailures": []}
    assert stored_vectors(reply.body["id"]) and stored(reply.body["id"])["annotations"] == [{"caption": "", "tags": []}]


def test_given_the_embedding_fails_then_the_job_is_retried_and_nothing_is_written(aws, bedrock):
    reply = post({"prompt": "a rose"})
    bedrock.invoke(TITAN, ANY_BODY, titan_answer(make.png((64, 64))))
    run_worker(aws)
    bedrock.invoke_error("ThrottlingException", "Too many requests", 429, model_id=EMBED)
    # Then the invocation fails (every record of the batch failed), so SQS delivers the job again
    # and the index DLQ keeps it after the last try
    with pytest.raises(BatchProcessingError):
        run_index(aws)
    assert not stored_vectors(reply.body["id"]) and "indexedAt" not in stored(reply.body["id"])


def test_given_the_index_queue_is_unreachable_then_the_generation_still_completes(aws, bedrock, env):
    env(INDEX_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue")
    reply = post({"prompt": "a rose"})
    bedrock.invoke(TITAN, ANY_BODY, titan_answer(make.png((64, 64))))
    run_worker(aws)
    assert stored(reply.body["id"])["status"] == "COMPLETE"


def test_given_a_record_deleted_before_its_job_runs_then_the_job_is_skipped(aws, bedrock):
    reply = post({"prompt": "a rose"})
    bedrock.invoke(TITAN, ANY_BODY, titan_answer(make.png((64, 64))))
    run_worker(aws)
    assert call(gallery.handler.handler, "DELETE", f"/generations/{reply.body['id']}").status == 204
    assert run_index(aws) == {"batchItemFailures": []}
    assert not stored_vectors(reply.body["id"])


def test_given_a_record_deleted_while_it_is_indexed_then_its_vectors_are_removed(aws, bedrock, monkeypatch):
    reply = post({"prompt": "a rose"})
    bedrock.invoke(TITAN, ANY_BODY, titan_answer(make.png((64, 64))))
    run_worker(aws)
    bedrock.invoke(EMBED, image_embedding_request(), embed_answer(axis(RED)))
    caption_answer(bedrock)
    original = vectors.put

    def put_then_delete_record(batch):
        original(batch)
        generation_records.delete(generation_records.get(reply.body["id"]))

    monkeypatch.setattr(vectors, "put", put_then_delete_record)
    run_index(aws)
    assert not stored_vectors(reply.body["id"])


def test_given_the_cleanup_of_a_deleted_record_fails_once_then_the_retry_removes_its_vectors(
        aws, bedrock, monkeypatch):
    # issue 19.4: the retry finds no record; it must still delete the vectors, not skip
    reply = post({"prompt": "a rose"})
    bedrock.invoke(TITAN, ANY_BODY, titan_answer(make.png((64, 64))))
    run_worker(aws)
    bedrock.invoke(EMBED, image_embedding_request(), embed_answer(axis(RED)))
    caption_answer(bedrock)
    messages = queued_messages(aws.index_queue_url)
    real_put, real_delete, failures = vectors.put, vectors.delete, []

    def put_then_delete_record(batch):
        real_put(batch)
        generation_records.delete(generation_records.get(reply.body["id"]))

    def delete_fails_once(keys):
        if not failures:
            failures.append(keys)
            raise StorageError("The search index is unavailable.")
        real_delete(keys)

    monkeypatch.setattr(vectors, "put", put_then_delete_record)
    monkeypatch.setattr(vectors, "delete", delete_fails_once)
    with pytest.raises(BatchProcessingError):  # the one job failed: SQS delivers it again
        index.handler.handler(sqs_event(messages, aws.index_queue_arn), LambdaContext())
    assert failures and stored_vectors(reply.body["id"])
    retry = index.handler.handler(sqs_event(messages, aws.index_queue_arn), LambdaContext())
    assert retry == {"batchItemFailures": []}
    assert not stored_vectors(reply.body["id"])


def test_given_the_index_job_writes_between_a_deletes_forget_and_its_record_delete_then_no_vector_survives(
        aws, bedrock, monkeypatch):
    # issue 19.4: DELETE forgets the vectors, the index job (still seeing the record) writes them back,
    # then DELETE removes the record: the cleanup it queues removes them for good
    generation_id = indexed(aws, bedrock, directions=((RED, 0.0), (GREEN, 0.0)))
    written = stored_vectors(generation_id, 2)
    real_forget = indexing.forget

    def forget_then_the_job_writes(record):
        real_forget(record)
        vectors.put([(k, v["data"], v["metadata"]) for k, v in written.items()])

    monkeypatch.setattr(indexing, "forget", forget_then_the_job_writes)
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    monkeypatch.undo()
    assert run_index(aws) == {"batchItemFailures": []}
    assert stored_vectors(generation_id, 2) == {}


# --- search: text ---------------------------------------------------------------------------
def test_given_a_text_query_then_my_images_come_nearest_first_with_the_gallery_shape(aws, bedrock):
    red = indexed(aws, bedrock, directions=((RED, 0.1),))
    green = indexed(aws, bedrock, directions=((GREEN, 0.0),))
    text_query(bedrock, axis(RED))
    reply = find(q="red")
    assert reply.status == 200, reply.body
    items = reply.body["items"]
    assert [(i["id"], i["imageIndex"]) for i in items] == [(red, 0), (green, 0)]
    assert items[0]["score"] > 0.99 > items[1]["score"]
    assert items[0]["images"][0]["thumbnailUrl"].endswith(".webp") and items[0]["mine"] is True
    assert items[0]["annotations"][0]["tags"] == ["red", "rose", "warm"]


def test_owner_isolation_a_foreign_private_image_never_appears(aws, bedrock):
    # Given B's private red image and B's public green image
    private = indexed(aws, bedrock, user=USER_B, directions=((RED, 0.0),))
    shared = indexed(aws, bedrock, user=USER_B, directions=((GREEN, 0.0),), public=True)
    mine = indexed(aws, bedrock, directions=((BLUE, 0.0),))
    # When A searches for red in everyone's images, and in their own
    text_query(bedrock, axis(RED))
    everyone = [i["id"] for i in find(q="red", scope="all").body["items"]]
    text_query(bedrock, axis(RED))
    own = [i["id"] for i in find(q="red", scope="mine").body["items"]]
    # Then B's private image is in neither; B's shared one only in everyone's
    assert private not in everyone and shared in everyone and mine in everyone
    assert own == [mine]


def test_a_forged_filter_in_the_query_string_changes_nothing(aws, bedrock):
    private = indexed(aws, bedrock, user=USER_B, directions=((RED, 0.0),))
    text_query(bedrock, axis(RED))
    reply = find(q="red", scope="all", filter='{"owner": "' + USER_B + '"}', owner=USER_B)
    assert reply.status == 200 and private not in [i["id"] for i in reply.body["items"]]


def test_a_stale_public_flag_in_the_index_never_leaks_a_private_record(aws, bedrock):
    # Given B's private image whose vector still says public (an unshare that half failed)
    private = indexed(aws, bedrock, user=USER_B, directions=((RED, 0.0),))
    key = vectors.key(private, 0)
    vector = stored_vectors(private)[key]
    vectors.put([(key, vector["data"], {**vector["metadata"], "public": True})])
    # When A searches everyone's images, then the record's own flag decides: not shown
    text_query(bedrock, axis(RED))
    assert private not in [i["id"] for i in find(q="red", scope="all").body["items"]]


def test_the_filter_is_built_from_the_caller_only():
    assert search.metadata_filter("mine", "u1") == {"owner": {"$eq": "u1"}}
    assert search.metadata_filter("all", "u1") == {"$or": [{"owner": {"$eq": "u1"}}, {"public": {"$eq": True}}]}


def test_a_text_search_costs_three_aws_calls(aws, bedrock):
    indexed(aws, bedrock, directions=((RED, 0.0), (GREEN, 0.0)))
    indexed(aws, bedrock, user=USER_B, directions=((RED, 0.0),), public=True)
    text_query(bedrock, axis(RED))
    counter = CallCounter()
    reply = find(q="red", scope="all")
    assert reply.status == 200 and len(reply.body["items"]) == 3
    assert sorted(counter.calls) == ["BatchGetItem", "InvokeModel", "QueryVectors"]


# --- search: more like this ------------------------------------------------------------------
def test_more_like_this_ranks_other_images_leaves_the_source_out_and_costs_four_calls(aws, bedrock):
    # Given an image (red, tilted), its sibling (green) and another generation's red image
    source = indexed(aws, bedrock, directions=((RED, 0.2), (GREEN, 0.0)))
    other = indexed(aws, bedrock, directions=((RED, 0.0),))
    counter = CallCounter()
    # When more like the first image is asked, one result at most
    reply = find(like=source, imageIndex=0, limit=1)
    # Then the nearest other image comes, not the source itself (the page is still full)
    assert reply.status == 200, reply.body
    assert [(i["id"], i["imageIndex"]) for i in reply.body["items"]] == [(other, 0)]
    assert 0.9 < reply.body["items"][0]["score"] < 1.0
    assert sorted(counter.calls) == ["BatchGetItem", "GetItem", "GetVectors", "QueryVectors"]
    # And with room for all: the other image, then the sibling; never the source
    ranked = [(i["id"], i["imageIndex"]) for i in find(like=source, imageIndex=0).body["items"]]
    assert ranked == [(other, 0), (source, 1)]


def test_more_like_a_foreign_private_or_unknown_image_is_404(aws, bedrock):
    private = indexed(aws, bedrock, user=USER_B, directions=((RED, 0.0),))
    shared = indexed(aws, bedrock, user=USER_B, directions=((GREEN, 0.0),), public=True)
    assert find(like=private).status == 404
    assert find(like="0" * 32).status == 404
    assert find(like=shared, imageIndex=1).status == 404
    assert find(like=shared).status == 200


def test_more_like_a_private_image_whose_index_still_says_public_is_404(aws, bedrock):
    # issue 19.3: B unshared, the index rewrite failed; the record, not the vector, decides
    private = indexed(aws, bedrock, user=USER_B, directions=((RED, 0.0),))
    key = vectors.key(private, 0)
    vector = stored_vectors(private)[key]
    vectors.put([(key, vector["data"], {**vector["metadata"], "public": True})])
    reply = find(like=private)
    assert reply.status == 404, reply.body
    assert find(like=private, user=USER_B).status == 200  # its owner still may


def test_more_like_an_upload_embeds_it_and_only_its_owner_may_use_it(aws, bedrock):
    mine = indexed(aws, bedrock, directions=((RED, 0.0),))
    key = put_upload(USER_A, make.jpeg((300, 200)), "jpeg")
    bedrock.invoke(EMBED, image_embedding_request("IMAGE_RETRIEVAL"), embed_answer(axis(RED)))
    reply = find(like=key)
    assert reply.status == 200 and reply.body["items"][0]["id"] == mine
    assert find(like=key, user=USER_B).status == 404


def test_more_like_an_upload_that_is_not_an_image_is_422(aws, bedrock):
    key = put_upload(USER_A, b"plain text, not an image", "png")
    reply = find(like=key)
    assert reply.status == 422 and reply.fields() == ["like"]


@pytest.mark.parametrize("query, status, code", [
    ({}, 400, "invalid_search"),
    ({"q": "red", "like": "abc"}, 400, "invalid_search"),
    ({"q": ""}, 422, "validation_error"),
    ({"q": "   "}, 422, "validation_error"),
    ({"q": "x" * 10_000}, 422, "validation_error"),
    ({"q": "red", "limit": "51"}, 422, "validation_error"),
    ({"q": "red", "scope": "everyone"}, 422, "validation_error"),
    ({"like": "../../etc"}, 422, "validation_error"),
])
def test_bad_searches_get_a_clear_4xx(aws, query, status, code):
    reply = find(**query)
    assert reply.status == status and reply.error["code"] == code and reply.error["message"]


# --- the index follows curation --------------------------------------------------------------
def test_deleting_a_generation_deletes_its_vectors(aws, bedrock):
    generation_id = indexed(aws, bedrock, directions=((RED, 0.0), (GREEN, 0.0)))
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    assert stored_vectors(generation_id, 2) == {}


def test_sharing_and_unsharing_rewrite_the_public_flag_in_the_index(aws, bedrock):
    generation_id = indexed(aws, bedrock)
    key = vectors.key(generation_id, 0)
    for public in (True, False):
        reply = call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body={"public": public})
        assert reply.status == 200
        assert stored_vectors(generation_id)[key]["metadata"]["public"] is public
        assert stored_vectors(generation_id)[key]["data"][RED] == pytest.approx(1.0)


def test_given_the_index_is_down_then_unsharing_fails_so_it_can_be_retried(aws, bedrock, env):
    generation_id = indexed(aws, bedrock, public=True)
    env(VECTOR_INDEX_ARN=VECTOR_INDEX_ARN.replace("/index/", "/index/missing-"))
    reply = call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body={"public": False})
    assert reply.status == 503 and reply.error["code"] == "storage_error"


# --- backfill --------------------------------------------------------------------------------
def test_backfill_indexes_what_is_missing_resumes_from_its_cursor_and_is_safe_to_run_twice(aws, bedrock, tmp_path):
    # Given three completed generations whose index jobs were lost
    ids = []
    for _ in range(3):
        reply = post({"prompt": "a rose"})
        bedrock.invoke(TITAN, ANY_BODY, titan_answer(make.png((64, 64))))
        run_worker(aws)
        ids.append(reply.body["id"])
    queued_messages(aws.index_queue_url)  # lost
    boto3.client("sqs", region_name=REGION).purge_queue(QueueUrl=aws.index_queue_url)
    for _ in ids:
        bedrock.invoke(EMBED, image_embedding_request(), embed_answer(axis(RED)))
        caption_answer(bedrock)
    state = tmp_path / "backfill.json"
    # When the backfill runs in batches of two (scan pages), with its cursor file
    lines: list[str] = []
    assert backfill_command.main(["--batch-size", "2", "--state", str(state)], out=lines.append) == 0
    # Then every record is indexed, progress was reported, and the finished cursor is gone
    assert all(stored_vectors(i) for i in ids) and all(stored(i)["indexedAt"] for i in ids)
    assert sum("INDEXED" in line for line in lines) == 3 and not state.exists()
    # And a second run finds nothing to do (no Bedrock call is queued: Stubber would fail)
    lines.clear()
    assert backfill_command.main(["--batch-size", "2", "--state", str(state)], out=lines.append) == 0
    assert not any("INDEXED" in line for line in lines)
    bedrock.assert_done()


def test_backfill_resumes_from_a_saved_cursor(aws, bedrock, tmp_path):
    state = tmp_path / "backfill.json"
    state.write_text(json.dumps({"startKey": {"pk": {"S": "GEN#zzzz"}, "sk": {"S": "GEN"}}}))
    lines: list[str] = []
    assert backfill_command.main(["--state", str(state)], out=lines.append) == 0
    assert any("resuming" in line for line in lines)
