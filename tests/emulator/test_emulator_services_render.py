"""The Image Services' offline renders visibly honour each operation, measured on pixels."""

from __future__ import annotations

import colorsys
import math

import pytest
from emulator_helpers import (SERVICE_NAMES, correlation, decode, invoke, mean_abs_diff, png_b64, profile,
                              service_body, shapes_image, square_mask)
from PIL import Image, ImageChops, ImageDraw, ImageStat

from local.bedrock_emulator.edit_render import FOUR_MEGAPIXELS


def run(client, name: str, body: dict) -> Image.Image:
    out = invoke(client, profile(name), body)
    assert out["finish_reasons"] == [None] and len(out["images"]) == 1 and len(out["seeds"]) == 1
    return decode(out["images"][0])


def changed(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int] | None = None) -> float:
    """Mean absolute difference (0-255) of two same-size images, over `box` or everything."""
    a, b = a.convert("RGB"), b.convert("RGB")
    if box:
        a, b = a.crop(box), b.crop(box)
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def scenery(size: tuple[int, int] = (160, 128)) -> Image.Image:
    """Blue sky over green ground with a red ball and a yellow box: colors to search for."""
    img = Image.new("RGB", size, (70, 130, 220))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((0, h * 0.6, w, h), fill=(40, 150, 60))
    draw.ellipse((w * 0.1, h * 0.2, w * 0.35, h * 0.5), fill=(200, 30, 40))
    draw.rectangle((w * 0.6, h * 0.3, w * 0.85, h * 0.55), fill=(245, 220, 50))
    return img


# --- the same answer for the same request ---------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in SERVICE_NAMES if "conservative" not in n and "creative" not in n])
def test_given_the_same_request_twice_when_invoked_then_the_same_image_and_seed(client, name):
    body = service_body(name)
    first, second = invoke(client, profile(name), body), invoke(client, profile(name), body)
    assert first == second and first["seeds"][0] > 0


@pytest.mark.parametrize("fmt, magic", [("jpeg", b"\xff\xd8"), ("webp", b"RIFF"), ("png", b"\x89PNG")])
def test_given_an_output_format_when_invoked_then_the_image_has_it(client, fmt, magic):
    import base64

    name = "stable-image-search-recolor-v1:0"
    out = invoke(client, profile(name), service_body(name, output_format=fmt))
    assert base64.b64decode(out["images"][0])[:4].startswith(magic)


def test_given_a_seed_when_invoked_then_it_is_the_seed_answered(client):
    name = "stable-outpaint-v1:0"
    assert invoke(client, profile(name), service_body(name, seed=1234))["seeds"] == [1234]


# --- inpaint and erase: only the mask changes -----------------------------------------------------------
def test_given_a_mask_when_inpainting_without_growth_then_only_the_white_pixels_change(client):
    source = shapes_image((128, 128))
    body = service_body("stable-image-inpaint-v1:0", prompt="a crimson sunset", grow_mask=0,
                        mask=png_b64(square_mask((128, 128), (32, 32, 95, 95))))
    out = run(client, "stable-image-inpaint-v1:0", body)
    outside = Image.new("L", (128, 128), 255)
    outside.paste(0, (32, 32, 96, 96))
    assert ImageChops.difference(out, source).getbbox() is not None
    assert ImageChops.multiply(ImageChops.difference(out, source).convert("L"), outside).getbbox() is None
    assert changed(out, source, (32, 32, 96, 96)) > 20


def test_given_the_default_grow_mask_when_inpainting_then_nothing_beyond_five_pixels_changes(client):
    source = shapes_image((128, 128))
    out = run(client, "stable-image-inpaint-v1:0", service_body(
        "stable-image-inpaint-v1:0", mask=png_b64(square_mask((128, 128), (40, 40, 80, 80)))))
    diff = ImageChops.difference(out, source).getbbox()
    assert diff is not None and diff[0] >= 40 - 5 and diff[1] >= 40 - 5 and diff[2] <= 81 + 5 and diff[3] <= 81 + 5
    assert diff[0] < 40  # and it did grow


