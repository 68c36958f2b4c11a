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


class CheckedLifecycle(ResponseModel):
    """What the daily check last read from Bedrock for a model (GetFoundationModel, in the region it is called in)."""

    model_id: str = Field(description="The foundation model")
    region: str
    status: Literal["ACTIVE", "LEGACY", "UNKNOWN"]
    legacy_since: str | None = None
    end_of_life: str | None = None
    days_left: int | None = None
    attention: bool = Field(description="LEGACY, or within 60 days of its end of life")
    notice: str | None = Field(None, description="What to do, when it needs attention")
    checked_at: str | None = None


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
    checked_lifecycle: CheckedLifecycle | None = Field(None, description="The daily lifecycle check's finding")


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
    nearest_size_from_reference: list[str] = Field(default_factory=list, description="Of shapeFromReference, the "
                                                   "modes whose image comes out at the model's size (one of `sizes`) "
                                                   "whose aspect ratio is nearest the reference's, not at the "
                                                   "reference's own pixel size")
    checked_lifecycle: CheckedLifecycle | None = Field(None, description="The daily lifecycle check's finding")


class TextModelInfo(ResponseModel):
    model_id: str
    price_per_1k_input_tokens: float
    price_per_1k_output_tokens: float


class ModelsResponse(ResponseModel):
    image_models: list[ImageModelInfo]
    edit_operations: list[EditOperationInfo] = Field(default_factory=list)
    text_model: TextModelInfo
    model_notices: list[CheckedLifecycle] = Field(default_factory=list, description="Every model the deployment "
                                                  "calls (image, edit, text, embedding) that is leaving Bedrock")
    daily_image_quota: int = Field(description="Images per user per UTC day")
    images_left_today: int = Field(description="The caller's images left today (a failed generation gives its images back)")
    daily_text_quota: int = Field(description="Text requests (translate, suggest, describe) per user per UTC day")
    text_calls_left: int = Field(description="The caller's text requests left today")
