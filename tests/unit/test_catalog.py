"""The model catalogue: which sizes each model accepts."""

import pytest

from studio import catalog
from studio.catalog import SizeRule

TITAN = catalog.image_model("amazon.titan-image-generator-v2:0")
NOVA = catalog.image_model("amazon.nova-canvas-v1:0")

# The 25 pairs of the Titan Image Generator v2 documentation, as written there.
DOCUMENTED_TITAN_PAIRS = {
    (1024, 1024), (768, 768), (512, 512), (768, 1152), (384, 576), (1152, 768), (576, 384),
    (768, 1280), (384, 640), (1280, 768), (640, 384), (896, 1152), (448, 576), (1152, 896), (576, 448),
    (768, 1408), (384, 704), (1408, 768), (704, 384), (640, 1408), (320, 704), (1408, 640), (704, 320),
    (1152, 640), (1173, 640),
}


def test_given_titan_v2_then_exactly_the_25_documented_sizes_are_permitted():
    assert len(catalog.TITAN_SIZES) == 25
    assert set(catalog.TITAN_SIZES) == DOCUMENTED_TITAN_PAIRS
    for width, height in DOCUMENTED_TITAN_PAIRS:
        assert TITAN.sizes.problem(width, height) is None


@pytest.mark.parametrize("size", [(1024, 768), (640, 1173), (2048, 2048), (1000, 1000), (320, 320)])
def test_given_titan_v2_when_size_is_not_a_listed_pair_then_the_problem_lists_the_allowed_pairs(size):
    problem = TITAN.sizes.problem(*size)
    assert problem is not None
    assert f"{size[0]}x{size[1]} is not a permitted size" in problem
    assert "1173x640" in problem


@pytest.mark.parametrize("width,height", [
    (320, 320), (4096, 1024), (1024, 4096), (2048, 2048), (1280, 720), (320, 1280), (1280, 320), (2048, 512),
])
def test_given_nova_when_size_is_inside_the_rule_then_it_is_accepted(width, height):
    assert NOVA.sizes.problem(width, height) is None


@pytest.mark.parametrize("width,height,words", [
    (304, 320, "between 320 and 4096"),       # side below the minimum
    (4112, 1024, "between 320 and 4096"),     # side above the maximum
    (1000, 1008, "multiples of 16"),          # not divisible by 16
    (2048, 2064, "at most 4194304 pixels"),   # one row of 16 over the pixel budget
    (336, 1360, "aspect ratio"),              # 4.05:1
    (1360, 336, "aspect ratio"),
])
def test_given_nova_when_size_breaks_one_rule_then_that_rule_is_named(width, height, words):
    assert words in NOVA.sizes.problem(width, height)


def test_given_a_free_size_rule_then_aspect_exactly_at_the_limit_passes():
    rule = SizeRule((), exact=False, min_side=1, max_side=100, multiple_of=1, max_pixels=10_000, max_aspect=4.0)
    assert rule.problem(80, 20) is None
    assert rule.problem(81, 20) is not None


def test_given_stability_sizes_then_each_maps_back_to_its_aspect_ratio():
    for ratio, (width, height) in catalog.STABILITY_ASPECT_SIZES.items():
        assert catalog.stability_aspect_ratio(width, height) == ratio
    assert catalog.stability_aspect_ratio(1000, 1000) is None


def test_given_the_catalog_then_model_ids_are_unique_and_the_defaults_exist():
    ids = [m.model_id for m in catalog.IMAGE_MODELS]
    assert len(ids) == len(set(ids))
    assert catalog.image_model(catalog.DEFAULT_IMAGE_MODEL_ID) is not None
    assert catalog.image_model("no.such-model") is None
    assert TITAN.legacy and "2026-06-30" in TITAN.legacy


# --- lifecycle, profiles and modes (live models, 2026-12) ------------------------------------
def test_given_the_defaults_then_only_active_models_are_enabled_and_the_default_is_live():
    assert catalog.image_model(catalog.DEFAULT_IMAGE_MODEL_ID).lifecycle.status == "active"
    for model_id in catalog.DEFAULT_ENABLED_MODEL_IDS:
        model = catalog.image_model(model_id)
        assert model is None or model.lifecycle.status == "active", model_id
    assert "amazon.nova-canvas-v1:0" not in catalog.DEFAULT_ENABLED_MODEL_IDS
    assert "amazon.titan-image-generator-v2:0" not in catalog.DEFAULT_ENABLED_MODEL_IDS


