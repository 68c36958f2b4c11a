"""InvokeModel for the image models: strict validation against each model's documented schema,
then offline rendering.

Limits are written here from the Bedrock documentation (not imported from the backend's catalog),
so the emulator can catch a backend that gets them wrong; only the Stability aspect-ratio sizes
come from the catalog, because Bedrock does not document the pixel sizes and the app and the
emulator must agree on them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from . import errors, image_services
from .errors import BedrockError
from .render import RenderSpec, digest, encode, render
from .schema import violations

# Output sizes are the app's (studio.catalog) so both agree on what Stability returns; the
# request rules below are written from the model documentation on purpose, independently of the
# catalog, so that the emulator catches a wrong catalog instead of trusting it.
from studio.catalog import STABILITY_ASPECT_SIZES  # noqa: E402

# Titan Image Generator v2: the permitted width x height pairs (documented table).
TITAN_V2_SIZES = frozenset({
    (1024, 1024), (768, 768), (512, 512),
    (768, 1152), (384, 576), (1152, 768), (576, 384),
    (768, 1280), (384, 640), (1280, 768), (640, 384),
    (896, 1152), (448, 576), (1152, 896), (576, 448),
    (768, 1408), (384, 704), (1408, 768), (704, 384),
    (640, 1408), (320, 704), (1408, 640), (704, 320),
    (1152, 640), (1173, 640),
})

TASK_TYPES = ["TEXT_IMAGE", "COLOR_GUIDED_GENERATION", "IMAGE_VARIATION", "INPAINTING", "OUTPAINTING",
              "BACKGROUND_REMOVAL", "VIRTUAL_TRY_ON"]
SUPPORTED_TASKS = {"TEXT_IMAGE": "textToImageParams", "COLOR_GUIDED_GENERATION": "colorGuidedGenerationParams",
                   "IMAGE_VARIATION": "imageVariationParams"}
NOVA_STYLES = ["3D_ANIMATED_FAMILY_FILM", "DESIGN_SKETCH", "FLAT_VECTOR_ILLUSTRATION",
               "GRAPHIC_NOVEL_ILLUSTRATION", "MAXIMALISM", "MIDCENTURY_RETRO", "PHOTOREALISM",
               "SOFT_DIGITAL_PAINTING"]
ASPECT_RATIOS = ["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"]


@dataclass(frozen=True)
class ImageModelSpec:
    model_id: str
    family: str  # "titan" | "nova" | "stability"
    max_text: int = 0
    max_seed: int = 0
    default_seed: int = 0
    max_input_side: int = 4096
    min_input_side: int = 1
    max_input_pixels: int = 0
    variation_max_images: int = 5
    image_to_image: bool = False  # stability
    mode_key: bool = False  # stability: accepts "mode"
    output_formats: tuple[str, ...] = ("jpeg", "png", "webp")


IMAGE_MODELS: dict[str, ImageModelSpec] = {
    m.model_id: m for m in (
        ImageModelSpec("amazon.titan-image-generator-v2:0", "titan", max_text=512, max_seed=2_147_483_646,
                       default_seed=42, max_input_side=1408, max_input_pixels=1408 * 1408),
        ImageModelSpec("amazon.nova-canvas-v1:0", "nova", max_text=1024, max_seed=858_993_459, default_seed=12,
                       max_input_side=4096, min_input_side=320, max_input_pixels=4_194_304),
        ImageModelSpec("stability.sd3-5-large-v1:0", "stability", max_text=10_000, max_seed=4_294_967_294,
                       min_input_side=64, image_to_image=True, mode_key=True),
        ImageModelSpec("stability.stable-image-ultra-v1:1", "stability", max_text=10_000, max_seed=4_294_967_294,
                       min_input_side=64, image_to_image=True, mode_key=True),
        ImageModelSpec("stability.stable-image-core-v1:1", "stability", max_text=10_000, max_seed=4_294_967_294,
                       mode_key=True),
    )
}


@dataclass
class ImageJob:
    model: ImageModelSpec
    specs: list[RenderSpec]
    seeds: list[int]
    output_format: str = "png"
    texts: list[str] = field(default_factory=list)


# --- schemas ---------------------------------------------------------------------------------
def _text(max_len: int) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": max_len}


def titan_schema(model: ImageModelSpec, task: str) -> dict:
    text = _text(model.max_text)
    params: dict[str, dict] = {
        "TEXT_IMAGE": {
            "type": "object", "additionalProperties": False, "required": ["text"],
            "properties": {
                "text": text, "negativeText": text, "conditionImage": {"type": "string"},
                "controlMode": {"type": "string", "enum": ["CANNY_EDGE", "SEGMENTATION"]},
                "controlStrength": {"type": "number", "minimum": 0, "maximum": 1.0},
            },
        },
        "COLOR_GUIDED_GENERATION": {
            "type": "object", "additionalProperties": False, "required": ["text", "colors"],
            "properties": {
                "text": text, "negativeText": text, "referenceImage": {"type": "string"},
                "colors": {"type": "array", "minItems": 1, "maxItems": 10,
                           "items": {"type": "string", "pattern": "^#[a-fA-F0-9]{6}$"}},
            },
        },
        "IMAGE_VARIATION": {
            "type": "object", "additionalProperties": False, "required": ["images"],
            "properties": {
                "text": text, "negativeText": text,
                "images": {"type": "array", "minItems": 1, "maxItems": model.variation_max_images,
                           "items": {"type": "string"}},
                "similarityStrength": {"type": "number", "minimum": 0.2, "maximum": 1.0},
            },
        },
    }
    if model.family == "nova":
        params["TEXT_IMAGE"]["properties"]["style"] = {"type": "string", "enum": NOVA_STYLES}
    key = SUPPORTED_TASKS[task]
    return {
        "type": "object", "additionalProperties": False, "required": ["taskType", key],
        "properties": {
            "taskType": {"type": "string", "enum": TASK_TYPES},
            key: params[task],
            "imageGenerationConfig": {
                "type": "object", "additionalProperties": False,
                "properties": {
                    "numberOfImages": {"type": "integer", "minimum": 1, "maximum": 5},
                    "width": {"type": "integer"},
                    "height": {"type": "integer"},
                    "cfgScale": {"type": "number", "minimum": 1.1, "maximum": 10.0},
                    "seed": {"type": "integer", "minimum": 0, "maximum": model.max_seed},
                    "quality": {"type": "string", "enum": ["standard", "premium"]},
                },
            },
        },
    }


def stability_schema(model: ImageModelSpec) -> dict:
    props: dict[str, dict] = {
        "prompt": {"type": "string", "minLength": 1, "maxLength": model.max_text},
        "negative_prompt": {"type": "string", "maxLength": model.max_text},
        "aspect_ratio": {"type": "string", "enum": ASPECT_RATIOS},
        "seed": {"type": "integer", "minimum": 0, "maximum": model.max_seed},
        "output_format": {"type": "string", "enum": list(model.output_formats)},
    }
    if model.mode_key:
        modes = ["text-to-image", "image-to-image"] if model.image_to_image else ["text-to-image"]
        props["mode"] = {"type": "string", "enum": modes}
    if model.image_to_image:
        props["image"] = {"type": "string"}
        props["strength"] = {"type": "number", "minimum": 0, "maximum": 1.0}
    return {"type": "object", "additionalProperties": False, "required": ["prompt"], "properties": props}


# --- inputs ----------------------------------------------------------------------------------
def decode_image(data: Any, pointer: str, model: ImageModelSpec, formats: tuple[str, ...]) -> Image.Image:
    img = image_services.read_image(data, pointer, formats)
    w, h = img.size
    if max(w, h) > model.max_input_side or (model.max_input_pixels and w * h > model.max_input_pixels):
        raise errors.validation(f"The image at {pointer} is {w}x{h}; the maximum is {model.max_input_side} "
                                f"pixels per side" + (f" and {model.max_input_pixels} pixels in total"
                                                      if model.max_input_pixels else "") + ".")
    if min(w, h) < model.min_input_side:
        raise errors.validation(f"The image at {pointer} is {w}x{h}; each side must be at least "
                                f"{model.min_input_side} pixels.")
    return img.convert("RGB")


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.validation(f"Malformed input request: {exc}{errors.MALFORMED_SUFFIX}") from None


def _size_problem(model: ImageModelSpec, width: int, height: int) -> str | None:
    if model.family == "titan":
        if (width, height) in TITAN_V2_SIZES:
            return None
        return (f"The combination of width {width} and height {height} is not supported. Use one of the "
                f"supported sizes: " + ", ".join(f"{w}x{h}" for w, h in sorted(TITAN_V2_SIZES)) + ".")
    if not (320 <= width <= 4096 and 320 <= height <= 4096):
        return f"Invalid dimensions {width}x{height}: width and height must each be between 320 and 4096 pixels."
    if width % 16 or height % 16:
        return f"Invalid dimensions {width}x{height}: width and height must be divisible by 16."
    if width * height > 4_194_304:
        return f"Invalid dimensions {width}x{height}: the total pixel count must be at most 4194304."
    if max(width, height) / min(width, height) > 4:
        return f"Invalid dimensions {width}x{height}: the aspect ratio must be between 1:4 and 4:1."
    return None


def parse(model_id: str, body: bytes) -> "ImageJob | image_services.ServiceJob":
    service = image_services.service_for(model_id)
    if service is not None:
        return image_services.parse(service, _parse_json(body))
    model = IMAGE_MODELS[model_id]
    data = _parse_json(body)
    if not isinstance(data, dict):
        raise errors.malformed([f"#: expected type: JSONObject, found: {type(data).__name__}"])
    if model.family == "stability":
        return _parse_stability(model, data)
    return _parse_titan(model, data)


def _parse_titan(model: ImageModelSpec, data: dict) -> ImageJob:
    head = violations({"type": "object", "required": ["taskType"],
                       "properties": {"taskType": {"type": "string", "enum": TASK_TYPES}}}, data)
    if head:
        raise errors.malformed(head)
    task = data["taskType"]
    if task not in SUPPORTED_TASKS:
        raise errors.validation(f"The offline Bedrock emulator does not implement taskType {task}; it renders "
                                "TEXT_IMAGE, COLOR_GUIDED_GENERATION and IMAGE_VARIATION.")
    problems = violations(titan_schema(model, task), data)
    if problems:
        raise errors.malformed(problems)
    key = SUPPORTED_TASKS[task]
    params = data[key]
    config = data.get("imageGenerationConfig", {})
    width, height = config.get("width", 1024), config.get("height", 1024)
    problem = _size_problem(model, width, height)
    if problem:
        raise errors.validation(problem)
    count = config.get("numberOfImages", 1)
    seed = config.get("seed", model.default_seed)
    formats = ("PNG", "JPEG")
    base = RenderSpec(width=width, height=height, prompt=params.get("text", ""),
                      negative=params.get("negativeText", ""), style=params.get("style", "") +
                      f"|{config.get('quality', 'standard')}|{config.get('cfgScale', 6.5)}")
    if task == "TEXT_IMAGE" and "conditionImage" in params:
        base.mode = "structure"
        base.reference = decode_image(params["conditionImage"], f"#/{key}/conditionImage", model, formats)
        base.control_mode = params.get("controlMode", "CANNY_EDGE")
        base.control_strength = float(params.get("controlStrength", 0.7))
    elif task == "COLOR_GUIDED_GENERATION":
        base.mode = "color"
        base.colors = [c.lower() for c in params["colors"]]
        if "referenceImage" in params:
            base.reference = decode_image(params["referenceImage"], f"#/{key}/referenceImage", model, formats)
    elif task == "IMAGE_VARIATION":
        base.mode = "variation"
        base.sources = [decode_image(img, f"#/{key}/images/{i}", model, formats)
                        for i, img in enumerate(params["images"])]
        base.similarity = float(params.get("similarityStrength", 0.7))
    seeds = [(seed + i) % (model.max_seed + 1) for i in range(count)]
    specs = [_with_seed(base, s) for s in seeds]
    texts = [params.get("text", ""), params.get("negativeText", "")]
    return ImageJob(model=model, specs=specs, seeds=seeds, texts=texts)


def _with_seed(base: RenderSpec, seed: int) -> RenderSpec:
    return RenderSpec(**{**base.__dict__, "seed": seed})


def _nearest_ratio(width: int, height: int) -> str:
    target = width / height
    return min(STABILITY_ASPECT_SIZES, key=lambda r: abs(STABILITY_ASPECT_SIZES[r][0] /
                                                         STABILITY_ASPECT_SIZES[r][1] - target))


def _parse_stability(model: ImageModelSpec, data: dict) -> ImageJob:
    problems = violations(stability_schema(model), data)
    if problems:
        raise errors.malformed(problems)
    mode = data.get("mode")
    if mode is None:
        mode = "image-to-image" if model.image_to_image and "image" in data else "text-to-image"
    if mode == "image-to-image":
        missing = [f"#: required key [{k}] not found" for k in ("image", "strength") if k not in data]
        if "aspect_ratio" in data:
            missing.append("#: extraneous key [aspect_ratio] is not permitted")
        if missing:
            raise errors.malformed(missing)
    else:
        extra = [f"#: extraneous key [{k}] is not permitted" for k in ("image", "strength") if k in data]
        if extra:
            raise errors.malformed(extra)
    seed = data.get("seed", 0)
    if seed == 0:  # "0 = random": the emulator picks one from the prompt, and reports it
        seed = 1 + digest(data["prompt"]) % model.max_seed
    spec = RenderSpec(width=1024, height=1024, prompt=data["prompt"], negative=data.get("negative_prompt", ""),
                      seed=seed)
    if mode == "image-to-image":
        source = decode_image(data["image"], "#/image", model, ("PNG", "JPEG", "WEBP"))
        spec.width, spec.height = STABILITY_ASPECT_SIZES[_nearest_ratio(*source.size)]
        spec.mode, spec.sources, spec.similarity = "variation", [source], 1.0 - float(data["strength"])
    else:
        spec.width, spec.height = STABILITY_ASPECT_SIZES[data.get("aspect_ratio", "1:1")]
    return ImageJob(model=model, specs=[spec], seeds=[seed], output_format=data.get("output_format", "png"),
                    texts=[data["prompt"], data.get("negative_prompt", "")])


# --- answers ---------------------------------------------------------------------------------
def run(job: "ImageJob | image_services.ServiceJob") -> dict:
    if isinstance(job, image_services.ServiceJob):
        return image_services.run(job)
    images = [base64.b64encode(encode(render(spec), job.output_format)).decode("ascii") for spec in job.specs]
    if job.model.family == "stability":
        return {"seeds": job.seeds, "finish_reasons": [None] * len(images), "images": images}
    return {"images": images, "error": None}


def finished(job: "ImageJob | image_services.ServiceJob", reason: str) -> dict:
    """A Stability answer without an image: `reason` is its finish reason."""
    return {"seeds": job.seeds, "finish_reasons": [reason], "images": []}


def filtered_input(job: "ImageJob | image_services.ServiceJob", what: str = "prompt") -> dict:
    """The content filter blocking the input (`what`: prompt or input image): an error for Titan/Nova, a
    finish reason for Stability."""
    if job.model.family == "stability":
        return finished(job, f"Filter reason: {what}")
    message = errors.CONTENT_FILTER_INPUT_TITAN if job.model.family == "titan" else errors.CONTENT_FILTER_INPUT_NOVA
    raise errors.validation(message)


def filtered_output(job: "ImageJob | image_services.ServiceJob") -> dict:
    if job.model.family == "stability":
        return finished(job, "Filter reason: output image")
    return {"images": [], "error": errors.CONTENT_FILTER_OUTPUT}


def inference_error(job: "ImageJob | image_services.ServiceJob") -> dict:
    """The model failing: Stability's "Inference error" finish reason; Titan/Nova answer 424 ModelErrorException."""
    if job.model.family == "stability":
        return finished(job, "Inference error")
    raise BedrockError("ModelErrorException", "The model failed to process the request (emulated inference "
                       "error). Try your request again.")


def malformed_body(job: ImageJob) -> bytes:
    """A 200 answer the app cannot use: JSON cut off in the middle of the first image."""
    key = '{"seeds": [%d], "finish_reasons": [null], "images": ["' % job.seeds[0] \
        if job.model.family == "stability" else '{"images": ["'
    return (key + "iVBORw0KGgoAAAANSUhEUgAA").encode("ascii")


def is_image_model(model_id: str) -> bool:
    """An image model invocable by this ID (an Image Service through its inference profile included)."""
    return model_id in IMAGE_MODELS or image_services.service_for(model_id) is not None


def model_ids() -> list[str]:
    return sorted(IMAGE_MODELS) + sorted(f"us.{m}" for m in image_services.SERVICES)


__all__ = ["IMAGE_MODELS", "ImageJob", "BedrockError", "parse", "run", "filtered_input", "filtered_output",
           "inference_error", "malformed_body", "is_image_model", "model_ids", "TITAN_V2_SIZES"]
