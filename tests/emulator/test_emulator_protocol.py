"""The wire: routes as boto3 sends them, Bedrock's error shape, admin endpoints, standalone run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from emulator_helpers import HAIKU, NOVA, TITAN, error_of, invoke, titan_text

from local.bedrock_emulator import EmulatorServer, wait_ready

ROOT = Path(__file__).resolve().parents[2]

ERRORS = [("ValidationException", 400), ("AccessDeniedException", 403), ("ResourceNotFoundException", 404),
          ("ModelTimeoutException", 408), ("ModelErrorException", 424), ("ThrottlingException", 429),
          ("InternalServerException", 500), ("ServiceUnavailableException", 503)]


def arm(url: str, **body) -> None:
    req = urllib.request.Request(f"{url}/_emulator/faults", data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req, timeout=5).close()


@pytest.mark.parametrize("code, status", ERRORS)
def test_given_each_bedrock_error_when_raised_then_botocore_reports_its_code_and_status(client, emulator, code,
                                                                                      status):
    arm(emulator.url, fault="error", code=code, target="image")
    got_code, got_status, message = error_of(lambda: invoke(client, TITAN, titan_text()))
    assert (got_code, got_status) == (code, status) and message


def test_given_an_error_marker_when_conversing_then_that_error_type(client):
    got = error_of(lambda: client.converse(modelId=HAIKU, messages=[
        {"role": "user", "content": [{"text": "hello [fault:error=AccessDeniedException]"}]}]))
    assert got[:2] == ("AccessDeniedException", 403)


def test_given_a_modeled_error_when_raised_then_boto3_maps_it_to_the_service_exception_class(client):
    with pytest.raises(client.exceptions.ValidationException):
        invoke(client, TITAN, titan_text(cfgScale=20.0))


def test_given_an_error_when_answered_then_the_raw_shape_is_status_header_and_message_body(emulator):
    req = urllib.request.Request(f"{emulator.url}/model/amazon.titan-image-generator-v2%3A0/invoke",
                                 data=b'{"taskType": "TEXT_IMAGE"}', method="POST",
                                 headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(req, timeout=5)
    assert caught.value.code == 400
    assert caught.value.headers["x-amzn-ErrorType"] == "ValidationException"
    assert json.loads(caught.value.read()) == {"message": "Malformed input request: #: required key "
                                                          "[textToImageParams] not found, please reformat your "
                                                          "input and try again."}


def test_given_an_unknown_model_when_invoked_then_resource_not_found(client):
    code, status, message = error_of(lambda: invoke(client, "amazon.titan-image-generator-v9:0", titan_text()))
    assert (code, status) == ("ResourceNotFoundException", 404) and "v9" in message


def test_given_a_text_model_when_invoke_model_is_used_then_validation_exception_pointing_to_converse(client):
    code, _, message = error_of(lambda: invoke(client, HAIKU, {"messages": []}))
    assert code == "ValidationException" and "Converse" in message


def test_given_an_inference_profile_id_when_conversing_then_accepted(client):
    for model_id in (HAIKU, "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.amazon.nova-lite-v1:0"):
        response = client.converse(modelId=model_id, messages=[{"role": "user", "content": [{"text": "hi"}]}])
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_given_the_endpoint_variable_when_a_default_client_is_built_then_it_reaches_the_emulator(emulator,
                                                                                              monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", emulator.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "dummy")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dummy")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    plain = boto3.session.Session().client("bedrock-runtime")
    response = plain.invoke_model(modelId=NOVA, body=json.dumps(titan_text()))
    assert response["contentType"] == "application/json"
    assert json.loads(response["body"].read())["images"]


def test_given_health_when_asked_then_ok_with_models_and_armed_faults(emulator):
    arm(emulator.url, fault="throttle", times=2, target="text")
    with urllib.request.urlopen(f"{emulator.url}/_emulator/health", timeout=5) as resp:
        health = json.loads(resp.read())
    assert health["status"] == "ok" and TITAN in health["models"]["image"]
    assert health["faults"] == [{"fault": "throttle", "times": 2, "target": "text", "seconds": None, "code": None}]


def test_given_an_unknown_path_when_requested_then_404(emulator):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{emulator.url}/nothing/here", timeout=5)
    assert caught.value.code == 404


def test_given_a_server_when_used_as_a_context_manager_then_it_stops_and_frees_the_port():
    with EmulatorServer() as server:
        url = server.url
        assert wait_ready(url)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/_emulator/health", timeout=1)


def test_given_the_module_command_when_run_then_it_serves_until_terminated():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "local.bedrock_emulator", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first).group(0)
        assert wait_ready(url)
        client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=url,
                              aws_access_key_id="x", aws_secret_access_key="y")
        assert invoke(client, TITAN, titan_text())["images"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
