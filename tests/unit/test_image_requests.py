"""Generation requests against a model's limits, and the exact body each model family receives."""

import base64
import random

import pytest
from studio import catalog
from studio.bodies.generations import GenerationRequest
from studio.errors import BadRequest, ContentFiltered, InvalidField, ModelError
from studio.logic import image_requests as ir

TITAN = catalog.image_model("amazon.titan-image-generator-v2:0")
NOVA = catalog.image_model("amazon.nova-canvas-v1:0")
SD35 = catalog.image_model("stability.sd3-5-large-v1:0")
ULTRA = catalog.image_model("stability.stable-image-ultra-v1:1")
CORE = catalog.image_model("stability.stable-image-core-v1:1")
REF = "uploads/user-a-123/0123456789abcdef.png"
PNG = b"\x89PNG fake reference bytes"
PNG64 = base64.b64encode(PNG).decode()


def req(**fields) -> GenerationRequest:
    return GenerationRequest(**{"prompt": "a lighthouse at dusk", **fields})


def field_of(error) -> str:
    return error.details[0]["field"]


# --- check_against_model -------------------------------------------------------------------
@pytest.mark.parametrize("model,mode", [(SD35, "color"), (SD35, "structure"), (ULTRA, "variation"),
                                        (CORE, "color"), (CORE, "variation"), (CORE, "structure")])
def test_given_a_mode_the_model_lacks_when_checked_then_400_unsupported_mode(model, mode):
    with pytest.raises(BadRequest) as caught:
        ir.check_against_model(req(mode=mode, reference_image_key=REF, colors=["#112233"] if mode == "color" else None),
                               model)
    assert caught.value.status == 400 and caught.value.code == "unsupported_mode"
    assert field_of(caught.value) == "mode" and model.model_id in caught.value.details[0]["rule"]


@pytest.mark.parametrize("model", [TITAN, NOVA])
@pytest.mark.parametrize("mode", ("text", "color", "structure", "variation"))
def test_given_titan_family_then_every_mode_is_supported(model, mode):
    extra = {"colors": ["#112233"]} if mode == "color" else {}
    if mode in ("structure", "variation"):
        extra["reference_image_key"] = REF
    ir.check_against_model(req(mode=mode, **extra), model)  # no error


@pytest.mark.parametrize("fields,model,field", [
    ({"prompt": "x" * 513}, TITAN, "prompt"),
    ({"prompt": "x" * 1025}, NOVA, "prompt"),
    ({"negative_prompt": "x" * 513}, TITAN, "negativePrompt"),
    ({"width": 1000, "height": 1000}, TITAN, "width"),
    ({"width": 1000, "height": 1008}, NOVA, "width"),
    ({"width": 1280, "height": 720}, SD35, "width"),
    ({"seed": 2_147_483_647}, TITAN, "seed"),
    ({"seed": 858_993_460}, NOVA, "seed"),
    ({"cfg_scale": 5.0}, SD35, "cfgScale"),
    ({"quality": "premium"}, CORE, "quality"),
    ({"mode": "color"}, TITAN, "colors"),
    ({"mode": "color", "colors": []}, TITAN, "colors"),
    ({"mode": "color", "colors": ["#000000"] * 11}, TITAN, "colors"),
    ({"colors": ["#000000"]}, TITAN, "colors"),
    ({"mode": "structure"}, TITAN, "referenceImageKey"),
    ({"mode": "variation"}, NOVA, "referenceImageKey"),
    ({"reference_image_key": REF}, TITAN, "referenceImageKey"),
    ({"control_mode": "CANNY_EDGE"}, TITAN, "controlMode"),
    ({"mode": "variation", "reference_image_key": REF, "control_strength": 0.5}, TITAN, "controlStrength"),
    ({"mode": "structure", "reference_image_key": REF, "similarity_strength": 0.5}, TITAN, "similarityStrength"),
])
def test_given_a_field_breaking_a_model_rule_when_checked_then_422_names_the_field(fields, model, field):
    with pytest.raises(InvalidField) as caught:
        ir.check_against_model(req(**fields), model)
    assert caught.value.status == 422 and caught.value.code == "validation_error"
    assert field_of(caught.value) == field
    assert caught.value.details[0]["rule"]


