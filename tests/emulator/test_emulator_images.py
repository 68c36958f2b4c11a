"""The offline engine renders real images: sizes, counts, determinism, and every mode honoured."""

from __future__ import annotations


import pytest
from emulator_helpers import (CORE, NOVA, SD35, TITAN, ULTRA, correlation, decode, invoke, mean_abs_diff, png_b64,
                              shapes_image, titan_text)
from PIL import Image, ImageFilter, ImageOps, ImageStat

from local.bedrock_emulator.render import RenderSpec, render


def color_body(colors, reference=None, **config):
    params = {"text": "an abstract poster", "colors": colors}
    if reference is not None:
        params["referenceImage"] = png_b64(reference)
    cfg = {"width": 512, "height": 512, "seed": 5, **config}
    return {"taskType": "COLOR_GUIDED_GENERATION", "colorGuidedGenerationParams": params, "imageGenerationConfig": cfg}


def structure_body(reference, control_mode="CANNY_EDGE", strength=0.9, seed=3):
    return {"taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "a quiet harbor at dusk", "conditionImage": png_b64(reference),
                                  "controlMode": control_mode, "controlStrength": strength},
            "imageGenerationConfig": {"width": 512, "height": 512, "seed": seed}}


def variation_body(source, similarity=0.7, seed=9):
    return {"taskType": "IMAGE_VARIATION",
            "imageVariationParams": {"images": [png_b64(source)], "similarityStrength": similarity,
                                     "text": "the same scene in spring"},
            "imageGenerationConfig": {"width": 512, "height": 512, "seed": seed}}


def edges(img: Image.Image) -> Image.Image:
    return img.convert("L").resize((128, 128)).filter(ImageFilter.FIND_EDGES).filter(ImageFilter.MaxFilter(5))


# --- sizes, counts, formats -----------------------------------------------------------------
@pytest.mark.parametrize("model_id, width, height", [
    (TITAN, 1173, 640), (TITAN, 384, 576), (NOVA, 1280, 720), (NOVA, 512, 2048),
])
def test_given_a_size_when_titan_or_nova_render_then_each_png_is_exactly_that_size(client, model_id, width, height):
    out = invoke(client, model_id, titan_text(width=width, height=height, numberOfImages=2))
    assert out["error"] is None
    assert [decode(b).size for b in out["images"]] == [(width, height)] * 2
    assert all(decode(b).format == "PNG" for b in out["images"])


def test_given_five_images_requested_when_rendered_then_five_distinct_images(client):
    out = invoke(client, TITAN, titan_text(numberOfImages=5))
    assert len(out["images"]) == 5 and len(set(out["images"])) == 5


def test_given_the_same_seed_when_rendered_twice_then_the_bytes_are_identical(client):
    assert invoke(client, TITAN, titan_text(seed=77)) == invoke(client, TITAN, titan_text(seed=77))


def test_given_another_seed_or_prompt_when_rendered_then_the_image_differs(client):
    base = invoke(client, TITAN, titan_text(seed=77))["images"][0]
    assert invoke(client, TITAN, titan_text(seed=78))["images"][0] != base
    assert invoke(client, TITAN, titan_text("a green forest", seed=77))["images"][0] != base


def test_given_image_i_of_a_request_when_rendered_then_it_is_the_base_seed_plus_i(client):
    second = invoke(client, TITAN, titan_text(seed=10, numberOfImages=2))["images"][1]
    assert second == invoke(client, TITAN, titan_text(seed=11))["images"][0]


def test_given_color_words_when_rendered_then_they_tint_the_scene(client):
    red = decode(invoke(client, TITAN, titan_text("red crimson scarlet poppies", seed=4))["images"][0])
    blue = decode(invoke(client, TITAN, titan_text("blue navy cobalt poppies", seed=4))["images"][0])
    r_red, _, b_red = ImageStat.Stat(red.convert("RGB")).mean
    r_blue, _, b_blue = ImageStat.Stat(blue.convert("RGB")).mean
    assert r_red - b_red > 20 and b_blue - r_blue > 20


def test_given_a_1024_square_when_rendered_then_the_engine_renders_it():
    # (How fast is a benchmark's question, not a test's: 0.85 s on a machine busy with other work.)
    img = render(RenderSpec(1024, 1024, prompt="a teal city under a red sun", seed=0))
    assert img.size == (1024, 1024)


# --- color guided ---------------------------------------------------------------------------
def test_given_a_palette_when_color_guided_then_palette_colors_dominate(client):
    palette = [(255, 0, 0), (0, 160, 0), (0, 0, 255), (250, 240, 200)]
    body = color_body(["#ff0000", "#00a000", "#0000ff", "#faf0c8"])
    img = decode(invoke(client, NOVA, body)["images"][0]).convert("RGB").resize((128, 128), Image.Resampling.NEAREST)
    close = sum(1 for px in img.get_flattened_data() if min(sum((a - b) ** 2 for a, b in zip(px, c)) for c in palette) < 40 ** 2)
    assert close / (128 * 128) > 0.8
    present = {min(range(4), key=lambda i: sum((a - b) ** 2 for a, b in zip(px, palette[i]))) for px in img.get_flattened_data()}
    assert present == {0, 1, 2, 3}


