"""SQS: the queues of generations waiting for the worker, and for the search index."""

from __future__ import annotations

import json

from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters import clients
from studio.errors import StorageError
from studio.settings import settings
from studio.storage_layout import JOBS_RETRY_DELAY_SECONDS

# The longest delay SQS gives a message (DelaySeconds).
MAX_DELAY_SECONDS = 900


def enqueue(generation_id: str, queue: str = "jobs_queue_url", delay_seconds: int = 0) -> None:
    """Queue a generation for the worker (or, with queue="index_queue_url", for the index function),
    deliverable after `delay_seconds` (at most SQS's 15 minutes)."""
    delay = {"DelaySeconds": min(delay_seconds, MAX_DELAY_SECONDS)} if delay_seconds > 0 else {}
    try:
        clients.get("sqs").send_message(QueueUrl=settings().require(queue),
                                        MessageBody=json.dumps({"generationId": generation_id}), **delay)
    except (ClientError, BotoCoreError) as error:  # BotoCoreError: the queue could not be reached
        raise StorageError("Could not queue the generation. Try again.") from error


def enqueue_export(export_id: str) -> None:
    """Queue an export for the worker: the same jobs queue, a message of its own kind ({"exportId"})."""
    try:
        clients.get("sqs").send_message(QueueUrl=settings().require("jobs_queue_url"),
                                        MessageBody=json.dumps({"exportId": export_id}))
    except (ClientError, BotoCoreError) as error:
        raise StorageError("Could not queue the export. Try again.") from error


def export_id_of(message_body: str) -> str | None:
    """The export a jobs message is about, or None when it is not an export's."""
    try:
        payload = json.loads(message_body)
    except ValueError:
        return None
    export_id = payload.get("exportId") if isinstance(payload, dict) else None
    return export_id if isinstance(export_id, str) and export_id else None


def retry_soon(receipt_handle: str, delay_seconds: int = JOBS_RETRY_DELAY_SECONDS) -> None:
    """Make a received job visible again in `delay_seconds`, instead of after the visibility timeout."""
    try:
        clients.get("sqs").change_message_visibility(QueueUrl=settings().require("jobs_queue_url"),
                                                     ReceiptHandle=receipt_handle, VisibilityTimeout=delay_seconds)
    except (ClientError, BotoCoreError) as error:
        raise StorageError("Could not reschedule the job.") from error


def generation_id_of(message_body: str) -> str:
    """The generation a queue message is about (ValueError when it is not one of ours)."""
    payload = json.loads(message_body)
    generation_id = payload.get("generationId") if isinstance(payload, dict) else None
    if not isinstance(generation_id, str) or not generation_id:
        raise ValueError("message has no generationId")
    return generation_id
