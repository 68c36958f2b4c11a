"""The index queue's consumer: embeds, captions and indexes each completed generation for search."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from studio.adapters.jobs import generation_id_of
from studio.handlers import queue_entry
from studio.logic import search
from studio.observability import count, logger
from studio.settings import settings

processor = BatchProcessor(event_type=EventType.SQS)


def index_message(record: SQSRecord) -> str:
    try:
        generation_id = generation_id_of(record.body)
    except ValueError:
        logger.error("dropping unreadable index message", extra={"messageId": record.message_id})
        return "DROPPED"
    try:
        return search.index_generation(generation_id, settings())
    except Exception:
        # Retried by SQS; after the last receive the message waits in the index DLQ (alarmed).
        count("IndexFailures")
        logger.exception("indexing failed", extra={"generationId": generation_id})
        raise


handler = queue_entry(
    lambda event, context: process_partial_response(event=event, record_handler=index_message,
                                                    processor=processor, context=context)
)
