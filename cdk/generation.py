"""Generation: the jobs queue and its DLQ, the worker (capped concurrency) and the dead-letters handler."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk import constants as c
from cdk.config import StudioConfig
from studio import routes, schema


class Generation(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        worker_timeout = routes.function("generate-worker").timeout_seconds
        dead_letters_timeout = routes.function("generate-dead-letters").timeout_seconds
        self.dead_letters = sqs.Queue(
            self, "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(c.DLQ_RETENTION_DAYS),
            visibility_timeout=Duration.seconds(c.VISIBILITY_TIMEOUT_FACTOR * dead_letters_timeout),
        )
        self.jobs = sqs.Queue(
            self, "Jobs",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(c.QUEUE_RETENTION_DAYS),
            visibility_timeout=Duration.seconds(c.VISIBILITY_TIMEOUT_FACTOR * worker_timeout),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=schema.JOBS_MAX_RECEIVE_COUNT,
                                                  queue=self.dead_letters),
        )

    def jobs_source(self) -> sources.SqsEventSource:
        """The worker's trigger: one job at a time, partial failures, concurrency capped by config."""
        return sources.SqsEventSource(self.jobs, batch_size=1, report_batch_item_failures=True,
                                      max_concurrency=self._config.worker_concurrency)

    def dead_letters_source(self) -> sources.SqsEventSource:
        return sources.SqsEventSource(self.dead_letters, batch_size=10, report_batch_item_failures=True,
                                      max_concurrency=2)