def test_given_limits_exactly_at_the_edge_then_they_pass():
    ir.check_against_model(req(prompt="x" * 512, negative_prompt="y" * 512, seed=2_147_483_646, cfg_scale=10,
                               width=1173, height=640, count=5, quality="premium"), TITAN)
    ir.check_against_model(req(prompt="x" * 1024, seed=858_993_459, width=4096, height=1024, cfg_scale=1.1), NOVA)
    ir.check_against_model(req(width=1536, height=640, seed=4_294_967_294), SD35)


def test_given_cfg_scale_below_the_model_range_then_422_names_cfg_scale():
    model = catalog.ImageModel("m", "M", "titan", catalog.MODES, catalog.SizeRule(catalog.TITAN_SIZES), 10, 10,
                               1, 10, cfg_scale=(2.0, 5.0))
    with pytest.raises(InvalidField) as caught:
        ir.check_against_model(req(prompt="short", cfg_scale=6.0), model)
    assert field_of(caught.value) == "cfgScale" and "2.0 and 5.0" in caught.value.details[0]["rule"]


# --- normalized ----------------------------------------------------------------------------
@pytest.mark.parametrize("model", [TITAN, NOVA, SD35])
def test_given_no_seed_when_normalized_then_a_seed_in_the_models_range_is_picked(model):
    seeds = {ir.normalized(req(), model, random.Random(n)).seed for n in range(50)}
    assert all(0 <= s <= model.max_seed for s in seeds)
    assert len(seeds) > 40  # picked, not a constant


def test_given_a_seed_when_normalized_then_it_is_kept():
    assert ir.normalized(req(seed=7), TITAN).seed == 7
    assert ir.normalized(req(seed=0), TITAN).seed == 0


def test_given_structure_without_control_when_normalized_then_defaults_are_filled():
    final = ir.normalized(req(mode="structure", reference_image_key=REF), TITAN)
    assert (final.control_mode, final.control_strength) == ("CANNY_EDGE", 0.7)
    final = ir.normalized(req(mode="structure", reference_image_key=REF, control_mode="SEGMENTATION",
                              control_strength=0.0), TITAN)
    assert (final.control_mode, final.control_strength) == ("SEGMENTATION", 0.0)


def test_given_variation_when_normalized_then_similarity_defaults_to_0_7():
    assert ir.normalized(req(mode="variation", reference_image_key=REF), TITAN).similarity_strength == 0.7
    assert ir.normalized(req(mode="variation", reference_image_key=REF, similarity_strength=0.2),
                         TITAN).similarity_strength == 0.2


def test_given_blank_negative_prompt_and_upper_case_colors_when_normalized_then_cleaned():
    final = ir.normalized(req(mode="color", colors=["#AABBCC"], negative_prompt="   "), NOVA)
    assert final.negative_prompt is None
    assert final.colors == ["#aabbcc"]
    assert final.model_id == NOVA.model_id
    assert final.control_mode is None and final.similarity_strength is None


# --- titan_body ----------------------------------------------------------------------------
def config(**extra):
    return {"numberOfImages": 1, "width": 1024, "height": 1024, "quality": "standard", "seed": 42, **extra}


def test_given_text_mode_then_titan_body_is_text_image():
    body = ir.titan_body(req(seed=42, negative_prompt="blurry", cfg_scale=6.5), None)
    assert body == {"taskType": "TEXT_IMAGE",
                    "textToImageParams": {"text": "a lighthouse at dusk", "negativeText": "blurry"},
                    "imageGenerationConfig": config(cfgScale=6.5)}


