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
    for factory in (s3, dynamodb, sqs, secrets, bedrock, ssm, cloudfront, s3vectors):
        factory.cache_clear()


def _get(name: str, factory):
    return _overrides.get(name) or factory()


def s3_config(endpoint_url: str) -> Config:
    """How presigned URLs address the bucket. Against AWS: the bucket's regional virtual-hosted
    endpoint (https://<bucket>.s3.<region>.amazonaws.com, us-east-1 included): the global endpoint
    that "auto" picks answers 307 for new buckets outside us-east-1 and 400 in regions launched
    after March 2019. Against a custom endpoint (AWS_ENDPOINT_URL_S3, e.g. the local emulator),
    path style, since such endpoints rarely have wildcard DNS. SigV4 is required for presigned POSTs."""
    style = "path" if endpoint_url else "virtual"
    return Config(signature_version="s3v4", s3={"addressing_style": style, "us_east_1_regional_endpoint": "regional"})


@lru_cache(maxsize=1)
def s3():
    # The bucket lives in the function's region (one stack): the client's region is the bucket's.
    return boto3.client("s3", config=s3_config(settings().s3_endpoint_url))


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
def ssm():
    return boto3.client("ssm")


@lru_cache(maxsize=1)
def cloudfront():
    return boto3.client("cloudfront")


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
    factories = {"s3": s3, "dynamodb": dynamodb, "sqs": sqs, "secrets": secrets, "bedrock": bedrock, "ssm": ssm,
                 "cloudfront": cloudfront, "s3vectors": s3vectors}
    return _get(name, factories[name])
