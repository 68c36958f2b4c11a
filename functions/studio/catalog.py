"""What each image model family can do: modes, sizes and limits, in one place.

The request validation, the adapters, GET /models, the web UI (through GET /models) and the CDK
config all read these declarations. Dependency-free on purpose (the CDK app imports it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODES = ("text", "color", "structure", "sketch", "variation", "style", "style-transfer")
# Records of edits carry this mode; their operation says which edit.
EDIT_MODE = "edit"
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
        if self.max_aspect and max(width, height) / min(width, height) > self.max_aspect:
            return f"the aspect ratio must be between 1:{self.max_aspect:g} and {self.max_aspect:g}:1"
        return None


@dataclass(frozen=True)
class Lifecycle:
    """Bedrock's lifecycle of a model: Active -> Legacy (new customers cannot use it) -> end of life
    (requests fail). Dates are ISO days from AWS's model lifecycle page; re-check with GetFoundationModel."""

    status: str = "active"  # "active", "legacy" or "preview"
    legacy_since: str | None = None
    end_of_life: str | None = None

    def note(self) -> str | None:
        if self.status == "legacy":
            since = f" since {self.legacy_since}" if self.legacy_since else ""
            return f"AWS lists this model as legacy{since}; its end of life is {self.end_of_life}."
        if self.status == "preview":
            return "AWS offers this model as a preview: its API and availability may change."
        return None

    def past_end_of_life(self, today: str) -> bool:
        return bool(self.end_of_life) and today >= self.end_of_life


ACTIVE = Lifecycle()


@dataclass(frozen=True)
class PixelLimits:
    """What an image input must be for a model (Stability documents pixels, sides and aspect)."""

    min_pixels: int = 4_096
    max_pixels: int = 9_437_184
    min_side: int = 64
    max_side: int = 0  # 0: no limit besides the pixel count
    max_aspect: float = 2.5  # 0: no aspect-ratio rule

    def problem(self, width: int, height: int) -> str | None:
        if min(width, height) < self.min_side:
            return f"each side must be at least {self.min_side} pixels (it is {width}x{height})"
        if self.max_side and max(width, height) > self.max_side:
            return f"each side must be at most {self.max_side} pixels (it is {width}x{height})"
        pixels = width * height
        if not self.min_pixels <= pixels <= self.max_pixels:
            return (f"the image must have between {self.min_pixels:,} and {self.max_pixels:,} pixels "
                    f"(it is {width}x{height} = {pixels:,})")
        if self.max_aspect and max(width, height) / min(width, height) > self.max_aspect:
            return f"the aspect ratio must be between 1:{self.max_aspect:g} and {self.max_aspect:g}:1 (it is {width}x{height})"
        return None


STABILITY_INPUT = PixelLimits()
# Stability's image-to-image and its control and style-transfer services take no size: the result has
# the reference image's shape (aspect_ratio is a text-to-image and style-guide field).
STABILITY_SHAPE_FROM_REFERENCE = ("structure", "sketch", "variation", "style-transfer")
MASKED_INPUT = PixelLimits(max_aspect=0.0)  # inpaint and erase document no aspect-ratio rule


@dataclass(frozen=True)
class ImageModel:
    model_id: str  # the foundation model id; Image Services are invoked through an inference profile
    name: str
    family: str  # "titan" (Titan v2 and Nova Canvas share the schema), "stability", "stability-service"
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
    lifecycle: Lifecycle = ACTIVE
    needs_profile: bool = False  # callable only through an inference profile (<prefix>.<model id>)
    takes_negative_prompt: bool = True
    default_size: tuple[int, int] = (1024, 1024)
    default_prices: dict[str, float] = field(default_factory=dict)  # USD per image by quality

    @property
    def legacy(self) -> str | None:
        return self.lifecycle.note() if self.lifecycle.status == "legacy" else None

    @property
    def shape_from_reference(self) -> tuple[str, ...]:
        """The modes in which the result takes the reference image's shape (the size is not sent)."""
        return () if self.family == "titan" else tuple(m for m in self.modes if m in STABILITY_SHAPE_FROM_REFERENCE)

    @property
    def nearest_size_from_reference(self) -> tuple[str, ...]:
        """Of those, the modes whose result is not the reference's pixel size but the model's preset size
        nearest its aspect ratio: image-to-image (variation) on a text-to-image model, which answers at one
        of its aspect ratios (an 800 x 600 reference comes out 1152 x 896)."""
        return tuple(m for m in self.shape_from_reference if m == "variation" and self.family == "stability")


