"""Exports: a ZIP of a board or a selection of images, assembled asynchronously, downloaded from S3."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from studio.bodies.common import ApiModel, ResponseModel
from studio.storage_layout import EXPORT_MAX_ITEMS

IdText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
ExportStatus = Literal["PENDING", "RUNNING", "COMPLETE", "FAILED"]


class ExportRequest(ApiModel):
    """Exactly one of boardId or generationIds."""

    board_id: IdText | None = Field(None, description="Export every image of this board (yours, or a shared one)")
    generation_ids: list[IdText] | None = Field(
        None, min_length=1, max_length=EXPORT_MAX_ITEMS,
        description=f"Export these generations (at most {EXPORT_MAX_ITEMS}); those you may not see are left out")

    @model_validator(mode="after")
    def _exactly_one(self) -> "ExportRequest":
        if (self.board_id is None) == (self.generation_ids is None):
            raise ValueError("send exactly one of boardId or generationIds")
        return self


class ExportErrorInfo(ResponseModel):
    code: str = Field(description="source_missing, export_too_large, nothing_to_export or storage_error")
    message: str


class Export(ResponseModel):
    id: str
    status: ExportStatus
    board_id: str | None = Field(None, description="The board exported; null for a selection")
    requested: int = Field(description="Generations asked for")
    exported: int | None = Field(None, description="Generations in the ZIP (COMPLETE only); those the caller may "
                                                   "not see, or that have not completed, are left out")
    image_count: int | None = Field(None, description="Image files in the ZIP (COMPLETE only)")
    size_bytes: int | None = Field(None, description="The ZIP's size (COMPLETE only)")
    download_url: str | None = Field(None, description="A short-lived link to the ZIP (COMPLETE only); ask again "
                                                       "for a fresh one when it has expired")
    download_expires_at: str | None = Field(None, description="When download_url stops working")
    error: ExportErrorInfo | None = Field(None, description="Why it FAILED; null otherwise")
    created_at: str
    updated_at: str
    expires_at: str = Field(description="When the export and its ZIP are deleted")
