"""The jobs DLQ's consumer: a job that failed every retry fails its record, so none stays PENDING."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from studio.adapters.jobs import generation_id_of
from studio.handlers import queue_entry
from studio.logic import abandoned
from studio.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def fail_message(record: SQSRecord) -> bool:
    try:
        generation_id = generation_id_of(record.body)
    except ValueError:
        logger.error("dropping unreadable dead letter", extra={"messageId": record.message_id})
        return False
    failed = abandoned.fail_abandoned(generation_id)
    logger.warning("abandoned generation", extra={"generationId": generation_id, "failedNow": failed})
    return failed


handler = queue_entry(
    lambda event, context: process_partial_response(event=event, record_handler=fail_message,
                                                    processor=processor, context=context)
)
