"""Driving a generation through the real handlers: POST, the queue, the worker, GET."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import boto3

import gallery.handler
import generate.dead_letters
import generate.handler
import generate.worker
from studio.adapters import generation_records
from studio.storage_layout import PARTITION_KEY
from tests.support.aws import REGION, TABLE, Resources, queued_messages, sqs_event, sqs_event_for_bodies
from studio.routes import function
from tests.support.events import USER_A, LambdaContext, Reply, call

# The worker is invoked with its whole timeout ahead of it.
WORKER_MS = function("generate-worker").timeout_seconds * 1000


def worker_context(remaining_ms: int = WORKER_MS) -> LambdaContext:
    return LambdaContext(function_name="studio-generate-worker", remaining_ms=remaining_ms)


def post(body: dict, user: str = USER_A, headers: dict | None = None, **kwargs) -> Reply:
    return call(generate.handler.handler, "POST", "/generations", body=body, user=user, headers=headers, **kwargs)


def get(generation_id: str, user: str = USER_A, **kwargs) -> Reply:
    return call(gallery.handler.handler, "GET", f"/generations/{generation_id}", user=user, **kwargs)


def run_worker(resources: Resources, remaining_ms: int = WORKER_MS) -> tuple[dict, list[dict]]:
    """Deliver every queued job to the worker as one SQS event: (handler response, messages)."""
    messages = queued_messages(resources.queue_url)
    assert messages, "no job was queued"
    return generate.worker.handler(sqs_event(messages, resources.queue_arn), worker_context(remaining_ms)), messages


def redeliver(resources: Resources, messages: list[dict]) -> dict:
    return generate.worker.handler(sqs_event(messages, resources.queue_arn), worker_context())


def dead_letter(resources: Resources, generation_ids: list[str]) -> dict:
    bodies = [json.dumps({"generationId": g}) for g in generation_ids]
    return generate.dead_letters.handler(sqs_event_for_bodies(bodies, resources.queue_arn), LambdaContext())


def stored(generation_id: str) -> dict | None:
    return generation_records.get(generation_id)


def today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


def quota_used(user: str = USER_A) -> int:
    item = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=TABLE, Key={PARTITION_KEY: {"S": f"QUOTA#{user}"}, "sk": {"S": today()}}).get("Item")
    return int(item["used"]["N"]) if item else 0


def generation_items() -> list[dict]:
    answer = boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)
    return [i for i in answer["Items"] if i[PARTITION_KEY]["S"].startswith("GEN#")]


LEASE_UNTIL = "2999-01-01T00:00:00.000Z"


def claim(generation_id: str, attempt: str = "attempt-1", now: str = "2026-11-26T00:00:01.000Z") -> dict | None:
    """generation_records.claim as a worker does it, with a lease that does not expire during the test."""
    return generation_records.claim(generation_id, now, attempt, LEASE_UNTIL)


def finish(generation_id: str, attempt: str = "attempt-1") -> None:
    """Claim and complete a generation without images (the gallery's tests need COMPLETE records)."""
    running = claim(generation_id, attempt)
    assert running and generation_records.complete(running, attempt, [], None, "2026-11-26T00:00:02.000Z")