def test_given_a_reference_image_when_color_guided_then_it_shapes_the_layout(client):
    half = Image.new("RGB", (256, 256), "black")
    half.paste((255, 255, 255), (0, 0, 128, 256))  # bright left half
    flipped = ImageOps.mirror(half)
    colors = ["#101010", "#f0f0f0"]
    left_bright = decode(invoke(client, TITAN, color_body(colors, half))["images"][0]).convert("L")
    right_bright = decode(invoke(client, TITAN, color_body(colors, flipped))["images"][0]).convert("L")

    def left_minus_right(img):
        w, h = img.size
        return ImageStat.Stat(img.crop((0, 0, w // 2, h))).mean[0] - ImageStat.Stat(img.crop((w // 2, 0, w, h))).mean[0]

    assert left_minus_right(left_bright) > 60 and left_minus_right(right_bright) < -60


# --- structure ------------------------------------------------------------------------------
@pytest.mark.parametrize("control_mode", ["CANNY_EDGE", "SEGMENTATION"])
def test_given_a_condition_image_when_rendered_then_its_edges_shape_the_output(client, control_mode):
    reference, other = shapes_image(variant=0), shapes_image(variant=1)
    out = decode(invoke(client, TITAN, structure_body(reference, control_mode))["images"][0])
    plain = decode(invoke(client, TITAN, titan_text("a quiet harbor at dusk", seed=3))["images"][0])
    with_ref = correlation(edges(out), edges(reference))
    assert with_ref > 0.4
    assert with_ref > correlation(edges(out), edges(other)) + 0.2
    assert with_ref > correlation(edges(plain), edges(reference)) + 0.2


def test_given_a_lower_control_strength_when_rendered_then_the_edges_weigh_less(client):
    reference = shapes_image()
    strong = decode(invoke(client, NOVA, structure_body(reference, strength=1.0))["images"][0])
    weak = decode(invoke(client, NOVA, structure_body(reference, strength=0.0))["images"][0])
    assert correlation(edges(strong), edges(reference)) > correlation(edges(weak), edges(reference))


# --- variation ------------------------------------------------------------------------------
def test_given_a_source_when_varied_then_the_result_is_closer_to_it_than_to_another_image(client):
    source, other = shapes_image(variant=0), shapes_image(variant=1)
    out = decode(invoke(client, TITAN, variation_body(source))["images"][0])
    assert mean_abs_diff(out, source) < mean_abs_diff(out, other)
    assert correlation(out, source) > 0.6


def test_given_a_lower_similarity_when_varied_then_the_result_strays_further(client):
    source = shapes_image()
    close = decode(invoke(client, NOVA, variation_body(source, similarity=1.0))["images"][0])
    far = decode(invoke(client, NOVA, variation_body(source, similarity=0.2))["images"][0])
    assert mean_abs_diff(close, source) < mean_abs_diff(far, source)


def test_given_two_seeds_when_varied_then_the_variations_differ(client):
    source = shapes_image()
    a = invoke(client, TITAN, variation_body(source, seed=1))["images"][0]
    b = invoke(client, TITAN, variation_body(source, seed=2))["images"][0]
    assert a != b


# --- Stability ------------------------------------------------------------------------------
@pytest.mark.parametrize("model_id", [SD35, ULTRA, CORE])
def test_given_a_stability_prompt_when_invoked_then_the_documented_shape_and_size(client, model_id):
    out = invoke(client, model_id, {"prompt": "a lighthouse", "aspect_ratio": "16:9", "seed": 123})
    assert set(out) == {"seeds", "finish_reasons", "images"}
    assert out["seeds"] == [123] and out["finish_reasons"] == [None]
    assert decode(out["images"][0]).size == (1344, 768)


def test_given_no_aspect_ratio_when_stability_then_the_square_size_from_the_catalog(client):
    from studio.catalog import STABILITY_ASPECT_SIZES

    out = invoke(client, CORE, {"prompt": "a lighthouse"})
    assert decode(out["images"][0]).size == STABILITY_ASPECT_SIZES["1:1"]
    assert 0 < out["seeds"][0] <= 4_294_967_294


@pytest.mark.parametrize("fmt, pil", [("jpeg", "JPEG"), ("webp", "WEBP"), ("png", "PNG")])
def test_given_an_output_format_when_stability_then_the_image_is_encoded_so(client, fmt, pil):
    out = invoke(client, SD35, {"prompt": "a lighthouse", "output_format": fmt, "seed": 1})
    assert decode(out["images"][0]).format == pil


def test_given_image_to_image_when_sd35_then_the_output_derives_from_the_source(client):
    source, other = shapes_image((600, 400), 0), shapes_image((600, 400), 1)
    out = invoke(client, SD35, {"prompt": "the same in autumn", "mode": "image-to-image",
                                "image": png_b64(source), "strength": 0.3, "seed": 5})
    img = decode(out["images"][0])
    assert img.size == (1216, 832)  # the catalog size nearest to 3:2
    assert mean_abs_diff(img, source) < mean_abs_diff(img, other)


def test_given_the_same_stability_seed_when_invoked_twice_then_identical(client):
    body = {"prompt": "a lighthouse", "seed": 99}
    assert invoke(client, ULTRA, body) == invoke(client, ULTRA, body)
