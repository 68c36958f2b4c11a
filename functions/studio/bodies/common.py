"""What every body shares: the strict request base, the response base, the error body and the field types."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

from studio.catalog import EDIT_OPERATION_NAMES

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


class ErrorBody(ResponseModel):
    code: str
    message: str
    details: list | dict | None = None


class ErrorResponse(ResponseModel):
    error: ErrorBody


# The largest reference image, mask or image to edit that may be uploaded.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
