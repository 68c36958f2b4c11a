"""The Image Services are strict: each documented rule of each of the 13 bodies gets Bedrock's 400."""

from __future__ import annotations

import base64
import json

import pytest
from emulator_helpers import (SERVICE_NAMES, decode, error_of, invoke, png_b64, profile, service_body,
                              shapes_image, square_mask)
from PIL import Image

from local.bedrock_emulator.image_services import ON_DEMAND_UNSUPPORTED

# the name of each service's input image, and an image it must refuse as too small / too large
IMAGE_FIELD = {name: "init_image" if name == "stable-style-transfer-v1:0" else "image" for name in SERVICE_NAMES}
TOO_SMALL = {name: (60, 128) for name in SERVICE_NAMES} | {"stable-fast-upscale-v1:0": (30, 64)}
TOO_LARGE = {name: (3100, 3100) for name in SERVICE_NAMES} | {
    "stable-fast-upscale-v1:0": (1537, 256), "stable-creative-upscale-v1:0": (1025, 1024),
    "stable-image-remove-background-v1:0": (2049, 2048)}
REQUIRED = {
    "stable-image-control-structure-v1:0": ["prompt", "image"], "stable-image-control-sketch-v1:0": ["prompt", "image"],
    "stable-image-style-guide-v1:0": ["prompt", "image"], "stable-style-transfer-v1:0": ["init_image", "style_image"],
    "stable-image-inpaint-v1:0": ["prompt", "image"], "stable-image-erase-object-v1:0": ["image"],
    "stable-image-search-replace-v1:0": ["prompt", "search_prompt", "image"],
    "stable-image-search-recolor-v1:0": ["prompt", "select_prompt", "image"],
    "stable-image-remove-background-v1:0": ["image"], "stable-outpaint-v1:0": ["image"],
    "stable-fast-upscale-v1:0": ["image"], "stable-conservative-upscale-v1:0": ["prompt", "image"],
    "stable-creative-upscale-v1:0": ["prompt", "image"],
}
OUT_OF_RANGE = [
    ("stable-image-control-structure-v1:0", "control_strength", 1.5, "1.5 is not less or equal to 1"),
    ("stable-image-control-sketch-v1:0", "control_strength", -0.1, "-0.1 is not greater or equal to 0"),
    ("stable-image-style-guide-v1:0", "fidelity", 1.01, "1.01 is not less or equal to 1"),
    ("stable-image-style-guide-v1:0", "aspect_ratio", "4:3", "4:3 is not a valid enum value"),
    ("stable-style-transfer-v1:0", "change_strength", 0.05, "0.05 is not greater or equal to 0.1"),
    ("stable-style-transfer-v1:0", "style_strength", 2, "2 is not less or equal to 1"),
    ("stable-image-inpaint-v1:0", "grow_mask", 101, "101 is not less or equal to 100"),
    ("stable-image-erase-object-v1:0", "grow_mask", 21, "21 is not less or equal to 20"),
    ("stable-image-search-replace-v1:0", "grow_mask", 25, "25 is not less or equal to 20"),
    ("stable-image-search-recolor-v1:0", "seed", 4_294_967_295, "4294967295 is not less or equal to 4294967294"),
    ("stable-image-remove-background-v1:0", "output_format", "jpeg", "jpeg is not a valid enum value"),
    ("stable-outpaint-v1:0", "left", 2001, "2001 is not less or equal to 2000"),
    ("stable-outpaint-v1:0", "creativity", 1.2, "1.2 is not less or equal to 1"),
    ("stable-fast-upscale-v1:0", "output_format", "gif", "gif is not a valid enum value"),
    ("stable-conservative-upscale-v1:0", "creativity", 0.1, "0.1 is not greater or equal to 0.2"),
    ("stable-creative-upscale-v1:0", "creativity", 0.6, "0.6 is not less or equal to 0.5"),
    ("stable-image-inpaint-v1:0", "style_preset", "watercolor", "watercolor is not a valid enum value"),
    ("stable-image-search-replace-v1:0", "prompt", "p" * 10_001, "expected maxLength: 10000, actual: 10001"),
    ("stable-outpaint-v1:0", "up", 1.5, "up: expected type: Integer, found: Double"),
]


