"""What each image model family can do: modes, sizes and limits, in one place.

The request validation, the adapters, GET /models, the web UI (through GET /models) and the CDK
config all read these declarations. Dependency-free on purpose (the CDK app imports it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODES = ("text", "color", "structure", "variation")
QUALITIES = ("standard", "premium")
CONTROL_MODES = ("CANNY_EDGE", "SEGMENTATION")

# Titan Image Generator v2: the 25 permitted width x height pairs.
TITAN_SIZES: tuple[tuple[int, int], ...] = (
    (1024, 1024), (768, 768), (512, 512),
    (768, 1152), (384, 576), (1152, 768), (576, 384),
    (768, 1280), (384, 640), (1280, 768), (640, 384),
    (896, 1152), (448, 576), (1152, 896), (576, 448),
    (768, 1408), (384, 704), (1408, 768), (704, 384),
    (640, 1408), (320, 704), (1408, 640), (704, 320),
    (1152, 640), (1173, 640),
)

# Nova Canvas accepts any size inside its rule; these presets are what the UI offers.
NOVA_PRESET_SIZES: tuple[tuple[int, int], ...] = (
    (1024, 1024), (2048, 2048), (512, 512),
    (1280, 720), (720, 1280), (1920, 1088), (1088, 1920),
    (1152, 896), (896, 1152), (1280, 768), (768, 1280),
    (1536, 640), (640, 1536), (2048, 512), (512, 2048),
)

# Stability models choose the pixel size themselves (about one megapixel) from an aspect ratio.
STABILITY_ASPECT_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024), "16:9": (1344, 768), "9:16": (768, 1344), "21:9": (1536, 640),
    "9:21": (640, 1536), "3:2": (1216, 832), "2:3": (832, 1216), "5:4": (1152, 896), "4:5": (896, 1152),
}


@dataclass(frozen=True)
class SizeRule:
    """Which sizes a model accepts: a fixed list, or a rule (Nova Canvas)."""

    presets: tuple[tuple[int, int], ...]
    exact: bool = True  # only the presets are allowed
    min_side: int = 0
    max_side: int = 0
    multiple_of: int = 1
    max_pixels: int = 0
    max_aspect: float = 0.0

    def problem(self, width: int, height: int) -> str | None:
        """Why width x height is not allowed, or None."""
        if self.exact:
            if (width, height) in self.presets:
                return None
            allowed = ", ".join(f"{w}x{h}" for w, h in self.presets)
            return f"{width}x{height} is not a permitted size; use one of {allowed}"
        if not (self.min_side <= width <= self.max_side and self.min_side <= height <= self.max_side):
            return f"each side must be between {self.min_side} and {self.max_side} pixels"
        if width % self.multiple_of or height % self.multiple_of:
            return f"width and height must be multiples of {self.multiple_of}"
        if width * height > self.max_pixels:
            return f"width x height must be at most {self.max_pixels} pixels"
        if max(width, height) / min(width, height) > self.max_aspect:
            return f"the aspect ratio must be between 1:{self.max_aspect:g} and {self.max_aspect:g}:1"
        return None


@dataclass(frozen=True)
class ImageModel:
    model_id: str
    name: str
    family: str  # "titan" (Titan v2 and Nova Canvas share the schema) or "stability"
    modes: tuple[str, ...]
    sizes: SizeRule
    max_prompt: int
    max_negative_prompt: int
    max_images: int  # per request to the model
    max_seed: int
    max_colors: int = 10
    max_reference_side: int = 1408  # reference images are downscaled to this before sending
    min_reference_side: int = 64  # ... and smaller ones upscaled to this
    cfg_scale: tuple[float, float] | None = (1.1, 10.0)
    qualities: tuple[str, ...] = QUALITIES
    legacy: str | None = None  # a note when AWS lists the model as legacy
    default_size: tuple[int, int] = (1024, 1024)
    default_prices: dict[str, float] = field(default_factory=dict)  # USD per image by quality


IMAGE_MODELS: tuple[ImageModel, ...] = (
    ImageModel(
        model_id="amazon.nova-canvas-v1:0",
        name="Amazon Nova Canvas",
        family="titan",
        modes=MODES,
        sizes=SizeRule(NOVA_PRESET_SIZES, exact=False, min_side=320, max_side=4096, multiple_of=16,
                       max_pixels=4_194_304, max_aspect=4.0),
        max_prompt=1024,
        max_negative_prompt=1024,
        max_images=5,
        max_seed=858_993_459,
        max_reference_side=2048,
        min_reference_side=320,
        default_prices={"standard": 0.04, "premium": 0.06},
    ),
    ImageModel(
        model_id="amazon.titan-image-generator-v2:0",
        name="Amazon Titan Image Generator v2",
        family="titan",
        modes=MODES,
        sizes=SizeRule(TITAN_SIZES),
        max_prompt=512,
        max_negative_prompt=512,
        max_images=5,
        max_seed=2_147_483_646,
        max_reference_side=1408,
        legacy="AWS lists Titan Image Generator v2 as legacy, with an end of life of 2026-06-30",
        default_prices={"standard": 0.01, "premium": 0.012},
    ),
    ImageModel(
        model_id="stability.sd3-5-large-v1:0",
        name="Stable Diffusion 3.5 Large",
        family="stability",
        modes=("text", "variation"),
        sizes=SizeRule(tuple(STABILITY_ASPECT_SIZES.values())),
        max_prompt=10_000,
        max_negative_prompt=10_000,
        max_images=1,
        max_seed=4_294_967_294,
        max_reference_side=1536,
        cfg_scale=None,
        qualities=("standard",),
        default_prices={"standard": 0.08},
    ),
    ImageModel(
        model_id="stability.stable-image-ultra-v1:1",
        name="Stable Image Ultra",
        family="stability",
        modes=("text",),
        sizes=SizeRule(tuple(STABILITY_ASPECT_SIZES.values())),
        max_prompt=10_000,
        max_negative_prompt=10_000,
        max_images=1,
        max_seed=4_294_967_294,
        max_reference_side=1536,
        cfg_scale=None,
        qualities=("standard",),
        default_prices={"standard": 0.14},
    ),
    ImageModel(
        model_id="stability.stable-image-core-v1:1",
        name="Stable Image Core",
        family="stability",
        modes=("text",),
        sizes=SizeRule(tuple(STABILITY_ASPECT_SIZES.values())),
        max_prompt=10_000,
        max_negative_prompt=10_000,
        max_images=1,
        max_seed=4_294_967_294,
        cfg_scale=None,
        qualities=("standard",),
        default_prices={"standard": 0.04},
    ),
)

IMAGE_MODELS_BY_ID = {m.model_id: m for m in IMAGE_MODELS}

# Per-request image count the API accepts; a Stability model is called once per image.
MAX_IMAGES_PER_GENERATION = 5

DEFAULT_IMAGE_MODEL_ID = "amazon.nova-canvas-v1:0"
DEFAULT_TEXT_MODEL_ID = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
# Claude reads images up to 1568 px on the longest side and 3.75 MB.
TEXT_MODEL_MAX_IMAGE_SIDE = 1568
TEXT_MODEL_MAX_IMAGE_BYTES = 3_750_000
# Search embeddings: Amazon Nova Multimodal Embeddings (text and images in one space, multilingual).
DEFAULT_EMBEDDING_MODEL_ID = "amazon.nova-2-multimodal-embeddings-v1:0"


def image_model(model_id: str) -> ImageModel | None:
    return IMAGE_MODELS_BY_ID.get(model_id)


def stability_aspect_ratio(width: int, height: int) -> str | None:
    for ratio, size in STABILITY_ASPECT_SIZES.items():
        if size == (width, height):
            return ratio
    return None
