"""The emulator is strict: every body a model's documented schema rejects gets Bedrock's 400."""

from __future__ import annotations

import base64

import pytest
from emulator_helpers import CORE, NOVA, SD35, TITAN, ULTRA, error_of, invoke, png_b64, shapes_image, titan_text
from PIL import Image


def rejected(client, model_id: str, body: dict) -> str:
    code, status, message = error_of(lambda: invoke(client, model_id, body))
    assert (code, status) == ("ValidationException", 400)
    return message


# --- the four the "Done when" names ---------------------------------------------------------
def test_given_a_titan_size_pair_not_permitted_when_invoked_then_validation_exception(client):
    message = rejected(client, TITAN, titan_text(width=1024, height=768))
    assert "1024" in message and "768" in message and "not supported" in message


def test_given_eleven_colors_when_color_guided_then_validation_exception_names_the_count(client):
    body = {"taskType": "COLOR_GUIDED_GENERATION",
            "colorGuidedGenerationParams": {"text": "a calm bay", "colors": ["#112233"] * 11},
            "imageGenerationConfig": {"width": 512, "height": 512}}
    message = rejected(client, TITAN, body)
    assert message == ("Malformed input request: #/colorGuidedGenerationParams/colors: expected maximum item "
                       "count: 10, found: 11, please reformat your input and try again.")


def test_given_a_513_character_titan_prompt_when_invoked_then_maxlength_violation(client):
    message = rejected(client, TITAN, titan_text("a" * 513))
    assert message == ("Malformed input request: #/textToImageParams/text: expected maxLength: 512, actual: 513, "
                       "please reformat your input and try again.")


@pytest.mark.parametrize("cfg, expected", [
    (10.5, "#/imageGenerationConfig/cfgScale: 10.5 is not less or equal to 10.0"),
    (1.0, "#/imageGenerationConfig/cfgScale: 1.0 is not greater or equal to 1.1"),
])
def test_given_cfg_scale_out_of_range_when_invoked_then_bedrock_wording(client, cfg, expected):
    assert expected in rejected(client, TITAN, titan_text(cfgScale=cfg))


def test_given_a_512_character_titan_prompt_when_invoked_then_it_is_accepted(client):
    assert len(invoke(client, TITAN, titan_text("b" * 512))["images"]) == 1


# --- more of the schema ---------------------------------------------------------------------
@pytest.mark.parametrize("mutate, fragment", [
    (lambda b: b["textToImageParams"].update(prompt="x"), "#/textToImageParams: extraneous key [prompt] is not permitted"),
    (lambda b: b.update(extra=1), "#: extraneous key [extra] is not permitted"),
    (lambda b: b["imageGenerationConfig"].update(numberOfImages=6), "numberOfImages: 6 is not less or equal to 5"),
    (lambda b: b["imageGenerationConfig"].update(numberOfImages="2"), "numberOfImages: expected type: Integer, found: String"),
    (lambda b: b["imageGenerationConfig"].update(seed=2_147_483_647), "seed: 2147483647 is not less or equal to 2147483646"),
    (lambda b: b["imageGenerationConfig"].update(quality="ultra"), "quality: ultra is not a valid enum value"),
    (lambda b: b["textToImageParams"].update(controlMode="DEPTH"), "controlMode: DEPTH is not a valid enum value"),
    (lambda b: b["textToImageParams"].update(negativeText=""), "negativeText: expected minLength: 1, actual: 0"),
    (lambda b: b["textToImageParams"].update(style="PHOTOREALISM"), "extraneous key [style]"),
    (lambda b: b.update(taskType="PAINT"), "#/taskType: PAINT is not a valid enum value"),
    (lambda b: b.pop("textToImageParams"), "#: required key [textToImageParams] not found"),
])
def test_given_a_titan_body_breaking_the_schema_when_invoked_then_the_violation_is_named(client, mutate, fragment):
    body = titan_text()
    mutate(body)
    assert fragment in rejected(client, TITAN, body)


def test_given_several_violations_when_invoked_then_all_are_reported(client):
    message = rejected(client, TITAN, titan_text("z" * 600, cfgScale=11.0, seed=-1))
    assert message.count("#/") == 3


def test_given_a_bad_hex_color_when_color_guided_then_pattern_violation(client):
    body = {"taskType": "COLOR_GUIDED_GENERATION",
            "colorGuidedGenerationParams": {"text": "t", "colors": ["#12345G"]},
            "imageGenerationConfig": {"width": 512, "height": 512}}
    assert "string [#12345G] does not match pattern" in rejected(client, TITAN, body)


def test_given_similarity_below_the_minimum_when_variation_then_rejected(client):
    body = {"taskType": "IMAGE_VARIATION",
            "imageVariationParams": {"images": [png_b64(shapes_image((256, 256)))], "similarityStrength": 0.1},
            "imageGenerationConfig": {"width": 512, "height": 512}}
    assert "similarityStrength: 0.1 is not greater or equal to 0.2" in rejected(client, TITAN, body)


