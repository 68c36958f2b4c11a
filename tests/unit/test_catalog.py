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
