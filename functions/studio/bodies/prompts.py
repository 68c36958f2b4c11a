"""POST /translate, /suggest, /uploads and /describe: the text model's operations and the upload form."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from studio.bodies.common import ApiModel, ImageKey, LanguageTag, ResponseModel


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
