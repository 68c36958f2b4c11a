"""The HTTP API's request and response bodies (JSON, camelCase), as pydantic models.

These models are the contract: the handlers validate with them, the OpenAPI document is
generated from them, and the web UI and the CLI speak them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.alias_generators import to_camel

from studio.catalog import CONTROL_MODES, EDIT_OPERATION_NAMES, MAX_IMAGES_PER_GENERATION, OUTPAINT_MAX_PIXELS

Mode = Literal["text", "color", "structure", "sketch", "variation", "style", "style-transfer"]
RecordMode = Literal["text", "color", "structure", "sketch", "variation", "style", "style-transfer", "edit"]
Operation = Literal[EDIT_OPERATION_NAMES]  # type: ignore[valid-type]
Status = Literal["PENDING", "RUNNING", "COMPLETE", "FAILED"]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)]
ImageKey = Annotated[str, StringConstraints(pattern=r"^uploads/[A-Za-z0-9_-]{8,64}/[a-z0-9]{8,64}\.(png|jpeg|webp)$")]


class ApiModel(BaseModel):
    # Strict: a request says what it means ("public": "yes" or "count": "2" is a 422, not coerced).
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", strict=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# --- errors ---------------------------------------------------------------------------------
class ErrorBody(ResponseModel):
    code: str
    message: str
    details: list | dict | None = None


class ErrorResponse(ResponseModel):
    error: ErrorBody


# --- translate ------------------------------------------------------------------------------
class TranslateRequest(ApiModel):
    text: str = Field(min_length=1, max_length=2000, description="The prompt, in any language")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must contain something other than spaces")
        return value


class TranslateResponse(ResponseModel):
    text: str
    language: str = Field(description="Detected language, BCP-47")
    english: str
    translated: bool = Field(description="False when the text was English already, or was not translated")
    notice: str | None = Field(None, description="Why the text was not translated, when it was not")


# --- suggest --------------------------------------------------------------------------------
class SuggestRequest(ApiModel):
    style: str = Field("", max_length=500, description="Mood or style, free text")
    keywords: str = Field(min_length=1, max_length=500)
    count: int = Field(3, ge=1, le=5)
    language: LanguageTag | None = Field(None, description="Language of the glosses (BCP-47); default English")

    @field_validator("keywords")
    @classmethod
    def _keywords_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("keywords must contain something other than spaces")
        return value


class PromptIdea(ResponseModel):
    title: str
    prompt: str
    negative_prompt: str
    gloss: str = Field(description="A short explanation in the user's language")


class SuggestResponse(ResponseModel):
    prompts: list[PromptIdea]


# --- uploads and describe -------------------------------------------------------------------
UPLOAD_MAX_BYTES = 10 * 1024 * 1024


class UploadRequest(ApiModel):
    content_type: Literal["image/png", "image/jpeg", "image/webp"]
    size: int = Field(gt=0, description="Bytes; at most 10 MB")


class UploadResponse(ResponseModel):
    image_key: str
    url: str
    fields: dict[str, str]
    expires_in: int = Field(description="Seconds the upload form stays valid")
    max_bytes: int


class DescribeRequest(ApiModel):
    image_key: ImageKey
    keywords: str = Field("", max_length=500)
    count: int = Field(3, ge=1, le=5)
    language: LanguageTag | None = None


class ReferencePrompt(ResponseModel):
    title: str
    prompt: str
    negative_prompt: str
    axis: str = Field(description="What this prompt keeps from the reference (mood, texture, composition...)")


class DescribeResponse(ResponseModel):
    summary: str
    palette: list[str] = Field(description="3-6 colors, #rrggbb")
    prompts: list[ReferencePrompt]


# --- generations ----------------------------------------------------------------------------
class Lineage(ApiModel):
    """How the prompt came to be; stored with the record as the user's story of the image."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", strict=True)
    source: Literal["basic", "ideas", "reference", "rerun", "api", "edit"] = "api"
    original_text: str | None = Field(None, max_length=2000)
    original_language: LanguageTag | None = None
    english: str | None = Field(None, max_length=2000)
    style: str | None = Field(None, max_length=500)
    keywords: str | None = Field(None, max_length=500)
    idea_title: str | None = Field(None, max_length=200)
    reference_image_key: ImageKey | None = None
    reference_summary: str | None = Field(None, max_length=2000, description="What the text model saw in the reference")
    reference_palette: list[HexColor] | None = Field(None, max_length=10, description="The reference's palette")
    parent_id: str | None = Field(None, max_length=64, description="The generation this one re-runs, varies or edits")
    parent_image_index: int | None = Field(None, ge=0, le=MAX_IMAGES_PER_GENERATION - 1,
                                           description="Which image of the parent an edit started from")
    operation: Operation | None = Field(None, description="The edit that made this image from its parent")
    source_image_key: ImageKey | None = Field(None, description="The upload an edit started from")