def test_given_a_mask_when_erasing_then_the_area_takes_the_colors_around_it(client):
    source = Image.new("RGB", (128, 128), (30, 140, 60))
    ImageDraw.Draw(source).ellipse((48, 48, 80, 80), fill=(230, 20, 200))  # the object to erase
    body = {"image": png_b64(source), "mask": png_b64(square_mask((128, 128), (44, 44, 84, 84))), "grow_mask": 0}
    out = run(client, "stable-image-erase-object-v1:0", body)
    inside = tuple(ImageStat.Stat(out.crop((48, 48, 81, 81))).mean)
    assert all(abs(a - b) < 12 for a, b in zip(inside, (30, 140, 60))), inside
    outside = Image.new("L", (128, 128), 255)
    outside.paste(0, (44, 44, 85, 85))
    assert ImageChops.multiply(ImageChops.difference(out, source).convert("L"), outside).getbbox() is None


# --- search and replace / recolor: a region chosen from the prompt ----------------------------------------
def test_given_a_color_word_in_the_search_prompt_when_replacing_then_that_colored_object_changes(client):
    source = scenery()
    body = {"image": png_b64(source), "prompt": "a purple crystal", "search_prompt": "the red ball", "grow_mask": 0,
            "seed": 9}
    out = run(client, "stable-image-search-replace-v1:0", body)
    w, h = source.size
    ball = (int(w * 0.15), int(h * 0.25), int(w * 0.3), int(h * 0.45))
    box = (int(w * 0.62), int(h * 0.32), int(w * 0.83), int(h * 0.53))
    assert changed(out, source, ball) > 30 and changed(out, source, box) == 0


def test_given_no_color_word_when_replacing_then_the_central_region_changes_and_the_corners_do_not(client):
    source = scenery()
    out = run(client, "stable-image-search-replace-v1:0", {"image": png_b64(source), "prompt": "a cat",
                                                           "search_prompt": "the thing", "grow_mask": 0})
    assert changed(out, source, (70, 56, 90, 72)) > 10
    assert changed(out, source, (0, 0, 20, 20)) == 0 and changed(out, source, (140, 108, 160, 128)) == 0


def test_given_a_select_prompt_when_recoloring_then_luminance_is_kept_and_the_hue_moves_to_the_prompt(client):
    source = scenery()
    out = run(client, "stable-image-search-recolor-v1:0", {"image": png_b64(source), "prompt": "a blue box",
                                                           "select_prompt": "the yellow box", "grow_mask": 0})
    w, h = source.size
    box = (int(w * 0.63), int(h * 0.33), int(w * 0.82), int(h * 0.52))
    before_luma = ImageStat.Stat(source.crop(box).convert("L")).mean[0]
    after_luma = ImageStat.Stat(out.crop(box).convert("L")).mean[0]
    assert abs(before_luma - after_luma) < 12  # kept, up to RGB clipping of a bright yellow turned blue
    r, g, b = (c / 255 for c in ImageStat.Stat(out.crop(box)).mean)
    hue = colorsys.rgb_to_hsv(r, g, b)[0] * 360
    assert 190 <= hue <= 260, hue  # blue, no longer yellow (~53)
    assert changed(out, source, (0, 0, 15, 15)) == 0


# --- remove background: a real alpha channel ----------------------------------------------------------------
def test_given_a_subject_on_a_plain_background_when_removing_it_then_alpha_is_0_there_and_255_on_the_subject(
        client):
    source = Image.new("RGB", (128, 96), (240, 240, 235))
    ImageDraw.Draw(source).ellipse((34, 18, 94, 78), fill=(180, 40, 30))
    out = run(client, "stable-image-remove-background-v1:0", {"image": png_b64(source)})
    assert out.mode == "RGBA" and out.size == (128, 96)
    alpha = out.getchannel("A")
    assert alpha.getpixel((2, 2)) == 0 and alpha.getpixel((64, 48)) == 255
    assert alpha.getextrema() == (0, 255)
    assert out.convert("RGB").getpixel((64, 48)) == (180, 40, 30)


def test_given_webp_when_removing_the_background_then_the_webp_keeps_the_alpha(client):
    source = Image.new("RGB", (96, 96), (250, 250, 250))
    ImageDraw.Draw(source).rectangle((30, 30, 66, 66), fill=(20, 20, 160))
    out = run(client, "stable-image-remove-background-v1:0", {"image": png_b64(source), "output_format": "webp"})
    assert out.format == "WEBP" and "A" in out.getbands() and out.getchannel("A").getextrema() == (0, 255)


