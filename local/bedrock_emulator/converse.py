"""Converse: request validation, and offline answers to the app's three tools.

- record_translation: language detection; the offline run cannot translate, so it says so.
- propose_prompts: detailed, distinct prompts combining a style and keywords.
- describe_reference: prompts from a real Pillow analysis of the attached image.

Every tool answer is bent to the tool's own `inputSchema` (schema.conform), so it is valid for
whatever schema the app declares. With STUDIO_TEXT_OPENAI_URL set, the call is forwarded to an
OpenAI-compatible server (Ollama, llama.cpp, vLLM...) instead, the tool offered as a forced function.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from . import errors
from .analysis import Analysis, analyze, open_image
from .captions import caption_image
from .language import detect, name as language_name
from .render import digest
from .schema import conform, violations

TEXT_MODEL = re.compile(
    r"^(?:(?:us|eu|apac|global|us-gov|jp|au|ca)\.)?"
    r"(?:anthropic\.|amazon\.nova-(?:micro|lite|pro|premier|2-lite|2-pro)-|amazon\.titan-text-|meta\.|mistral\.|"
    r"cohere\.|ai21\.|deepseek\.|openai\.|qwen\.|writer\.)[A-Za-z0-9._:-]+$")
IMAGE_FORMATS = ("png", "jpeg", "gif", "webp")
NOT_CHAT_MODEL = ("This action doesn't support the model that you provided. Try again with a supported text or "
                  "chat model.")


def is_text_model(model_id: str) -> bool:
    return bool(TEXT_MODEL.match(model_id))


def _constraint(field: str, value: Any, rule: str) -> errors.BedrockError:
    return errors.validation(f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
                             f"constraint: Member must {rule}")


# --- request ---------------------------------------------------------------------------------
def validate(request: dict) -> None:
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise errors.validation("A conversation must start with a user message. Try again with a conversation "
                                "that starts with a user message.")
    expected = "user"
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            raise _constraint(f"messages.{i + 1}.member.role", role, "satisfy enum value set: [user, assistant]")
        if i == 0 and role != "user":
            raise errors.validation("A conversation must start with a user message. Try again with a "
                                    "conversation that starts with a user message.")
        if role != expected:
            raise errors.validation("A conversation must alternate between user and assistant roles. Make sure "
                                    "the conversation alternates between user and assistant roles and try again.")
        expected = "assistant" if role == "user" else "user"
        content = message.get("content")
        if not isinstance(content, list) or not content:
            raise errors.validation(f"The content field in the Message object at messages.{i} is empty. Add a "
                                    "ContentBlock object to the content field and try again.")
        for j, block in enumerate(content):
            if isinstance(block, dict) and "image" in block:
                fmt = (block["image"] or {}).get("format")
                if fmt not in IMAGE_FORMATS:
                    raise _constraint(f"messages.{i + 1}.member.content.{j + 1}.member.image.format", fmt,
                                      "satisfy enum value set: [png, jpeg, gif, webp]")
    config = request.get("inferenceConfig") or {}
    if "maxTokens" in config and (not isinstance(config["maxTokens"], int) or config["maxTokens"] < 1):
        raise _constraint("inferenceConfig.maxTokens", config["maxTokens"], "have value greater than or equal to 1")
    for key in ("temperature", "topP"):
        if key in config:
            value = config[key]
            if not isinstance(value, (int, float)) or value < 0:
                raise _constraint(f"inferenceConfig.{key}", value, "have value greater than or equal to 0")
            if value > 1:
                raise _constraint(f"inferenceConfig.{key}", value, "have value less than or equal to 1")
    tool_config = request.get("toolConfig")
    if tool_config is not None:
        tools = tool_config.get("tools")
        if not isinstance(tools, list) or not tools:
            raise errors.validation("The toolConfig field must be defined when using toolUse and toolResult "
                                    "content blocks.")
        names = []
        for tool in tools:
            spec = (tool or {}).get("toolSpec") or {}
            if not spec.get("name") or not isinstance((spec.get("inputSchema") or {}).get("json"), dict):
                raise errors.validation("Each tool needs a toolSpec with a name and an inputSchema.json object.")
            names.append(spec["name"])
        choice = tool_config.get("toolChoice") or {}
        if "tool" in choice and choice["tool"].get("name") not in names:
            raise errors.validation(f"The tool named in toolChoice ({choice['tool'].get('name')}) is not one of "
                                    "the tools in toolConfig.tools.")


def texts(request: dict) -> list[str]:
    """Every text the request carries (for fault markers)."""
    out = [b.get("text", "") for b in request.get("system") or [] if isinstance(b, dict)]
    for message in request.get("messages") or []:
        for block in message.get("content") or []:
            if isinstance(block, dict) and isinstance(block.get("text"), str):
                out.append(block["text"])
    return out


def _last_user(request: dict) -> dict:
    users = [m for m in request["messages"] if m.get("role") == "user"]
    return users[-1]


def _inputs(request: dict) -> tuple[dict, str, list[bytes]]:
    message = _last_user(request)
    text_parts, images = [], []
    for i, block in enumerate(message["content"]):
        if "text" in block:
            text_parts.append(block["text"])
        elif "image" in block:
            data = ((block["image"] or {}).get("source") or {}).get("bytes", "")
            try:
                images.append(base64.b64decode(data, validate=True))
            except (binascii.Error, ValueError, TypeError):
                raise errors.validation(f"The image at messages.{len(request['messages']) - 1}.content.{i} could "
                                        "not be decoded.") from None
    inputs: dict = {}
    for part in reversed(text_parts):
        try:
            parsed = json.loads(part)
        except json.JSONDecodeError:
            continue
        if isinstance(parsed, dict):
            inputs = parsed
            break
    joined = "\n".join(text_parts)
    if not inputs:
        inputs = {"text": joined}
    return inputs, joined, images


def _chosen_tool(request: dict) -> dict | None:
    config = request.get("toolConfig")
    if not config:
        return None
    specs = [t["toolSpec"] for t in config["tools"]]
    choice = config.get("toolChoice") or {}
    if "tool" in choice:
        return next(s for s in specs if s["name"] == choice["tool"]["name"])
    known = [s for s in specs if s["name"] in TOOLS]
    return (known or specs)[0]


def _usage(request: dict, answer: Any, images: int) -> dict:
    inp = sum(len(t) for t in texts(request)) // 4 + 1 + 1600 * images
    tools = (request.get("toolConfig") or {}).get("tools") or []
    inp += len(json.dumps(tools)) // 4
    out = max(1, len(json.dumps(answer, ensure_ascii=False)) // 4)
    return {"inputTokens": inp, "outputTokens": out, "totalTokens": inp + out}


def _response(content: list, stop: str, usage: dict, started: float) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": usage,
        "metrics": {"latencyMs": max(1, int((time.monotonic() - started) * 1000))},
    }


def answer(request: dict) -> dict:
    """The offline (or forwarded) Converse answer for a validated request."""
    started = time.monotonic()
    tool = _chosen_tool(request)
    inputs, joined, images = _inputs(request)
    if os.environ.get("STUDIO_TEXT_OPENAI_URL"):
        result = forward_openai(request, tool)
        if tool is not None:
            result = conform(result, tool["inputSchema"]["json"], tool["name"])
    elif tool is None:
        result = plain_text(joined, images)
    else:
        builder = TOOLS.get(tool["name"]) or TASKS.get(str(inputs.get("task", "")))
        result = builder(inputs, images) if builder else {}
        result = conform(result, tool["inputSchema"]["json"], tool["name"])
    if tool is None:
        text = result if isinstance(result, str) else json.dumps(result)
        return _response([{"text": text}], "end_turn", _usage(request, text, len(images)), started)
    use = {"toolUse": {"toolUseId": f"tooluse_{secrets.token_urlsafe(16)[:22]}",
                       "name": tool["name"], "input": result}}
    return _response([use], "tool_use", _usage(request, result, len(images)), started)


def filtered_output(request: dict) -> dict:
    started = time.monotonic()
    return _response([{"text": errors.CONTENT_FILTER_CONVERSE_OUTPUT}], "content_filtered",
                     _usage(request, "", 0), started)


def malformed_answer(request: dict) -> dict:
    """A 200 answer the app cannot use: prose instead of the forced tool call."""
    started = time.monotonic()
    text = "Sure! Here is what you asked for, although I did not use the tool this time."
    return _response([{"text": text}], "end_turn", _usage(request, text, 0), started)


def plain_text(text: str, images: list[bytes]) -> str:
    lang = detect(text)
    described = ""
    if images:
        try:
            described = " The attached image: " + analyze(open_image(images[0])).summary()
        except Exception:  # noqa: BLE001 - the image could not be read; say nothing about it
            described = ""
    return (f"(Offline Bedrock emulator) I read {len(text)} characters of {language_name(lang)} text."
            f"{described} Without a tool, the emulator can only acknowledge the message.")


# --- the three tools -------------------------------------------------------------------------
def record_translation(inputs: dict, images: list[bytes]) -> dict:
    text = str(inputs.get("text", ""))
    lang = detect(text)
    if lang == "en":
        return {"language": "en", "english": text, "translated": False, "notice": None}
    return {"language": lang, "english": text, "translated": False,
            "notice": f"The offline Bedrock emulator cannot translate: the {language_name(lang)} text was passed "
                      "through unchanged. Connect a real model (AWS Bedrock or an OpenAI-compatible server) to "
                      "translate it."}


COMPOSITIONS = (  # (prompt phrase, gloss label)
    ("a wide establishing shot with a low horizon line", "a wide shot"),
    ("a tight close-up with a shallow depth of field", "a close-up"),
    ("a symmetrical, centered composition", "a symmetrical frame"),
    ("an overhead flat-lay view", "a top-down view"),
    ("a dramatic low-angle view", "a low angle"),
    ("a rule-of-thirds composition with generous negative space", "an airy thirds layout"),
)
LIGHTING = (
    "soft golden-hour light", "moody low-key lighting with deep shadows", "diffused overcast daylight",
    "neon rim lighting against a dark background", "dappled light falling through leaves", "crisp studio softbox light",
)
LENSES = ("35mm lens", "85mm portrait lens at f/1.8", "24mm wide-angle lens", "100mm macro lens",
          "200mm telephoto lens", "tilt-shift lens")
MEDIA = (
    ("Cinematic still", "cinematic photograph"), ("Watercolor study", "loose watercolor painting on textured paper"),
    ("Oil on canvas", "oil painting with visible impasto brushwork"), ("Digital illustration", "clean digital illustration"),
    ("Film photograph", "analog film photograph on Portra 400, natural grain"), ("Studio render", "detailed 3D render"),
)
PROMPT_MAX = 500  # the app asks for at most 500 characters (Titan reads 512)
NEGATIVE = "blurry, low resolution, watermark, text, signature, jpeg artifacts, distorted proportions"


def propose_prompts(inputs: dict, images: list[bytes]) -> dict:
    style = str(inputs.get("style") or "").strip()
    keywords = str(inputs.get("keywords") or inputs.get("text") or "an evocative scene").strip()
    count = _count(inputs)
    language = inputs.get("language") or "en"
    start = digest(style, keywords) % 6
    prompts = []
    for i in range(count):
        k = (start + i) % 6
        title, medium = MEDIA[k]
        (composition, label), light = COMPOSITIONS[(k + 2 * i) % 6], LIGHTING[(k + i + 1) % 6]
        lens = LENSES[(k + 3 * i) % 6]
        mood = f", {_short(style, 80)} mood" if style else ""
        prompt = _clip(f"{medium} of {_short(keywords, 200)}{mood}, {composition}, {light}, framed as if through a "
                       f"{lens}, rich textures and carefully balanced colors, highly detailed")
        gloss = (f"{title}: {_short(keywords, 60)} as {medium.split(',')[0]}, {label} in {light.split(' against')[0]}"
                 + (f", keeping the {_short(style, 40)} mood" if style else "") + ".")
        if language and not str(language).lower().startswith("en"):
            gloss += (f" (Offline emulator: glosses are written in English; a real model would write them in "
                      f"{language_name(str(language))}.)")
        prompts.append({"title": _title(title, keywords), "prompt": prompt,
                        "negativePrompt": NEGATIVE + (", photorealism" if "painting" in medium else ""),
                        "gloss": gloss})
    return {"prompts": prompts}


AXES = ("mood", "texture", "composition", "palette", "lighting")


def describe_reference(inputs: dict, images: list[bytes]) -> dict:
    if not images:
        raise errors.validation("describe_reference needs an image block in the last user message.")
    try:
        facts = analyze(open_image(images[0]))
    except Exception:  # noqa: BLE001
        raise errors.validation("The image in the last user message could not be read. Provide a valid png, "
                                "jpeg, gif or webp image and try again.") from None
    keywords = str(inputs.get("keywords") or "").strip()
    count = _count(inputs)
    subject = _short(keywords, 200) or "a scene"
    prompts = [_axis_prompt(AXES[i % len(AXES)], facts, subject, i // len(AXES)) for i in range(count)]
    summary = facts.summary()
    language = inputs.get("language")
    if language and not str(language).lower().startswith("en"):
        summary += f" (Offline emulator: written in English, not {language_name(str(language))}.)"
    return {"summary": summary, "palette": facts.palette[:6], "prompts": prompts}


def _axis_prompt(axis: str, f: Analysis, subject: str, round_: int) -> dict:
    names = ", ".join(dict.fromkeys(f.palette_names[:3]))
    hexes = ", ".join(f.palette[:4])
    extra = "" if round_ == 0 else ", an alternative take"
    body = {
        "mood": (f"Keeps the mood: {subject}, a {f.light}, {f.temperature} atmosphere like the reference, "
                 f"{f.saturation_word} {names} tones, soft atmospheric depth, quiet and immersive, finely detailed{extra}"),
        "texture": (f"Keeps the texture: {subject}, {f.busyness} surfaces, tactile grain and layered detail, "
                    f"{f.contrast_word} rendering in {names}, close attention to material and surface{extra}"),
        "composition": (f"Keeps the composition: {subject} with the main subject in {f.focus}, {f.orientation} "
                        f"framing, the same balance of mass and negative space as the reference, clear focal point, "
                        f"{f.light} tones{extra}"),
        "palette": (f"Keeps the palette: {subject} painted strictly in {hexes} ({names}), {f.temperature} color "
                    f"harmony, {f.saturation_word} saturation, {f.light} overall value, cohesive color grading{extra}"),
        "lighting": (f"Keeps the lighting: {subject}, {f.light} exposure with {f.contrast_word} light, "
                     f"{f.temperature} highlights and soft falloff, light direction and shadow depth echoing the "
                     f"reference, {names} accents{extra}"),
    }[axis]
    title = {"mood": "Same mood", "texture": "Same texture", "composition": "Same composition",
             "palette": "Same palette", "lighting": "Same light"}[axis]
    return {"title": _title(title, subject), "prompt": _clip(body.split(": ", 1)[1]),
            "negativePrompt": NEGATIVE, "axis": axis}


def _count(inputs: dict) -> int:
    try:
        return max(1, min(10, int(inputs.get("count", 3))))
    except (TypeError, ValueError):
        return 3


def _title(kind: str, subject: str) -> str:
    """2-6 words: the kind of take and the first words of the subject."""
    head = [w.strip(",.;:") for w in subject.split()[:3] if w.strip(",.;:")]
    return " ".join([kind, *(["of"] if head else []), *head])


def _clip(text: str, limit: int = PROMPT_MAX) -> str:
    """At most `limit` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;: ")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


