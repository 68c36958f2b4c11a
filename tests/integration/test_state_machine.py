"""The generation state machine under concurrency: every race is forced at the exact point where a
competing write lands (a patched adapter call runs it), never hoped for with sleeps."""

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

import gallery.handler
import generate.worker
from studio.adapters import bedrock as bedrock_adapter
from studio.adapters import clients, generation_records, table
from studio.errors import Conflict
from tests.support import images as make
from tests.support.aws import BUCKET, REGION, objects_under, queued_messages, sqs_event, sqs_event_for_bodies
from tests.support.bedrock import titan_answer
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import (
    LEASE_UNTIL, WORKER_MS, claim, finish, get, post, quota_used, redeliver, run_worker, stored, worker_context,
)
from studio.logic import rendering
from studio.clock import now_iso

TITAN = "amazon.titan-image-generator-v2:0"
OUT = make.png((96, 64), (10, 90, 200))
BODY = {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
        "imageGenerationConfig": {"numberOfImages": 1, "width": 1024, "height": 1024, "quality": "standard",
                                  "seed": 42}}
PAST = "2000-01-01T00:00:00.000Z"


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    monkeypatch.setattr(table, "pause", lambda attempt: None)


def job(public=False):
    reply = post({"prompt": "a lighthouse", "modelId": TITAN, "seed": 42, "public": public})
    assert reply.status == 202, reply.body
    return reply.body["id"]


def patch(generation_id, body, user=USER_A):
    return call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body=body, user=user)


def public_feed():
    return [i["id"] for i in call(gallery.handler.handler, "GET", "/gallery", user=USER_B,
                                   query={"scope": "all"}).body["items"]]


def during_the_model_call(monkeypatch, action):
    """Run `action` while the worker waits for the model: after its claim, before its completion."""
    real = bedrock_adapter.invoke_json

    def invoke(model_id, body):
        answer = real(model_id, body)
        action()
        return answer

    monkeypatch.setattr(bedrock_adapter, "invoke_json", invoke)


def cancelled(*codes):
    return ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                        "CancellationReasons": [{"Code": c} for c in codes]}, "TransactWriteItems")


def transactions_failing(monkeypatch, errors):
    """TransactWriteItems raises each of `errors` in turn, then works; returns the calls seen."""
    dynamodb = clients.get("dynamodb")
    real = dynamodb.transact_write_items
    pending, calls = list(errors), []

    def transact(**kwargs):
        calls.append(kwargs)
        if pending:
            raise pending.pop(0)
        return real(**kwargs)

    monkeypatch.setattr(dynamodb, "transact_write_items", transact)
    return calls


# --- 1. the public flag during a render ----------------------------------------------------
def test_given_unshared_during_the_render_then_the_completed_image_stays_out_of_the_public_feed(
        aws, bedrock, monkeypatch):
    generation_id = job(public=True)
    bedrock.invoke(TITAN, BODY, titan_answer(OUT))
    during_the_model_call(monkeypatch, lambda: patch(generation_id, {"public": False}))
    run_worker(aws)
    record = stored(generation_id)
    assert record["status"] == "COMPLETE" and record["public"] is False
    assert "publicFeed" not in record and "publicModeFeed" not in record
    assert public_feed() == []


def test_given_shared_during_the_render_then_the_completed_image_reaches_the_public_feed(aws, bedrock, monkeypatch):
    generation_id = job(public=False)
    bedrock.invoke(TITAN, BODY, titan_answer(OUT))
    during_the_model_call(monkeypatch, lambda: patch(generation_id, {"public": True}))
    run_worker(aws)
    assert stored(generation_id)["status"] == "COMPLETE"
    assert public_feed() == [generation_id]


def after_the_first_read(monkeypatch, competing_write):
    """generation_records.get runs `competing_write` right after its first read: the exact point
    between a conditional writer's read and its write. Returns the list that records it ran."""
    real_get, raced = generation_records.get, []

    def get_then_compete(gid):
        current = real_get(gid)
        if not raced:
            raced.append(True)
            competing_write()
        return current

    monkeypatch.setattr(generation_records, "get", get_then_compete)
    return raced


