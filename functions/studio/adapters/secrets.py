"""Secrets Manager: the key that signs gallery cursors, read once per container."""

from __future__ import annotations

from functools import lru_cache

from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters import clients
from studio.errors import StorageError
from studio.settings import settings


@lru_cache(maxsize=1)
def cursor_key() -> bytes:
    try:
        value = clients.get("secrets").get_secret_value(SecretId=settings().require("cursor_secret_arn"))
    except (ClientError, BotoCoreError) as error:
        raise StorageError("The gallery is not available right now. Try again.") from error
    return value["SecretString"].encode()