def test_given_structure_mode_then_titan_body_carries_the_condition_image():
    request = ir.normalized(req(mode="structure", reference_image_key=REF, seed=42, control_mode="SEGMENTATION",
                                control_strength=0.4, count=3, width=768, height=1152, quality="premium"), TITAN)
    assert ir.titan_body(request, PNG) == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a lighthouse at dusk", "conditionImage": PNG64,
                              "controlMode": "SEGMENTATION", "controlStrength": 0.4},
        "imageGenerationConfig": {"numberOfImages": 3, "width": 768, "height": 1152, "quality": "premium", "seed": 42},
    }


@pytest.mark.parametrize("reference", [None, PNG])
def test_given_color_mode_then_titan_body_has_colors_and_optional_reference(reference):
    request = ir.normalized(req(mode="color", colors=["#FF0000", "#00ff00"], seed=42), TITAN)
    params = {"text": "a lighthouse at dusk", "colors": ["#ff0000", "#00ff00"]}
    if reference:
        params["referenceImage"] = PNG64
    assert ir.titan_body(request, reference) == {"taskType": "COLOR_GUIDED_GENERATION",
                                                 "colorGuidedGenerationParams": params,
                                                 "imageGenerationConfig": config()}


def test_given_variation_mode_then_titan_body_is_image_variation():
    request = ir.normalized(req(mode="variation", reference_image_key=REF, seed=42, similarity_strength=0.9), TITAN)
    assert ir.titan_body(request, PNG) == {
        "taskType": "IMAGE_VARIATION",
        "imageVariationParams": {"text": "a lighthouse at dusk", "images": [PNG64], "similarityStrength": 0.9},
        "imageGenerationConfig": config(),
    }


# --- stability_bodies ----------------------------------------------------------------------
def test_given_sd35_text_mode_with_three_images_then_one_body_each_with_seeds_counting_up():
    request = ir.normalized(req(seed=10, count=3, width=1344, height=768, negative_prompt="text"), SD35)
    assert ir.model_bodies(request, SD35, None) == [
        {"prompt": "a lighthouse at dusk", "seed": s, "output_format": "png", "negative_prompt": "text",
         "mode": "text-to-image", "aspect_ratio": "16:9"} for s in (10, 11, 12)]


def test_given_the_last_seed_then_the_next_one_wraps_to_zero():
    request = ir.normalized(req(seed=SD35.max_seed, count=2), SD35)
    assert [b["seed"] for b in ir.stability_bodies(request, SD35, None)] == [SD35.max_seed, 0]


def test_given_sd35_variation_then_image_to_image_with_strength_from_similarity():
    request = ir.normalized(req(mode="variation", reference_image_key=REF, seed=5, similarity_strength=0.7), SD35)
    assert ir.stability_bodies(request, SD35, PNG) == [
        {"prompt": "a lighthouse at dusk", "seed": 5, "output_format": "png", "mode": "image-to-image",
         "image": PNG64, "strength": 0.3}]


@pytest.mark.parametrize("model", [CORE, ULTRA])
def test_given_core_or_ultra_then_no_mode_field_is_sent(model):
    request = ir.normalized(req(seed=1, width=832, height=1216), model)
    assert ir.model_bodies(request, model, None) == [
        {"prompt": "a lighthouse at dusk", "seed": 1, "output_format": "png", "aspect_ratio": "2:3"}]


# --- parse_answer --------------------------------------------------------------------------
TITAN_BODY = {"imageGenerationConfig": {"seed": 42}}
STABILITY_BODY = {"seed": 9}


def test_given_a_titan_answer_then_every_image_carries_the_seed_sent():
    images = ir.parse_answer(TITAN, TITAN_BODY, {"images": [PNG64, PNG64], "error": None})
    assert [(i.data, i.seed) for i in images] == [(PNG, 42), (PNG, 42)]


def test_given_a_titan_answer_with_error_then_content_filtered_at_the_output_stage():
    with pytest.raises(ContentFiltered) as caught:
        ir.parse_answer(TITAN, TITAN_BODY, {"images": [], "error": "The generated image has been blocked"})
    assert caught.value.code == "content_filtered" and caught.value.details["stage"] == "output"


