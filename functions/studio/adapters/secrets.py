"""Secrets Manager: the key that signs gallery cursors (read once per container) and the origin
secret CloudFront sends to the API (current and previous value, re-read every few minutes so that a
rotation takes effect without a cold start)."""

from __future__ import annotations

import time

from botocore.exceptions import BotoCoreError, ClientError

from studio import caches
from studio.adapters import clients
from studio.errors import StorageError
from studio.settings import settings


@caches.cached
def cursor_key() -> bytes:
    try:
        value = clients.get("secretsmanager").get_secret_value(SecretId=settings().require("cursor_secret_arn"))
    except (ClientError, BotoCoreError) as error:
        raise StorageError("The gallery is not available right now. Try again.") from error
    return value["SecretString"].encode()


ORIGIN_SECRET_TTL_SECONDS = 300
_origin_cache: dict[str, tuple[float, tuple[str, ...]]] = {}


def origin_values() -> tuple[str, ...]:
    """The values the origin header may carry: AWSCURRENT and, during a rotation, AWSPREVIOUS."""
    arn = settings().require("origin_secret_arn")
    cached = _origin_cache.get(arn)
    if cached and time.monotonic() - cached[0] < ORIGIN_SECRET_TTL_SECONDS:
        return cached[1]
    client = clients.get("secretsmanager")
    try:
        values = [client.get_secret_value(SecretId=arn)["SecretString"]]
    except (ClientError, BotoCoreError) as error:  # BotoCoreError: no answer (connection, timeout)
        raise StorageError("The service is not available right now. Try again.") from error
    try:
        values.append(client.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")["SecretString"])
    except (ClientError, BotoCoreError):
        pass  # never rotated (no previous value), or no answer this time: the current value alone
    _origin_cache[arn] = (time.monotonic(), tuple(values))
    return _origin_cache[arn][1]


@caches.register
def forget_origin_values() -> None:
    _origin_cache.clear()


def remember_origin_values(arn: str, values: tuple[str, ...]) -> None:
    """Use these values for `arn` until the cache expires (tests without Secrets Manager)."""
    _origin_cache[arn] = (time.monotonic(), values)
