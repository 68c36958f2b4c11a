"""Offline renders for the Image Services that visibly honour each operation (Pillow only, deterministic).

- inpaint: only the mask's white pixels change (grown by `grow_mask`, its grown band blended), toward
  an abstract scene drawn from the prompt; every other pixel is the source's, byte for byte.
- erase: the masked area is filled from its surroundings (normalized-convolution diffusion of the
  unmasked neighbours), nothing else changes.
- search-replace / search-recolor: the region is chosen from the search/select prompt: where the
  image's color is nearest a color word of that prompt (if the prompt names one and at least 0.5% of
  the image matches), else a central ellipse. Replace paints the prompt's scene there; recolor keeps
  each pixel's luminance (Y of YCbCr) and takes the chroma of the prompt's color word (or of a hue
  derived from the prompt).
- remove-background: RGBA; the background color is the median of the image's border, alpha is 0 where
  a pixel is near it and 255 elsewhere.
- outpaint: a canvas larger by exactly left/right/up/down with the source pasted unchanged at
  (left, up); the new margins extend the source's edges, mixed with the prompt's scene by `creativity`.
- upscale-fast: exactly 4x each side. upscale-conservative / upscale-creative: about 4 megapixels
  (each side times sqrt(4,194,304 / (w*h)), rounded down; never smaller than the source), the creative
  one with more prompt-derived detail.
- structure / sketch: the reference's edges drawn into a prompt scene of the reference's size.
- style-guide: a scene in the reference's palette at the `aspect_ratio` size.
- style-transfer: the init image's luminance layout mapped onto the style image's palette.
"""

from __future__ import annotations

import colorsys
import math
import random
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageMath, ImageOps, ImageStat

from .analysis import analyze
from .render import COLOR_WORDS, RenderSpec, digest, grain, hex_to_rgb, luminance, render, scene, words

from studio.catalog import STABILITY_ASPECT_SIZES  # noqa: E402 - output sizes agree with the app

FOUR_MEGAPIXELS = 4_194_304
SCENE_MAX_SIDE = 512  # prompt scenes are drawn at most this large, then resized


def apply(operation: str, images: dict[str, Image.Image], params: dict[str, Any], seed: int) -> Image.Image:
    rng = random.Random(digest(operation, sorted((k, str(v)) for k, v in params.items()), seed))
    return OPERATIONS[operation](images, params, rng, seed)


# --- helpers ---------------------------------------------------------------------------------
def rgb(img: Image.Image) -> Image.Image:
    """The image as RGB, transparent pixels over white."""
    if img.mode in ("RGBA", "LA", "P") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")


def prompt_scene(prompt: str, negative: str, rng: random.Random, size: tuple[int, int]) -> Image.Image:
    scale = min(1.0, SCENE_MAX_SIDE / max(size))
    small = (max(16, round(size[0] * scale)), max(16, round(size[1] * scale)))
    return scene(prompt, negative, rng, small).resize(size, Image.Resampling.BICUBIC)


def edit_mask(images: dict[str, Image.Image], size: tuple[int, int]) -> Image.Image:
    """The area to change (L, 255 = change): the mask (resized to the image, as documented) or the
    image's transparency."""
    if "mask" in images:
        mask = images["mask"].convert("L")
        return mask if mask.size == size else mask.resize(size, Image.Resampling.NEAREST)
    return ImageOps.invert(images["image"].convert("RGBA").getchannel("A"))


def grow(mask: Image.Image, pixels: float) -> Image.Image:
    """The mask grown by `pixels` in every direction, the grown band soft; untouched pixels stay 0."""
    radius = int(round(pixels))
    if radius <= 0:
        return mask
    spread = mask.filter(ImageFilter.BoxBlur(radius))
    return ImageChops.lighter(mask, spread.point(lambda v: min(255, v * 3)))


def color_word(text: str) -> tuple[int, int, int] | None:
    for word in words(text):
        if word in COLOR_WORDS:
            return COLOR_WORDS[word]
    return None


def region(img: Image.Image, query: str) -> Image.Image:
    """The area a search/select prompt designates (L, 255 inside): pixels near its color word, else a
    central ellipse."""
    w, h = img.size
    color = color_word(query)
    if color is not None:
        distance = ImageChops.difference(img, Image.new("RGB", img.size, color)).convert("L")
        near = distance.point(lambda v: 255 if v < 48 else 0).filter(ImageFilter.MedianFilter(3))
        if ImageStat.Stat(near).mean[0] / 255 >= 0.005:
            return near
    center = Image.new("L", img.size, 0)
    ImageDraw.Draw(center).ellipse((w * 0.3, h * 0.3, w * 0.7, h * 0.7), fill=255)
    return center


