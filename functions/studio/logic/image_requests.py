"""Generation requests checked against a model's limits, and the exact body each family expects.

Pure functions: no I/O. The Titan/Nova schema and the Stability schema live here and only here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pybase64  # SIMD: the images in bodies and answers are megabytes of base64

from studio.bodies.generations import EditRequest, GenerationRequest
from studio.catalog import EditOperation, ImageModel, stability_aspect_ratio
from studio.errors import CONTENT_FILTER_MESSAGE, BadRequest, ContentFiltered, InvalidField, ModelError

DEFAULT_CONTROL_MODE = "CANNY_EDGE"
DEFAULT_CONTROL_STRENGTH = 0.7
DEFAULT_SIMILARITY = 0.7
DEFAULT_FIDELITY = 0.5
MODES_NEEDING_REFERENCE = ("structure", "sketch", "variation", "style", "style-transfer")
# Parameters that only mean something in one mode: {field name: (its mode(s), its API name)}.
MODE_ONLY_FIELDS = {
    "similarity_strength": (("variation",), "similarityStrength"),
    "fidelity": (("style",), "fidelity"),
    "style_image_key": (("style-transfer",), "styleImageKey"),
    "style_strength": (("style-transfer",), "styleStrength"),
    "composition_fidelity": (("style-transfer",), "compositionFidelity"),
    "change_strength": (("style-transfer",), "changeStrength"),
}
# Stability models return this when their own safety check fails the output; a name for each stage.
FILTER_STAGES = {"prompt": "prompt", "input image": "input image", "output image": "output image"}


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
    if request.mode in ("text", "color") and request.reference_image_key and model.family != "titan":
        raise InvalidField("referenceImageKey", f"{request.mode} mode takes no reference image on {model.name}; "
                           "use structure, sketch, style or variation")
    if request.mode == "text" and request.reference_image_key:
        raise InvalidField("referenceImageKey", "text mode takes no reference image; use structure or variation")
    if request.mode == "style-transfer" and not request.style_image_key:
        raise InvalidField("styleImageKey", "style-transfer mode needs a style image (upload one first)")
    if request.negative_prompt and not model.takes_negative_prompt:
        raise InvalidField("negativePrompt", f"{model.name} takes no negative prompt; leave it out")
    if request.control_mode is not None and (request.mode != "structure" or model.family != "titan"):
        raise InvalidField("controlMode", "controlMode only applies in structure mode on Nova Canvas or Titan")
    if request.control_strength is not None and request.mode not in ("structure", "sketch"):
        raise InvalidField("controlStrength", "only applies in structure and sketch modes")
    for name, (modes, api_name) in MODE_ONLY_FIELDS.items():
        if getattr(request, name) is not None and request.mode not in modes:
            raise InvalidField(api_name, f"only applies in {' and '.join(modes)} mode")


def normalized(request: GenerationRequest, model: ImageModel, rng: random.Random | None = None) -> GenerationRequest:
    """The request as it will be sent and stored: model, seed and mode defaults filled in."""
    seed = request.seed if request.seed is not None else (rng or random.SystemRandom()).randint(0, model.max_seed)
    updates: dict = {"model_id": model.model_id, "seed": seed,
                     "negative_prompt": (request.negative_prompt or "").strip() or None}
    if request.mode in ("structure", "sketch"):
        if model.family == "titan":
            updates["control_mode"] = request.control_mode or DEFAULT_CONTROL_MODE
        updates["control_strength"] = (request.control_strength if request.control_strength is not None
                                       else DEFAULT_CONTROL_STRENGTH)
    if request.mode == "style":
        updates["fidelity"] = request.fidelity if request.fidelity is not None else DEFAULT_FIDELITY
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
    return pybase64.b64encode_as_string(data)


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


def stability_bodies(request: GenerationRequest, model: ImageModel, reference_png: bytes | None,
                     style_png: bytes | None = None) -> list[dict]:
    """Stability answers one image per call: one body per image, seeds counting up from the seed.

    Text and image-to-image (Core, Ultra, SD3.5):
    https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-stable-image-core-text-image-request-response.html
    and the Ultra and SD3.5 pages beside it. Structure, sketch, style guide and style transfer are
    Stability AI Image Services: https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html
    """
    bodies = []
    for index in range(request.count):
        seed = (request.seed + index) % (model.max_seed + 1)
        if model.family == "stability-service":
            body = _service_body(request, reference_png, style_png)
        else:
            body = {"prompt": request.prompt}
            if request.mode == "variation":
                body.update(mode="image-to-image", image=_b64(reference_png),
                            strength=round(1 - request.similarity_strength, 3))
            else:
                if "variation" in model.modes:  # only the models with image-to-image take a mode field
                    body["mode"] = "text-to-image"
                body["aspect_ratio"] = stability_aspect_ratio(request.width, request.height)
        if request.negative_prompt:
            body["negative_prompt"] = request.negative_prompt
        body.update(seed=seed, output_format="png")
        bodies.append(body)
    return bodies


def _service_body(request: GenerationRequest, reference_png: bytes | None, style_png: bytes | None) -> dict:
    """Control structure/sketch, style guide (style; color via a swatch) and style transfer."""
    if request.mode in ("structure", "sketch"):
        return {"image": _b64(reference_png), "prompt": request.prompt, "control_strength": request.control_strength}
    if request.mode == "style":
        return {"image": _b64(reference_png), "prompt": request.prompt, "fidelity": request.fidelity,
                "aspect_ratio": stability_aspect_ratio(request.width, request.height)}
    if request.mode == "color":
        # No live model has a palette mode: the palette is painted as a swatch for the style guide,
        # and named in the prompt (GET /models says so).
        return {"image": _b64(swatch_png(request.colors)), "prompt": palette_prompt(request.prompt, request.colors),
                "fidelity": PALETTE_FIDELITY, "aspect_ratio": stability_aspect_ratio(request.width, request.height)}
    body = {"init_image": _b64(reference_png), "style_image": _b64(style_png), "prompt": request.prompt}
    for name in ("style_strength", "composition_fidelity", "change_strength"):
        if getattr(request, name) is not None:
            body[name] = getattr(request, name)
    return body


# --- color palettes for the style guide ------------------------------------------------------
PALETTE_FIDELITY = 0.6
SWATCH_SIDE = 512
# A few names per hue family, enough to say a palette in words (nearest by RGB distance).
COLOR_NAMES = {
    "black": (0, 0, 0), "white": (255, 255, 255), "grey": (128, 128, 128), "silver": (192, 192, 192),
    "red": (220, 20, 60), "crimson": (153, 0, 31), "pink": (255, 160, 190), "magenta": (220, 0, 160),
    "orange": (255, 140, 0), "coral": (255, 127, 80), "brown": (130, 80, 40), "beige": (230, 215, 180),
    "gold": (218, 165, 32), "yellow": (250, 220, 40), "olive": (128, 128, 0), "lime green": (150, 220, 60),
    "green": (40, 150, 60), "forest green": (24, 90, 40), "teal": (0, 128, 128), "turquoise": (64, 210, 200),
    "cyan": (0, 200, 230), "sky blue": (120, 190, 240), "blue": (30, 80, 220), "navy": (16, 30, 90),
    "indigo": (75, 0, 130), "purple": (128, 50, 160), "lavender": (190, 170, 230),
}


def color_name(hex_color: str) -> str:
    rgb = tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return min(COLOR_NAMES, key=lambda name: sum((a - b) ** 2 for a, b in zip(rgb, COLOR_NAMES[name])))


def palette_prompt(prompt: str, colors: list[str]) -> str:
    named = ", ".join(f"{color_name(c)} ({c})" for c in colors)
    return f"{prompt}. Color palette: {named}."


def swatch_png(colors: list[str]) -> bytes:
    """Equal vertical bands of the palette's colors, as a PNG (imported lazily: Pillow is heavy)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (SWATCH_SIDE, SWATCH_SIDE))
    draw = ImageDraw.Draw(image)
    for index, color in enumerate(colors):
        left = index * SWATCH_SIDE // len(colors)
        right = (index + 1) * SWATCH_SIDE // len(colors)
        draw.rectangle((left, 0, right, SWATCH_SIDE), fill=color)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def model_bodies(request: GenerationRequest, model: ImageModel, reference_png: bytes | None,
                 style_png: bytes | None = None) -> list[dict]:
    if model.family == "titan":
        return [titan_body(request, reference_png)]
    return stability_bodies(request, model, reference_png, style_png)


