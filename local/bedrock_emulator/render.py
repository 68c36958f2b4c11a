"""The offline image engine: real PNGs from a prompt, a seed and a mode, with Pillow only.

Everything is whole-image operations (gradients, resizes, filters, blends, palettes, ImageDraw);
there is no per-pixel Python loop. Noise comes from `random.Random(seed).randbytes`, never from
`Image.effect_noise` (which uses the C library's unseeded rand), so the output is deterministic.

Modes:
- text: an abstract scene whose palette and shapes come from the prompt words and the seed.
- color: the same layout mapped onto the given palette (every pixel near a palette color); a
  reference image, when given, shapes the layout.
- structure: the condition image's edges (CANNY_EDGE) or regions (SEGMENTATION) drawn into the scene.
- variation: the source image(s), softened and perturbed by the seed, more so as similarity drops.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import random
import re
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

INTERNAL_MAX_SIDE = 768  # the scene is composed at most this large, then resized

COLOR_WORDS: dict[str, tuple[int, int, int]] = {
    "red": (200, 30, 40), "crimson": (170, 20, 50), "scarlet": (230, 40, 20), "ruby": (155, 17, 30),
    "orange": (240, 130, 30), "amber": (255, 180, 40), "gold": (212, 175, 55), "golden": (218, 165, 32),
    "yellow": (245, 220, 50), "lemon": (250, 240, 90), "green": (40, 150, 60), "emerald": (20, 140, 90),
    "lime": (150, 220, 50), "olive": (110, 120, 40), "forest": (34, 90, 40), "mint": (150, 230, 190),
    "teal": (0, 128, 128), "turquoise": (64, 210, 200), "cyan": (0, 200, 220), "aqua": (60, 220, 230),
    "blue": (40, 80, 200), "navy": (20, 30, 90), "azure": (60, 140, 240), "cobalt": (0, 71, 171),
    "indigo": (75, 0, 130), "purple": (120, 40, 160), "violet": (140, 80, 200), "lavender": (190, 170, 230),
    "magenta": (210, 40, 160), "pink": (240, 140, 180), "rose": (230, 100, 130), "coral": (250, 120, 90),
    "peach": (255, 200, 160), "brown": (120, 75, 40), "chocolate": (90, 50, 25), "beige": (225, 210, 180),
    "tan": (210, 180, 140), "cream": (250, 240, 215), "white": (245, 245, 245), "ivory": (250, 248, 235),
    "black": (15, 15, 18), "gray": (128, 128, 128), "grey": (128, 128, 128), "silver": (192, 192, 200),
    "charcoal": (50, 52, 58), "sepia": (112, 66, 20), "neon": (60, 255, 120), "pastel": (220, 200, 235),
    "sunset": (250, 110, 60), "ocean": (20, 90, 150), "sky": (120, 180, 240), "night": (15, 20, 50),
    "fire": (240, 90, 20), "snow": (240, 245, 255), "sand": (220, 195, 150), "grass": (90, 170, 60),
    "autumn": (200, 100, 30), "winter": (200, 220, 240), "spring": (160, 220, 120),
}

SHAPE_WORDS = {
    "sun": "disc", "moon": "disc", "planet": "disc", "ball": "disc", "eye": "disc", "bubble": "disc",
    "mountain": "peaks", "mountains": "peaks", "hill": "peaks", "hills": "peaks", "volcano": "peaks",
    "city": "towers", "building": "towers", "buildings": "towers", "skyline": "towers", "tower": "towers",
    "sea": "waves", "ocean": "waves", "water": "waves", "lake": "waves", "river": "waves", "beach": "waves",
    "forest": "trees", "tree": "trees", "trees": "trees", "woods": "trees", "jungle": "trees",
    "star": "stars", "stars": "stars", "galaxy": "stars", "space": "stars", "night": "stars",
}


def digest(*parts: object) -> int:
    """A stable 64-bit number for the parts (Python's hash() is salted per process)."""
    text = "\x1f".join(repr(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def words(text: str) -> list[str]:
    return re.findall(r"[a-zA-Z]+", (text or "").lower())


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, int(c))) for c in rgb[:3]))