def target_color(prompt: str) -> tuple[int, int, int]:
    named = color_word(prompt)
    if named is not None:
        return named
    r, g, b = colorsys.hls_to_rgb((digest(prompt) % 360) / 360.0, 0.5, 0.75)
    return int(r * 255), int(g * 255), int(b * 255)


# --- operations ------------------------------------------------------------------------------
def _inpaint(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    source = rgb(images["image"])
    mask = grow(edit_mask(images, source.size), params.get("grow_mask", 5))
    fill = Image.blend(prompt_scene(params["prompt"], params.get("negative_prompt", ""), rng, source.size),
                       source, 0.15)
    return Image.composite(fill, source, mask)


def _erase(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    source = rgb(images["image"])
    mask = grow(edit_mask(images, source.size), params.get("grow_mask", 5))
    return Image.composite(diffuse(source, mask), source, mask)


def diffuse(source: Image.Image, mask: Image.Image) -> Image.Image:
    """The masked area rebuilt from its unmasked neighbours (normalized convolution at low resolution)."""
    w, h = source.size
    scale = min(1.0, 256 / max(w, h))
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    small = source.resize(size, Image.Resampling.BOX)
    keep = ImageOps.invert(mask.resize(size, Image.Resampling.BOX)).point(lambda v: 255 if v > 250 else 0)
    box = mask.point(lambda v: 255 if v else 0).getbbox() or (0, 0, w, h)
    radius = max(2.0, max(box[2] - box[0], box[3] - box[1]) * scale / 2)
    if ImageStat.Stat(keep).mean[0] == 0:  # nothing to learn from: the image's mean color
        return Image.new("RGB", source.size, tuple(int(c) for c in ImageStat.Stat(source).mean))
    blur = ImageFilter.GaussianBlur(radius)
    weight = keep.filter(blur).convert("F")
    mean = tuple(int(c) for c in ImageStat.Stat(small, keep).mean)
    kept = ImageChops.multiply(small, Image.merge("RGB", (keep, keep, keep))).filter(blur)
    channels = []
    for band, fallback in zip(kept.split(), mean):
        filled = ImageMath.lambda_eval(
            lambda a: (a["s"] * 255.0 / (a["w"] + 0.001)) * (a["w"] > 2) + a["f"] * (a["w"] <= 2),
            s=band.convert("F"), w=weight, f=Image.new("F", size, fallback))
        channels.append(filled.convert("L"))
    return Image.merge("RGB", channels).resize(source.size, Image.Resampling.BICUBIC)


def _search_replace(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    source = rgb(images["image"])
    area = grow(region(source, params["search_prompt"]), params.get("grow_mask", 3))
    fill = prompt_scene(params["prompt"], params.get("negative_prompt", ""), rng, source.size)
    return Image.composite(fill, source, area)


def _search_recolor(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    source = rgb(images["image"])
    area = grow(region(source, params["select_prompt"]), params.get("grow_mask", 3))
    y, _, _ = source.convert("YCbCr").split()
    _, cb, cr = Image.new("RGB", (1, 1), target_color(params["prompt"])).convert("YCbCr").getpixel((0, 0))
    recolored = Image.merge("YCbCr", (y, Image.new("L", source.size, cb), Image.new("L", source.size, cr)))
    return Image.composite(recolored.convert("RGB"), source, area)


def _remove_background(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    source = rgb(images["image"])
    w, h = source.size
    band = max(1, min(w, h) // 64)
    ring = Image.new("L", source.size, 255)
    ring.paste(0, (band, band, w - band, h - band))
    background = tuple(int(c) for c in ImageStat.Stat(source, ring).median)
    distance = ImageChops.difference(source, Image.new("RGB", source.size, background)).convert("L")
    alpha = distance.point(lambda v: 255 if v > 40 else 0).filter(ImageFilter.MedianFilter(3))
    out = source.convert("RGBA")
    out.putalpha(alpha)
    return out


def _outpaint(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    source = rgb(images["image"])
    w, h = source.size
    left, right, up, down = (int(params.get(k, 0)) for k in ("left", "right", "up", "down"))
    size = (w + left + right, h + up + down)
    # the margins continue the source's edges: the source stretched over the canvas, blurred
    stretched = source.resize(size, Image.Resampling.BILINEAR).filter(
        ImageFilter.GaussianBlur(max(2, min(size) // 40)))
    scenery = prompt_scene(params.get("prompt", ""), "", rng, size)
    canvas = Image.blend(stretched, scenery, 0.15 + 0.6 * float(params.get("creativity", 0.5)))
    canvas.paste(source, (left, up))
    return canvas


def _upscale_fast(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    source = rgb(images["image"])
    return source.resize((source.width * 4, source.height * 4), Image.Resampling.BICUBIC)


def four_megapixel_size(width: int, height: int) -> tuple[int, int]:
    """The conservative and creative upscalers' output size: the source's aspect ratio at just under 4 MP
    (rounded down, so the answer stays inside remove-background's 4,194,304-pixel input limit)."""
    factor = max(1.0, math.sqrt(FOUR_MEGAPIXELS / (width * height)))
    return math.floor(width * factor), math.floor(height * factor)


def _upscale(images: dict, params: dict, rng: random.Random, detail: float) -> Image.Image:
    source = rgb(images["image"])
    big = source.resize(four_megapixel_size(*source.size), Image.Resampling.BICUBIC)
    texture = prompt_scene(params["prompt"], params.get("negative_prompt", ""), rng, big.size)
    return Image.blend(big, texture, detail)


def _upscale_conservative(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    return _upscale(images, params, rng, 0.1 * float(params.get("creativity", 0.35)))


def _upscale_creative(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    return _upscale(images, params, rng, 0.5 * float(params.get("creativity", 0.3)))


def _control(images: dict, params: dict, seed: int, style: str) -> Image.Image:
    reference = rgb(images["image"])
    spec = RenderSpec(width=reference.width, height=reference.height, prompt=params["prompt"],
                      negative=params.get("negative_prompt", ""), seed=seed, mode="structure",
                      reference=reference, control_mode="CANNY_EDGE",
                      control_strength=float(params.get("control_strength", 0.7)),
                      style=f"{style}|{params.get('style_preset', '')}")
    return render(spec)


def _structure(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    return _control(images, params, seed, "structure")


def _sketch(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    return _control(images, params, seed, "sketch")


def _style_guide(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    width, height = STABILITY_ASPECT_SIZES[params.get("aspect_ratio", "1:1")]
    palette = analyze(rgb(images["image"])).palette
    spec = RenderSpec(width=width, height=height, prompt=params["prompt"], negative=params.get("negative_prompt", ""),
                      seed=seed, mode="color", colors=palette,
                      style=f"style-guide|{params.get('fidelity', 0.5)}|{params.get('style_preset', '')}")
    return render(spec)


def palette_ramp(palette: list[str]) -> list[int]:
    """A 768-entry LUT (R, G, B bands) running through the palette from its darkest to its lightest color."""
    colors = sorted((hex_to_rgb(c) for c in palette), key=luminance)
    if len(colors) == 1:
        colors = [tuple(int(c * 0.3) for c in colors[0]), colors[0]]
    lut: list[list[int]] = [[], [], []]
    for v in range(256):
        pos = v / 255 * (len(colors) - 1)
        i = min(int(pos), len(colors) - 2)
        t = pos - i
        for band in range(3):
            lut[band].append(int(colors[i][band] * (1 - t) + colors[i + 1][band] * t))
    return lut[0] + lut[1] + lut[2]


def _style_transfer(images: dict, params: dict, rng: random.Random, seed: int) -> Image.Image:
    content = rgb(images["init_image"])
    palette = analyze(rgb(images["style_image"])).palette
    layout = ImageOps.autocontrast(content.convert("L"))
    lut = palette_ramp(palette)
    styled = Image.merge("RGB", [layout.point(lut[i * 256:(i + 1) * 256]) for i in range(3)])
    strength = float(params.get("style_strength", 1.0))
    return grain(Image.blend(content, styled, 0.35 + 0.6 * strength), rng, 0.02)


OPERATIONS = {
    "inpaint": _inpaint, "erase": _erase, "search-replace": _search_replace, "search-recolor": _search_recolor,
    "remove-background": _remove_background, "outpaint": _outpaint, "upscale-fast": _upscale_fast,
    "upscale-conservative": _upscale_conservative, "upscale-creative": _upscale_creative,
    "structure": _structure, "sketch": _sketch, "style-guide": _style_guide, "style-transfer": _style_transfer,
}

__all__ = ["apply", "OPERATIONS", "four_megapixel_size"]
