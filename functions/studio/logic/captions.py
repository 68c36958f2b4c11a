"""Captions and tags for the gallery: the vision model describes each image as it is indexed.

A caption is one English line and 3-8 tags, plus both in the user's language when the prompt
was not English. The model answers through a tool call (structured output); a failure costs only
the caption (search works without it).
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field, ValidationError

from studio.adapters.generation_records import GenerationRecord
from studio.catalog import TEXT_MODEL_MAX_IMAGE_BYTES, TEXT_MODEL_MAX_IMAGE_SIDE
from studio.errors import StudioError
from studio.observability import count, logger
from studio.settings import Settings

CAPTION_SYSTEM = (
    "You label images for a gallery search. Look at the image and write one short line describing what it "
    "shows (subject, setting, colors, style) and 3 to 8 short lowercase tags (single words or short phrases: "
    "subjects, colors, style, mood). The prompt that made it is context, not truth: describe what you see. "
    "When `language` is given and is not English, also write the caption and the tags in that language "
    "(localCaption, localTags). Answer only by calling the tool."
)
CAPTION_TOOL = {
    "type": "object",
    "properties": {
        "caption": {"type": "string", "description": "One line in English, at most 160 characters"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 8,
                 "description": "3-8 short lowercase English tags"},
        "localCaption": {"type": "string", "description": "The caption in `language` (only when it is not English)"},
        "localTags": {"type": "array", "items": {"type": "string"}, "maxItems": 8,
                      "description": "The tags in `language` (only when it is not English)"},
    },
    "required": ["caption", "tags"],
}


class _Caption(BaseModel):
    caption: str = Field(min_length=1)
    tags: list[str] = Field(min_length=1)
    localCaption: str | None = None
    localTags: list[str] | None = None




def _user_language(record: GenerationRecord) -> str | None:
    language = (record.get("lineage") or {}).get("originalLanguage")
    return language if language and not str(language).lower().startswith("en") else None


# Bedrock and Pillow load on first use: the functions that import indexing only to follow a share
# or a delete never pay for them (tests/unit/test_imports.py).
def caption(image_webp: bytes, record: GenerationRecord, conf: Settings) -> dict | None:
    """One image's caption and tags (None when the model could not give them: search works without)."""
    from studio.adapters import bedrock
    from studio.images import for_text_model

    language = _user_language(record)
    picture = for_text_model(image_webp, TEXT_MODEL_MAX_IMAGE_SIDE, TEXT_MODEL_MAX_IMAGE_BYTES)
    content = [{"image": {"format": picture.format, "source": {"bytes": picture.data}}},
               {"text": json.dumps({"prompt": record.get("request", {}).get("prompt", ""), "language": language},
                                   ensure_ascii=False)}]
    try:
        answer, _usage = bedrock.converse_tool(
            conf.text_model_id, system=CAPTION_SYSTEM, content=content, tool_name="caption_image",
            tool_description="Record the image's caption and tags", input_schema=CAPTION_TOOL,
            temperature=0.2, max_tokens=600)
        parsed = _Caption.model_validate(answer)
    except (StudioError, ValidationError):
        count("CaptionsFailed")
        logger.warning("no caption for an image", extra={"generationId": record["id"]})
        return None
    tags = [t.strip().lower() for t in parsed.tags if t.strip()][:8]
    annotation: dict = {"caption": parsed.caption.strip()[:300], "tags": list(dict.fromkeys(tags))}
    if language and parsed.localCaption:
        annotation.update(language=language, localCaption=parsed.localCaption.strip()[:300],
                          localTags=list(dict.fromkeys(t.strip() for t in (parsed.localTags or []) if t.strip()))[:8])
    return annotation
