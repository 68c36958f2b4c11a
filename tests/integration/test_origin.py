"""The API answers only requests that came through CloudFront (its secret origin header).

Given the origin secret in Secrets Manager (moto), each test calls a handler with or without the
header CloudFront adds, before and after a rotation.
"""

from __future__ import annotations

import boto3
import pytest

import gallery.handler
import translate.handler
from studio.adapters import secrets
from studio.routes import ORIGIN_HEADER
from tests.support.aws import ORIGIN_SECRET_VALUE
from tests.support.events import call


@pytest.mark.parametrize("headers", [{}, {ORIGIN_HEADER: "guess"}, {ORIGIN_HEADER: ""}],
                         ids=["missing", "wrong", "empty"])
def test_a_call_without_the_origin_secret_is_refused_before_any_route(aws, headers):
    # Given a direct call to the execute-api endpoint (no or a wrong header)
    event_headers = {ORIGIN_HEADER: None, **headers}
    # When it reaches a handler, even the public OpenAPI route or a malformed body
    for reply in (call(gallery.handler.handler, "GET", "/openapi.json", user=None, headers=event_headers),
                  call(translate.handler.handler, "POST", "/translate", raw_body="{", headers=event_headers)):
        # Then 403 in the error shape, nothing routed or validated
        assert reply.status == 403 and reply.error["code"] == "forbidden"
        assert "SiteUrl/api" in reply.error["message"]


def test_the_header_cloudfront_adds_passes(aws):
    reply = call(gallery.handler.handler, "GET", "/openapi.json", user=None)
    assert reply.status == 200


def test_after_a_rotation_both_the_new_and_the_previous_value_pass_until_cloudfront_is_updated(aws):
    # Given a rotation: a new value becomes AWSCURRENT, the old one AWSPREVIOUS
    boto3.client("secretsmanager").put_secret_value(SecretId=aws.origin_secret_arn, SecretString="rotated-value-42")
    secrets.forget_origin_values()  # the functions re-read the secret every few minutes
    # Then both values pass (CloudFront still sends the old one until the next deploy), a third does not
    for value, status in ((ORIGIN_SECRET_VALUE, 200), ("rotated-value-42", 200), ("older", 403)):
        reply = call(gallery.handler.handler, "GET", "/openapi.json", user=None, headers={ORIGIN_HEADER: value})
        assert reply.status == status, value


def test_if_secrets_manager_fails_the_call_gets_503_not_a_pass(aws, monkeypatch):
    from botocore.exceptions import ClientError
    from studio.adapters import clients

    def failing(**_):
        raise ClientError({"Error": {"Code": "InternalServiceError", "Message": "x"}}, "GetSecretValue")

    secrets.forget_origin_values()
    monkeypatch.setattr(clients.get("secretsmanager"), "get_secret_value", failing)
    reply = call(gallery.handler.handler, "GET", "/openapi.json", user=None)
    assert reply.status == 503


def test_if_secrets_manager_cannot_be_reached_the_call_gets_503(aws, monkeypatch):
    from botocore.exceptions import EndpointConnectionError
    from studio.adapters import clients

    def unreachable(**_):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    secrets.forget_origin_values()
    monkeypatch.setattr(clients.get("secretsmanager"), "get_secret_value", unreachable)
    reply = call(gallery.handler.handler, "GET", "/openapi.json", user=None)
    assert reply.status == 503 and reply.error["code"] == "storage_error"