@dataclass(frozen=True)
class EditOperation:
    """One edit of an existing image, served by one Stability AI Image Service (one image per call)."""

    name: str
    model_id: str  # foundation model id, invoked through the inference profile
    title: str
    needs_prompt: bool = False
    takes_prompt: bool = False
    needs_mask: bool = False
    takes_mask: bool = False
    search_field: str | None = None  # "searchPrompt" or "selectPrompt"
    takes_negative_prompt: bool = False
    takes_grow_mask: bool = False
    creativity: tuple[float, float, float] | None = None  # (min, max, default)
    outpaint: bool = False
    input_limits: PixelLimits = STABILITY_INPUT
    scale: int = 1  # each side of the output, times the input's (fast upscale: 4)
    output_megapixels: float = 0.0  # conservative/creative upscale: about this many megapixels out
    alpha: bool = False  # the output has a transparent background
    default_price: float = 0.07

    @property
    def model_name(self) -> str:
        """The service's name as people read it: stability.stable-fast-upscale-v1:0 -> Stable Fast Upscale."""
        words = self.model_id.removeprefix("stability.").rsplit("-v", 1)[0].split("-")
        return " ".join(word.capitalize() for word in words)

    def output_size(self, width: int, height: int, left: int = 0, right: int = 0, up: int = 0,
                    down: int = 0) -> tuple[int, int]:
        """The size the result will have (an estimate for the megapixel-targeted upscalers)."""
        if self.outpaint:
            return width + left + right, height + up + down
        if self.output_megapixels:
            factor = (self.output_megapixels * 1_048_576 / (width * height)) ** 0.5
            return round(width * factor), round(height * factor)
        return width * self.scale, height * self.scale


# Stability AI Image Services on Bedrock, limits from
# https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html
EDIT_OPERATIONS: tuple[EditOperation, ...] = (
    EditOperation("inpaint", "stability.stable-image-inpaint-v1:0", "Inpaint", needs_prompt=True, takes_prompt=True,
                  needs_mask=True, takes_mask=True, takes_negative_prompt=True, takes_grow_mask=True,
                  input_limits=MASKED_INPUT),
    EditOperation("erase", "stability.stable-image-erase-object-v1:0", "Erase", needs_mask=True, takes_mask=True,
                  takes_grow_mask=True, input_limits=MASKED_INPUT),
    EditOperation("search-replace", "stability.stable-image-search-replace-v1:0", "Search and replace",
                  needs_prompt=True, takes_prompt=True, search_field="searchPrompt", takes_negative_prompt=True,
                  takes_grow_mask=True),
    EditOperation("search-recolor", "stability.stable-image-search-recolor-v1:0", "Search and recolor",
                  needs_prompt=True, takes_prompt=True, search_field="selectPrompt", takes_negative_prompt=True,
                  takes_grow_mask=True),
    EditOperation("remove-background", "stability.stable-image-remove-background-v1:0", "Remove background",
                  input_limits=PixelLimits(max_pixels=4_194_304), alpha=True),
    EditOperation("outpaint", "stability.stable-outpaint-v1:0", "Outpaint", takes_prompt=True,
                  takes_negative_prompt=True, creativity=(0.0, 1.0, 0.5), outpaint=True, default_price=0.08),
    EditOperation("upscale-fast", "stability.stable-fast-upscale-v1:0", "Fast upscale (4x)",
                  input_limits=PixelLimits(min_pixels=1_024, max_pixels=1_048_576, min_side=32, max_side=1_536),
                  scale=4, default_price=0.03),
    EditOperation("upscale-conservative", "stability.stable-conservative-upscale-v1:0", "Conservative upscale",
                  needs_prompt=True, takes_prompt=True, takes_negative_prompt=True, creativity=(0.2, 0.5, 0.35),
                  output_megapixels=4.0, default_price=0.40),
    EditOperation("upscale-creative", "stability.stable-creative-upscale-v1:0", "Creative upscale",
                  needs_prompt=True, takes_prompt=True, takes_negative_prompt=True, creativity=(0.1, 0.5, 0.3),
                  input_limits=PixelLimits(max_pixels=1_048_576), output_megapixels=4.0, default_price=0.60),
)
EDIT_OPERATIONS_BY_NAME = {op.name: op for op in EDIT_OPERATIONS}
EDIT_OPERATION_NAMES = tuple(op.name for op in EDIT_OPERATIONS)
# Outpaint: pixels each direction may add (documented range).
OUTPAINT_MAX_PIXELS = 2000

NOVA_CANVAS_LIFECYCLE = Lifecycle("legacy", legacy_since="2026-03-30", end_of_life="2026-09-30")
TITAN_V2_LIFECYCLE = Lifecycle("legacy", legacy_since=None, end_of_life="2026-06-30")
STABILITY_SIZES = SizeRule(tuple(STABILITY_ASPECT_SIZES.values()))


def _stability(model_id: str, name: str, modes: tuple[str, ...], price: float, *, service: bool = False,
               negative: bool = True) -> ImageModel:
    return ImageModel(
        model_id=model_id, name=name, family="stability-service" if service else "stability", modes=modes,
        sizes=STABILITY_SIZES, max_prompt=10_000, max_negative_prompt=10_000, max_images=1,
        max_seed=4_294_967_294, max_reference_side=1536, cfg_scale=None, qualities=("standard",),
        needs_profile=service, takes_negative_prompt=negative, default_prices={"standard": price},
    )


