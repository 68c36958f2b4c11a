"""POST /generations/batch: one prompt on 2-3 models, one record each, one batchId, one seed, quota all or nothing."""

import json
import threading

import generate.handler
import pytest

from tests.support.aws import queued_messages
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import generation_items, get, post, quota_used, stored

CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"
SD35 = "stability.sd3-5-large-v1:0"
NOVA = "amazon.nova-canvas-v1:0"


def post_batch(body: dict, user: str = USER_A, headers: dict | None = None):
    return call(generate.handler.handler, "POST", "/generations/batch", body=body, user=user, headers=headers)


def test_given_three_models_then_202_three_pending_records_sharing_a_batch_id_and_one_seed(aws):
    reply = post_batch({"prompt": "a lighthouse at dusk", "modelIds": [CORE, ULTRA, SD35],
                        "lineage": {"source": "basic"}})
    assert reply.status == 202, reply.body
    batch = reply.body
    assert [g["modelId"] for g in batch["generations"]] == [CORE, ULTRA, SD35]
    assert {g["batchId"] for g in batch["generations"]} == {batch["batchId"]}
    seeds = {g["request"]["seed"] for g in batch["generations"]}
    assert len(seeds) == 1  # the same seed on every model
    assert batch["estimatedCost"] == pytest.approx(0.04 + 0.14 + 0.08)
    for generation in batch["generations"]:
        record = stored(generation["id"])
        assert record["status"] == "PENDING" and record["batchId"] == batch["batchId"]
        assert record["request"]["modelId"] == generation["modelId"] and "modelIds" not in record["request"]
        assert get(generation["id"]).body["batchId"] == batch["batchId"]  # GET shows the batch
    queued = sorted(json.loads(m["Body"])["generationId"] for m in queued_messages(aws.queue_url))
    assert queued == sorted(g["id"] for g in batch["generations"])
    assert quota_used() == 3  # counted per image


def test_given_a_seed_then_every_model_gets_it(aws):
    reply = post_batch({"prompt": "p", "modelIds": [CORE, ULTRA], "seed": 4_000_000_000})
    assert reply.status == 202, reply.body
    assert [g["request"]["seed"] for g in reply.body["generations"]] == [4_000_000_000, 4_000_000_000]


def test_given_no_seed_then_the_one_drawn_fits_every_models_range(aws):
    for _ in range(5):
        reply = post_batch({"prompt": "p", "modelIds": [CORE, NOVA]})
        assert reply.status == 202, reply.body
        seeds = {g["request"]["seed"] for g in reply.body["generations"]}
        assert len(seeds) == 1 and 0 <= seeds.pop() <= 858_993_459  # Nova Canvas's maximum


def test_given_a_quota_that_fits_only_part_of_the_batch_then_429_and_nothing_stored_or_charged(aws, env):
    env(DAILY_IMAGE_QUOTA="4")
    assert post({"prompt": "p", "count": 2, "modelId": NOVA}).status == 202
    reply = post_batch({"prompt": "p", "modelIds": [CORE, ULTRA, SD35]})
    assert reply.status == 429 and reply.error["code"] == "quota_exceeded", reply.body
    assert "Retry-After" in reply.headers
    assert quota_used() == 2 and len(generation_items()) == 1 and len(queued_messages(aws.queue_url)) == 1


def test_given_a_batch_larger_than_the_daily_limit_then_429_before_any_write(aws, env):
    env(DAILY_IMAGE_QUOTA="2")
    reply = post_batch({"prompt": "p", "modelIds": [CORE, ULTRA, SD35]})
    assert reply.status == 429 and reply.error["details"]["requested"] == 3
    assert quota_used() == 0 and generation_items() == []


@pytest.mark.parametrize(("body", "field"), [
    ({"prompt": "p", "modelIds": [CORE]}, "modelIds"),
    ({"prompt": "p", "modelIds": [CORE, ULTRA, SD35, NOVA]}, "modelIds"),
    ({"prompt": "p", "modelIds": [CORE, CORE]}, "modelIds"),
    ({"prompt": "p", "modelIds": [CORE, "no.such-model"]}, "modelIds"),
    ({"prompt": "p", "modelIds": [CORE, ULTRA], "modelId": CORE}, "modelId"),
    ({"prompt": "p"}, "modelIds"),
])
def test_given_bad_model_lists_then_422_naming_the_field_and_nothing_stored(aws, body, field):
    reply = post_batch(body)
    assert reply.status == 422 and field in reply.fields(), reply.body
    assert generation_items() == [] and quota_used() == 0


def test_given_a_model_that_lacks_the_mode_then_400_and_no_record_for_any_model(aws):
    reply = post_batch({"prompt": "p", "mode": "variation", "modelIds": [SD35, CORE],
                        "referenceImageKey": "uploads/user-a-1234/abcdef12.png"})
    assert reply.status == 400 and reply.error["code"] == "unsupported_mode", reply.body
    assert generation_items() == [] and quota_used() == 0


def test_given_a_batch_then_another_user_cannot_read_its_records(aws):
    reply = post_batch({"prompt": "p", "modelIds": [CORE, ULTRA]})
    assert get(reply.body["generations"][0]["id"], user=USER_B).status == 404


def test_given_a_single_generation_then_its_batch_id_is_null(aws):
    reply = post({"prompt": "p", "modelId": CORE})
    assert reply.status == 202 and reply.body["batchId"] is None