def test_given_a_condition_image_that_is_not_an_image_when_invoked_then_rejected(client):
    body = titan_text()
    body["textToImageParams"]["conditionImage"] = base64.b64encode(b"not an image at all").decode()
    assert "could not be read" in rejected(client, TITAN, body)


def test_given_condition_image_that_is_not_base64_when_invoked_then_rejected(client):
    body = titan_text()
    body["textToImageParams"]["conditionImage"] = "@@@not-base64@@@"
    assert "not valid base64" in rejected(client, TITAN, body)


def test_given_a_webp_condition_image_when_titan_then_rejected_as_unsupported_format(client):
    body = titan_text()
    body["textToImageParams"]["conditionImage"] = png_b64(shapes_image((256, 256)), "WEBP")
    assert "WEBP" in rejected(client, TITAN, body)


def test_given_a_reference_larger_than_titan_allows_when_invoked_then_rejected(client):
    body = titan_text()
    body["textToImageParams"]["conditionImage"] = png_b64(Image.new("RGB", (1500, 200)))
    assert "1500x200" in rejected(client, TITAN, body)


def test_given_malformed_json_when_invoked_then_validation_exception(client):
    code, status, message = error_of(lambda: client.invoke_model(modelId=TITAN, body=b"{not json"))
    assert (code, status) == ("ValidationException", 400) and message.startswith("Malformed input request")


# --- Nova Canvas: its own limits --------------------------------------------------------------
def test_given_nova_a_1024_character_prompt_when_invoked_then_accepted_and_1025_rejected(client):
    assert invoke(client, NOVA, titan_text("n" * 1024))["images"]
    assert "expected maxLength: 1024, actual: 1025" in rejected(client, NOVA, titan_text("n" * 1025))


def test_given_nova_a_free_size_inside_its_rule_when_invoked_then_accepted(client):
    out = invoke(client, NOVA, titan_text(width=640, height=320))
    assert len(out["images"]) == 1


@pytest.mark.parametrize("width, height, fragment", [
    (1000, 1000, "divisible by 16"), (4096, 2048, "4194304"), (320, 1600, "1:4"), (304, 512, "between 320 and 4096"),
])
def test_given_nova_a_size_outside_its_rule_when_invoked_then_rejected(client, width, height, fragment):
    assert fragment in rejected(client, NOVA, titan_text(width=width, height=height))


def test_given_nova_a_seed_above_its_maximum_when_invoked_then_rejected(client):
    assert "858993460 is not less or equal to 858993459" in rejected(client, NOVA, titan_text(seed=858_993_460))


def test_given_nova_a_style_when_invoked_then_accepted_but_an_unknown_style_rejected(client):
    body = titan_text()
    body["textToImageParams"]["style"] = "PHOTOREALISM"
    assert invoke(client, NOVA, body)["images"]
    body["textToImageParams"]["style"] = "CUBISM"
    assert "CUBISM is not a valid enum value" in rejected(client, NOVA, body)


# --- Stability --------------------------------------------------------------------------------
@pytest.mark.parametrize("model_id, body, fragment", [
    (SD35, {"prompt": "p" * 10_001}, "expected maxLength: 10000, actual: 10001"),
    (SD35, {"prompt": "x", "aspect_ratio": "4:3"}, "aspect_ratio: 4:3 is not a valid enum value"),
    (SD35, {"prompt": "x", "seed": 4_294_967_295}, "4294967295 is not less or equal to 4294967294"),
    (SD35, {"prompt": "x", "output_format": "gif"}, "output_format: gif is not a valid enum value"),
    (SD35, {"prompt": "x", "mode": "image-to-image", "strength": 0.5}, "required key [image] not found"),
    (SD35, {"prompt": "x", "image": "aGk=", "strength": 0.5, "mode": "text-to-image"}, "extraneous key [image]"),
    (SD35, {"prompt": "x", "cfg_scale": 7}, "extraneous key [cfg_scale]"),
    (ULTRA, {"prompt": "x", "strength": 1.5, "image": "aGk="}, "strength: 1.5 is not less or equal to 1.0"),
    (CORE, {"prompt": "x", "image": "aGk="}, "extraneous key [image]"),
    (CORE, {"prompt": "x", "mode": "image-to-image"}, "mode: image-to-image is not a valid enum value"),
    (CORE, {"negative_prompt": "x"}, "required key [prompt] not found"),
])
def test_given_a_stability_body_breaking_its_schema_when_invoked_then_rejected(client, model_id, body, fragment):
    assert fragment in rejected(client, model_id, body)


def test_given_image_to_image_with_an_aspect_ratio_when_sd35_then_rejected(client):
    body = {"prompt": "x", "mode": "image-to-image", "image": png_b64(shapes_image((256, 256))), "strength": 0.5,
            "aspect_ratio": "1:1"}
    assert "extraneous key [aspect_ratio]" in rejected(client, SD35, body)


def test_given_a_stability_input_image_under_64_pixels_when_invoked_then_rejected(client):
    body = {"prompt": "x", "image": png_b64(Image.new("RGB", (32, 200))), "strength": 0.5}
    assert "at least 64" in rejected(client, ULTRA, body)
