"""The offline twin plays EventBridge's schedule: the sweeper runs locally too, on a configurable interval."""

import threading

import boto3

from local.lambda_runtime import Scheduler
from tests.support.in_process import InProcess
from studio.adapters import generation_records
from tests.support.aws import REGION
from tests.support.flow import post, quota_used, stored


def test_given_an_overdue_record_when_the_local_scheduler_runs_the_sweeper_then_it_ends_it(aws):
    generation_id = post({"prompt": "p", "count": 2}).body["id"]
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=aws.table_name, Key=generation_records.key(generation_id),
        UpdateExpression="SET activeUntil = :past", ExpressionAttributeValues={":past": {"S": "2000-01-01T00:00:00.000Z"}})
    changes = []
    scheduler = Scheduler(InProcess(), on_change=lambda: changes.append(1))
    assert scheduler.names == ["generate-sweeper", "model-lifecycle"]
    assert scheduler.run_now("generate-sweeper") == {"expired": 1, "boardsPurged": 0}
    assert stored(generation_id)["error"]["code"] == "expired" and quota_used() == 0
    assert changes  # the local store snapshots what the sweeper changed


class Recording:
    def __init__(self, wanted: int) -> None:
        self.events, self.done, self.wanted = [], threading.Event(), wanted

    def invoke(self, name, event):
        self.events.append((name, event))
        if len(self.events) >= self.wanted:
            self.done.set()
        return {"expired": 0}, None


def test_given_an_interval_then_the_scheduler_runs_each_scheduled_function_with_a_scheduled_event():
    functions = Recording(wanted=4)
    scheduler = Scheduler(functions, interval_seconds=0.05)
    scheduler.start()
    try:
        assert functions.done.wait(timeout=30), "the scheduler did not run twice"
    finally:
        scheduler.stop()
    assert {name for name, _ in functions.events} == {"generate-sweeper", "model-lifecycle"}
    name, event = functions.events[0]
    assert event["source"] == "aws.events" and event["detail-type"] == "Scheduled Event"


def test_given_no_interval_then_the_deployed_rate_is_used():
    from studio import routes

    assert Scheduler(Recording(1)).intervals == {name: routes.function(name).schedule_minutes * 60
                                                 for name in ("generate-sweeper", "model-lifecycle")}