@pytest.mark.parametrize("reason,stage", [("Filter reason: prompt", "prompt"),
                                          ("Filter reason: input image", "input image"),
                                          ("Filter reason: output image", "output image")])
def test_given_a_stability_filter_reason_then_content_filtered_naming_the_stage(reason, stage):
    with pytest.raises(ContentFiltered) as caught:
        ir.parse_answer(SD35, STABILITY_BODY, {"seeds": [9], "finish_reasons": [reason], "images": [PNG64]})
    assert caught.value.details == {"stage": stage, "modelMessage": reason}
    assert f"the {stage} that was blocked" in caught.value.message


def test_given_a_stability_inference_error_then_model_error():
    with pytest.raises(ModelError, match="Inference error"):
        ir.parse_answer(SD35, STABILITY_BODY, {"seeds": [9], "finish_reasons": ["Inference error"], "images": []})


def test_given_a_stability_answer_then_its_seed_is_used_or_the_one_sent():
    assert ir.parse_answer(SD35, STABILITY_BODY, {"seeds": [77], "finish_reasons": [None], "images": [PNG64]})[0].seed == 77
    assert ir.parse_answer(SD35, STABILITY_BODY, {"images": [PNG64]})[0].seed == 9


@pytest.mark.parametrize("model,answer", [
    (TITAN, {"images": []}), (TITAN, {}), (TITAN, {"images": [123]}), (TITAN, {"images": "abc"}),
    (SD35, {"finish_reasons": [None], "images": []}),
])
def test_given_no_images_then_model_error(model, answer):
    body = TITAN_BODY if model is TITAN else STABILITY_BODY
    with pytest.raises(ModelError, match="without images"):
        ir.parse_answer(model, body, answer)


@pytest.mark.parametrize("bad", ["not base64!!", "QUJD*"])
def test_given_bad_base64_then_model_error(bad):
    with pytest.raises(ModelError, match="unreadable"):
        ir.parse_answer(TITAN, TITAN_BODY, {"images": [bad]})


# --- which modes take their shape from the reference (GET /models says so; the bodies do it) ---------
MODE_FIELDS = {"text": {}, "color": {"colors": ["#112233"]}, "structure": {"reference_image_key": REF},
               "sketch": {"reference_image_key": REF}, "variation": {"reference_image_key": REF},
               "style": {"reference_image_key": REF},
               "style-transfer": {"reference_image_key": REF, "style_image_key": REF}}


@pytest.mark.parametrize("model", [m for m in catalog.IMAGE_MODELS if m.family != "titan"], ids=lambda m: m.model_id)
def test_the_modes_said_to_take_the_references_shape_are_the_ones_whose_bodies_send_no_size(model):
    # Given every mode the Stability model serves, as a full request
    for mode in model.modes:
        request = ir.normalized(req(mode=mode, width=1344, height=768, **MODE_FIELDS[mode]), model)
        body = ir.model_bodies(request, model, PNG, PNG)[0]
        # Then the body names an aspect ratio exactly when the catalogue says the size is used
        assert ("aspect_ratio" in body) == (mode not in model.shape_from_reference), (model.model_id, mode)
    assert set(model.shape_from_reference) <= set(model.modes)


def test_titan_and_nova_use_the_size_in_every_mode():
    assert TITAN.shape_from_reference == () and NOVA.shape_from_reference == ()


def test_only_a_variation_on_a_text_to_image_model_comes_out_at_the_models_nearest_size():
    # Given SD3.5's image-to-image (the model answers at one of its aspect ratios) and the Image Services
    # (which keep the reference's size)
    services = [m for m in catalog.IMAGE_MODELS if m.family == "stability-service"]
    # Then GET /models says "nearest size" for SD3.5's variation only, and that mode sends no size
    assert SD35.nearest_size_from_reference == ("variation",)
    assert all(m.nearest_size_from_reference == () for m in services + [TITAN, NOVA, CORE])
    assert set(SD35.nearest_size_from_reference) <= set(SD35.shape_from_reference)
