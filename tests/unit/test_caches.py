"""One registry holds every process-wide cache, and one call empties it."""

from __future__ import annotations

import re
from pathlib import Path

from studio import caches
from studio.adapters import cdn, clients, secrets, storage
from studio.settings import settings

STUDIO = Path(__file__).resolve().parents[2] / "functions"


def test_one_reset_forgets_settings_clients_overrides_secrets_cdn_and_writers(environment):
    # Given every kind of cache filled: settings read, a client made, an override installed, a
    # secret value remembered, the distribution id read, the S3 writer threads started
    conf, client = settings(), clients.get("sqs")
    clients.override("cloudfront", object())
    secrets.remember_origin_values("arn:x", ("v",))
    assert cdn.distribution_id() == ""  # no CDN configured: read once, cached
    cdn_calls_before = cdn.distribution_id.cache_info().misses
    writers = storage._writers()
    # When one call resets the process's caches
    caches.reset()
    # Then each is made anew on next use
    assert settings() is not conf
    assert clients.get("sqs") is not client
    assert clients.overrides() == {}
    assert "arn:x" not in secrets._origin_cache
    cdn.distribution_id()
    assert cdn.distribution_id.cache_info().misses == 1 and cdn_calls_before == 1
    assert storage._writers() is not writers


def test_a_client_is_kept_per_service_and_region(environment):
    # Given clients of one service in two regions
    east, west = clients.get("bedrock-runtime", "us-east-1"), clients.get("bedrock-runtime", "us-west-2")
    # Then each region has its own, made once
    assert east is not west
    assert east.meta.region_name == "us-east-1" and west.meta.region_name == "us-west-2"
    assert clients.get("bedrock-runtime", "us-west-2") is west


def test_a_client_is_kept_per_function(environment):
    # Given the same service asked for by two functions in one process (as the tests do)
    environment.setenv("AWS_LAMBDA_FUNCTION_NAME", "gallery")
    gallery_client = clients.get("dynamodb")
    environment.setenv("AWS_LAMBDA_FUNCTION_NAME", "index")
    # Then each function gets its own client (its own role's credentials)
    assert clients.get("dynamodb") is not gallery_client


def test_no_module_keeps_a_cache_outside_the_registry():
    # Given the application's source, then no function-level cache bypasses caches.cached/register
    offenders = [str(path.relative_to(STUDIO)) for path in STUDIO.rglob("*.py")
                 if re.search(r"lru_cache|functools\.cache\b|@cache\b", path.read_text())
                 and path.name != "caches.py"]
    assert offenders == []
