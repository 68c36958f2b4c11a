"""Fault switches: armed through the admin endpoint or typed into a prompt as [fault:NAME]."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from botocore.exceptions import ReadTimeoutError
from emulator_helpers import HAIKU, NOVA, SD35, TITAN, error_of, invoke, make_client, regional, titan_text

from local.bedrock_emulator import EmulatorServer
from local.bedrock_emulator.errors import CONTENT_FILTER_INPUT_NOVA, CONTENT_FILTER_OUTPUT

TOOL = {"toolSpec": {"name": "propose_prompts", "description": "ideas", "inputSchema": {"json": {
    "type": "object", "required": ["prompts"], "properties": {"prompts": {"type": "array", "items": {"type": "object"}}}}}}}


def arm(url: str, fault: str, times: int = 1, target: str = "any", **extra) -> dict:
    data = json.dumps({"fault": fault, "times": times, "target": target, **extra}).encode()
    req = urllib.request.Request(f"{url}/_emulator/faults", data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def converse(client, text: str = '{"task": "suggest", "keywords": "a fox", "count": 2}', tools: bool = True):
    kwargs = {"modelId": HAIKU, "messages": [{"role": "user", "content": [{"text": text}]}],
              "inferenceConfig": {"maxTokens": 500, "temperature": 0.5}}
    if tools:
        kwargs["toolConfig"] = {"tools": [TOOL], "toolChoice": {"tool": {"name": "propose_prompts"}}}
    return client.converse(**kwargs)


GENERIC = [("throttle", "ThrottlingException", 429), ("timeout", "ModelTimeoutException", 408),
           ("server-error", "InternalServerException", 500)]


@pytest.mark.parametrize("fault, code, status", GENERIC)
def test_given_an_armed_fault_when_an_image_is_invoked_then_bedrock_error_once(client, emulator, fault, code, status):
    arm(emulator.url, fault, target="image")
    assert error_of(lambda: invoke(client, TITAN, titan_text()))[:2] == (code, status)
    assert invoke(client, TITAN, titan_text())["images"]  # consumed: the next call works


@pytest.mark.parametrize("fault, code, status", GENERIC)
def test_given_a_fault_marker_in_the_text_when_conversing_then_bedrock_error(client, fault, code, status):
    assert error_of(lambda: converse(client, f'{{"task": "suggest", "keywords": "fox [fault:{fault}]"}}'))[:2] \
        == (code, status)


@pytest.mark.parametrize("fault, code", [(f, c) for f, c, _ in GENERIC])
def test_given_a_fault_marker_in_a_prompt_when_invoked_then_every_such_call_fails(client, fault, code):
    body = titan_text(f"a fox [fault:{fault}]")
    assert error_of(lambda: invoke(client, NOVA, body))[0] == code
    assert error_of(lambda: invoke(client, NOVA, body))[0] == code


def test_given_times_two_when_armed_then_two_calls_fail_and_the_third_succeeds(client, emulator):
    arm(emulator.url, "throttle", times=2, target="any")
    assert error_of(lambda: invoke(client, TITAN, titan_text()))[0] == "ThrottlingException"
    assert error_of(lambda: converse(client))[0] == "ThrottlingException"
    assert invoke(client, TITAN, titan_text())["images"]


def test_given_a_text_target_when_armed_then_image_calls_are_untouched(client, emulator):
    arm(emulator.url, "throttle", target="text")
    assert invoke(client, TITAN, titan_text())["images"]
    assert error_of(lambda: converse(client))[0] == "ThrottlingException"


def test_given_armed_faults_when_deleted_then_calls_succeed_again(client, emulator):
    arm(emulator.url, "server-error", times=5)
    req = urllib.request.Request(f"{emulator.url}/_emulator/faults", method="DELETE")
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert json.loads(resp.read()) == {"faults": []}
    assert invoke(client, TITAN, titan_text())["images"]


def test_given_an_unknown_fault_when_armed_then_400(emulator):
    with pytest.raises(urllib.error.HTTPError) as caught:
        arm(emulator.url, "explode")
    assert caught.value.code == 400


# --- content filters --------------------------------------------------------------------------
def test_given_filter_input_when_nova_then_validation_exception_with_the_documented_message(client):
    code, status, message = error_of(lambda: invoke(client, NOVA, titan_text("a fox [fault:filter-input]")))
    assert (code, status, message) == ("ValidationException", 400, CONTENT_FILTER_INPUT_NOVA)


def test_given_filter_input_when_titan_then_validation_exception_about_content_filters(client, emulator):
    arm(emulator.url, "filter-input", target="image")
    code, _, message = error_of(lambda: invoke(client, TITAN, titan_text()))
    assert code == "ValidationException" and "blocked by our content filters" in message


def test_given_filter_output_when_titan_then_200_with_the_error_field_and_no_images(client, emulator):
    arm(emulator.url, "filter-output", target="image")
    assert invoke(client, TITAN, titan_text()) == {"images": [], "error": CONTENT_FILTER_OUTPUT}


@pytest.mark.parametrize("fault, reason", [("filter-input", "Filter reason: prompt"),
                                           ("filter-output", "Filter reason: output image")])
def test_given_a_filter_when_stability_then_200_with_the_finish_reason(client, fault, reason):
    out = invoke(client, SD35, {"prompt": f"a fox [fault:{fault}]", "seed": 3})
    assert out["finish_reasons"] == [reason] and out["images"] == []


def test_given_filter_input_when_conversing_then_validation_exception(client):
    code, _, message = error_of(lambda: converse(client, '{"task": "suggest", "keywords": "[fault:filter-input]"}'))
    assert code == "ValidationException" and "content filters" in message


def test_given_filter_output_when_conversing_then_content_filtered_without_tool_use(client, emulator):
    arm(emulator.url, "filter-output", target="text")
    response = converse(client)
    assert response["stopReason"] == "content_filtered"
    assert not any("toolUse" in block for block in response["output"]["message"]["content"])


# --- malformed answers ------------------------------------------------------------------------
@pytest.mark.parametrize("model_id, body", [(TITAN, titan_text()), (SD35, {"prompt": "a fox"})])
def test_given_malformed_when_an_image_is_invoked_then_200_with_truncated_json(client, emulator, model_id, body):
    arm(emulator.url, "malformed", target="image")
    raw = regional(client, model_id).invoke_model(modelId=model_id, body=json.dumps(body))["body"].read()
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)


def test_given_malformed_when_conversing_with_a_forced_tool_then_text_without_tool_use(client, emulator):
    arm(emulator.url, "malformed", target="text")
    response = converse(client)
    content = response["output"]["message"]["content"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert content and all("toolUse" not in block for block in content) and "text" in content[0]


# --- hang -------------------------------------------------------------------------------------
def test_given_hang_when_the_client_read_timeout_is_shorter_then_read_timeout(emulator):
    impatient = make_client(emulator.url, read_timeout=0.5)
    arm(emulator.url, "hang", target="image", seconds=1.5)
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        invoke(impatient, TITAN, titan_text())
    assert time.monotonic() - started < 1.4


def test_given_hang_when_the_client_waits_then_the_answer_arrives_late(client, emulator):
    arm(emulator.url, "hang", target="text", seconds=0.6)
    started = time.monotonic()
    response = converse(client)
    assert time.monotonic() - started >= 0.6 and response["stopReason"] == "tool_use"


def test_given_hang_seconds_from_the_constructor_when_marker_used_then_it_sleeps_that_long():
    with EmulatorServer(hang_seconds=0.4) as server:
        started = time.monotonic()
        out = invoke(make_client(server.url), TITAN, titan_text("a fox [fault:hang]"))
        assert out["images"] and 0.4 <= time.monotonic() - started < 3