def test_given_nova_and_titan_then_they_are_legacy_with_their_end_of_life_and_a_note():
    nova = catalog.image_model("amazon.nova-canvas-v1:0").lifecycle
    assert (nova.status, nova.legacy_since, nova.end_of_life) == ("legacy", "2026-03-30", "2026-09-30")
    assert nova.past_end_of_life("2026-12-01") and not nova.past_end_of_life("2026-09-29")
    assert "2026-09-30" in catalog.image_model("amazon.nova-canvas-v1:0").legacy
    assert catalog.image_model("amazon.titan-image-generator-v2:0").lifecycle.end_of_life == "2026-06-30"
    assert catalog.image_model(catalog.DEFAULT_IMAGE_MODEL_ID).legacy is None


def test_given_image_services_then_they_are_invoked_through_the_profile_and_the_others_directly():
    assert catalog.invocation_id("stability.stable-image-inpaint-v1:0", "us") == "us.stability.stable-image-inpaint-v1:0"
    assert catalog.invocation_id("stability.stable-image-control-sketch-v1:0", "eu") == \
        "eu.stability.stable-image-control-sketch-v1:0"
    assert catalog.invocation_id("stability.stable-image-core-v1:1", "us") == "stability.stable-image-core-v1:1"
    assert all(catalog.needs_profile(op.model_id) for op in catalog.EDIT_OPERATIONS)


@pytest.mark.parametrize("mode,expected", [
    ("text", "stability.stable-image-core-v1:1"), ("variation", "stability.sd3-5-large-v1:0"),
    ("structure", "stability.stable-image-control-structure-v1:0"),
    ("sketch", "stability.stable-image-control-sketch-v1:0"), ("style", "stability.stable-image-style-guide-v1:0"),
    ("color", "stability.stable-image-style-guide-v1:0"), ("style-transfer", "stability.stable-style-transfer-v1:0"),
])
def test_given_the_default_models_then_every_mode_has_a_live_model(mode, expected):
    model = catalog.model_for_mode(mode, catalog.DEFAULT_ENABLED_MODEL_IDS, catalog.DEFAULT_IMAGE_MODEL_ID)
    assert model.model_id == expected


def test_given_a_preferred_model_with_the_mode_then_it_serves_the_mode():
    enabled = (*catalog.DEFAULT_ENABLED_MODEL_IDS, "amazon.nova-canvas-v1:0")
    assert catalog.model_for_mode("color", enabled, "amazon.nova-canvas-v1:0").model_id == "amazon.nova-canvas-v1:0"
    assert catalog.model_for_mode("sketch", ("stability.stable-image-core-v1:1",), "x") is None


@pytest.mark.parametrize("name,size,expected", [
    ("upscale-fast", (1024, 768), (4096, 3072)), ("outpaint", (100, 80), (100 + 10 + 20, 80 + 30)),
    ("inpaint", (640, 480), (640, 480)), ("upscale-creative", (1024, 1024), (2048, 2048)),
])
def test_given_an_edit_then_its_output_size_is_known(name, size, expected):
    operation = catalog.edit_operation(name)
    assert operation.output_size(*size, left=10, right=20, down=30) == expected


@pytest.mark.parametrize("size,words", [((63, 500), "at least 64"), ((4000, 3000), "between 4,096 and 9,437,184"),
                                        ((3000, 1000), "1:2.5")])
def test_given_an_image_outside_the_services_limits_then_the_rule_is_named(size, words):
    assert words in catalog.STABILITY_INPUT.problem(*size)
    assert catalog.STABILITY_INPUT.problem(1024, 1024) is None


def test_each_edit_operation_names_its_service_as_people_read_it():
    names = {op.name: op.model_name for op in catalog.EDIT_OPERATIONS}
    assert names["upscale-fast"] == "Stable Fast Upscale"
    assert names["erase"] == "Stable Image Erase Object"
    assert all(name.startswith("Stable ") and ":" not in name and "." not in name for name in names.values())