def rejected(client, model_id: str, body: dict) -> str:
    code, status, message = error_of(lambda: invoke(client, model_id, body))
    assert (code, status) == ("ValidationException", 400), message
    return message


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_given_the_bare_model_id_of_a_profile_only_service_when_invoked_then_on_demand_is_refused(client, name):
    message = rejected(client, f"stability.{name}", service_body(name))
    assert message == ON_DEMAND_UNSUPPORTED.format(model=f"stability.{name}")
    assert "isn\u2019t supported" in message and "inference profile" in message


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_given_each_required_field_missing_when_invoked_then_it_is_named(client, name):
    for key in REQUIRED[name]:
        body = service_body(name)
        body.pop(key)
        assert f"#: required key [{key}] not found" in rejected(client, profile(name), body)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_given_an_unknown_key_when_invoked_then_extraneous(client, name):
    assert "#: extraneous key [cfg_scale] is not permitted" in \
        rejected(client, profile(name), service_body(name, cfg_scale=7))


@pytest.mark.parametrize("name, key, value, fragment", OUT_OF_RANGE)
def test_given_a_value_outside_the_documented_range_when_invoked_then_the_violation_is_named(
        client, name, key, value, fragment):
    message = rejected(client, profile(name), service_body(name, **{key: value}))
    assert f"#/{key}: " in message and fragment in message
    assert message.startswith("Malformed input request: ") and message.endswith(", please reformat your input and "
                                                                                 "try again.")


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_given_an_input_image_that_is_not_base64_when_invoked_then_rejected(client, name):
    field = IMAGE_FIELD[name]
    message = rejected(client, profile(name), service_body(name, **{field: "@@@not-base64@@@"}))
    assert "not valid base64" in message and f"#/{field}" in message


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_given_bytes_that_are_no_image_when_invoked_then_rejected(client, name):
    field = IMAGE_FIELD[name]
    body = service_body(name, **{field: base64.b64encode(b"GIF89a not really").decode()})
    assert "could not be read" in rejected(client, profile(name), body)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_given_an_image_below_the_minimum_when_invoked_then_the_rule_is_named(client, name):
    field = IMAGE_FIELD[name]
    w, h = TOO_SMALL[name]
    message = rejected(client, profile(name), service_body(name, **{field: png_b64(Image.new("RGB", (w, h)))}))
    assert f"{w}x{h}" in message and "at least" in message


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_given_an_image_above_the_maximum_when_invoked_then_the_rule_is_named(client, name):
    field = IMAGE_FIELD[name]
    w, h = TOO_LARGE[name]
    message = rejected(client, profile(name), service_body(name, **{field: png_b64(Image.new("L", (w, h)))}))
    assert f"{w}x{h}" in message and ("pixel count" in message or "at most" in message)


@pytest.mark.parametrize("name", ["stable-image-search-replace-v1:0", "stable-outpaint-v1:0",
                                  "stable-conservative-upscale-v1:0", "stable-image-control-sketch-v1:0"])
def test_given_an_image_wider_than_2_5_to_1_when_a_service_with_the_aspect_rule_then_rejected(client, name):
    message = rejected(client, profile(name), service_body(name, image=png_b64(Image.new("RGB", (330, 128)))))
    assert "aspect ratio must be between 1:2.5 and 2.5:1" in message


def test_given_an_image_wider_than_2_5_to_1_when_inpaint_which_has_no_aspect_rule_then_accepted(client):
    name = "stable-image-inpaint-v1:0"
    body = service_body(name, image=png_b64(Image.new("RGB", (330, 128))),
                        mask=png_b64(square_mask((330, 128), (10, 10, 50, 50))))
    assert decode(invoke(client, profile(name), body)["images"][0]).size == (330, 128)


def test_given_a_gif_input_image_when_invoked_then_rejected_as_unsupported_format(client):
    name = "stable-image-remove-background-v1:0"
    message = rejected(client, profile(name), service_body(name, image=png_b64(shapes_image((128, 128)), "GIF")))
    assert "GIF" in message and "jpeg, png, webp" in message


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_given_a_jpeg_or_webp_input_when_invoked_then_accepted(client, fmt):
    name = "stable-image-control-structure-v1:0"
    out = invoke(client, profile(name), service_body(name, image=png_b64(shapes_image((128, 128)), fmt)))
    assert out["finish_reasons"] == [None]