def test_given_the_queue_fails_after_the_first_job_then_503_the_rest_fail_and_give_their_images_back(aws, monkeypatch):
    """Never charged without a record that renders: the queued one keeps its image, the others are
    FAILED storage_error with their images given back to the day."""
    from botocore.exceptions import ClientError
    from studio.adapters import clients

    sqs = clients.get("sqs")
    send = sqs.send_message
    sent = []

    def first_only(**kwargs):
        if sent:
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendMessage")
        sent.append(kwargs)
        return send(**kwargs)

    monkeypatch.setattr(sqs, "send_message", first_only)
    reply = post_batch({"prompt": "p", "modelIds": [CORE, ULTRA, SD35]})
    assert reply.status == 503 and reply.error["code"] == "storage_error"
    statuses = sorted(item["status"]["S"] for item in generation_items())
    assert statuses == ["FAILED", "FAILED", "PENDING"]
    [queued] = [json.loads(m["Body"])["generationId"] for m in queued_messages(aws.queue_url)]
    assert stored(queued)["status"] == "PENDING"
    assert quota_used() == 1


# --- Idempotency-Key: the same rule as POST /generations ------------------------------------------
def test_given_the_same_idempotency_key_then_the_first_batch_and_no_second_reservation(aws):
    body = {"prompt": "p", "modelIds": [CORE, ULTRA], "count": 2}
    first = post_batch(body, headers={"Idempotency-Key": "batch-1"})
    again = post_batch(body, headers={"Idempotency-Key": "batch-1"})
    assert first.status == again.status == 202, again.body
    assert again.body["batchId"] == first.body["batchId"]
    assert [g["id"] for g in again.body["generations"]] == [g["id"] for g in first.body["generations"]]
    assert again.body["estimatedCost"] == first.body["estimatedCost"]
    assert len(generation_items()) == 2 and len(queued_messages(aws.queue_url)) == 2
    assert quota_used() == 4  # reserved once: 2 models x 2 images


def test_given_the_same_key_with_a_different_body_then_409_and_nothing_stored(aws):
    post_batch({"prompt": "p", "modelIds": [CORE, ULTRA]}, headers={"Idempotency-Key": "batch-2"})
    reply = post_batch({"prompt": "p", "modelIds": [CORE, SD35]}, headers={"Idempotency-Key": "batch-2"})
    assert reply.status == 409 and reply.error["code"] == "idempotency_conflict"
    assert len(generation_items()) == 2 and quota_used() == 2


def test_given_a_key_used_by_a_single_generation_then_a_batch_with_it_is_409(aws):
    assert post({"prompt": "p"}, headers={"Idempotency-Key": "shared-key"}).status == 202
    reply = post_batch({"prompt": "p", "modelIds": [CORE, ULTRA]}, headers={"Idempotency-Key": "shared-key"})
    assert reply.status == 409 and reply.error["code"] == "idempotency_conflict"
    reply = post({"prompt": "p", "modelId": CORE}, headers={"Idempotency-Key": "shared-key"})
    assert reply.status == 409  # and the other way round, after a batch claimed a key:
    post_batch({"prompt": "p", "modelIds": [CORE, ULTRA]}, headers={"Idempotency-Key": "batch-key"})
    assert post({"prompt": "p"}, headers={"Idempotency-Key": "batch-key"}).status == 409


def test_given_a_malformed_key_then_422_naming_it(aws):
    reply = post_batch({"prompt": "p", "modelIds": [CORE, ULTRA]}, headers={"Idempotency-Key": "has space"})
    assert reply.status == 422 and reply.fields() == ["Idempotency-Key"]
    assert generation_items() == []


def test_given_two_identical_keyed_batches_at_once_then_one_batch_is_made(aws, monkeypatch):
    """Both requests build their write before either lands (a barrier holds them at TransactWriteItems);
    the writes then run one after the other, as DynamoDB serializes them: the second one's claim of
    the key fails, and it answers with the first one's batch. The logic is called from the threads
    (the API resolver keeps the current event on itself, one request at a time per container)."""
    from studio.adapters import clients
    from studio.bodies.generations import BatchGenerationRequest
    from studio.logic import generations
    from studio.settings import settings

    dynamodb = clients.get("dynamodb")
    real = dynamodb.transact_write_items
    both_ready, one_at_a_time = threading.Barrier(2, timeout=30), threading.Lock()

    def transact(**kwargs):
        if threading.current_thread() is not threading.main_thread():
            both_ready.wait()
        with one_at_a_time:
            return real(**kwargs)

    monkeypatch.setattr(dynamodb, "transact_write_items", transact)
    request = BatchGenerationRequest.model_validate({"prompt": "p", "modelIds": [CORE, ULTRA, SD35]})
    answers, errors = [], []

    def send():
        try:
            answers.append(generations.create_batch(request, USER_A, "same-moment", "https://studio.test", settings()))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(answers) == 2
    assert answers[0].batch_id == answers[1].batch_id
    assert [g.id for g in answers[0].generations] == [g.id for g in answers[1].generations]
    assert len(generation_items()) == 3 and len(queued_messages(aws.queue_url)) == 3
    assert quota_used() == 3


def test_given_the_queue_failed_for_every_model_then_a_retry_with_the_key_starts_a_new_batch(aws, monkeypatch):
    from botocore.exceptions import ClientError
    from studio.adapters import clients

    sqs = clients.get("sqs")
    send = sqs.send_message
    failures = [ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendMessage")]

    def first_call_failing(**kwargs):
        if failures:
            raise failures.pop()
        return send(**kwargs)

    monkeypatch.setattr(sqs, "send_message", first_call_failing)
    body, key = {"prompt": "p", "modelIds": [CORE, ULTRA]}, {"Idempotency-Key": "batch-after-503"}
    assert post_batch(body, headers=key).status == 503
    second = post_batch(body, headers=key)
    assert second.status == 202 and {g["status"] for g in second.body["generations"]} == {"PENDING"}
    assert quota_used() == 2 and len(queued_messages(aws.queue_url)) == 2
    assert post_batch(body, headers=key).body["batchId"] == second.body["batchId"]  # and it replays from now on
