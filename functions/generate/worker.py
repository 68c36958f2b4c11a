"""The jobs queue's consumer: renders each queued generation (one record per message)."""
from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from studio.adapters import jobs
from studio.adapters.jobs import generation_id_of
from studio.errors import StudioError
from studio.handlers import queue_entry
from studio.logic import rendering
from studio.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def render_message(record: SQSRecord, lambda_context: LambdaContext | None = None) -> str:
    try:
        generation_id = generation_id_of(record.body)
    except ValueError:
        # Not ours and never will be: retrying cannot help, so drop it loudly.
        logger.error("dropping unreadable job message", extra={"messageId": record.message_id})
        return "DROPPED"
    try:
        return rendering.render(generation_id, lambda_context.get_remaining_time_in_millis if lambda_context else None)
    except Exception:
        # Reported as a batch item failure: SQS retries it in a minute, not after the visibility
        # timeout (sized for a worker that dies mid-job).
        try:
            jobs.retry_soon(record.receipt_handle)
        except StudioError:
            logger.exception("could not reschedule the job", extra={"messageId": record.message_id})
        raise


handler = queue_entry(
    lambda event, context: process_partial_response(event=event, record_handler=render_message,
                                                    processor=processor, context=context)
)
