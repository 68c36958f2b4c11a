"""Generation: the jobs queue and its DLQ, the worker (capped concurrency), the dead-letters handler and
the sweeper's schedule."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk import constants as c
from cdk.config import StudioConfig
from studio import routes, storage_layout


def encrypted_queue(scope: Construct, construct_id: str, *, retention_days: int, visibility_seconds: int | None = None,
                    dead_letters: sqs.IQueue | None = None, max_receive_count: int | None = None) -> sqs.Queue:
    """An SQS queue with SQS-managed encryption and TLS enforced, optionally redriving to `dead_letters`."""
    return sqs.Queue(
        scope, construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(retention_days),
        visibility_timeout=Duration.seconds(visibility_seconds) if visibility_seconds else None,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=max_receive_count, queue=dead_letters)
        if dead_letters is not None else None,
    )


class Generation(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        worker_timeout = routes.function("generate-worker").timeout_seconds
        dead_letters_timeout = routes.function("generate-dead-letters").timeout_seconds
        self.dead_letters = encrypted_queue(
            self, "DeadLetters", retention_days=c.DLQ_RETENTION_DAYS,
            visibility_seconds=c.VISIBILITY_TIMEOUT_FACTOR * dead_letters_timeout)
        self.jobs = encrypted_queue(
            self, "Jobs", retention_days=c.QUEUE_RETENTION_DAYS,
            visibility_seconds=c.VISIBILITY_TIMEOUT_FACTOR * worker_timeout,
            dead_letters=self.dead_letters, max_receive_count=storage_layout.JOBS_MAX_RECEIVE_COUNT)

    def jobs_source(self) -> sources.SqsEventSource:
        """The worker's trigger: one job at a time, partial failures, concurrency capped by config."""
        return sources.SqsEventSource(self.jobs, batch_size=1, report_batch_item_failures=True,
                                      max_concurrency=self._config.worker_concurrency)

    def dead_letters_source(self) -> sources.SqsEventSource:
        return sources.SqsEventSource(self.dead_letters, batch_size=10, report_batch_item_failures=True,
                                      max_concurrency=2)

    def schedule(self, function: lambda_.IFunction, spec: routes.Function) -> events.Rule:
        """Run a scheduled function (the sweeper) every spec.schedule_minutes, with one retry."""
        return events.Rule(
            self, f"{spec.name.title().replace('-', '')}Schedule",
            description=spec.description,
            schedule=events.Schedule.rate(Duration.minutes(spec.schedule_minutes)),
            targets=[targets.LambdaFunction(function, retry_attempts=1)],
        )
