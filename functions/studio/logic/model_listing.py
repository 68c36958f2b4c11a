"""GET /models: the image models, edit operations and text model this deployment offers, with their
limits, prices and lifecycle, and the caller's quota left today."""

from __future__ import annotations

from studio.bodies.model_listing import (
    CheckedLifecycle,
    EditOperationInfo,
    ImageModelInfo,
    LifecycleInfo,
    ModelsResponse,
    PixelLimitsInfo,
    SizeInfo,
    TextModelInfo,
)
from studio.catalog import EDIT_OPERATIONS, IMAGE_MODELS, MAX_IMAGES_PER_GENERATION, EditOperation
from studio.logic import model_watch, usage
from studio.settings import Settings

PALETTE_BY_STYLE_GUIDE = ("No live model has a palette mode: the colors are painted as a swatch image that the "
                          "style guide follows, and named in the prompt.")


def _checked(states: dict[str, dict], model_id: str) -> CheckedLifecycle | None:
    state = states.get(model_id)
    if state is None:
        return None
    fields = ("modelId", "region", "status", "legacySince", "endOfLife", "daysLeft", "attention", "notice", "checkedAt")
    return CheckedLifecycle.model_validate({k: state.get(k) for k in fields})


def list_models(conf: Settings, user_id: str) -> ModelsResponse:
    # One BatchGetItem: the caller's quota items and what the daily lifecycle check found.
    (images_left, text_left), items = usage.left_today(user_id, conf, also=model_watch.state_keys(conf))
    states = model_watch.states_in(items)
    models = []
    for model in IMAGE_MODELS:
        if model.model_id not in conf.allowed_image_models:
            continue
        rule = model.sizes
        any_size = None if rule.exact else {
            "minSide": rule.min_side, "maxSide": rule.max_side, "multipleOf": rule.multiple_of,
            "maxPixels": rule.max_pixels, "maxAspect": rule.max_aspect}
        life = model.lifecycle
        models.append(ImageModelInfo(
            model_id=model.model_id, name=model.name, family=model.family,
            default=model.model_id == conf.image_model_id, modes=list(model.modes),
            sizes=[SizeInfo(width=w, height=h) for w, h in rule.presets], any_size=any_size,
            qualities=list(model.qualities), max_prompt_length=model.max_prompt,
            max_negative_prompt_length=model.max_negative_prompt if model.takes_negative_prompt else 0,
            max_images=MAX_IMAGES_PER_GENERATION,
            max_colors=model.max_colors, max_seed=model.max_seed,
            cfg_scale=list(model.cfg_scale) if model.cfg_scale else None,
            price_per_image={q: conf.price_per_image(model.model_id, q) for q in model.qualities},
            lifecycle=LifecycleInfo(status=life.status, legacy_since=life.legacy_since, end_of_life=life.end_of_life),
            legacy=model.legacy,
            how={"color": PALETTE_BY_STYLE_GUIDE} if "color" in model.modes and model.family != "titan" else {},
            shape_from_reference=list(model.shape_from_reference),
            nearest_size_from_reference=list(model.nearest_size_from_reference),
            checked_lifecycle=_checked(states, model.model_id),
        ))
    return ModelsResponse(
        image_models=models,
        edit_operations=[_operation_info(op, conf, _checked(states, op.model_id)) for op in EDIT_OPERATIONS
                         if op.model_id in conf.allowed_image_models],
        model_notices=[_checked(states, call.base_model) for call in model_watch.calls(conf)
                       if states.get(call.base_model, {}).get("attention")],
        text_model=TextModelInfo(model_id=conf.text_model_id, price_per_1k_input_tokens=conf.text_price_per_1k_input,
                                 price_per_1k_output_tokens=conf.text_price_per_1k_output),
        daily_image_quota=conf.daily_image_quota,
        daily_text_quota=conf.daily_text_quota,
        images_left_today=images_left,
        text_calls_left=text_left,
    )


def _operation_info(op: EditOperation, conf: Settings, checked: CheckedLifecycle | None) -> EditOperationInfo:
    limits = op.input_limits
    if op.outpaint:
        output = "the image's size plus the pixels added on each side"
    elif op.output_megapixels:
        output = f"about {op.output_megapixels:g} megapixels, the image's aspect ratio"
    else:
        output = "the image's size" if op.scale == 1 else f"{op.scale}x each side"
    return EditOperationInfo(
        operation=op.name, title=op.title, model_id=op.model_id, model_name=op.model_name, needs_prompt=op.needs_prompt,
        takes_prompt=op.takes_prompt, needs_mask=op.needs_mask, takes_mask=op.takes_mask, search_field=op.search_field,
        takes_negative_prompt=op.takes_negative_prompt, takes_grow_mask=op.takes_grow_mask,
        creativity=dict(zip(("min", "max", "default"), op.creativity)) if op.creativity else None,
        input_limits=PixelLimitsInfo(min_pixels=limits.min_pixels, max_pixels=limits.max_pixels,
                                     min_side=limits.min_side, max_side=limits.max_side or None,
                                     max_aspect=limits.max_aspect or None),
        output=output, scale=op.scale, output_megapixels=op.output_megapixels or None,
        price_per_image=conf.price_per_image(op.model_id, "standard"), checked_lifecycle=checked,
    )
