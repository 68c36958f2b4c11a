"""The jobs queue's consumer: renders each queued generation (one record per message)."""
from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from studio.adapters import jobs
from studio.errors import StudioError
from studio.logic import rendering
from studio.observability import logger
from studio.queue_consumer import generation_consumer


def render_job(generation_id: str, record: SQSRecord, lambda_context: LambdaContext | None) -> str:
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


def export_job(export_id: str, record: SQSRecord, lambda_context: LambdaContext | None) -> str:
    """An export's ZIP (logic/exports.py): it ends COMPLETE or FAILED; only an unexpected error is retried."""
    from studio.logic import exports  # on the first export only: generation jobs do not load the boards' logic

    return exports.assemble(export_id, lambda_context.get_remaining_time_in_millis if lambda_context else None)


handler = generation_consumer("job message", render_job, export_job)