def luminance(rgb: tuple[int, int, int]) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def prompt_palette(prompt: str, negative: str, rng: random.Random, size: int = 5) -> list[tuple[int, int, int]]:
    """Colors named in the prompt first (minus those in the negative prompt), then hues from its words."""
    banned = set(words(negative))
    named = []
    for word in words(prompt):
        if word in COLOR_WORDS and word not in banned and COLOR_WORDS[word] not in named:
            named.append(COLOR_WORDS[word])
    palette = list(named)
    base_hue = (digest(prompt) % 360) / 360.0
    i = 0
    while len(palette) < size:
        hue = (base_hue + 0.17 * i + rng.uniform(-0.03, 0.03)) % 1.0
        light = [0.25, 0.55, 0.75, 0.4, 0.65][i % 5]
        sat = 0.45 + 0.4 * rng.random()
        r, g, b = colorsys.hls_to_rgb(hue, light, sat)
        palette.append((int(r * 255), int(g * 255), int(b * 255)))
        i += 1
    return palette[: max(size, len(named))]


def noise(rng: random.Random, size: tuple[int, int], cells: tuple[int, int]) -> Image.Image:
    """Smooth seeded noise: a few random cells, resized with bicubic interpolation."""
    cw, ch = max(1, cells[0]), max(1, cells[1])
    small = Image.frombytes("L", (cw, ch), rng.randbytes(cw * ch))
    return small.resize(size, Image.Resampling.BICUBIC)


def gradient(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    angle = rng.uniform(0, 360)
    base = Image.linear_gradient("L").resize((512, 512), Image.Resampling.BILINEAR)
    turned = base.rotate(angle, resample=Image.Resampling.BICUBIC)
    return turned.crop((128, 128, 384, 384)).resize(size, Image.Resampling.BILINEAR)


def _rgba(color: tuple[int, int, int], alpha: int) -> tuple[int, int, int, int]:
    return color[0], color[1], color[2], alpha


def _draw_shape(draw: ImageDraw.ImageDraw, kind: str, rng: random.Random, size: tuple[int, int],
                color: tuple[int, int, int], alpha: int) -> None:
    w, h = size
    fill = _rgba(color, alpha)
    if kind == "disc":
        r = rng.uniform(0.08, 0.22) * min(w, h)
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.15, 0.6) * h
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    elif kind == "peaks":
        base = rng.uniform(0.55, 0.85) * h
        x = -0.1 * w
        points = [(x, h)]
        while x < 1.1 * w:
            points.append((x, base - rng.uniform(0.1, 0.45) * h))
            x += rng.uniform(0.12, 0.3) * w
            points.append((x, base - rng.uniform(0.0, 0.12) * h))
        points.append((1.1 * w, h))
        draw.polygon(points, fill=fill)
    elif kind == "towers":
        x = 0.0
        while x < w:
            bw = rng.uniform(0.04, 0.1) * w
            top = rng.uniform(0.3, 0.75) * h
            draw.rectangle((x, top, x + bw, h), fill=fill)
            x += bw + rng.uniform(0.0, 0.03) * w
    elif kind == "waves":
        top = rng.uniform(0.55, 0.75) * h
        for j in range(6):
            y = top + j * (h - top) / 6
            amp = rng.uniform(0.005, 0.02) * h
            pts = [(0, h)] + [(x * w / 24, y + amp * (1 if x % 2 else -1)) for x in range(25)] + [(w, h)]
            draw.polygon(pts, fill=_rgba(color, max(40, alpha - j * 20)))
    elif kind == "trees":
        for _ in range(rng.randint(6, 14)):
            x = rng.uniform(0, w)
            base = rng.uniform(0.75, 1.0) * h
            th = rng.uniform(0.2, 0.5) * h
            tw = th * rng.uniform(0.2, 0.35)
            draw.polygon([(x, base - th), (x - tw, base), (x + tw, base)], fill=fill)
    elif kind == "stars":
        for _ in range(rng.randint(30, 80)):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h * 0.7), rng.uniform(1, 3) * max(1, w / 512)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=_rgba((250, 250, 240), 220))
    elif kind == "ring":
        r = rng.uniform(0.1, 0.35) * min(w, h)
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=fill, width=max(2, int(r * 0.12)))
    elif kind == "rect":
        x0, y0 = rng.uniform(-0.1, 0.8) * w, rng.uniform(-0.1, 0.8) * h
        draw.rectangle((x0, y0, x0 + rng.uniform(0.1, 0.5) * w, y0 + rng.uniform(0.1, 0.5) * h), fill=fill)
    else:  # blob polygon
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        r = rng.uniform(0.1, 0.3) * min(w, h)
        n = rng.randint(3, 7)
        pts = []
        for k in range(n):
            a = 6.2832 * k / n + rng.uniform(-0.3, 0.3)
            rr = r * rng.uniform(0.6, 1.3)
            pts.append((cx + rr * _cos(a), cy + rr * _sin(a)))
        draw.polygon(pts, fill=fill)


