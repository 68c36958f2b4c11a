"""Generations and edits: what POST /generations and /edits take, the record GET /generations/{id}
shows, PATCH's flags, and the gallery's and search's pages."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from studio.bodies.common import (
    Absent,
    ApiModel,
    HexColor,
    ImageKey,
    LanguageTag,
    LineageSource,
    Mode,
    Operation,
    RecordMode,
    ResponseModel,
    SparseModel,
    Status,
    recorded,
)
from studio.catalog import CONTROL_MODES, MAX_IMAGES_PER_GENERATION, OUTPAINT_MAX_PIXELS


class Lineage(ApiModel):
    """How the prompt came to be, as the client knows it (its words, their translation, the idea, its
    reference upload, the generation it re-runs); stored with the record as the image's story. What
    only the server knows (an edit's parent image, operation and source upload) is not the client's
    to write: RecordedLineage shows it."""

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
    parent_id: str | None = Field(None, max_length=64, description=(
        "The generation this one re-runs or varies: one you may see (yours, or shared and finished), else 404 "
        "parent_not_found. An edit's parent is written by POST /edits from its generationId"))


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


BATCH_MIN_MODELS, BATCH_MAX_MODELS = 2, 3


class BatchGenerationRequest(GenerationRequest):
    """POST /generations/batch: the same prompt and settings on 2-3 models at once. Each model's result
    is a record of its own; they share a batchId. One seed is drawn for all when none is given."""

    model_ids: list[str] = Field(min_length=BATCH_MIN_MODELS, max_length=BATCH_MAX_MODELS, description=(
        "2-3 distinct enabled image models that render this mode (GET /models); modelId is not taken here"))

    @field_validator("model_ids")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("modelIds must name distinct models")
        if any(not 1 <= len(m) <= 128 for m in value):
            raise ValueError("each model id is 1-128 characters")
        return value

    @field_validator("model_id")
    @classmethod
    def _no_single_model(cls, value: str | None) -> str | None:
        if value is not None:
            raise ValueError("send modelIds (2-3 models) here, not modelId")
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


# --- a record as GET /generations/{id} shows it ------------------------------------------------
RecordedGenerationRequest = recorded(
    GenerationRequest, "RecordedGenerationRequest",
    "The request of a generation as the server stored it: the model, seed and mode defaults filled in "
    "(its lineage and public flag are fields of the record). Upload keys are shown to the owner only.",
    always=("mode", "prompt", "width", "height", "count", "quality", "model_id", "seed"),
    drop=("lineage", "public"),
    notes={"model_id": "The image model it was sent to", "seed": "The seed it was sent with (drawn when none was "
                                                                 "given)"})
RecordedEditRequest = recorded(
    EditRequest, "RecordedEditRequest",
    "The request of an edit as the server stored it, with the seed drawn and the size of the result. "
    "Upload keys are shown to the owner only.",
    always=("operation", "image_index", "left", "right", "up", "down", "seed"),
    drop=("lineage", "public"), notes={"seed": "The seed it was sent with (drawn when none was given)"},
    output_width=(int, Field(description="The result's width in pixels")),
    output_height=(int, Field(description="The result's height in pixels")))


class RecordedLineage(SparseModel):
    """How the image came to be, as the server stored it: what the client wrote in `lineage`, and what
    the server added (the prompt the model got; for an edit, its parent or source and the operation).
    Upload keys and what was seen in a reference are shown to the owner only."""

    source: LineageSource
    original_text: str | Absent = None
    original_language: str | Absent = None
    english: str | Absent = None
    style: str | Absent = None
    keywords: str | Absent = None
    idea_title: str | Absent = None
    reference_image_key: str | Absent = None
    reference_summary: str | Absent = Field(None, description="What the text model saw in the reference")
    reference_palette: list[str] | Absent = Field(None, description="The reference's palette")
    parent_id: str | Absent = Field(None, description="The generation this one re-runs, varies or edits")
    parent_image_index: int | Absent = Field(None, description="Which image of the parent an edit started from")
    root_id: str | Absent = Field(None, description=(
        "For an edit: the oldest generation of its chain (the original), so the chain still reaches it when "
        "an edit between them was deleted"))
    operation: Operation | Absent = Field(None, description="The edit that made this image from its parent")
    source_image_key: str | Absent = Field(None, description="The upload an edit started from")
    final_prompt: str | Absent = Field(None, description="The prompt the image model got (an edit without a prompt "
                                                         "has none)")


class GeneratedImage(ResponseModel):
    url: str
    thumbnail_url: str
    width: int
    height: int
    seed: int


class GenerationErrorInfo(ResponseModel):
    """Why a generation FAILED."""

    code: str = Field(description="content_filtered, model_throttled, model_timeout, model_unavailable, model_error, "
                                  "model_access_denied, model_not_found, storage_error, reference_missing, "
                                  "reference_invalid, internal_error or expired (ended by the sweeper)")
    message: str


class ImageAnnotation(ResponseModel):
    """What the vision model saw in one image (written by the index function after completion)."""

    caption: str = Field(description="One line, English")
    tags: list[str] = Field(description="3-8 tags, English")
    language: str | None = Field(None, description="The user's language, when it is not English")
    local_caption: str | None = Field(None, description="The caption in `language`")
    local_tags: list[str] | None = Field(None, description="The tags in `language`")


class CredentialAction(ResponseModel):
    """One action of a C2PA manifest (c2pa.created, c2pa.opened, c2pa.edited, c2pa.resized...)."""

    action: str
    digital_source_type: str | None = Field(None, description="The IPTC digital source type's last segment, such as "
                                                               "trainedAlgorithmicMedia")
    software_agent: str | None = Field(None, description="What performed it: the model's name and id")


class CredentialIngredient(ResponseModel):
    title: str | None = None
    relationship: str | None = Field(None, description="parentOf, componentOf or inputTo")
    has_manifest: bool = Field(False, description="It carries its own Content Credentials (an edit's parent does)")


class ContentCredentials(ResponseModel):
    """What an image's C2PA manifest (Content Credentials) says, as read when it was signed."""

    signed: bool
    issuer: str | None = Field(None, description="The signing certificate's organisation")
    signed_at: str | None = None
    claim_generator: str | None = Field(None, description="The product that wrote the manifest, with its version")
    actions: list[CredentialAction] = Field(default_factory=list)
    ingredient_count: int = 0
    ingredients: list[CredentialIngredient] = Field(default_factory=list)
    validation_state: str | None = Field(None, description="Trusted, Valid (intact; the signer is on no trust list "
                                                           "known here) or Invalid; null when unsigned")


class Generation(ResponseModel):
    id: str
    status: Status
    mode: RecordMode
    operation: Operation | None = Field(None, description="The edit operation (mode edit); null otherwise")
    model_id: str
    request: RecordedGenerationRequest | RecordedEditRequest = Field(
        description="What was asked: a RecordedEditRequest when mode is edit, else a RecordedGenerationRequest")
    lineage: RecordedLineage
    images: list[GeneratedImage] = Field(default_factory=list, description="Empty until COMPLETE")
    reference_url: str | None = Field(None, description="The reference image as the model got it (owner only)")
    error: GenerationErrorInfo | None = Field(None, description="Why it FAILED; null otherwise")
    estimated_cost: float
    created_at: str
    updated_at: str
    favorite: bool = False
    public: bool = False
    mine: bool = True
    annotations: list[ImageAnnotation] = Field(default_factory=list, description="Per image, once indexed")
    tags: list[str] = Field(default_factory=list, description="The image's tags: the captions' automatic tags "
                                                          "until its owner edits them (PATCH); GET /gallery?tag= "
                                                          "filters by one")
    content_credentials: ContentCredentials | None = Field(
        None, description="The signed C2PA manifest of the full-size images (as read when signed); null until COMPLETE")
    batch_id: str | None = Field(None, description="The batch (POST /generations/batch) this record belongs to; "
                                                   "null for a single generation")


class GenerationBatch(ResponseModel):
    """POST /generations/batch's answer: one PENDING record per model, in the order of modelIds."""

    batch_id: str = Field(description="Shared by the batch's records (their batchId)")
    generations: list[Generation]
    estimated_cost: float = Field(description="The sum of the records' estimated costs")


# Loose bounds against oversized bodies; the tag rule itself (logic/tags.py) answers 422 with its text.
TAGS_BODY_MAX = 50


class GenerationPatch(ApiModel):
    favorite: bool | None = None
    public: bool | None = None
    tags: list[str] | None = Field(None, max_length=TAGS_BODY_MAX,
                                   description="Replace the image's tags (at most 20, each 1-40 characters of letters, "
                                               "digits, spaces, '-' or '_'; stored trimmed and lowercase)")
    add_tags: list[str] | None = Field(None, max_length=TAGS_BODY_MAX, description="Tags to add")
    remove_tags: list[str] | None = Field(None, max_length=TAGS_BODY_MAX, description="Tags to remove")


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


class VerifyRequest(ApiModel):
    image_key: ImageKey = Field(description="An upload (POST /uploads) of the image to check")


class VerifyResponse(ResponseModel):
    has_manifest: bool = Field(description="False when the image carries no C2PA manifest")
    message: str
    credentials: ContentCredentials | None = Field(None, description="What the active manifest says")
    failures: list[str] = Field(default_factory=list, description="The validation failure codes (c2pa's), if any")
    generation_id: str | None = Field(None, description="The generation it is, when it is one of ours you may see")