def updates_counted(monkeypatch):
    """Counts the writes (UpdateItem, or TransactWriteItems when a shared image's facet rows go with it) and
    the GetItem calls the records adapter makes from now on."""
    dynamodb, seen = clients.get("dynamodb"), {"write": 0, "get_item": 0}
    for name, counter in (("update_item", "write"), ("transact_write_items", "write"), ("get_item", "get_item")):
        real = getattr(dynamodb, name)

        def counted(_real=real, _name=counter, **kwargs):
            seen[_name] += 1
            return _real(**kwargs)

        monkeypatch.setattr(dynamodb, name, counted)
    return seen


def test_given_no_change_since_the_claim_then_completion_is_one_write_and_no_read(aws, monkeypatch):
    generation_id = job(public=True)
    running = claim(generation_id)
    calls = updates_counted(monkeypatch)
    assert generation_records.complete(running, "attempt-1", [], None, "2026-11-26T00:00:02.000Z") is True
    assert calls == {"write": 1, "get_item": 0}
    monkeypatch.undo()
    assert public_feed() == [generation_id]


def test_given_a_patch_between_the_claim_and_the_completion_then_the_completion_rereads_it(aws, monkeypatch):
    generation_id = job(public=False)
    running = claim(generation_id)  # the worker's copy says public=false
    assert generation_records.update_flags(generation_id, USER_A, None, True, "2026-11-26T00:00:01.500Z")["public"] is True
    calls = updates_counted(monkeypatch)
    assert generation_records.complete(running, "attempt-1", [], None, "2026-11-26T00:00:02.000Z") is True
    assert calls == {"write": 2, "get_item": 1}  # the stale write failed its condition, then re-read
    monkeypatch.undo()
    assert public_feed() == [generation_id]


def test_given_the_record_deleted_after_the_claim_then_completion_is_false_after_one_read(aws, monkeypatch):
    generation_id = job()
    running = claim(generation_id)
    assert generation_records.delete(stored(generation_id))
    calls = updates_counted(monkeypatch)
    assert generation_records.complete(running, "attempt-1", [], None, "2026-11-26T00:00:02.000Z") is False
    assert calls == {"write": 1, "get_item": 1}


def test_given_the_flag_changes_before_every_write_then_completion_answers_in_progress(aws, monkeypatch):
    generation_id = job(public=False)
    running = claim(generation_id)
    real_get, flips = generation_records.get, []

    def read_then_flip(gid):  # the owner toggles sharing between each read and each write
        current = real_get(gid)
        clients.get("dynamodb").update_item(
            TableName=table.name(), Key=generation_records.key(gid), UpdateExpression="SET #p = :flipped",
            ExpressionAttributeNames={"#p": "public"}, ExpressionAttributeValues={":flipped": {"BOOL": not current["public"]}})
        flips.append(current["public"])
        return current

    assert generation_records.update_flags(generation_id, USER_A, None, True, "2026-11-26T00:00:01.000Z")
    monkeypatch.setattr(generation_records, "get", read_then_flip)
    with pytest.raises(Conflict):
        generation_records.complete(running, "attempt-1", [], None, "2026-11-26T00:00:02.000Z")
    assert len(flips) == table.WRITE_ATTEMPTS - 1  # every write but the first followed a read
    monkeypatch.undo()
    assert stored(generation_id)["status"] == "RUNNING"  # left for the retry, not half-written


def test_given_the_render_completes_between_a_patchs_read_and_write_then_the_patch_is_reread(aws, monkeypatch):
    generation_id = job(public=False)
    running = claim(generation_id)

    def complete():  # update_flags has read RUNNING: the worker completes now
        assert generation_records.complete(running, "attempt-1", [], None, "2026-11-26T00:00:02.000Z") is True

    raced = after_the_first_read(monkeypatch, complete)
    assert generation_records.update_flags(generation_id, USER_A, None, True, "2026-11-26T00:00:03.000Z") is not None
    monkeypatch.undo()
    assert raced and stored(generation_id)["status"] == "COMPLETE"
    assert public_feed() == [generation_id]


