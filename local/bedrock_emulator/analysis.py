"""A real look at a reference image with Pillow: palette, light, contrast, color, composition."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageStat

from .render import luminance, rgb_to_hex

COLOR_NAMES = (
    ((200, 30, 40), "red"), ((240, 130, 30), "orange"), ((245, 220, 50), "yellow"), ((40, 150, 60), "green"),
    ((0, 128, 128), "teal"), ((40, 80, 200), "blue"), ((20, 30, 90), "navy"), ((120, 40, 160), "purple"),
    ((240, 140, 180), "pink"), ((120, 75, 40), "brown"), ((225, 210, 180), "beige"), ((245, 245, 245), "white"),
    ((15, 15, 18), "black"), ((128, 128, 128), "gray"), ((60, 220, 230), "cyan"), ((210, 40, 160), "magenta"),
    ((150, 220, 50), "lime"), ((250, 120, 90), "coral"), ((110, 120, 40), "olive"), ((190, 170, 230), "lavender"),
)
MIN_SIDE = 9  # pixels: the edge map loses a 1-pixel border, then splits into thirds
THIRDS = (("top", "middle", "bottom"), ("left", "center", "right"))


def color_name(rgb: tuple[int, int, int]) -> str:
    return min(COLOR_NAMES, key=lambda item: sum((a - b) ** 2 for a, b in zip(item[0], rgb)))[1]


@dataclass
class Analysis:
    width: int
    height: int
    palette: list[str]
    palette_names: list[str]
    brightness: float  # 0..1
    contrast: float  # 0..1 (luminance standard deviation / 128)
    saturation: float  # 0..1
    warmth: float  # -1 (cool) .. 1 (warm)
    edge_density: float  # 0..1
    weight_cell: tuple[int, int]  # (row, column) on the thirds grid where the edges gather
    orientation: str

    @property
    def light(self) -> str:
        if self.brightness < 0.3:
            return "dark"
        if self.brightness > 0.7:
            return "bright"
        return "mid-toned"

    @property
    def contrast_word(self) -> str:
        return "high-contrast" if self.contrast > 0.45 else "low-contrast" if self.contrast < 0.2 else "moderate-contrast"

    @property
    def saturation_word(self) -> str:
        return "vivid" if self.saturation > 0.5 else "muted" if self.saturation < 0.2 else "softly saturated"

    @property
    def temperature(self) -> str:
        return "warm" if self.warmth > 0.08 else "cool" if self.warmth < -0.08 else "neutral"

    @property
    def busyness(self) -> str:
        return "busy, detailed" if self.edge_density > 0.12 else "minimal, calm" if self.edge_density < 0.04 \
            else "moderately detailed"

    @property
    def focus(self) -> str:
        row, col = self.weight_cell
        if (row, col) == (1, 1):
            return "the center"
        return f"the {THIRDS[0][row]} {THIRDS[1][col]}".replace("middle center", "center").replace(
            "middle ", "").replace(" center", "")

    def summary(self) -> str:
        names = ", ".join(dict.fromkeys(self.palette_names[:3]))
        return (f"A {self.light}, {self.contrast_word}, {self.saturation_word} {self.orientation} image with a "
                f"{self.temperature} palette dominated by {names}; {self.busyness}, with its visual weight in "
                f"{self.focus} of the frame.")


def open_image(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.seek(0)
    img.load()
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        img = Image.new("RGB", rgba.size, (255, 255, 255))
        img.paste(rgba, mask=rgba.getchannel("A"))
    return img.convert("RGB")


def analyze(img: Image.Image) -> Analysis:
    width, height = img.size
    small = img.convert("RGB")
    small.thumbnail((160, 160))
    if min(small.size) < MIN_SIDE:
        # A 1-pixel-wide (or tiny) image has no border to trim and no thirds to weigh: stretch it
        # (nearest neighbour keeps its colors) so every measure below has pixels to work on.
        small = small.resize((max(small.width, MIN_SIDE), max(small.height, MIN_SIDE)), Image.Resampling.NEAREST)
    # palette: median-cut, most frequent first, near-duplicates merged
    quant = small.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    raw = quant.getpalette()
    counts = sorted(quant.getcolors() or [], reverse=True)
    colors: list[tuple[int, int, int]] = []
    for _, index in counts:
        rgb = tuple(raw[index * 3: index * 3 + 3])
        if all(sum((a - b) ** 2 for a, b in zip(rgb, c)) > 900 for c in colors):
            colors.append(rgb)
    base = colors[0] if colors else (128, 128, 128)
    variants = [tuple(int(c + (255 - c) * 0.5) for c in base), tuple(int(c * 0.5) for c in base),
                tuple(int(c * 0.25) for c in base), tuple(int(c + (255 - c) * 0.8) for c in base)]
    for variant in variants:  # a flat image still gets 3 colors: its tint and shades of it
        if len(colors) >= 3:
            break
        if all(sum((a - b) ** 2 for a, b in zip(variant, c)) > 900 for c in colors):
            colors.append(variant)
    colors = colors[:6]
    gray = small.convert("L")
    stat = ImageStat.Stat(gray)
    hsv = ImageStat.Stat(small.convert("HSV"))
    rgb_mean = ImageStat.Stat(small).mean
    edges = gray.filter(ImageFilter.FIND_EDGES)
    edges = edges.crop((1, 1, edges.width - 1, edges.height - 1)).point(lambda v: 255 if v > 20 else 0)
    w, h = edges.size
    cells = []
    for row in range(3):
        for col in range(3):
            box = (col * w // 3, row * h // 3, (col + 1) * w // 3, (row + 1) * h // 3)
            cells.append((ImageStat.Stat(edges.crop(box)).mean[0], (row, col)))
    total_edges = ImageStat.Stat(edges).mean[0]
    if max(c[0] for c in cells) - min(c[0] for c in cells) < 2:
        # no clear edge focus: fall back to where the brightness departs most from the mean
        dev = []
        for row in range(3):
            for col in range(3):
                box = (col * w // 3, row * h // 3, (col + 1) * w // 3, (row + 1) * h // 3)
                dev.append((abs(ImageStat.Stat(gray.crop(box)).mean[0] - stat.mean[0]), (row, col)))
        cells = dev
    weight_cell = max(cells)[1] if max(cells)[0] > 0.5 else (1, 1)
    orientation = "square" if abs(width - height) < 0.05 * max(width, height) else (
        "landscape" if width > height else "portrait")
    return Analysis(
        width=width, height=height,
        palette=[rgb_to_hex(c) for c in colors],
        palette_names=[color_name(c) for c in colors],
        brightness=stat.mean[0] / 255,
        contrast=min(1.0, stat.stddev[0] / 128),
        saturation=hsv.mean[1] / 255,
        warmth=max(-1.0, min(1.0, (rgb_mean[0] - rgb_mean[2]) / 255)),
        edge_density=total_edges / 255,
        weight_cell=weight_cell,
        orientation=orientation,
    )


def darkest(palette: list[str]) -> str:
    from .render import hex_to_rgb
    return min(palette, key=lambda c: luminance(hex_to_rgb(c)))
