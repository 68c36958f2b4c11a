"""boto3 clients, created once per container (lazily, so a function pays only for what it uses).

Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE> variables, so the same code reaches
AWS or the local emulators. Tests inject their own clients with `override`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

from studio.settings import settings

_overrides: dict[str, Any] = {}


def override(name: str, client: Any) -> None:
    """Use `client` for `name` (tests). `reset()` forgets every override and cached client."""
    _overrides[name] = client


def reset() -> None:
    _overrides.clear()
    for factory in (s3, dynamodb, sqs, secrets, bedrock, s3vectors):
        factory.cache_clear()


def _get(name: str, factory):
    return _overrides.get(name) or factory()


@lru_cache(maxsize=1)
def s3():
    # Virtual-host style is the default in AWS; path style keeps presigned URLs working on
    # endpoints without wildcard DNS (the local emulator). SigV4 is required for presigned POSTs.
    return boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "auto"}))


@lru_cache(maxsize=1)
def dynamodb():
    return boto3.client("dynamodb")


@lru_cache(maxsize=1)
def sqs():
    return boto3.client("sqs")


@lru_cache(maxsize=1)
def secrets():
    return boto3.client("secretsmanager")


@lru_cache(maxsize=1)
def bedrock():
    conf = settings()
    # Standard retries back off on throttling and 5xx; the attempts and read timeout are sized so
    # the worst case fits inside the function's timeout (see the CDK generation construct).
    return boto3.client(
        "bedrock-runtime",
        region_name=conf.bedrock_region,
        config=Config(
            retries={"mode": "standard", "total_max_attempts": conf.model_max_attempts},
            read_timeout=conf.model_read_timeout,
            connect_timeout=5,
        ),
    )


@lru_cache(maxsize=1)
def s3vectors():
    return boto3.client("s3vectors")


def get(name: str):
    return _get(name, {"s3": s3, "dynamodb": dynamodb, "sqs": sqs, "secrets": secrets, "bedrock": bedrock,
                       "s3vectors": s3vectors}[name])
