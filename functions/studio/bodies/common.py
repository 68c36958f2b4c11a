"""What every body shares: the strict request base, the response base, the error body and the field types."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_serializer
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema

from studio.catalog import CONTROL_MODES, EDIT_OPERATION_NAMES

Mode = Literal["text", "color", "structure", "sketch", "variation", "style", "style-transfer"]
RecordMode = Literal["text", "color", "structure", "sketch", "variation", "style", "style-transfer", "edit"]
Operation = Literal[EDIT_OPERATION_NAMES]  # type: ignore[valid-type]
Status = Literal["PENDING", "RUNNING", "COMPLETE", "FAILED"]
LineageSource = Literal["basic", "ideas", "reference", "rerun", "api", "edit"]
Quality = Literal["standard", "premium"]
ControlMode = Literal[CONTROL_MODES]  # type: ignore[valid-type]
GalleryScope = Literal["mine", "all"]
# How an image was made, as the gallery filters it: a generation's mode or an edit's operation.
MadeBy = Literal[("text", "color", "structure", "sketch", "variation", "style", "style-transfer")  # type: ignore[valid-type]
                 + EDIT_OPERATION_NAMES]
Aspect = Literal["square", "landscape", "portrait"]
# The value sets the OpenAPI document names (studio.openapi), so that a generated client has one type
# for each wherever a field or parameter takes it.
NAMED_VALUES: dict[str, tuple[Any, str]] = {
    "Mode": (Mode, "How a generation uses its inputs"),
    "RecordMode": (RecordMode, "A record's mode: a generation's, or edit"),
    "Operation": (Operation, "An edit operation (GET /models lists those offered here)"),
    "GenerationStatus": (Status, "PENDING, then RUNNING, then COMPLETE or FAILED"),
    "LineageSource": (LineageSource, "Where the prompt came from"),
    "Quality": (Quality, "The image model's quality level"),
    "ControlMode": (ControlMode, "structure mode on Titan and Nova Canvas: how the reference guides the image"),
    "GalleryScope": (GalleryScope, "mine: your images; all: yours and everyone's shared images"),
    "MadeBy": (MadeBy, "How an image was made: a generation's mode or an edit's operation"),
    "Aspect": (Aspect, "square (width and height within 5% of each other), landscape or portrait"),
}
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)]
ImageKey = Annotated[str, StringConstraints(pattern=r"^uploads/[A-Za-z0-9_-]{8,64}/[a-z0-9]{8,64}\.(png|jpeg|webp)$")]


class ApiModel(BaseModel):
    # Strict: a request says what it means ("public": "yes" or "count": "2" is a 422, not coerced).
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", strict=True)


class ResponseModel(BaseModel):
    # Every field of a response is sent (null when it has no value), so the document marks each one
    # required: generated clients then type it as always there.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True,
                              json_schema_serialization_defaults_required=True)


def _no_null_defaults(schema: dict) -> None:
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class SparseModel(ResponseModel):
    """A response part that sends only the keys that have a value (a record's request and lineage,
    stored as they were written). Its optional fields are typed `X | SkipJsonSchema[None] = None`:
    the document says "may be absent", never "may be null", and none is ever sent as null."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True,
                              json_schema_serialization_defaults_required=False, json_schema_extra=_no_null_defaults)

    @model_serializer(mode="wrap")
    def _without_nones(self, handler):  # noqa: ANN001, ANN202 (pydantic's serializer protocol)
        return {key: value for key, value in handler(self).items() if value is not None}


# An optional field of a SparseModel: `name: X | Absent = None` is "X, or not sent".
Absent = SkipJsonSchema[None]


def _required(annotation: Any) -> Any:
    """`X | None` -> X (what a field holds when it is there)."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        kept = tuple(a for a in typing.get_args(annotation) if a is not type(None))
        return kept[0] if len(kept) == 1 else Union[kept]  # noqa: UP007 (a runtime tuple of types)
    return annotation


def recorded(request: type[BaseModel], name: str, doc: str, *, always: tuple[str, ...], drop: tuple[str, ...],
             notes: dict[str, str] | None = None, **added: Any) -> type[SparseModel]:
    """The response-side twin of a request body, as the server stores and shows it: the same fields
    (without their limits: a stored value is shown as it is), those in `always` required, the others
    sent only when they have a value; `notes` replace a request field's description where the stored
    value means more; `added` are fields the server writes (pydantic's create_model)."""
    fields: dict[str, Any] = {}
    for field_name, info in request.model_fields.items():
        if field_name in drop:
            continue
        kind = _required(info.annotation)
        described = Field(description=(notes or {}).get(field_name, info.description))
        fields[field_name] = ((kind, described) if field_name in always
                              else (kind | Absent, Field(None, description=described.description)))
    return create_model(name, __base__=SparseModel, __doc__=doc, **fields, **added)


class FieldProblem(SparseModel):
    field: str = Field(description="The field, as sent (lineage.parentId, imageIndex, Idempotency-Key...)")
    rule: str = Field(description="The rule it breaks, in words")
    type: str | Absent = Field(None, description="The kind of rule (validation errors)")


class ErrorBody(ResponseModel):
    code: str = Field(description="What went wrong, for programs: each operation's responses list its codes")
    message: str = Field(description="What went wrong and what to do, for people")
    details: list[FieldProblem] | dict[str, Any] | None = Field(
        None, description="The fields to fix (400, 409, 413, 422), or more about the failure; null when none")


class ErrorResponse(ResponseModel):
    error: ErrorBody


# The largest reference image, mask or image to edit that may be uploaded.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
