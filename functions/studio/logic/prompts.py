"""The three language-model operations: translate, suggest, describe.

Each asks the text model (Converse) to answer by calling one tool, so the structure of the answer
is the tool's JSON schema, never a pattern matched over free text. The inputs travel as a JSON
object in the user message; the instructions live in the system prompt.
"""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, ValidationError

from studio.adapters import bedrock, storage
from studio.bodies.common import UPLOAD_MAX_BYTES
from studio.bodies.prompts import (
    DescribeRequest,
    DescribeResponse,
    PromptIdea,
    ReferencePrompt,
    SuggestRequest,
    SuggestResponse,
    TranslateRequest,
    TranslateResponse,
)
from studio.catalog import TEXT_MODEL_MAX_IMAGE_BYTES, TEXT_MODEL_MAX_IMAGE_SIDE
from studio.errors import ModelError
from studio.observability import count
from studio.settings import Settings

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

PROMPT_ITEM = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "A short title, 2-6 words, in English"},
        "prompt": {"type": "string", "description": "The detailed English image prompt, at most 500 characters"},
        "negativePrompt": {"type": "string", "description": "What to keep out of the image, English, at most 200 characters"},
    },
    "required": ["title", "prompt", "negativePrompt"],
}

TRANSLATION_TOOL = {
    "type": "object",
    "properties": {
        "language": {"type": "string", "description": "BCP-47 tag of the text's language, e.g. en, ko, ja, pt-BR"},
        "english": {"type": "string", "description": "The text in English, faithful, as an image prompt"},
        "translated": {"type": "boolean", "description": "false when the text was already English or was not translated"},
        "notice": {"type": "string", "description": "Only when you could not translate: why"},
    },
    "required": ["language", "english", "translated"],
}

IDEAS_TOOL = {
    "type": "object",
    "properties": {"prompts": {"type": "array", "items": {
        **PROMPT_ITEM,
        "properties": {**PROMPT_ITEM["properties"],
                       "gloss": {"type": "string", "description": "One sentence in the user's language explaining the idea"}},
        "required": [*PROMPT_ITEM["required"], "gloss"],
    }}},
    "required": ["prompts"],
}

REFERENCE_TOOL = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "description": "Two or three sentences on the image's mood, texture, composition and palette, in the user's language"},
        "palette": {"type": "array", "items": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
                    "description": "3 to 6 dominant colors as #rrggbb"},
        "prompts": {"type": "array", "items": {
            **PROMPT_ITEM,
            "properties": {**PROMPT_ITEM["properties"],
                           "axis": {"type": "string", "description": "What this prompt keeps from the reference: mood, texture, composition, palette or lighting"}},
            "required": [*PROMPT_ITEM["required"], "axis"],
        }},
    },
    "required": ["summary", "palette", "prompts"],
}

TRANSLATE_SYSTEM = (
    "You translate prompts for an image generator. Detect the language of the user's text and give "
    "a faithful English version suited to an image model: keep every subject, attribute, style and "
    "number; do not add content. If it is already English, return it unchanged with translated=false. "
    "Answer only by calling the tool."
)
SUGGEST_SYSTEM = (
    "You write prompts for text-to-image models. From the style (mood) and keywords, write `count` "
    "distinct, detailed English prompts: each a different composition, viewpoint, lighting and medium, "
    "concrete and visual (subject, setting, light, lens or medium, color), at most 500 characters, and a "
    "negative prompt of things to avoid. Write each gloss in the language given by `language` (English "
    "if null). Answer only by calling the tool."
)
DESCRIBE_SYSTEM = (
    "You study a reference image for an artist. Describe its mood, texture, composition and palette, "
    "then write `count` English prompts for NEW images in its spirit, each keeping a different axis "
    "(mood, texture, composition, palette, lighting) and weaving in the keywords if any. Do not describe "
    "people's identities. The summary is in the language given by `language` (English if null). Answer "
    "only by calling the tool."
)


