"""The index queue's consumer: embeds, captions and indexes each completed generation for search."""

from studio.logic import indexing
from studio.observability import count, logger
from studio.queue_consumer import generation_consumer
from studio.settings import settings


def index_job(generation_id: str, *_: object) -> str:
    try:
        return indexing.index_generation(generation_id, settings())
    except Exception:
        # Retried by SQS; after the last receive the message waits in the index DLQ (alarmed).
        count("IndexFailures")
        logger.exception("indexing failed", extra={"generationId": generation_id})
        raise


handler = generation_consumer("index message", index_job)