# --- outpaint: a larger canvas, the original in place ---------------------------------------------------------
def test_given_directions_when_outpainting_then_the_canvas_grows_by_exactly_them_with_the_source_in_place(client):
    source = scenery((120, 100))
    out = run(client, "stable-outpaint-v1:0", {"image": png_b64(source), "left": 30, "right": 10, "up": 20,
                                               "down": 5, "prompt": "a wide meadow"})
    assert out.size == (120 + 30 + 10, 100 + 20 + 5)
    assert out.crop((30, 20, 150, 120)).tobytes() == source.tobytes()
    assert changed(out.crop((0, 20, 30, 120)), Image.new("RGB", (30, 100))) > 10  # a real margin, not black


# --- upscales ---------------------------------------------------------------------------------------------
def test_given_an_image_when_fast_upscaling_then_each_side_is_exactly_four_times(client):
    source = scenery((100, 60))
    out = run(client, "stable-fast-upscale-v1:0", {"image": png_b64(source)})
    assert out.size == (400, 240)
    assert correlation(out, source) > 0.98


@pytest.mark.parametrize("name, extra", [("stable-conservative-upscale-v1:0", {}),
                                         ("stable-creative-upscale-v1:0", {"creativity": 0.4})])
def test_given_an_image_when_upscaling_conservatively_or_creatively_then_about_four_megapixels(client, name, extra):
    source = scenery((200, 120))
    out = run(client, name, {"image": png_b64(source), "prompt": "crisp detail", **extra})
    w, h = out.size
    assert FOUR_MEGAPIXELS * 0.998 < w * h <= FOUR_MEGAPIXELS
    assert abs(w / h - 200 / 120) < 0.01
    assert (w, h) == (math.floor(200 * math.sqrt(FOUR_MEGAPIXELS / (200 * 120))),
                      math.floor(120 * math.sqrt(FOUR_MEGAPIXELS / (200 * 120))))
    assert correlation(out, source) > 0.9


# --- control: structure, sketch ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["stable-image-control-structure-v1:0", "stable-image-control-sketch-v1:0"])
def test_given_a_reference_when_controlling_then_its_edges_are_kept(client, name):
    a, b = shapes_image((192, 128), 0), shapes_image((192, 128), 1)
    out_a = run(client, name, {"image": png_b64(a), "prompt": "a stone temple", "seed": 4})
    out_b = run(client, name, {"image": png_b64(b), "prompt": "a stone temple", "seed": 4})
    assert out_a.size == (192, 128)
    assert correlation(out_a, a) > correlation(out_a, b) + 0.2
    assert correlation(out_b, b) > correlation(out_b, a) + 0.2


def test_given_a_line_sketch_when_sketch_to_image_then_the_lines_show(client):
    sketch = Image.new("RGB", (160, 160), (255, 255, 255))
    ImageDraw.Draw(sketch).line((20, 80, 140, 80), fill=(0, 0, 0), width=4)
    out = run(client, "stable-image-control-sketch-v1:0", {"image": png_b64(sketch), "prompt": "a horizon",
                                                           "control_strength": 1.0, "seed": 2})
    line = ImageStat.Stat(out.crop((30, 76, 130, 85)).convert("L")).mean[0]
    above = ImageStat.Stat(out.crop((30, 40, 130, 49)).convert("L")).mean[0]
    assert line < above - 20


# --- style guide and style transfer: the palette travels ------------------------------------------------------
def _warm_palette_image() -> Image.Image:
    img = Image.new("RGB", (128, 128), (250, 120, 20))
    ImageDraw.Draw(img).rectangle((0, 64, 128, 128), fill=(150, 30, 10))
    return img


def test_given_a_reference_and_an_aspect_ratio_when_style_guiding_then_its_palette_at_that_size(client):
    out = run(client, "stable-image-style-guide-v1:0", {"image": png_b64(_warm_palette_image()),
                                                        "prompt": "a quiet harbour", "aspect_ratio": "16:9"})
    assert out.size == (1344, 768)
    r, g, b = ImageStat.Stat(out).mean
    assert r > b + 60  # warm, like the reference


def test_given_content_and_style_images_when_transferring_then_the_layout_stays_and_the_palette_changes(client):
    content = shapes_image((160, 128))
    out = run(client, "stable-style-transfer-v1:0", {"init_image": png_b64(content),
                                                     "style_image": png_b64(_warm_palette_image())})
    assert out.size == content.size
    assert correlation(out, content) > 0.9
    r, g, b = ImageStat.Stat(out).mean
    assert r > b + 40 and mean_abs_diff(out, content) > 20
