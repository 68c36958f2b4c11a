"""InvokeModel for the Stability AI Image Services (edit, control, upscale), strictly validated.

Sources: the Bedrock user guide, "Stability AI Image Services"
(https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html) and the per-model
cards (model-card-stability-ai-*.html), whose request fields mirror Stability AI's own v2beta API
reference (the input-image rules below - formats, side lengths, pixel counts, aspect ratio - are
the ones both publish). They are written here independently of the app's catalog on purpose: the
emulator must catch a backend that gets a field, a range or a limit wrong.

The Image Services are invocable only through an inference profile (`us.stability.<name>`, or the
profile's ARN). The bare foundation-model ID gets Bedrock's answer for on-demand invocation of a
profile-only model.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from . import edit_render, errors
from .render import digest, encode
from .schema import violations

PROFILE_PREFIXES = ("us.",)  # the only geography AWS offers these profiles in
MAX_SEED = 4_294_967_294
MAX_TEXT = 10_000
STYLE_PRESETS = ["3d-model", "analog-film", "anime", "cinematic", "comic-book", "digital-art", "enhance",
                 "fantasy-art", "isometric", "line-art", "low-poly", "modeling-compound", "neon-punk", "origami",
                 "photographic", "pixel-art", "tile-texture"]
ASPECT_RATIOS = ["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"]
INPUT_FORMATS = ("JPEG", "PNG", "WEBP")
ON_DEMAND_UNSUPPORTED = ("Invocation of model ID {model} with on-demand throughput isn\u2019t supported. Retry your "
                         "request with the ID or ARN of an inference profile that contains this model.")


@dataclass(frozen=True)
class ImageRule:
    """What an input image must be (every documented rule; 0 = no such limit)."""

    min_side: int = 64
    max_side: int = 0
    min_pixels: int = 4_096
    max_pixels: int = 9_437_184
    max_aspect: float = 0.0  # 2.5 = between 1:2.5 and 2.5:1

    def problem(self, width: int, height: int) -> str | None:
        if min(width, height) < self.min_side:
            return f"every side must be at least {self.min_side} pixels"
        if self.max_side and max(width, height) > self.max_side:
            return f"every side must be at most {self.max_side} pixels"
        if not self.min_pixels <= width * height <= self.max_pixels:
            return f"the total pixel count must be between {self.min_pixels:,} and {self.max_pixels:,}"
        if self.max_aspect and max(width, height) / min(width, height) > self.max_aspect:
            return f"the aspect ratio must be between 1:{self.max_aspect:g} and {self.max_aspect:g}:1"
        return None


STANDARD = ImageRule(max_aspect=2.5)  # 64 px sides, 4,096-9,437,184 pixels, 1:2.5-2.5:1
NO_ASPECT = ImageRule()  # inpaint, erase
REMOVE_BACKGROUND = ImageRule(max_pixels=4_194_304)
FAST_UPSCALE = ImageRule(min_side=32, max_side=1_536, min_pixels=1_024, max_pixels=1_048_576)
CREATIVE_UPSCALE = ImageRule(max_pixels=1_048_576, max_aspect=2.5)
TRANSFER_INIT = ImageRule(max_side=16_383, max_aspect=2.5)
TRANSFER_STYLE = ImageRule(max_side=16_383)
MASK = ImageRule(min_side=1, min_pixels=1, max_pixels=9_437_184)  # resized to the image anyway


def _text(min_length: int = 1) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": MAX_TEXT}


def _number(low: float, high: float) -> dict:
    return {"type": "number", "minimum": low, "maximum": high}


PROMPT, NEGATIVE = _text(), {"type": "string", "maxLength": MAX_TEXT}
SEED = {"type": "integer", "minimum": 0, "maximum": MAX_SEED}
FORMAT = {"type": "string", "enum": ["jpeg", "png", "webp"]}
STYLE = {"type": "string", "enum": STYLE_PRESETS}
IMAGE = {"type": "string"}
DIRECTION = {"type": "integer", "minimum": 0, "maximum": 2_000}


@dataclass(frozen=True)
class ServiceSpec:
    """One Image Service: its foundation-model name, operation, body schema and image rules."""

    name: str  # e.g. "stable-image-inpaint-v1:0"
    operation: str  # the emulator's render operation
    title: str
    required: tuple[str, ...]
    optional: dict[str, dict]
    images: dict[str, ImageRule]  # base64 image fields and their rules
    family: str = "stability"  # answered with the Stability response shape

    @property
    def model_id(self) -> str:
        return f"stability.{self.name}"

    def schema(self) -> dict:
        props = {**{k: IMAGE for k in self.images}, **self.optional}
        for key in self.required:
            props.setdefault(key, PROMPT)
        return {"type": "object", "additionalProperties": False, "required": list(self.required),
                "properties": props}


def _spec(name: str, operation: str, title: str, required: tuple[str, ...], optional: dict[str, dict],
          images: dict[str, ImageRule]) -> ServiceSpec:
    return ServiceSpec(name, operation, title, required, optional, images)


_GENERATE = {"negative_prompt": NEGATIVE, "seed": SEED, "output_format": FORMAT, "style_preset": STYLE}
SERVICES: dict[str, ServiceSpec] = {s.model_id: s for s in (
    _spec("stable-image-control-structure-v1:0", "structure", "Stable Image Control Structure",
          ("prompt", "image"), {**_GENERATE, "control_strength": _number(0, 1)}, {"image": STANDARD}),
    _spec("stable-image-control-sketch-v1:0", "sketch", "Stable Image Control Sketch",
          ("prompt", "image"), {**_GENERATE, "control_strength": _number(0, 1)}, {"image": STANDARD}),
    _spec("stable-image-style-guide-v1:0", "style-guide", "Stable Image Style Guide",
          ("prompt", "image"), {**_GENERATE, "aspect_ratio": {"type": "string", "enum": ASPECT_RATIOS},
                                "fidelity": _number(0, 1)}, {"image": STANDARD}),
    _spec("stable-style-transfer-v1:0", "style-transfer", "Stable Image Style Transfer",
          ("init_image", "style_image"),
          {"prompt": {"type": "string", "maxLength": MAX_TEXT}, "negative_prompt": NEGATIVE, "seed": SEED,
           "output_format": FORMAT, "style_strength": _number(0, 1), "composition_fidelity": _number(0, 1),
           "change_strength": _number(0.1, 1)},
          {"init_image": TRANSFER_INIT, "style_image": TRANSFER_STYLE}),
    _spec("stable-image-inpaint-v1:0", "inpaint", "Stable Image Inpaint",
          ("prompt", "image"), {**_GENERATE, "grow_mask": _number(0, 100)}, {"image": NO_ASPECT, "mask": MASK}),
    _spec("stable-image-erase-object-v1:0", "erase", "Stable Image Erase Object",
          ("image",), {"seed": SEED, "output_format": FORMAT, "grow_mask": _number(0, 20)},
          {"image": NO_ASPECT, "mask": MASK}),
    _spec("stable-image-search-replace-v1:0", "search-replace", "Stable Image Search and Replace",
          ("prompt", "search_prompt", "image"), {**_GENERATE, "grow_mask": _number(0, 20)}, {"image": STANDARD}),
    _spec("stable-image-search-recolor-v1:0", "search-recolor", "Stable Image Search and Recolor",
          ("prompt", "select_prompt", "image"), {**_GENERATE, "grow_mask": _number(0, 20)}, {"image": STANDARD}),
    _spec("stable-image-remove-background-v1:0", "remove-background", "Stable Image Remove Background",
          ("image",), {"output_format": {"type": "string", "enum": ["png", "webp"]}},
          {"image": REMOVE_BACKGROUND}),
    _spec("stable-outpaint-v1:0", "outpaint", "Stable Image Outpaint",
          ("image",), {"prompt": {"type": "string", "maxLength": MAX_TEXT}, "left": DIRECTION, "right": DIRECTION,
                       "up": DIRECTION, "down": DIRECTION, "creativity": _number(0, 1), "seed": SEED,
                       "output_format": FORMAT, "style_preset": STYLE}, {"image": STANDARD}),
    _spec("stable-fast-upscale-v1:0", "upscale-fast", "Stable Image Fast Upscale",
          ("image",), {"output_format": FORMAT}, {"image": FAST_UPSCALE}),
    _spec("stable-conservative-upscale-v1:0", "upscale-conservative", "Stable Image Conservative Upscale",
          ("prompt", "image"), {"negative_prompt": NEGATIVE, "seed": SEED, "output_format": FORMAT,
                                "creativity": _number(0.2, 0.5)}, {"image": STANDARD}),
    _spec("stable-creative-upscale-v1:0", "upscale-creative", "Stable Image Creative Upscale",
          ("prompt", "image"), {**_GENERATE, "creativity": _number(0.1, 0.5)}, {"image": CREATIVE_UPSCALE}),
)}


@dataclass
class ServiceJob:
    """A validated Image Services request: what `edit_render` needs, plus the answer's seed."""

    model: ServiceSpec
    params: dict[str, Any]
    images: dict[str, Image.Image]
    seeds: list[int]
    output_format: str = "png"
    texts: list[str] = field(default_factory=list)