def test_given_a_favorite_toggle_races_an_unshare_then_the_image_stays_unshared(aws, monkeypatch):
    # issue 19.2: the toggle read public=true, the unshare landed, then the toggle wrote its stale copy back
    generation_id = job(public=True)
    finish(generation_id)
    raced = after_the_first_read(monkeypatch, lambda: generation_records.update_flags(
        generation_id, USER_A, None, False, "2026-11-26T00:00:03.000Z"))
    assert generation_records.update_flags(generation_id, USER_A, True, None, "2026-11-26T00:00:04.000Z")
    monkeypatch.undo()
    record = stored(generation_id)
    assert raced and record["public"] is False and record["favorite"] is True
    assert "publicFeed" not in record and public_feed() == []


def test_given_a_share_races_a_favorite_toggle_then_both_writes_hold(aws, monkeypatch):
    generation_id = job(public=False)
    finish(generation_id)
    raced = after_the_first_read(monkeypatch, lambda: generation_records.update_flags(
        generation_id, USER_A, True, None, "2026-11-26T00:00:03.000Z"))
    assert generation_records.update_flags(generation_id, USER_A, None, True, "2026-11-26T00:00:04.000Z")
    monkeypatch.undo()
    record = stored(generation_id)
    assert raced and record["public"] is True and record["favorite"] is True
    assert record["favoriteFeed"] == USER_A and public_feed() == [generation_id]


# --- 2. cancelled transactions -------------------------------------------------------------
def test_given_a_transaction_conflict_when_failing_then_it_is_retried_and_the_quota_is_released(aws, monkeypatch):
    generation_id = job()
    assert quota_used() == 1
    calls = transactions_failing(monkeypatch, [cancelled("None", "TransactionConflict")])
    assert generation_records.fail(stored(generation_id), "internal_error", "x", "2026-11-26T00:00:00.000Z") is True
    assert len(calls) == 2 and len(calls[1]["TransactItems"]) == 2  # the quota item was not dropped
    assert stored(generation_id)["status"] == "FAILED" and quota_used() == 0


def test_given_throttling_when_failing_then_it_is_retried(aws, monkeypatch):
    generation_id = job()
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems")
    transactions_failing(monkeypatch, [throttled, cancelled("ThrottlingError", "None")])
    assert generation_records.fail(stored(generation_id), "internal_error", "x", "2026-11-26T00:00:00.000Z") is True
    assert quota_used() == 0


def test_given_conflicts_that_do_not_settle_then_post_answers_409_in_progress_not_503(aws, monkeypatch):
    transactions_failing(monkeypatch, [cancelled("TransactionConflict", "None")] * table.WRITE_ATTEMPTS)
    reply = post({"prompt": "p"})
    assert reply.status == 409 and reply.error["code"] == "in_progress", reply.body
    assert "Try again" in reply.error["message"]


def test_given_a_conflict_on_the_quota_item_when_creating_then_it_is_retried(aws, monkeypatch):
    calls = transactions_failing(monkeypatch, [cancelled("TransactionConflict", "None")])
    assert post({"prompt": "p"}).status == 202 and len(calls) == 2 and quota_used() == 1


def test_given_conflicts_that_do_not_settle_when_deleting_then_409(aws, monkeypatch):
    generation_id = job()
    transactions_failing(monkeypatch, [cancelled("None", "TransactionConflict")] * table.WRITE_ATTEMPTS)
    reply = call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}")
    assert reply.status == 409 and reply.error["code"] == "in_progress"
    assert stored(generation_id) is not None


