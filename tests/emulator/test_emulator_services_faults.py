"""Every fault switch works for every Image Service (and the new ones for the Stability text-to-image models)."""

from __future__ import annotations

import json

import pytest
from emulator_helpers import CORE, NOVA, SD35, SERVICE_NAMES, error_of, invoke, profile, service_body, titan_text
from test_emulator_faults import arm

from local.bedrock_emulator import FAULTS

PROMPTED = [n for n in SERVICE_NAMES if "prompt" in service_body(n)]
UNSEEDED = ("stable-image-remove-background-v1:0", "stable-fast-upscale-v1:0")  # documented without `seed`


@pytest.mark.parametrize("name", SERVICE_NAMES)
@pytest.mark.parametrize("fault, reason", [("filter-input", "Filter reason: prompt"),
                                           ("filter-input-image", "Filter reason: input image"),
                                           ("filter-output", "Filter reason: output image"),
                                           ("inference-error", "Inference error")])
def test_given_an_armed_finish_reason_fault_when_a_service_is_invoked_then_200_with_that_reason(
        client, emulator, name, fault, reason):
    arm(emulator.url, fault, target="image")
    body = service_body(name) if name in UNSEEDED else service_body(name, seed=77)
    out = invoke(client, profile(name), body)
    assert out["finish_reasons"] == [reason] and out["images"] == [] and len(out["seeds"]) == 1
    assert name in UNSEEDED or out["seeds"] == [77]
    assert invoke(client, profile(name), body)["finish_reasons"] == [None]  # consumed


@pytest.mark.parametrize("name", PROMPTED)
def test_given_an_input_image_filter_marker_in_the_prompt_when_invoked_then_filter_reason_input_image(client, name):
    body = service_body(name, prompt="a lighthouse [fault:filter-input-image]")
    assert invoke(client, profile(name), body)["finish_reasons"] == ["Filter reason: input image"]


def test_given_a_marker_in_the_search_prompt_when_replacing_then_it_applies(client):
    name = "stable-image-search-replace-v1:0"
    body = service_body(name, search_prompt="the box [fault:inference-error]")
    assert invoke(client, profile(name), body)["finish_reasons"] == ["Inference error"]


@pytest.mark.parametrize("name", SERVICE_NAMES)
@pytest.mark.parametrize("fault, code, status", [("throttle", "ThrottlingException", 429),
                                                 ("timeout", "ModelTimeoutException", 408),
                                                 ("server-error", "InternalServerException", 500)])
def test_given_an_armed_error_fault_when_a_service_is_invoked_then_the_bedrock_error(
        client, emulator, name, fault, code, status):
    arm(emulator.url, fault, target="image")
    assert error_of(lambda: invoke(client, profile(name), service_body(name)))[:2] == (code, status)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_given_malformed_when_a_service_is_invoked_then_200_with_truncated_json(client, emulator, name):
    arm(emulator.url, "malformed", target="image")
    raw = client.invoke_model(modelId=profile(name), body=json.dumps(service_body(name)))["body"].read()
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)


def test_given_error_access_denied_when_a_service_is_invoked_then_403(client, emulator):
    arm(emulator.url, "error", target="image", code="AccessDeniedException")
    name = "stable-image-remove-background-v1:0"
    assert error_of(lambda: invoke(client, profile(name), service_body(name)))[:2] == ("AccessDeniedException", 403)


@pytest.mark.parametrize("model_id", [SD35, CORE])
def test_given_inference_error_when_a_stability_text_model_then_the_finish_reason(client, model_id):
    out = invoke(client, model_id, {"prompt": "a fox [fault:inference-error]", "seed": 5})
    assert out == {"seeds": [5], "finish_reasons": ["Inference error"], "images": []}


def test_given_inference_error_when_nova_then_424_model_error(client):
    assert error_of(lambda: invoke(client, NOVA, titan_text("a fox [fault:inference-error]")))[:2] == \
        ("ModelErrorException", 424)


def test_the_new_fault_names_are_listed():
    assert {"inference-error", "filter-input-image"} <= set(FAULTS)


def test_given_an_image_to_image_request_when_filter_input_image_then_sd35_says_input_image(client):
    from emulator_helpers import png_b64, shapes_image

    body = {"prompt": "a fox [fault:filter-input-image]", "mode": "image-to-image", "strength": 0.5,
            "image": png_b64(shapes_image((128, 128))), "seed": 8}
    assert invoke(client, SD35, body) == {"seeds": [8], "finish_reasons": ["Filter reason: input image"],
                                          "images": []}


def test_the_health_endpoint_lists_the_service_profiles(emulator):
    import urllib.request

    with urllib.request.urlopen(f"{emulator.url}/_emulator/health", timeout=5) as resp:
        models = json.loads(resp.read())["models"]["image"]
    assert {profile(n) for n in SERVICE_NAMES} <= set(models) and CORE in models
