"""boto3 clients, created once per container (lazily, so a function pays only for what it uses).

A client is kept per (service, region, function): the region, because one function may call
Bedrock in two regions (image models where they run, embeddings where theirs run); the function,
because each function calls AWS as its own role. Endpoints come from the standard
AWS_ENDPOINT_URL_<SERVICE> variables, so the same code reaches AWS or the local emulators. Tests
inject their own clients with `override`; `studio.caches.reset()` forgets clients and overrides.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

import boto3
from botocore.config import Config

from studio import caches
from studio.settings import settings

# The boto3 service name of each client the adapters use.
SERVICES = ("s3", "dynamodb", "sqs", "secretsmanager", "bedrock-runtime", "bedrock", "ssm", "cloudfront",
            "s3vectors", "kms")

_clients: dict[tuple[str, str, str], Any] = {}
_overrides: dict[str, Any] = {}
_lock = threading.Lock()


def _forget() -> None:
    with _lock:
        _clients.clear()
        _overrides.clear()


caches.register(_forget)


def override(service: str, client: Any) -> None:
    """Use `client` for `service` in every region (tests), until the next caches.reset()."""
    _overrides[service] = client


def overrides() -> dict[str, Any]:
    """The clients tests installed (to put them back after a reset)."""
    return dict(_overrides)


def function_name() -> str:
    """The function this container runs (Lambda sets the variable; empty in tests and tools)."""
    return os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")


def get(service: str, region: str | None = None) -> Any:
    """The client of `service` in `region` (default: the function's own region)."""
    if service not in SERVICES:
        raise ValueError(f"no client for {service!r}; add it to clients.SERVICES")
    if service in _overrides:
        return _overrides[service]
    key = (service, region or "", function_name())
    client = _clients.get(key)
    if client is None:
        with _lock:  # two threads of one container (the S3 writers) make one client
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = _FACTORIES.get(service, _plain)(service, region)
    return client


def s3_config(endpoint_url: str) -> Config:
    """How presigned URLs address the bucket. Against AWS: the bucket's regional virtual-hosted
    endpoint (https://<bucket>.s3.<region>.amazonaws.com, us-east-1 included): the global endpoint
    that "auto" picks answers 307 for new buckets outside us-east-1 and 400 in regions launched
    after March 2019. Against a custom endpoint (AWS_ENDPOINT_URL_S3, e.g. the local emulator),
    path style, since such endpoints rarely have wildcard DNS. SigV4 is required for presigned POSTs."""
    style = "path" if endpoint_url else "virtual"
    return Config(signature_version="s3v4", s3={"addressing_style": style, "us_east_1_regional_endpoint": "regional"})


def _plain(service: str, region: str | None) -> Any:
    return boto3.client(service, **({"region_name": region} if region else {}))


def _s3(service: str, region: str | None) -> Any:
    # The bucket lives in the function's region (one stack): the client's region is the bucket's.
    return boto3.client("s3", config=s3_config(settings().s3_endpoint_url))


def _bedrock_runtime(service: str, region: str | None) -> Any:
    conf = settings()
    # Standard retries back off on throttling and 5xx; the attempts and read timeout are sized so
    # the worst case fits inside the function's timeout (see the CDK generation construct).
    return boto3.client(
        "bedrock-runtime",
        region_name=region or conf.bedrock_region,
        config=Config(
            retries={"mode": "standard", "total_max_attempts": conf.model_max_attempts},
            read_timeout=conf.model_read_timeout,
            connect_timeout=5,
        ),
    )


_FACTORIES: dict[str, Callable[[str, str | None], Any]] = {"s3": _s3, "bedrock-runtime": _bedrock_runtime}