# --- 3. the Idempotency-Key after a queue failure ------------------------------------------
def test_given_the_queue_failed_then_a_retry_with_the_same_key_starts_a_new_generation(aws, monkeypatch):
    sqs = clients.get("sqs")
    real_send = sqs.send_message
    failures = [ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendMessage")]

    def send_once_failing(**kwargs):
        if failures:
            raise failures.pop()
        return real_send(**kwargs)

    monkeypatch.setattr(sqs, "send_message", send_once_failing)
    key = {"Idempotency-Key": "retry-after-503"}
    first = post({"prompt": "p"}, headers=key)
    assert first.status == 503
    second = post({"prompt": "p"}, headers=key)
    assert second.status == 202 and second.body["id"] != (first.body or {}).get("id")
    assert second.body["status"] == "PENDING" and quota_used() == 1
    [message] = queued_messages(aws.queue_url)
    assert json.loads(message["Body"]) == {"generationId": second.body["id"]}
    assert post({"prompt": "p"}, headers=key).body["id"] == second.body["id"]  # and it replays from now on


# --- 5. duplicate deliveries ----------------------------------------------------------------
def sent_jobs(monkeypatch, queue_url: str) -> list[dict]:
    """The SendMessage calls to the jobs queue from now on (their DelaySeconds included)."""
    sent, sqs = [], clients.get("sqs")
    real = sqs.send_message
    monkeypatch.setattr(sqs, "send_message",
                        lambda **kw: (sent.append(kw) if kw["QueueUrl"] == queue_url else None) or real(**kw))
    return sent


def test_given_a_duplicate_delivery_while_the_job_is_claimed_then_it_renders_nothing_and_looks_again_later(
        aws, bedrock, monkeypatch):
    generation_id = job()
    bedrock.invoke(TITAN, BODY, titan_answer(OUT))  # one model answer: a second render would fail the test
    messages = queued_messages(aws.queue_url)
    sent = sent_jobs(monkeypatch, aws.queue_url)
    seen = {}

    def second_delivery():
        seen["before"] = stored(generation_id)
        seen["response"] = generate.worker.handler(sqs_event(messages, aws.queue_arn), worker_context())
        seen["after"] = stored(generation_id)

    during_the_model_call(monkeypatch, second_delivery)
    first = generate.worker.handler(sqs_event(messages, aws.queue_arn), worker_context())
    # Then the duplicate changed nothing and its message is consumed (no failure reported)...
    assert first == {"batchItemFailures": []} and seen["response"] == {"batchItemFailures": []}
    assert seen["after"] == seen["before"] and seen["before"]["status"] == "RUNNING"
    # ...but a copy of the job is queued for just after the first claim's lease ends
    [copy] = sent
    assert copy["QueueUrl"] == aws.queue_url and json.loads(copy["MessageBody"]) == {"generationId": generation_id}
    lease_left = WORKER_MS / 1000 + rendering.LEASE_MARGIN_SECONDS
    assert lease_left - 5 < copy["DelaySeconds"] <= lease_left + rendering.RECHECK_MARGIN_SECONDS + 1
    record = stored(generation_id)
    assert record["status"] == "COMPLETE" and len(objects_under("images/")) == 2
    # When the copy arrives after the first delivery completed: nothing more happens
    assert generate.worker.handler(sqs_event_for_bodies([copy["MessageBody"]], aws.queue_arn),
                                   worker_context()) == {"batchItemFailures": []}
    assert stored(generation_id) == record and len(sent) == 1
    bedrock.assert_done()


def test_given_a_duplicate_delivery_whose_holder_then_dies_the_copy_claims_the_job_when_the_lease_ends(
        aws, bedrock, monkeypatch):
    # Given a delivery that claimed the job for two more minutes, then died (no retry of its message)
    generation_id = job()
    queued_messages(aws.queue_url)  # the original message: consumed by the delivery that died
    soon = datetime.now(timezone.utc) + timedelta(minutes=2)
    assert generation_records.claim(generation_id, now_iso(), "died", now_iso(soon))["status"] == "RUNNING"
    sent = sent_jobs(monkeypatch, aws.queue_url)
    # When a duplicate of its message arrives
    duplicate = generate.worker.handler(sqs_event_for_bodies([json.dumps({"generationId": generation_id})],
                                                             aws.queue_arn), worker_context())
    # Then it renders nothing and queues a copy for when the lease ends (instead of leaving the job to the sweeper)
    assert duplicate == {"batchItemFailures": []} and stored(generation_id)["attempt"] == "died"
    [copy] = sent
    assert 115 <= copy["DelaySeconds"] <= 126
    # When the copy arrives after the lease ended, it claims the job and renders it
    clients.get("dynamodb").update_item(TableName=aws.table_name, Key=generation_records.key(generation_id),
                                   UpdateExpression="SET leaseUntil = :past", ExpressionAttributeValues={":past": {"S": PAST}})
    bedrock.invoke(TITAN, BODY, titan_answer(OUT))
    assert generate.worker.handler(sqs_event_for_bodies([copy["MessageBody"]], aws.queue_arn),
                                   worker_context()) == {"batchItemFailures": []}
    record = stored(generation_id)
    assert record["status"] == "COMPLETE" and set(record["attempts"]) == {"died", record["attempt"]}
    bedrock.assert_done()


def test_given_an_expired_lease_then_the_job_is_claimed_again_and_the_old_attempt_cannot_touch_it(
        aws, bedrock):
    generation_id = job()
    old = generation_records.claim(generation_id, PAST, "dead-worker", PAST)  # a worker that died holding the claim
    assert old["status"] == "RUNNING"
    bedrock.invoke(TITAN, BODY, titan_answer(OUT))
    response, _ = run_worker(aws)
    assert response == {"batchItemFailures": []}
    winner = stored(generation_id)
    assert winner["status"] == "COMPLETE" and winner["attempt"] != "dead-worker"
    assert set(winner["attempts"]) == {"dead-worker", winner["attempt"]}
    # The old attempt wakes up: it can neither complete nor fail the winner's record.
    assert generation_records.complete(old, "dead-worker", [], None, "2026-11-26T00:00:00.000Z") is False
    assert generation_records.fail(old, "internal_error", "x", "2026-11-26T00:00:00.000Z", attempt="dead-worker") is False
    assert stored(generation_id) == winner and quota_used() == 1


def test_given_a_loser_whose_render_fails_then_the_winners_images_survive(aws, bedrock, monkeypatch):
    generation_id = job()
    generation_records.claim(generation_id, PAST, "loser", PAST)
    bedrock.invoke(TITAN, BODY, titan_answer(OUT))
    run_worker(aws)
    keys = objects_under("images/")
    from studio.logic import rendering

    # The loser's model call fails now: its failure must not fail or clean up the winner's render.
    rendering._fail(stored(generation_id) | {"attempt": "loser"}, "loser", "model_error", "x")
    assert stored(generation_id)["status"] == "COMPLETE" and objects_under("images/") == keys


# --- 6. connection errors --------------------------------------------------------------------
def connection_lost(**_):
    from botocore.exceptions import EndpointConnectionError

    raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")


@pytest.mark.parametrize("method,path,client,operation", [
    ("GET", "/generations/abc", "dynamodb", "get_item"),
    ("GET", "/gallery", "dynamodb", "query"),
    ("GET", "/gallery", "secretsmanager", "get_secret_value"),
    ("PATCH", "/generations/abc", "dynamodb", "get_item"),
])
def test_given_a_connection_error_then_503_storage_error_not_500(aws, monkeypatch, method, path, client, operation):
    monkeypatch.setattr(clients.get(client), operation, connection_lost)
    reply = call(gallery.handler.handler, method, path, body={"favorite": True} if method == "PATCH" else None)
    assert reply.status == 503 and reply.error["code"] == "storage_error", reply.body


def test_given_a_connection_error_on_the_table_when_posting_then_503(aws, monkeypatch):
    monkeypatch.setattr(clients.get("dynamodb"), "transact_write_items", connection_lost)
    reply = post({"prompt": "p"})
    assert reply.status == 503 and reply.error["code"] == "storage_error"


@pytest.mark.parametrize("operation", ["head_object", "generate_presigned_post"])
def test_given_a_connection_error_on_s3_then_503(aws, monkeypatch, operation):
    from studio.adapters import storage
    from studio.errors import StorageError

    monkeypatch.setattr(clients.get("s3"), operation, connection_lost)
    with pytest.raises(StorageError):
        storage.exists("uploads/x/y.png") if operation == "head_object" else storage.presigned_upload(
            "uploads/x/y.png", "image/png", 10, 60)


def test_given_a_connection_error_reading_the_reference_then_failed_storage_error_not_stuck_running(
        aws, bedrock, monkeypatch):
    from tests.support.uploads import put_upload

    key = put_upload(USER_A, make.jpeg((640, 480)), "jpeg")
    generation_id = post({"prompt": "a lighthouse", "modelId": TITAN, "mode": "variation",
                          "referenceImageKey": key}).body["id"]
    monkeypatch.setattr(clients.get("s3"), "get_object", connection_lost)
    response, _ = run_worker(aws)
    assert response == {"batchItemFailures": []}
    record = stored(generation_id)
    assert record["status"] == "FAILED" and record["error"]["code"] == "storage_error" and quota_used() == 0


def test_given_a_connection_error_deleting_objects_then_storage_error(aws, monkeypatch):
    from studio.adapters import storage
    from studio.errors import StorageError

    monkeypatch.setattr(clients.get("s3"), "delete_objects", connection_lost)
    with pytest.raises(StorageError):
        storage.delete_all(["images/x/0.png"])


# --- 7. deleting an unfinished record ------------------------------------------------------
@pytest.mark.parametrize("running", [False, True], ids=["pending", "running"])
def test_given_an_unfinished_record_when_deleted_then_its_quota_is_returned(aws, running):
    generation_id = post({"prompt": "p", "count": 3}).body["id"]
    if running:
        claim(generation_id)
    assert quota_used() == 3
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    assert stored(generation_id) is None and quota_used() == 0


def test_given_a_complete_record_when_deleted_then_the_quota_stays_used(aws, bedrock):
    generation_id = job()
    bedrock.invoke(TITAN, BODY, titan_answer(OUT))
    run_worker(aws)
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    assert quota_used() == 1 and objects_under("images/") == []


def test_given_the_render_completes_between_the_deletes_read_and_write_then_its_images_go_too(
        aws, monkeypatch):
    generation_id = job()
    running = claim(generation_id)
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=BUCKET, Key="images/attempt-1/0.png", Body=b"png")
    s3.put_object(Bucket=BUCKET, Key="images/attempt-1/0.webp", Body=b"webp")
    image = {"key": "images/attempt-1/0.png", "thumbnailKey": "images/attempt-1/0.webp", "width": 1, "height": 1,
             "seed": 1}
    real_delete, raced = generation_records.delete, []

    def complete_then_delete(record):
        if not raced:  # the delete read RUNNING (no images): the worker completes now
            raced.append(True)
            assert generation_records.complete(running, "attempt-1", [image], None, "2026-11-26T00:00:02.000Z")
        return real_delete(record)

    monkeypatch.setattr(generation_records, "delete", complete_then_delete)
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    assert stored(generation_id) is None and objects_under("images/") == []
    assert quota_used() == 1  # it completed: the image was made