# --- model IDs ---------------------------------------------------------------------------------
def foundation_id(model_id: str) -> str:
    """The model or profile ID inside an inference-profile ARN (`arn:...:inference-profile/<id>`)."""
    if model_id.startswith("arn:") and "/" in model_id:
        return model_id.rsplit("/", 1)[-1]
    return model_id


def service_for(model_id: str) -> ServiceSpec | None:
    """The service a profile ID (or profile ARN) invokes; None for anything else."""
    model_id = foundation_id(model_id)
    for prefix in PROFILE_PREFIXES:
        if model_id.startswith(prefix) and model_id[len(prefix):] in SERVICES:
            return SERVICES[model_id[len(prefix):]]
    return None


def on_demand_refusal(model_id: str) -> errors.BedrockError | None:
    """Bedrock's 400 for a profile-only model invoked by its bare foundation-model ID."""
    bare = foundation_id(model_id)
    if bare in SERVICES:
        return errors.validation(ON_DEMAND_UNSUPPORTED.format(model=bare))
    return None


# --- request ---------------------------------------------------------------------------------
def read_image(data: Any, pointer: str, formats: tuple[str, ...] = INPUT_FORMATS) -> Image.Image:
    """A base64 image in one of `formats`, or Bedrock's 400 naming the field (every image model uses this)."""
    if not isinstance(data, str):
        raise errors.malformed([f"{pointer}: expected type: String, found: {type(data).__name__}"])
    if not data:
        raise errors.malformed([f"{pointer}: expected minLength: 1, actual: 0"])
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise errors.validation(f"Unable to decode the image at {pointer}: it is not valid base64. Provide a "
                                "base64-encoded image and try again.") from None
    names = [f.lower() for f in formats]
    try:
        img = Image.open(io.BytesIO(raw))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise errors.validation(f"The image at {pointer} could not be read. Provide a valid "
                                f"{' or '.join(names)} image and try again.") from None
    if (img.format or "").upper() not in formats:
        raise errors.validation(f"The image at {pointer} is {img.format}; supported formats are {', '.join(names)}.")
    return img