class GenerationRequest(ApiModel):
    mode: Mode = "text"
    prompt: str = Field(min_length=1, max_length=10_000)
    negative_prompt: str | None = Field(None, max_length=10_000)
    colors: list[HexColor] | None = Field(None, description="color mode: 1-10 hex colors")
    reference_image_key: ImageKey | None = None
    control_mode: Literal[CONTROL_MODES] | None = None  # type: ignore[valid-type]
    control_strength: float | None = Field(None, ge=0, le=1)
    similarity_strength: float | None = Field(None, ge=0.2, le=1.0)
    fidelity: float | None = Field(None, ge=0, le=1, description="style mode: how closely to follow the reference's style")
    style_image_key: ImageKey | None = Field(None, description="style-transfer mode: the image whose style is applied")
    style_strength: float | None = Field(None, ge=0, le=1, description="style-transfer mode")
    composition_fidelity: float | None = Field(None, ge=0, le=1, description="style-transfer mode")
    change_strength: float | None = Field(None, ge=0.1, le=1, description="style-transfer mode")
    width: int = Field(1024, ge=64, le=4096)
    height: int = Field(1024, ge=64, le=4096)
    count: int = Field(1, ge=1, le=MAX_IMAGES_PER_GENERATION)
    cfg_scale: float | None = Field(None, ge=1.1, le=10)
    seed: int | None = Field(None, ge=0, le=4_294_967_294)
    quality: Literal["standard", "premium"] = "standard"
    model_id: str | None = Field(None, max_length=128, description="Default: the configured image model")
    public: bool = Field(False, description="Show it in everyone's gallery")
    lineage: Lineage = Field(default_factory=Lineage)

    @field_validator("prompt")
    @classmethod
    def _prompt_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("prompt must contain something other than spaces")
        return value


class EditRequest(ApiModel):
    """POST /edits: one edit of one image (a finished generation's, or an upload), as a new record."""

    operation: Operation
    generation_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                      description="Edit an image of this generation (or give imageKey)")
    image_index: int = Field(0, ge=0, le=MAX_IMAGES_PER_GENERATION - 1)
    image_key: ImageKey | None = Field(None, description="Edit one of your uploads instead")
    prompt: str | None = Field(None, max_length=10_000)
    negative_prompt: str | None = Field(None, max_length=10_000)
    mask_key: ImageKey | None = Field(None, description="An uploaded mask: white = change, black = keep")
    search_prompt: str | None = Field(None, max_length=10_000, description="search-replace: what to find")
    select_prompt: str | None = Field(None, max_length=10_000, description="search-recolor: what to recolor")
    left: int = Field(0, ge=0, le=OUTPAINT_MAX_PIXELS)
    right: int = Field(0, ge=0, le=OUTPAINT_MAX_PIXELS)
    up: int = Field(0, ge=0, le=OUTPAINT_MAX_PIXELS)
    down: int = Field(0, ge=0, le=OUTPAINT_MAX_PIXELS)
    creativity: float | None = Field(None, ge=0, le=1)
    grow_mask: int | None = Field(None, ge=0, le=20)
    seed: int | None = Field(None, ge=0, le=4_294_967_294)
    public: bool = Field(False, description="Show it in everyone's gallery")
    lineage: Lineage = Field(default_factory=Lineage)


class GeneratedImage(ResponseModel):
    url: str
    thumbnail_url: str
    width: int
    height: int
    seed: int


class GenerationErrorInfo(ResponseModel):
    code: str
    message: str


class ImageAnnotation(ResponseModel):
    """What the vision model saw in one image (written by the index function after completion)."""

    caption: str = Field(description="One line, English")
    tags: list[str] = Field(description="3-8 tags, English")
    language: str | None = Field(None, description="The user's language, when it is not English")
    local_caption: str | None = Field(None, description="The caption in `language`")
    local_tags: list[str] | None = Field(None, description="The tags in `language`")


class Generation(ResponseModel):
    id: str
    status: Status
    mode: RecordMode
    operation: Operation | None = None
    model_id: str
    request: dict
    lineage: dict
    images: list[GeneratedImage] = Field(default_factory=list)
    reference_url: str | None = Field(None, description="The reference image as the model got it (owner only)")
    error: GenerationErrorInfo | None = None
    estimated_cost: float
    created_at: str
    updated_at: str
    favorite: bool = False
    public: bool = False
    mine: bool = True
    annotations: list[ImageAnnotation] = Field(default_factory=list, description="Per image, once indexed")


class GenerationPatch(ApiModel):
    favorite: bool | None = None
    public: bool | None = None


class GalleryPage(ResponseModel):
    items: list[Generation]
    next_cursor: str | None = None


# --- search ---------------------------------------------------------------------------------
SEARCH_MAX_LIMIT = 50
SEARCH_QUERY_MAX = 500


class SearchItem(Generation):
    image_index: int = Field(description="Which image of the generation matched")
    score: float = Field(description="Similarity, 1 = identical")


class SearchPage(ResponseModel):
    items: list[SearchItem]


# --- models ---------------------------------------------------------------------------------
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