def test_given_a_failed_job_then_its_message_is_visible_again_within_the_retry_delay(aws, monkeypatch):
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import sqs_backends
    from studio.errors import StorageError
    from studio.storage_layout import JOBS_RETRY_DELAY_SECONDS

    sqs = boto3.client("sqs", region_name=REGION)
    sqs.set_queue_attributes(QueueUrl=aws.queue_url, Attributes={"VisibilityTimeout": "3600"})  # as deployed
    job()

    def unavailable(*_, **__):
        raise StorageError("The gallery database did not answer. Try again.")

    monkeypatch.setattr(generation_records, "complete", unavailable)
    monkeypatch.setattr(bedrock_adapter, "invoke_json", lambda model_id, body: titan_answer(OUT))
    with pytest.raises(Exception, match="All records failed"):
        run_worker(aws)
    assert sqs.receive_message(QueueUrl=aws.queue_url).get("Messages") is None  # not visible right away
    [message] = sqs_backends["123456789012"][REGION].queues[aws.queue_url.rsplit("/", 1)[1]]._messages
    due_in = message.visible_at - unix_time_millis()
    assert 0 < due_in <= JOBS_RETRY_DELAY_SECONDS * 1000  # in a minute, not after the hour-long timeout
    assert stored(message_generation(message))["status"] == "RUNNING"  # the claim is free for the retry
    assert "leaseUntil" not in stored(message_generation(message))


def message_generation(message):
    return json.loads(message.body)["generationId"]
