"""The scheduled sweeper: generations left PENDING or RUNNING past their deadline end FAILED
("expired"), their quota released and their objects deleted; found by a Query, never a Scan."""

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

import generate.sweeper
from studio.adapters import clients, feeds, generation_records, table
from studio.logic import sweeping
from studio.storage_layout import DEADLINE_INDEX, GENERATION_DEADLINE_SECONDS
from tests.support.aws import BUCKET, REGION, objects_under
from tests.support.events import LambdaContext
from tests.support.flow import claim, finish, post, quota_used, stored



def later() -> datetime:
    """A minute past the deadline of a record created now (computed per test: never at import)."""
    return datetime.now(timezone.utc) + timedelta(seconds=GENERATION_DEADLINE_SECONDS + 60)

SCHEDULED_EVENT = {
    "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
    "source": "aws.events", "account": "123456789012", "time": "2026-12-01T14:00:00Z", "region": REGION,
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/studio-sweeper"], "detail": {},
}


def queries(monkeypatch):
    dynamodb = clients.get("dynamodb")
    real, seen = dynamodb.query, []
    monkeypatch.setattr(dynamodb, "query", lambda **request: seen.append(request) or real(**request))
    monkeypatch.setattr(dynamodb, "scan", lambda **_: pytest.fail("the sweeper must not Scan"))
    return seen


def test_given_records_past_their_deadline_then_they_end_expired_with_quota_and_objects_released(aws, monkeypatch):
    pending = post({"prompt": "p", "count": 2}).body["id"]
    running = post({"prompt": "p"}).body["id"]
    claim(running, attempt="crashed-worker")
    s3 = boto3.client("s3", region_name=REGION)
    for key in ("images/crashed-worker/0.png", "images/crashed-worker/0.webp"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"partial")
    s3.put_object(Bucket=BUCKET, Key="images/someone-else/0.png", Body=b"kept")
    complete = post({"prompt": "p"}).body["id"]
    finish(complete)
    assert quota_used() == 4
    seen = queries(monkeypatch)

    assert sweeping.sweep(later()) == 2

    for generation_id in (pending, running):
        record = stored(generation_id)
        assert record["status"] == "FAILED" and record["error"]["code"] == "expired"
        assert "activeFeed" not in record and "activeUntil" not in record
    assert stored(complete)["status"] == "COMPLETE"
    assert quota_used() == 1  # only the completed one's image
    assert objects_under("images/") == ["images/someone-else/0.png"]
    assert seen and all(q["IndexName"] == DEADLINE_INDEX for q in seen)
    assert sweeping.sweep(later()) == 0  # nothing left to end


def test_given_records_within_their_deadline_then_the_sweeper_leaves_them_alone(aws):
    generation_id = post({"prompt": "p"}).body["id"]
    assert sweeping.sweep(later() - timedelta(seconds=3600)) == 0
    assert stored(generation_id)["status"] == "PENDING" and quota_used() == 1


def test_given_a_job_never_queued_whose_compensation_failed_too_then_the_sweeper_ends_it(aws, monkeypatch):
    def down(**_):
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "X")

    monkeypatch.setattr(clients.get("sqs"), "send_message", down)
    monkeypatch.setattr(table, "pause", lambda attempt: None)
    dynamodb = clients.get("dynamodb")
    real_transact, calls = dynamodb.transact_write_items, []

    def create_then_down(**kwargs):  # the create goes through; the compensating write does not
        calls.append(kwargs)
        return real_transact(**kwargs) if len(calls) == 1 else down()

    monkeypatch.setattr(dynamodb, "transact_write_items", create_then_down)
    assert post({"prompt": "p", "count": 3}).status == 503
    [item] = boto3.client("dynamodb", region_name=REGION).scan(
        TableName=aws.table_name, FilterExpression="begins_with(pk, :g)",
        ExpressionAttributeValues={":g": {"S": "GEN#"}})["Items"]
    generation_id = item["id"]["S"]
    assert stored(generation_id)["status"] == "PENDING" and quota_used() == 3  # stuck, quota held
    monkeypatch.undo()

    assert sweeping.sweep(later()) == 1
    assert stored(generation_id)["status"] == "FAILED" and quota_used() == 0


def test_given_the_scheduled_event_then_the_handler_sweeps(aws):
    generation_id = post({"prompt": "p"}).body["id"]
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=aws.table_name, Key=generation_records.key(generation_id),
        UpdateExpression="SET activeUntil = :past", ExpressionAttributeValues={":past": {"S": "2000-01-01T00:00:00.000Z"}})
    assert generate.sweeper.handler(SCHEDULED_EVENT, LambdaContext()) == {"expired": 1, "boardsPurged": 0}
    assert stored(generation_id)["error"]["code"] == "expired"


def test_given_a_record_that_completes_after_the_query_then_the_sweeper_does_not_touch_it(aws, monkeypatch):
    generation_id = post({"prompt": "p"}).body["id"]
    claim(generation_id)
    real_overdue = feeds.overdue

    def overdue_then_complete(*args):
        found = real_overdue(*args)
        if found[0]:  # the worker completes right after the sweeper's query
            assert generation_records.complete(found[0][0], "attempt-1", [], None, "2026-11-26T00:00:02.000Z")
        return found

    monkeypatch.setattr(feeds, "overdue", overdue_then_complete)
    assert sweeping.sweep(later()) == 0
    assert stored(generation_id)["status"] == "COMPLETE" and quota_used() == 1