def _cos(a: float) -> float:
    import math
    return math.cos(a)


def _sin(a: float) -> float:
    import math
    return math.sin(a)


def scene(prompt: str, negative: str, rng: random.Random, size: tuple[int, int],
          palette: list[tuple[int, int, int]] | None = None) -> Image.Image:
    """An abstract RGB scene at `size` whose colors and shapes come from the prompt and `rng`."""
    colors = palette or prompt_palette(prompt, negative, rng)
    by_light = sorted(colors, key=luminance)
    dark, light = by_light[0], by_light[-1]
    mid = by_light[len(by_light) // 2]
    img = ImageOps.colorize(gradient(rng, size), black=dark, white=light, mid=mid)
    clouds = ImageOps.colorize(noise(rng, size, (rng.randint(3, 7), rng.randint(3, 7))),
                               black=by_light[min(1, len(by_light) - 1)], white=by_light[-1])
    img = Image.blend(img, clouds, 0.35)

    tokens = [t for t in words(prompt) if t not in set(words(negative))]
    kinds = [SHAPE_WORDS[t] for t in tokens if t in SHAPE_WORDS]
    generic = ["blob", "disc", "ring", "rect", "blob"]
    count = 3 + (len(tokens) % 4) + rng.randint(0, 2)
    while len(kinds) < count:
        kinds.append(generic[(digest(prompt, len(kinds)) + rng.randint(0, 4)) % len(generic)])
    far = Image.new("RGBA", size, (0, 0, 0, 0))
    near = Image.new("RGBA", size, (0, 0, 0, 0))
    for i, kind in enumerate(kinds):
        layer = far if i % 2 == 0 else near
        color = colors[(i + rng.randint(0, len(colors) - 1)) % len(colors)]
        _draw_shape(ImageDraw.Draw(layer), kind, rng, size, color, rng.randint(150, 235))
    far = far.filter(ImageFilter.GaussianBlur(max(2, min(size) // 90)))
    img = img.convert("RGBA")
    img.alpha_composite(far)
    img.alpha_composite(near)
    img = img.convert("RGB")
    vignette = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR).point(lambda v: min(255, v * 0.5))
    img = Image.composite(Image.new("RGB", size, dark), img, vignette.point(lambda v: int(v * 0.6)))
    return img


def grain(img: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """Fine texture (at a quarter of the resolution, so PNGs stay small)."""
    w, h = img.size
    tex = noise(rng, (w, h), (max(1, w // 4), max(1, h // 4))).convert("RGB")
    return Image.blend(img, tex, amount)


def fit(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    return ImageOps.fit(img, size, Image.Resampling.BILINEAR)


@dataclass
class RenderSpec:
    width: int
    height: int
    prompt: str = ""
    negative: str = ""
    seed: int = 0
    mode: str = "text"  # text | color | structure | variation
    colors: list[str] = field(default_factory=list)
    reference: Image.Image | None = None  # color mode layout, structure condition
    sources: list[Image.Image] = field(default_factory=list)  # variation
    control_mode: str = "CANNY_EDGE"
    control_strength: float = 0.7
    similarity: float = 0.7
    style: str = ""


def render(spec: RenderSpec) -> Image.Image:
    """One RGB image of exactly spec.width x spec.height."""
    rng = random.Random(digest(spec.prompt, spec.negative, spec.seed, spec.mode, spec.colors,
                               spec.control_mode, round(spec.control_strength, 4), round(spec.similarity, 4),
                               spec.style))
    scale = min(1.0, INTERNAL_MAX_SIDE / max(spec.width, spec.height))
    size = (max(16, round(spec.width * scale)), max(16, round(spec.height * scale)))
    palette = [hex_to_rgb(c) for c in spec.colors] or None

    if spec.mode == "color" and palette:
        img = _color_guided(spec, rng, size, palette)
        amount = 0.03
    elif spec.mode == "structure" and spec.reference is not None:
        img = _structure(spec, rng, size)
        amount = 0.05
    elif spec.mode == "variation" and spec.sources:
        img = _variation(spec, rng, size)
        amount = 0.04
    else:
        img = scene(spec.prompt, spec.negative, rng, size)
        amount = 0.06
    if img.size != (spec.width, spec.height):
        img = img.resize((spec.width, spec.height), Image.Resampling.BICUBIC)
    return grain(img, rng, amount)


def _color_guided(spec: RenderSpec, rng: random.Random, size: tuple[int, int],
                  palette: list[tuple[int, int, int]]) -> Image.Image:
    layout = scene(spec.prompt, spec.negative, rng, size, palette).convert("L")
    if spec.reference is not None:
        ref = fit(spec.reference.convert("L"), size)
        layout = Image.blend(layout, ref, 0.75)
    layout = ImageOps.equalize(layout.filter(ImageFilter.GaussianBlur(max(1, min(size) // 200))))
    ordered = sorted(palette, key=luminance)
    n = len(ordered)
    index = layout.point([min(n - 1, v * n // 256) for v in range(256)])
    flat: list[int] = []
    for color in ordered:
        flat.extend(color)
    index.putpalette(flat + [0] * (768 - len(flat)))
    return index.convert("RGB")


def _structure(spec: RenderSpec, rng: random.Random, size: tuple[int, int]) -> Image.Image:
    strength = max(0.0, min(1.0, spec.control_strength))
    base = scene(spec.prompt, spec.negative, rng, size)
    ref = fit(spec.reference.convert("L"), size)
    palette = prompt_palette(spec.prompt, spec.negative, rng)
    ordered = sorted(palette, key=luminance)
    if spec.control_mode == "SEGMENTATION":
        regions = ImageOps.posterize(ref.filter(ImageFilter.GaussianBlur(2)), 2)
        shaded = ImageOps.colorize(ImageOps.autocontrast(regions), black=ordered[0], white=ordered[-1],
                                   mid=ordered[len(ordered) // 2])
        out = Image.blend(base, shaded, 0.35 + 0.6 * strength)
        edges = regions.filter(ImageFilter.FIND_EDGES)
    else:
        tone = ImageOps.colorize(ImageOps.autocontrast(ref), black=ordered[0], white=ordered[-1])
        out = Image.blend(base, tone, 0.25 + 0.35 * strength)
        edges = ref.filter(ImageFilter.SMOOTH).filter(ImageFilter.FIND_EDGES)
    edges = ImageOps.autocontrast(edges).point(lambda v: 0 if v < 40 else min(255, v * 2))
    edges = edges.filter(ImageFilter.MaxFilter(3))
    mask = edges.point(lambda v: int(v * (0.3 + 0.7 * strength)))
    line = ordered[0] if luminance(ordered[0]) < 90 else (15, 15, 20)
    return Image.composite(Image.new("RGB", size, line), out, mask)


def _variation(spec: RenderSpec, rng: random.Random, size: tuple[int, int]) -> Image.Image:
    similarity = max(0.0, min(1.0, spec.similarity))
    source = fit(spec.sources[0].convert("RGB"), size)
    for i, other in enumerate(spec.sources[1:], start=2):
        source = Image.blend(source, fit(other.convert("RGB"), size), 1.0 / i)
    blur = (1.0 - similarity) * min(size) / 120
    if blur > 0.3:
        source = source.filter(ImageFilter.GaussianBlur(blur))
    # the perturbation: a scene in the source's own colors, shifted by the seed
    small = source.resize((32, 32)).quantize(colors=5)
    pal = small.getpalette()[:15]
    colors = [tuple(pal[i:i + 3]) for i in range(0, len(pal), 3)]
    perturbation = scene(spec.prompt, spec.negative, rng, size, colors if spec.prompt == "" else None)
    warp = noise(rng, size, (6, 6))
    perturbation = Image.composite(perturbation, ImageChops.offset(source, rng.randint(-size[0] // 20, size[0] // 20),
                                                                   rng.randint(-size[1] // 20, size[1] // 20)), warp)
    return Image.blend(source, perturbation, 0.12 + 0.6 * (1.0 - similarity))


def encode(img: Image.Image, fmt: str = "png") -> bytes:
    buf = io.BytesIO()
    fmt = fmt.lower()
    if fmt in ("jpeg", "jpg"):
        img.convert("RGB").save(buf, "JPEG", quality=90)
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=85, method=0)
    else:
        img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()