class _Translation(BaseModel):
    language: str
    english: str
    translated: bool
    notice: str | None = None


class _Idea(BaseModel):
    title: str
    prompt: str
    negativePrompt: str = ""
    gloss: str = ""


class _Ideas(BaseModel):
    prompts: list[_Idea]


class _ReferencePrompt(BaseModel):
    title: str
    prompt: str
    negativePrompt: str = ""
    axis: str = ""


class _Reference(BaseModel):
    summary: str
    palette: list[str]
    prompts: list[_ReferencePrompt]


def _ask(conf: Settings, system: str, content: list[dict], tool: str, description: str, schema: dict,
         shape: type[BaseModel]) -> BaseModel:
    answer, _usage = bedrock.converse_tool(
        conf.text_model_id, system=system, content=content, tool_name=tool, tool_description=description,
        input_schema=schema, temperature=conf.text_temperature, max_tokens=conf.text_max_tokens,
    )
    try:
        return shape.model_validate(answer)
    except ValidationError as error:
        raise ModelError("The language model's answer was incomplete. Try again.") from error


def _inputs(**values: object) -> dict:
    return {"text": json.dumps(values, ensure_ascii=False)}


def translate(request: TranslateRequest, conf: Settings) -> TranslateResponse:
    answer = _ask(conf, TRANSLATE_SYSTEM, [_inputs(task="translate", text=request.text)], "record_translation",
                  "Record the detected language and the English version of the text", TRANSLATION_TOOL, _Translation)
    language = answer.language if LANGUAGE_TAG.match(answer.language) else "und"
    english = answer.english.strip() or request.text
    translated = answer.translated and english != request.text
    count("Translations")
    return TranslateResponse(text=request.text, language=language, english=english, translated=translated,
                             notice=answer.notice or None)


def suggest(request: SuggestRequest, conf: Settings) -> SuggestResponse:
    answer = _ask(conf, SUGGEST_SYSTEM,
                  [_inputs(task="suggest", style=request.style, keywords=request.keywords, count=request.count,
                           language=request.language)],
                  "propose_prompts", "Record the proposed image prompts", IDEAS_TOOL, _Ideas)
    ideas = [PromptIdea(title=i.title.strip(), prompt=i.prompt.strip(), negative_prompt=i.negativePrompt.strip(),
                        gloss=i.gloss.strip()) for i in answer.prompts if i.prompt.strip()][: request.count]
    if not ideas:
        raise ModelError("The language model proposed no prompts. Try other keywords.")
    count("Suggestions")
    return SuggestResponse(prompts=ideas)


def describe(request: DescribeRequest, conf: Settings) -> DescribeResponse:
    # Pillow only here: translate and suggest share this module and never load it.
    from studio.images import for_text_model

    picture = for_text_model(storage.read(request.image_key, UPLOAD_MAX_BYTES, "imageKey"),
                             TEXT_MODEL_MAX_IMAGE_SIDE, TEXT_MODEL_MAX_IMAGE_BYTES)
    content = [
        {"image": {"format": picture.format, "source": {"bytes": picture.data}}},
        _inputs(task="describe", keywords=request.keywords, count=request.count, language=request.language),
    ]
    answer = _ask(conf, DESCRIBE_SYSTEM, content, "describe_reference",
                  "Record the reference image's description, palette and prompts", REFERENCE_TOOL, _Reference)
    palette = [c.lower() for c in answer.palette if HEX.match(c)][:6]
    if len(palette) < 3:
        raise ModelError("The language model did not return a usable palette. Try again.")
    prompts = [ReferencePrompt(title=p.title.strip(), prompt=p.prompt.strip(), negative_prompt=p.negativePrompt.strip(),
                               axis=p.axis.strip()) for p in answer.prompts if p.prompt.strip()][: request.count]
    if not prompts:
        raise ModelError("The language model wrote no prompts for this image. Try again.")
    count("Descriptions")
    return DescribeResponse(summary=answer.summary.strip(), palette=palette, prompts=prompts)
