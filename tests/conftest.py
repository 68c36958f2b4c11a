"""Shared fixtures: every test starts from clean settings, clients and environment.

`aws` starts moto's in-process mock and builds the app's resources from studio.storage_layout;
`bedrock` installs a Stubber-backed bedrock-runtime client.
"""

from __future__ import annotations

import os

import pytest

from studio import catalog
from studio import caches
from studio.adapters import clients, secrets
from studio.settings import ENV
from tests.support import aws as aws_support
from tests.support import suites
from tests.support.bedrock import BedrockStub

DEFAULT_MODEL = "amazon.titan-image-generator-v2:0"


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A known environment: nothing from the developer's shell (endpoints, profiles) leaks in.

    Autouse in tests/unit and tests/integration (their conftest.py); the other suites drive real
    processes with their own environment and do not get it."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name in ENV.values():
            monkeypatch.delenv(name, raising=False)
    values = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "TABLE_NAME": aws_support.TABLE,
        "IMAGES_BUCKET": aws_support.BUCKET,
        "JOBS_QUEUE_URL": f"https://sqs.us-east-1.amazonaws.com/123456789012/{aws_support.QUEUE}",
        "CURSOR_SECRET_ARN": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{aws_support.SECRET}",
        "ORIGIN_SECRET_ARN": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{aws_support.ORIGIN_SECRET}",
        "ALLOWED_IMAGE_MODELS": ",".join([m.model_id for m in catalog.IMAGE_MODELS] + list(catalog.EDIT_MODEL_IDS)),
        "IMAGE_MODEL_ID": DEFAULT_MODEL,
        "DAILY_IMAGE_QUOTA": "100",
        "INDEX_QUEUE_URL": f"https://sqs.us-east-1.amazonaws.com/123456789012/{aws_support.INDEX_QUEUE}",
        "VECTOR_INDEX_ARN": aws_support.VECTOR_INDEX_ARN,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    caches.reset()
    # Tests without moto: the origin secret as if read from Secrets Manager (the `aws` fixture
    # replaces the ARN with its own secret, read for real).
    secrets.remember_origin_values(values["ORIGIN_SECRET_ARN"], (aws_support.ORIGIN_SECRET_VALUE,))
    yield monkeypatch
    caches.reset()


@pytest.fixture
def env(environment):
    """Change environment variables for one test; the settings are re-read on next use."""

    def set_env(**values: str) -> None:
        for name, value in values.items():
            environment.setenv(name, str(value))
        injected = clients.overrides()  # a stubbed Bedrock client stays installed
        caches.reset()
        for name, client in injected.items():
            clients.override(name, client)

    return set_env


_session = None


def _shared_session():
    """One boto3 session for the whole run: moto resets boto3's default session on every start,
    and a fresh session re-reads botocore's endpoint and service files (about 0.3 s a test)."""
    global _session
    if _session is None:
        import boto3

        _session = boto3.session.Session(region_name="us-east-1")
    return _session


@pytest.fixture
def aws(environment):
    """moto's in-process AWS with the table, bucket, queues and secret the app expects."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        boto3.DEFAULT_SESSION = _shared_session()
        resources = aws_support.create_all()
        environment.setenv("JOBS_QUEUE_URL", resources.queue_url)
        environment.setenv("CURSOR_SECRET_ARN", resources.secret_arn)
        environment.setenv("INDEX_QUEUE_URL", resources.index_queue_url)
        environment.setenv("ORIGIN_SECRET_ARN", resources.origin_secret_arn)
        environment.setenv("CREDENTIALS_KEY_ID", resources.credentials_key_arn)
        environment.setenv("CREDENTIALS_CHAIN_SECRET_ARN", resources.credentials_chain_secret_arn)
        environment.setenv("CREDENTIALS_DAY_ONE_PARAMETER", aws_support.DAY_ONE_PARAMETER)
        caches.reset()
        yield resources


@pytest.fixture
def bedrock():
    stub = BedrockStub()
    yield stub
    stub.stubber.deactivate()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    # A suite's stack stops after its last test (tests/support/suites.py).
    suite = suites.suite_of(item.fspath)
    if nextitem is None or suites.suite_of(nextitem.fspath) != suite:
        suites.suite_ended(suite)


def pytest_configure(config):
    # Powertools warns when a handler ends without a business metric (read routes add none).
    config.addinivalue_line("filterwarnings", "ignore:No application metrics to publish:UserWarning")