# --- edits -------------------------------------------------------------------------------------
def check_edit(request: EditRequest, operation: EditOperation) -> None:
    """Raise a 422 naming the field for anything this operation needs or does not take."""
    prompt = (request.prompt or "").strip()
    if operation.needs_prompt and not prompt:
        raise InvalidField("prompt", f"{operation.name} needs a prompt: describe what the result should show")
    if prompt == "" and request.prompt is not None:
        raise InvalidField("prompt", "must contain something other than spaces, or be left out")
    if request.prompt is not None and not operation.takes_prompt:
        raise InvalidField("prompt", f"{operation.name} takes no prompt; leave it out")
    if request.negative_prompt and not operation.takes_negative_prompt:
        raise InvalidField("negativePrompt", f"{operation.name} takes no negative prompt; leave it out")
    if operation.needs_mask and not request.mask_key:
        raise InvalidField("maskKey", f"{operation.name} needs a mask: upload a PNG where white marks the area to "
                           "change (POST /uploads), then send its imageKey as maskKey")
    if request.mask_key and not operation.takes_mask:
        raise InvalidField("maskKey", f"{operation.name} takes no mask; leave it out")
    if request.grow_mask is not None and not operation.takes_grow_mask:
        raise InvalidField("growMask", f"{operation.name} takes no growMask; leave it out")
    words = {"searchPrompt": (request.search_prompt, "search-replace", "find"),
             "selectPrompt": (request.select_prompt, "search-recolor", "recolor")}
    if operation.search_field and not (words[operation.search_field][0] or "").strip():
        raise InvalidField(operation.search_field, f"{operation.name} needs {operation.search_field}: say in words "
                           f"what to {words[operation.search_field][2]}")
    for api_name, (value, user, _) in words.items():
        if value is not None and api_name != operation.search_field:
            raise InvalidField(api_name, f"only used by {user}; leave it out")
    sides = (request.left, request.right, request.up, request.down)
    if operation.outpaint and not any(sides):
        raise InvalidField("left", "outpaint needs at least one of left, right, up, down above 0 (pixels to add)")
    if not operation.outpaint and any(sides):
        raise InvalidField("left", "left, right, up and down only apply to outpaint")
    if request.creativity is not None:
        if operation.creativity is None:
            raise InvalidField("creativity", f"{operation.name} takes no creativity; leave it out")
        low, high, _ = operation.creativity
        if not low <= request.creativity <= high:
            raise InvalidField("creativity", f"between {low} and {high} for {operation.name}")


