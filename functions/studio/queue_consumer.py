"""The Lambda handler of a queue whose messages each name one generation (jobs, dead letters, index).

Kept apart from studio.entry_points so that the API functions do not load Powertools' batch utilities."""

from __future__ import annotations

from typing import Any, Callable

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from studio.adapters.jobs import export_id_of, generation_id_of
from studio.entry_points import queue_entry
from studio.observability import logger

Process = Callable[[str, SQSRecord, "LambdaContext | None"], Any]


def generation_consumer(what: str, process: Process, exports: Process | None = None
                        ) -> Callable[[dict, LambdaContext], dict]:
    """Each message's generation id goes to `process(generation_id, record, lambda_context)` (and, on
    the jobs queues, an export's id to `exports`); an unreadable message is dropped loudly (not ours,
    and retrying cannot help); what `process` raises becomes a batch item failure, which SQS retries."""
    processor = BatchProcessor(event_type=EventType.SQS)  # one per container, like the handler module

    def record_handler(record: SQSRecord, lambda_context: LambdaContext | None = None) -> Any:
        export_id = export_id_of(record.body) if exports is not None else None
        if export_id is not None:
            return exports(export_id, record, lambda_context)
        try:
            generation_id = generation_id_of(record.body)
        except ValueError:
            logger.error(f"dropping unreadable {what}", extra={"messageId": record.message_id})
            return "DROPPED"
        return process(generation_id, record, lambda_context)

    return queue_entry(lambda event, context: process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context))