TOOLS = {"record_translation": record_translation, "propose_prompts": propose_prompts,
         "describe_reference": describe_reference, "caption_image": caption_image}
TASKS = {"translate": record_translation, "suggest": propose_prompts, "describe": describe_reference}


# --- an OpenAI-compatible server instead of the offline answers ------------------------------
def forward_openai(request: dict, tool: dict | None) -> Any:
    url = os.environ["STUDIO_TEXT_OPENAI_URL"].rstrip("/")
    if not url.endswith("/chat/completions"):
        url += "/chat/completions"
    messages: list[dict] = []
    system = "\n".join(b.get("text", "") for b in request.get("system") or [] if isinstance(b, dict))
    if system:
        messages.append({"role": "system", "content": system})
    for message in request["messages"]:
        parts: list[dict] = []
        for block in message["content"]:
            if "text" in block:
                parts.append({"type": "text", "text": block["text"]})
            elif "image" in block:
                fmt = block["image"]["format"]
                data = block["image"]["source"]["bytes"]
                parts.append({"type": "image_url", "image_url": {"url": f"data:image/{fmt};base64,{data}"}})
        only_text = all(p["type"] == "text" for p in parts)
        content: Any = "\n".join(p["text"] for p in parts) if only_text else parts
        messages.append({"role": message["role"], "content": content})
    config = request.get("inferenceConfig") or {}
    payload: dict[str, Any] = {"model": os.environ.get("STUDIO_TEXT_OPENAI_MODEL", "llama3.2"),
                               "messages": messages, "stream": False}
    if "maxTokens" in config:
        payload["max_tokens"] = config["maxTokens"]
    if "temperature" in config:
        payload["temperature"] = config["temperature"]
    if tool is not None:
        payload["tools"] = [{"type": "function", "function": {
            "name": tool["name"], "description": tool.get("description", ""),
            "parameters": tool["inputSchema"]["json"]}}]
        payload["tool_choice"] = {"type": "function", "function": {"name": tool["name"]}}
    req = urllib.request.Request(url, data=json.dumps(payload).encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, method="POST")
    key = os.environ.get("STUDIO_TEXT_OPENAI_API_KEY")
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    timeout = float(os.environ.get("STUDIO_TEXT_OPENAI_TIMEOUT", "120"))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise errors.BedrockError("ModelErrorException", f"The OpenAI-compatible server answered "
                                  f"{exc.code}: {exc.read()[:300]!r}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise errors.BedrockError("ServiceUnavailableException",
                                  f"The OpenAI-compatible server at {url} could not be reached: {exc}") from None
    message = ((data.get("choices") or [{}])[0]).get("message") or {}
    if tool is None:
        return message.get("content") or ""
    calls = message.get("tool_calls") or []
    raw = calls[0]["function"]["arguments"] if calls else message.get("content") or "{}"
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        match = re.search(r"\{.*\}", raw, re.S)
        parsed = json.loads(match.group(0)) if match else {}
    if violations(tool["inputSchema"]["json"], parsed):
        parsed = conform(parsed, tool["inputSchema"]["json"], tool["name"])
    return parsed