def check_edit_source(operation: EditOperation, width: int, height: int, field: str) -> None:
    problem = operation.input_limits.problem(width, height)
    if problem:
        raise InvalidField(field, f"{operation.name}: {problem}",
                           f"{field}: this image cannot be used for {operation.name}: {problem}.")


def edit_body(request: EditRequest, operation: EditOperation, image_png: bytes, mask_png: bytes | None,
              seed: int) -> dict:
    """One InvokeModel body for a Stability AI Image Services edit, field names as documented at
    https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html"""
    body: dict = {"image": _b64(image_png)}
    if mask_png is not None:
        body["mask"] = _b64(mask_png)
    if request.prompt:
        body["prompt"] = request.prompt
    if operation.search_field == "searchPrompt":
        body["search_prompt"] = request.search_prompt
    if operation.search_field == "selectPrompt":
        body["select_prompt"] = request.select_prompt
    if request.negative_prompt:
        body["negative_prompt"] = request.negative_prompt
    if request.grow_mask is not None:
        body["grow_mask"] = request.grow_mask
    if operation.outpaint:
        body.update(left=request.left, right=request.right, up=request.up, down=request.down)
    if operation.creativity is not None:
        body["creativity"] = request.creativity if request.creativity is not None else operation.creativity[2]
    if operation.takes_prompt or operation.takes_mask:  # the generative services take a seed
        body["seed"] = seed
    body["output_format"] = "png"
    return body


# --- answers -----------------------------------------------------------------------------------
def _decode_all(encoded: object) -> list[bytes]:
    if not isinstance(encoded, list) or not encoded or not all(isinstance(i, str) for i in encoded):
        raise ModelError("The image model answered without images.")
    try:
        return [pybase64.b64decode(i, validate=True) for i in encoded]
    except ValueError as error:
        raise ModelError("The image model's answer held an unreadable image.") from error


def _filter_stage(reason: str) -> str:
    lowered = reason.lower()
    for marker, stage in FILTER_STAGES.items():
        if marker in lowered:
            return stage
    return "output image"


def parse_answer(model: ImageModel | None, body: dict, answer: dict) -> list[RenderedImage]:
    """The images in one model answer; ContentFiltered for a refusal, naming the stage (prompt,
    input image, output image); ModelError for Stability's "Inference error"."""
    if model is not None and model.family == "titan":
        if answer.get("error"):
            raise ContentFiltered(CONTENT_FILTER_MESSAGE, {"stage": "output", "modelMessage": answer["error"]})
        seed = body["imageGenerationConfig"]["seed"]
        return [RenderedImage(data, seed) for data in _decode_all(answer.get("images"))]
    reasons = answer.get("finish_reasons") or []
    for reason in reasons:
        if reason and "filter" in str(reason).lower():
            stage = _filter_stage(str(reason))
            raise ContentFiltered(f"{CONTENT_FILTER_MESSAGE} (It was the {stage} that was blocked.)",
                                  {"stage": stage, "modelMessage": reason})
        if reason:
            raise ModelError(f"The image model could not finish: {reason}. Try again, perhaps with another seed.",
                             {"modelMessage": reason})
    fallback = body.get("seed", 0)
    seeds = answer.get("seeds") or [fallback]
    images = _decode_all(answer.get("images"))
    return [RenderedImage(data, int(seeds[i]) if i < len(seeds) else fallback) for i, data in enumerate(images)]
