"""Logger, tracer and metrics: one configuration for every function.

Service name, namespace and log level come from the standard Powertools environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Iterator

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "image-prompt-studio")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "ImagePromptStudio")

logger = Logger()
tracer = Tracer()
metrics = Metrics()


def count(name: str, value: float = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


@contextmanager
def model_latency(model_id: str) -> Iterator[None]:
    """Record how long one model call took (ModelLatency, milliseconds)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        metrics.add_metric(name="ModelLatency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
        logger.debug("model call", extra={"modelId": model_id, "latencyMs": round(elapsed_ms)})
