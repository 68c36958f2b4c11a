"""The jobs DLQ's consumer: a job that failed every retry fails its record, so none stays PENDING."""

from studio.logic import abandoned
from studio.observability import logger
from studio.queue_consumer import generation_consumer


def fail_job(generation_id: str, *_: object) -> bool:
    failed = abandoned.fail_abandoned(generation_id)
    logger.warning("abandoned generation", extra={"generationId": generation_id, "failedNow": failed})
    return failed


def fail_export(export_id: str, *_: object) -> bool:
    from studio.logic import exports  # on the first dead export only (tests/unit/test_imports.py)

    failed = exports.fail_abandoned(export_id)
    logger.warning("abandoned export", extra={"exportId": export_id, "failedNow": failed})
    return failed


handler = generation_consumer("dead letter", fail_job, fail_export)
