"""What every Lambda entry point shares: the decorators that log, trace and flush metrics."""

from __future__ import annotations

from typing import Any, Callable

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from studio import snapstart  # noqa: F401  (registers the SnapStart restore hooks)
from studio.http import origin_refusal
from studio.observability import logger, metrics, tracer


def api_entry(app) -> Callable[[dict, LambdaContext], dict]:
    """The Lambda handler for a resolver: correlation id from the API request id, traces, metrics."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics
    def handler(event: dict, context: LambdaContext) -> dict[str, Any]:
        return origin_refusal(event) or app.resolve(event, context)

    return handler


def queue_entry(process: Callable[[dict, LambdaContext], dict]) -> Callable[[dict, LambdaContext], dict]:
    """The Lambda handler for an SQS-triggered (or scheduled) function."""

    @logger.inject_lambda_context(log_event=False)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics
    def handler(event: dict, context: LambdaContext) -> dict[str, Any]:
        return process(event, context)

    return handler


# A scheduled function (EventBridge) is wrapped the same way.
scheduled_entry = queue_entry
