"""Generation requests checked against a model's limits, and the exact body each family expects.

Pure functions: no I/O. The Titan/Nova schema and the Stability schema live here and only here.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

from studio.catalog import ImageModel, stability_aspect_ratio
from studio.errors import BadRequest, ContentFiltered, InvalidField, ModelError, CONTENT_FILTER_MESSAGE
from studio.models import GenerationRequest

DEFAULT_CONTROL_MODE = "CANNY_EDGE"
DEFAULT_CONTROL_STRENGTH = 0.7
DEFAULT_SIMILARITY = 0.7
MODES_NEEDING_REFERENCE = ("structure", "variation")


def check_against_model(request: GenerationRequest, model: ImageModel) -> None:
    """Raise a 4xx naming the field and the rule for anything this model would reject."""
    if request.mode not in model.modes:
        raise BadRequest(
            f"{model.name} cannot render in {request.mode} mode; it supports: {', '.join(model.modes)}. "
            "Choose another mode or model.",
            [{"field": "mode", "rule": f"one of {', '.join(model.modes)} for {model.model_id}"}],
            code="unsupported_mode",
        )
    if len(request.prompt) > model.max_prompt:
        raise InvalidField("prompt", f"at most {model.max_prompt} characters for {model.name}",
                           f"prompt: {len(request.prompt)} characters; {model.name} reads at most {model.max_prompt}")
    if request.negative_prompt and len(request.negative_prompt) > model.max_negative_prompt:
        raise InvalidField("negativePrompt", f"at most {model.max_negative_prompt} characters for {model.name}")
    size_problem = model.sizes.problem(request.width, request.height)
    if size_problem:
        raise InvalidField("width", size_problem, f"width/height: {size_problem}")
    if request.seed is not None and request.seed > model.max_seed:
        raise InvalidField("seed", f"between 0 and {model.max_seed} for {model.name}")
    if request.cfg_scale is not None:
        if model.cfg_scale is None:
            raise InvalidField("cfgScale", f"{model.name} has no cfg scale; leave it out")
        low, high = model.cfg_scale
        if not low <= request.cfg_scale <= high:
            raise InvalidField("cfgScale", f"between {low} and {high}")
    if request.quality not in model.qualities:
        raise InvalidField("quality", f"one of {', '.join(model.qualities)} for {model.name}")
    if request.mode == "color":
        if not request.colors:
            raise InvalidField("colors", "color mode needs 1 to 10 colors (#rrggbb)")
        if len(request.colors) > model.max_colors:
            raise InvalidField("colors", f"at most {model.max_colors} colors")
    elif request.colors:
        raise InvalidField("colors", "only used in color mode")
    if request.mode in MODES_NEEDING_REFERENCE and not request.reference_image_key:
        raise InvalidField("referenceImageKey", f"{request.mode} mode needs a reference image (upload one first)")
    if request.mode == "text" and request.reference_image_key:
        raise InvalidField("referenceImageKey", "text mode takes no reference image; use structure or variation")
    if request.control_mode is not None or request.control_strength is not None:
        if request.mode != "structure":
            raise InvalidField("controlMode", "controlMode and controlStrength only apply in structure mode")
    if request.similarity_strength is not None and request.mode != "variation":
        raise InvalidField("similarityStrength", "only applies in variation mode")


def normalized(request: GenerationRequest, model: ImageModel, rng: random.Random | None = None) -> GenerationRequest:
    """The request as it will be sent and stored: model, seed and mode defaults filled in."""
    seed = request.seed if request.seed is not None else (rng or random.SystemRandom()).randint(0, model.max_seed)
    updates: dict = {"model_id": model.model_id, "seed": seed,
                     "negative_prompt": (request.negative_prompt or "").strip() or None}
    if request.mode == "structure":
        updates["control_mode"] = request.control_mode or DEFAULT_CONTROL_MODE
        updates["control_strength"] = (request.control_strength if request.control_strength is not None
                                       else DEFAULT_CONTROL_STRENGTH)
    if request.mode == "variation":
        updates["similarity_strength"] = (request.similarity_strength if request.similarity_strength is not None
                                          else DEFAULT_SIMILARITY)
    if request.colors:
        updates["colors"] = [c.lower() for c in request.colors]
    return request.model_copy(update=updates)


@dataclass(frozen=True)
class RenderedImage:
    data: bytes  # as the model returned it (PNG for Titan/Nova; what output_format asked for Stability)
    seed: int


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def titan_body(request: GenerationRequest, reference_png: bytes | None) -> dict:
    """One InvokeModel body for Titan Image Generator v2 / Nova Canvas (shared schema)."""
    params: dict = {"text": request.prompt}
    if request.negative_prompt:
        params["negativeText"] = request.negative_prompt
    if request.mode == "text":
        task, key = "TEXT_IMAGE", "textToImageParams"
    elif request.mode == "structure":
        task, key = "TEXT_IMAGE", "textToImageParams"
        params.update(conditionImage=_b64(reference_png), controlMode=request.control_mode,
                      controlStrength=request.control_strength)
    elif request.mode == "color":
        task, key = "COLOR_GUIDED_GENERATION", "colorGuidedGenerationParams"
        params["colors"] = request.colors
        if reference_png is not None:
            params["referenceImage"] = _b64(reference_png)
    else:
        task, key = "IMAGE_VARIATION", "imageVariationParams"
        params.update(images=[_b64(reference_png)], similarityStrength=request.similarity_strength)
    config: dict = {"numberOfImages": request.count, "width": request.width, "height": request.height,
                    "quality": request.quality, "seed": request.seed}
    if request.cfg_scale is not None:
        config["cfgScale"] = request.cfg_scale
    return {"taskType": task, key: params, "imageGenerationConfig": config}


def stability_bodies(request: GenerationRequest, model: ImageModel, reference_png: bytes | None) -> list[dict]:
    """Stability answers one image per call: one body per image, seeds counting up from the seed."""
    bodies = []
    for index in range(request.count):
        body: dict = {"prompt": request.prompt, "seed": (request.seed + index) % (model.max_seed + 1),
                      "output_format": "png"}
        if request.negative_prompt:
            body["negative_prompt"] = request.negative_prompt
        if request.mode == "variation":
            body.update(mode="image-to-image", image=_b64(reference_png),
                        strength=round(1 - request.similarity_strength, 3))
        else:
            if "variation" in model.modes:  # only the models with image-to-image take a mode field
                body["mode"] = "text-to-image"
            body["aspect_ratio"] = stability_aspect_ratio(request.width, request.height)
        bodies.append(body)
    return bodies


def model_bodies(request: GenerationRequest, model: ImageModel, reference_png: bytes | None) -> list[dict]:
    if model.family == "titan":
        return [titan_body(request, reference_png)]
    return stability_bodies(request, model, reference_png)


def _decode_all(encoded: object) -> list[bytes]:
    if not isinstance(encoded, list) or not encoded or not all(isinstance(i, str) for i in encoded):
        raise ModelError("The image model answered without images.")
    try:
        return [base64.b64decode(i, validate=True) for i in encoded]
    except ValueError as error:
        raise ModelError("The image model's answer held an unreadable image.") from error


def parse_answer(model: ImageModel, body: dict, answer: dict) -> list[RenderedImage]:
    """The images in one model answer; ContentFiltered for an output refusal."""
    if model.family == "titan":
        if answer.get("error"):
            raise ContentFiltered(CONTENT_FILTER_MESSAGE, {"stage": "output", "modelMessage": answer["error"]})
        seed = body["imageGenerationConfig"]["seed"]
        return [RenderedImage(data, seed) for data in _decode_all(answer.get("images"))]
    reasons = answer.get("finish_reasons") or []
    for reason in reasons:
        if reason and "filter" in str(reason).lower():
            stage = "input" if "prompt" in reason or "input" in reason else "output"
            raise ContentFiltered(CONTENT_FILTER_MESSAGE, {"stage": stage, "modelMessage": reason})
        if reason:
            raise ModelError(f"The image model could not finish: {reason}")
    seeds = answer.get("seeds") or [body["seed"]]
    images = _decode_all(answer.get("images"))
    return [RenderedImage(data, int(seeds[i]) if i < len(seeds) else body["seed"]) for i, data in enumerate(images)]