IMAGE_MODELS: tuple[ImageModel, ...] = (
    _stability("stability.stable-image-core-v1:1", "Stable Image Core", ("text",), 0.04),
    _stability("stability.stable-image-ultra-v1:1", "Stable Image Ultra", ("text",), 0.14),
    _stability("stability.sd3-5-large-v1:0", "Stable Diffusion 3.5 Large", ("text", "variation"), 0.08),
    _stability("stability.stable-image-control-structure-v1:0", "Stable Image Control Structure", ("structure",),
               0.07, service=True),
    _stability("stability.stable-image-control-sketch-v1:0", "Stable Image Control Sketch", ("sketch",), 0.07,
               service=True),
    _stability("stability.stable-image-style-guide-v1:0", "Stable Image Style Guide", ("style", "color"), 0.07,
               service=True),
    _stability("stability.stable-style-transfer-v1:0", "Stable Image Style Transfer", ("style-transfer",), 0.08,
               service=True),
    ImageModel(
        model_id="amazon.nova-canvas-v1:0",
        name="Amazon Nova Canvas",
        family="titan",
        modes=("text", "color", "structure", "variation"),
        sizes=SizeRule(NOVA_PRESET_SIZES, exact=False, min_side=320, max_side=4096, multiple_of=16,
                       max_pixels=4_194_304, max_aspect=4.0),
        max_prompt=1024,
        max_negative_prompt=1024,
        max_images=5,
        max_seed=858_993_459,
        max_reference_side=2048,
        min_reference_side=320,
        lifecycle=NOVA_CANVAS_LIFECYCLE,
        default_prices={"standard": 0.04, "premium": 0.06},
    ),
    ImageModel(
        model_id="amazon.titan-image-generator-v2:0",
        name="Amazon Titan Image Generator v2",
        family="titan",
        modes=("text", "color", "structure", "variation"),
        sizes=SizeRule(TITAN_SIZES),
        max_prompt=512,
        max_negative_prompt=512,
        max_images=5,
        max_seed=2_147_483_646,
        max_reference_side=1408,
        lifecycle=TITAN_V2_LIFECYCLE,
        default_prices={"standard": 0.01, "premium": 0.012},
    ),
)

IMAGE_MODELS_BY_ID = {m.model_id: m for m in IMAGE_MODELS}
ACTIVE_IMAGE_MODEL_IDS = tuple(m.model_id for m in IMAGE_MODELS if m.lifecycle.status == "active")
# Every model the app can call for images: creation models and the edit services.
EDIT_MODEL_IDS = tuple(op.model_id for op in EDIT_OPERATIONS)
DEFAULT_ENABLED_MODEL_IDS = ACTIVE_IMAGE_MODEL_IDS + EDIT_MODEL_IDS

# Per-request image count the API accepts; a Stability model is called once per image.
MAX_IMAGES_PER_GENERATION = 5

DEFAULT_IMAGE_MODEL_ID = "stability.stable-image-core-v1:1"
DEFAULT_PROFILE_PREFIX = "us"
DEFAULT_TEXT_MODEL_ID = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
# Claude reads images up to 1568 px on the longest side and 3.75 MB.
TEXT_MODEL_MAX_IMAGE_SIDE = 1568
TEXT_MODEL_MAX_IMAGE_BYTES = 3_750_000
# Search embeddings: Amazon Nova Multimodal Embeddings (text and images in one space, multilingual).
DEFAULT_EMBEDDING_MODEL_ID = "amazon.nova-2-multimodal-embeddings-v1:0"
DEFAULT_EMBEDDING_REGION = "us-east-1"  # where it runs (studio/model_regions.py)


def needs_profile(model_id: str) -> bool:
    model = IMAGE_MODELS_BY_ID.get(model_id)
    return model.needs_profile if model else model_id in EDIT_MODEL_IDS


def invocation_id(model_id: str, profile_prefix: str) -> str:
    """The id InvokeModel takes: the inference profile (<prefix>.<model id>) for profile-only models."""
    return f"{profile_prefix}.{model_id}" if needs_profile(model_id) else model_id


def edit_operation(name: str) -> EditOperation | None:
    return EDIT_OPERATIONS_BY_NAME.get(name)


def default_prices(model_id: str) -> dict[str, float]:
    """USD per image by quality, as the catalogue states it (cdk.json imagePrices overrides)."""
    model = IMAGE_MODELS_BY_ID.get(model_id)
    if model:
        return model.default_prices
    operation = next((op for op in EDIT_OPERATIONS if op.model_id == model_id), None)
    return {"standard": operation.default_price} if operation else {}


def model_for_mode(mode: str, enabled: list[str] | tuple[str, ...], preferred: str) -> ImageModel | None:
    """The model that serves a creation mode: the preferred one when it can, else the first enabled."""
    candidates = [IMAGE_MODELS_BY_ID[m] for m in (preferred, *enabled) if m in IMAGE_MODELS_BY_ID and m in enabled]
    return next((m for m in candidates if mode in m.modes), None)


def image_model(model_id: str) -> ImageModel | None:
    return IMAGE_MODELS_BY_ID.get(model_id)


def stability_aspect_ratio(width: int, height: int) -> str | None:
    for ratio, size in STABILITY_ASPECT_SIZES.items():
        if size == (width, height):
            return ratio
    return None
