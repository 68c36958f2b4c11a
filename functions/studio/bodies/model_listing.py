"""GET /models: the enabled image models, edit operations and text model, with limits, prices and quota."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from studio.bodies.common import Operation, ResponseModel


class SizeInfo(ResponseModel):
    width: int
    height: int


class LifecycleInfo(ResponseModel):
    status: Literal["active", "legacy", "preview"]
    legacy_since: str | None = None
    end_of_life: str | None = None


class PixelLimitsInfo(ResponseModel):
    min_pixels: int
    max_pixels: int
    min_side: int
    max_side: int | None = None
    max_aspect: float | None = Field(None, description="None: no aspect-ratio rule")


class EditOperationInfo(ResponseModel):
    operation: Operation
    title: str
    model_id: str
    model_name: str = Field(description="The Image Service's name, e.g. Stable Fast Upscale")
    needs_prompt: bool
    takes_prompt: bool
    needs_mask: bool
    takes_mask: bool
    search_field: str | None = None
    takes_negative_prompt: bool
    takes_grow_mask: bool
    creativity: dict[str, float] | None = Field(None, description="min, max and default")
    input_limits: PixelLimitsInfo
    output: str = Field(description="What size the result has")
    scale: int
    output_megapixels: float | None = None
    price_per_image: float


class ImageModelInfo(ResponseModel):
    model_id: str
    name: str
    family: str
    default: bool
    modes: list[str]
    sizes: list[SizeInfo]
    any_size: dict | None = Field(None, description="The rule for free sizes, when the model has one")
    qualities: list[str]
    max_prompt_length: int
    max_negative_prompt_length: int
    max_images: int
    max_colors: int
    max_seed: int
    cfg_scale: list[float] | None
    price_per_image: dict[str, float]
    lifecycle: LifecycleInfo
    legacy: str | None = Field(None, description="A note when AWS lists the model as legacy")
    how: dict[str, str] = Field(default_factory=dict, description="How a mode works on this model, when not obvious")
    shape_from_reference: list[str] = Field(default_factory=list, description="The modes whose result takes the "
                                            "reference image's shape: width and height are not used")


class TextModelInfo(ResponseModel):
    model_id: str
    price_per_1k_input_tokens: float
    price_per_1k_output_tokens: float


class ModelsResponse(ResponseModel):
    image_models: list[ImageModelInfo]
    edit_operations: list[EditOperationInfo] = Field(default_factory=list)
    text_model: TextModelInfo
    daily_image_quota: int = Field(description="Images per user per UTC day")
    images_left_today: int = Field(description="The caller's images left today (a failed generation gives its images back)")
    daily_text_quota: int = Field(description="Text requests (translate, suggest, describe) per user per UTC day")
    text_calls_left: int = Field(description="The caller's text requests left today")