def test_given_a_mask_of_another_size_when_inpainting_then_it_is_resized_as_documented(client):
    """AWS (like Stability): "In the event the mask is a different size than the image parameter, it will be
    automatically resized." So a mask of the same aspect ratio at half size repaints the same area."""
    name = "stable-image-inpaint-v1:0"
    full = service_body(name, size=(128, 128), mask=png_b64(square_mask((128, 128), (0, 0, 63, 63))), seed=5)
    half = service_body(name, size=(128, 128), mask=png_b64(square_mask((64, 64), (0, 0, 31, 31))), seed=5)
    a, b = (decode(invoke(client, profile(name), body)["images"][0]) for body in (full, half))
    assert a.size == b.size == (128, 128)
    assert a.tobytes() == b.tobytes()
    assert a.crop((0, 0, 64, 64)).tobytes() != shapes_image((128, 128)).crop((0, 0, 64, 64)).tobytes()


def test_given_no_mask_and_an_opaque_image_when_inpainting_then_rejected(client):
    name = "stable-image-inpaint-v1:0"
    body = service_body(name)
    body.pop("mask")
    assert "needs a mask" in rejected(client, profile(name), body)


def test_given_no_mask_but_an_alpha_channel_when_erasing_then_the_transparent_pixels_are_the_mask(client):
    name = "stable-image-erase-object-v1:0"
    rgba = shapes_image((128, 128)).convert("RGBA")
    rgba.paste((0, 0, 0, 0), (10, 10, 40, 40))
    out = decode(invoke(client, profile(name), {"image": png_b64(rgba), "grow_mask": 0})["images"][0])
    assert out.size == (128, 128)
    assert out.crop((60, 60, 128, 128)).tobytes() == shapes_image((128, 128)).crop((60, 60, 128, 128)).tobytes()


def test_given_outpaint_without_any_direction_when_invoked_then_rejected(client):
    name = "stable-outpaint-v1:0"
    message = rejected(client, profile(name), service_body(name, left=0, right=0))
    assert "At least one outpaint direction" in message


def test_given_an_empty_search_prompt_when_search_replace_then_minlength(client):
    name = "stable-image-search-replace-v1:0"
    assert "#/search_prompt: expected minLength: 1, actual: 0" in \
        rejected(client, profile(name), service_body(name, search_prompt=""))


def test_given_the_profile_arn_when_invoked_then_it_is_the_profile(client):
    name = "stable-fast-upscale-v1:0"
    arn = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{profile(name)}"
    assert decode(invoke(client, arn, service_body(name, size=(64, 48)))["images"][0]).size == (256, 192)


def test_given_a_foundation_model_arn_of_a_profile_only_service_when_invoked_then_on_demand_is_refused(client):
    name = "stable-fast-upscale-v1:0"
    arn = f"arn:aws:bedrock:us-east-1::foundation-model/stability.{name}"
    assert "with on-demand throughput isn\u2019t supported" in rejected(client, arn, service_body(name))


def test_given_an_eu_profile_of_an_image_service_when_invoked_then_not_found(client):
    name = "stable-fast-upscale-v1:0"
    code, status, _ = error_of(lambda: invoke(client, f"eu.stability.{name}", service_body(name)))
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_given_malformed_json_when_an_image_service_is_invoked_then_validation_exception(client):
    code, status, message = error_of(lambda: client.invoke_model(
        modelId=profile("stable-fast-upscale-v1:0"), body=b"{nope"))
    assert (code, status) == ("ValidationException", 400) and message.startswith("Malformed input request")


def test_given_a_json_array_body_when_an_image_service_is_invoked_then_validation_exception(client):
    code, _, message = error_of(lambda: client.invoke_model(
        modelId=profile("stable-fast-upscale-v1:0"), body=json.dumps([1, 2])))
    assert code == "ValidationException" and "expected type: JSONObject" in message