def decode(data: Any, pointer: str, rule: ImageRule) -> Image.Image:
    """A base64 JPEG/PNG/WebP image that keeps the rule, or Bedrock's 400 naming the field."""
    img = read_image(data, pointer)
    problem = rule.problem(*img.size)
    if problem:
        raise errors.validation(f"The image at {pointer} is {img.width}x{img.height}; {problem}.")
    return img


def _random_seed(data: dict) -> int:
    """Bedrock picks a seed for `seed` 0 or absent; the emulator picks one from the body, and reports it."""
    return 1 + digest(sorted((k, v if isinstance(v, (int, float)) else digest(v)) for k, v in data.items())) \
        % MAX_SEED


def parse(model: ServiceSpec, data: Any) -> ServiceJob:
    if not isinstance(data, dict):
        raise errors.malformed([f"#: expected type: JSONObject, found: {type(data).__name__}"])
    problems = violations(model.schema(), data)
    if problems:
        raise errors.malformed(problems)
    if model.operation == "outpaint" and not any(data.get(k, 0) > 0 for k in ("left", "right", "up", "down")):
        raise errors.validation("At least one outpaint direction (left, right, up, down) must be greater than 0.")
    images = {key: decode(data[key], f"#/{key}", rule) for key, rule in model.images.items() if key in data}
    if model.operation in ("inpaint", "erase") and "mask" not in images and \
            "A" not in images["image"].getbands() and "transparency" not in images["image"].info:
        raise errors.validation(f"{model.title} needs a mask: provide `mask`, or an image with an alpha channel "
                                "whose transparent pixels mark the area to change.")
    seed = data.get("seed", 0) or _random_seed(data)
    texts = [data.get(k, "") for k in ("prompt", "negative_prompt", "search_prompt", "select_prompt")]
    params = {k: v for k, v in data.items() if k not in model.images}
    return ServiceJob(model=model, params=params, images=images, seeds=[seed],
                      output_format=data.get("output_format", "png"), texts=[t for t in texts if t])


# --- answer ----------------------------------------------------------------------------------
def run(job: ServiceJob) -> dict:
    img = edit_render.apply(job.model.operation, job.images, job.params, job.seeds[0])
    data = base64.b64encode(encode(img, job.output_format)).decode("ascii")
    return {"seeds": job.seeds, "finish_reasons": [None], "images": [data]}


__all__ = ["SERVICES", "ServiceSpec", "ServiceJob", "service_for", "on_demand_refusal", "parse", "run",
           "foundation_id", "STYLE_PRESETS"]
