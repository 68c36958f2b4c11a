"""Converse: the app's three tools answered offline, valid against their schemas, from real analysis."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import pytest
from emulator_helpers import HAIKU, NOVA, error_of, image_bytes, make_client, shapes_image
from PIL import Image, ImageDraw

from local.bedrock_emulator.language import detect

LANG = {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"}
TRANSLATION = {
    "type": "object", "additionalProperties": False, "required": ["language", "english", "translated"],
    "properties": {"language": LANG, "english": {"type": "string", "minLength": 1},
                   "translated": {"type": "boolean"}, "notice": {"type": ["string", "null"]}},
}
IDEA = {"type": "object", "additionalProperties": False, "required": ["title", "prompt", "negativePrompt", "gloss"],
        "properties": {"title": {"type": "string", "maxLength": 80},
                       "prompt": {"type": "string", "minLength": 40, "maxLength": 1000},
                       "negativePrompt": {"type": "string"}, "gloss": {"type": "string", "minLength": 1}}}
SUGGESTIONS = {"type": "object", "additionalProperties": False, "required": ["prompts"],
               "properties": {"prompts": {"type": "array", "minItems": 1, "maxItems": 5, "items": IDEA}}}
AXIS = {"type": "string", "enum": ["mood", "texture", "composition", "palette", "lighting"]}
DESCRIPTION = {
    "type": "object", "additionalProperties": False, "required": ["summary", "palette", "prompts"],
    "properties": {
        "summary": {"type": "string", "minLength": 20},
        "palette": {"type": "array", "minItems": 3, "maxItems": 6, "items": {"type": "string",
                                                                           "pattern": "^#[0-9a-fA-F]{6}$"}},
        "prompts": {"type": "array", "minItems": 1, "maxItems": 5, "items": {
            "type": "object", "additionalProperties": False, "required": ["title", "prompt", "negativePrompt", "axis"],
            "properties": {"title": {"type": "string"}, "prompt": {"type": "string", "minLength": 40},
                           "negativePrompt": {"type": "string"}, "axis": AXIS}}},
    },
}
SCHEMAS = {"record_translation": TRANSLATION, "propose_prompts": SUGGESTIONS, "describe_reference": DESCRIPTION}


def tool_call(client, name: str, inputs: dict, image: bytes | None = None, fmt: str = "png",
              model_id: str = HAIKU, schema: dict | None = None) -> dict:
    content: list[dict] = [{"text": json.dumps(inputs, ensure_ascii=False)}]
    if image is not None:
        content.append({"image": {"format": fmt, "source": {"bytes": image}}})
    response = client.converse(
        modelId=model_id,
        system=[{"text": "You write image prompts. Answer with the tool."}],
        messages=[{"role": "user", "content": content}],
        inferenceConfig={"maxTokens": 1500, "temperature": 0.7},
        toolConfig={"tools": [{"toolSpec": {"name": name, "description": f"record the {name} answer",
                                            "inputSchema": {"json": schema or SCHEMAS[name]}}}],
                    "toolChoice": {"tool": {"name": name}}},
    )
    assert response["stopReason"] == "tool_use"
    usage = response["usage"]
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"] > 0
    assert response["metrics"]["latencyMs"] >= 1
    (block,) = response["output"]["message"]["content"]
    assert block["toolUse"]["name"] == name and block["toolUse"]["toolUseId"].startswith("tooluse_")
    answer = block["toolUse"]["input"]
    jsonschema.validate(answer, schema or SCHEMAS[name])
    return answer


# --- record_translation -----------------------------------------------------------------------
@pytest.mark.parametrize("text, language", [
    ("바닷가의 작은 등대, 해질녘", "ko"), ("夕暮れの海辺にある小さな灯台", "ja"), ("黄昏时海边的小灯塔", "zh"),
    ("Маленький маяк на берегу моря", "ru"), ("منارة صغيرة على شاطئ البحر", "ar"), ("ประภาคารเล็กๆ ริมทะเล", "th"),
    ("Ένας μικρός φάρος δίπλα στη θάλασσα", "el"), ("מגדלור קטן על חוף הים", "he"), ("समुद्र के किनारे एक छोटा प्रकाशस्तंभ", "hi"),
    ("Un pequeño faro junto al mar con la luz del atardecer", "es"),
    ("Un petit phare au bord de la mer avec la lumière du soir", "fr"),
    ("Ein kleiner Leuchtturm am Meer mit dem Licht der Abendsonne", "de"),
    ("Un piccolo faro sul mare con la luce del tramonto", "it"),
    ("Um pequeno farol à beira do mar com a luz do entardecer", "pt"),
    ("Een kleine vuurtoren aan de zee met het licht van de avond", "nl"),
    ("A small lighthouse by the sea in the evening light", "en"),
])
def test_given_text_in_a_language_when_detected_offline_then_the_right_tag(text, language):
    assert detect(text) == language


def test_given_korean_text_when_translating_offline_then_passed_through_untranslated_with_a_notice(client):
    answer = tool_call(client, "record_translation", {"task": "translate", "text": "붉은 노을 아래 등대"})
    assert answer["language"] == "ko" and answer["english"] == "붉은 노을 아래 등대"
    assert answer["translated"] is False and "cannot translate" in answer["notice"]


def test_given_english_text_when_translating_offline_then_no_notice(client):
    answer = tool_call(client, "record_translation", {"task": "translate", "text": "a lighthouse under a red sky"})
    assert answer == {"language": "en", "english": "a lighthouse under a red sky", "translated": False,
                      "notice": None}


def test_given_a_schema_that_requires_a_string_notice_when_english_then_the_answer_still_fits(client):
    schema = {**TRANSLATION, "required": ["language", "english", "translated", "notice"],
              "properties": {**TRANSLATION["properties"], "notice": {"type": "string"}}}
    answer = tool_call(client, "record_translation", {"task": "translate", "text": "a red boat"}, schema=schema)
    assert isinstance(answer["notice"], str)


# --- propose_prompts --------------------------------------------------------------------------
def test_given_style_and_keywords_when_suggesting_then_count_distinct_detailed_prompts(client):
    answer = tool_call(client, "propose_prompts", {"task": "suggest", "style": "melancholic noir",
                                                   "keywords": "rainy tokyo alley, neon signs", "count": 4,
                                                   "language": None})
    prompts = answer["prompts"]
    assert len(prompts) == 4
    assert len({p["prompt"] for p in prompts}) == 4 and len({p["title"] for p in prompts}) == 4
    for idea in prompts:
        assert "rainy tokyo alley, neon signs" in idea["prompt"] and "melancholic noir" in idea["prompt"]
        assert len(idea["prompt"].split()) >= 25 and idea["negativePrompt"] and idea["gloss"]
    mediums = {p["prompt"].split(" of ")[0] for p in prompts}
    assert len(mediums) == 4


def test_given_a_korean_gloss_language_when_suggesting_offline_then_the_gloss_says_it_is_english(client):
    answer = tool_call(client, "propose_prompts", {"task": "suggest", "style": "", "keywords": "fox", "count": 2,
                                                   "language": "ko"})
    assert all("glosses are written in English" in p["gloss"] and "Korean" in p["gloss"] for p in answer["prompts"])


def test_given_a_schema_capping_the_count_when_more_are_asked_then_the_answer_respects_it(client):
    schema = {**SUGGESTIONS, "properties": {"prompts": {**SUGGESTIONS["properties"]["prompts"], "maxItems": 2}}}
    answer = tool_call(client, "propose_prompts", {"task": "suggest", "keywords": "fox", "count": 5}, schema=schema)
    assert len(answer["prompts"]) == 2


# --- describe_reference -----------------------------------------------------------------------
def mostly_red() -> Image.Image:
    img = Image.new("RGB", (400, 300), (210, 25, 30))
    ImageDraw.Draw(img).rectangle((300, 220, 400, 300), fill=(240, 230, 200))
    return img


def test_given_a_mostly_red_image_when_described_then_the_palette_is_red_dominated(client):
    answer = tool_call(client, "describe_reference", {"task": "describe", "keywords": "", "count": 3},
                       image=image_bytes(mostly_red()))
    first = answer["palette"][0]
    r, g, b = int(first[1:3], 16), int(first[3:5], 16), int(first[5:7], 16)
    assert r > 150 and g < 80 and b < 80
    assert "red" in answer["summary"] and "warm" in answer["summary"] and "landscape" in answer["summary"]


def test_given_a_dark_image_when_described_then_it_reads_as_dark(client):
    dark = Image.new("RGB", (300, 300), (12, 14, 30))
    ImageDraw.Draw(dark).ellipse((120, 120, 180, 180), fill=(40, 40, 70))
    answer = tool_call(client, "describe_reference", {"task": "describe", "count": 2}, image=image_bytes(dark, "JPEG"),
                       fmt="jpeg")
    assert "dark" in answer["summary"] and "bright" not in answer["summary"]


def test_given_a_bright_minimal_image_when_described_then_bright_and_minimal(client):
    light = Image.new("RGB", (300, 400), (245, 245, 240))
    answer = tool_call(client, "describe_reference", {"task": "describe", "count": 1}, image=image_bytes(light, "WEBP"),
                       fmt="webp")
    assert "bright" in answer["summary"] and "minimal" in answer["summary"] and "portrait" in answer["summary"]


def test_given_weight_in_the_top_left_when_described_then_the_composition_says_so(client):
    img = Image.new("RGB", (300, 300), (120, 120, 120))
    draw = ImageDraw.Draw(img)
    for i in range(0, 90, 6):
        draw.line((0, i, 95, i), fill=(250, 250, 250), width=2)
    answer = tool_call(client, "describe_reference", {"task": "describe", "count": 3}, image=image_bytes(img))
    assert "top left" in answer["summary"]
    composition = next(p for p in answer["prompts"] if p["axis"] == "composition")
    assert "top left" in composition["prompt"]


def test_given_keywords_and_five_prompts_when_described_then_five_axes_weave_in_the_keywords(client):
    answer = tool_call(client, "describe_reference", {"task": "describe", "keywords": "a sleeping cat", "count": 5},
                       image=image_bytes(shapes_image()))
    assert {p["axis"] for p in answer["prompts"]} == {"mood", "texture", "composition", "palette", "lighting"}
    assert all("a sleeping cat" in p["prompt"] for p in answer["prompts"])
    palette_prompt = next(p for p in answer["prompts"] if p["axis"] == "palette")
    assert answer["palette"][0] in palette_prompt["prompt"]


@pytest.mark.parametrize("size", [(1, 1), (1, 4000), (4000, 1), (2, 3)])
def test_given_a_degenerate_size_when_described_then_a_full_description(client, size):
    # Given an image one pixel wide or tall (the worker accepts these as references)
    img = Image.new("RGB", size, (200, 40, 60))
    # When it is described, Then the answer is as complete as for any other image (no 502)
    answer = tool_call(client, "describe_reference", {"task": "describe", "count": 3}, image=image_bytes(img))
    jsonschema.validate(answer, DESCRIPTION)
    assert "red" in answer["summary"]
    expected = "square" if size[0] == size[1] else "portrait" if size[1] > size[0] else "landscape"
    assert expected in answer["summary"]


def test_given_a_describe_call_without_an_image_when_conversing_then_validation_exception(client):
    code, status, _ = error_of(lambda: tool_call(client, "describe_reference", {"task": "describe", "count": 2}))
    assert (code, status) == ("ValidationException", 400)


# --- Converse basics --------------------------------------------------------------------------
def test_given_no_tool_config_when_conversing_then_a_plain_text_answer(client):
    response = client.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "Bonjour, le phare"}]}])
    assert response["stopReason"] == "end_turn"
    assert "French" in response["output"]["message"]["content"][0]["text"]


def test_given_a_foundation_model_id_when_conversing_then_accepted(client):
    response = client.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                               messages=[{"role": "user", "content": [{"text": "hi"}]}])
    assert response["output"]["message"]["role"] == "assistant"


@pytest.mark.parametrize("kwargs, fragment", [
    ({"messages": []}, "must start with a user message"),
    ({"messages": [{"role": "assistant", "content": [{"text": "hi"}]}]}, "must start with a user message"),
    ({"messages": [{"role": "user", "content": [{"text": "a"}]}, {"role": "user", "content": [{"text": "b"}]}]},
     "must alternate"),
    ({"messages": [{"role": "user", "content": []}]}, "is empty"),
    ({"messages": [{"role": "user", "content": [{"text": "a"}]}], "inferenceConfig": {"maxTokens": 0}},
     "inferenceConfig.maxTokens"),
    ({"messages": [{"role": "user", "content": [{"text": "a"}]}], "inferenceConfig": {"temperature": 1.5}},
     "inferenceConfig.temperature"),
    ({"messages": [{"role": "user", "content": [{"text": "a"}]}],
      "toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {"type": "object"}}}}],
                     "toolChoice": {"tool": {"name": "other"}}}}, "toolChoice"),
])
def test_given_an_invalid_converse_request_when_sent_then_validation_exception(emulator, kwargs, fragment):
    unchecked = make_client(emulator.url, parameter_validation=False)
    code, status, message = error_of(lambda: unchecked.converse(modelId=HAIKU, **kwargs))
    assert (code, status) == ("ValidationException", 400) and fragment in message


def test_given_an_image_model_when_conversing_then_validation_exception(client):
    code, _, message = error_of(lambda: client.converse(modelId=NOVA, messages=[{"role": "user",
                                                                                  "content": [{"text": "hi"}]}]))
    assert code == "ValidationException" and "doesn't support the model" in message


def test_given_an_unknown_model_when_conversing_then_resource_not_found(client):
    code, status, _ = error_of(lambda: client.converse(modelId="acme.unknown-v1:0",
                                                      messages=[{"role": "user", "content": [{"text": "hi"}]}]))
    assert (code, status) == ("ResourceNotFoundException", 404)


# --- an OpenAI-compatible server instead of the offline answers -------------------------------
class _FakeOpenAI(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _FakeOpenAI.seen.append({"path": self.path, "body": body})
        call = {"id": "c1", "type": "function", "function": {
            "name": body["tools"][0]["function"]["name"],
            "arguments": json.dumps({"language": "fr", "english": "A small lighthouse", "translated": True,
                                     "notice": None, "confidence": 0.9})}}
        data = json.dumps({"choices": [{"message": {"role": "assistant", "tool_calls": [call]}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_given_an_openai_compatible_server_when_conversing_then_forwarded_with_a_forced_function(client, monkeypatch):
    fake = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("STUDIO_TEXT_OPENAI_URL", f"http://127.0.0.1:{fake.server_address[1]}/v1")
        monkeypatch.setenv("STUDIO_TEXT_OPENAI_MODEL", "llama3.2")
        answer = tool_call(client, "record_translation", {"task": "translate", "text": "Un petit phare"})
    finally:
        fake.shutdown()
        fake.server_close()
    assert answer["translated"] is True and answer["english"] == "A small lighthouse"
    assert "confidence" not in answer  # bent to the schema (additionalProperties: false)
    request = _FakeOpenAI.seen[-1]
    assert request["path"] == "/v1/chat/completions" and request["body"]["model"] == "llama3.2"
    assert request["body"]["tool_choice"] == {"type": "function", "function": {"name": "record_translation"}}
    assert request["body"]["tools"][0]["function"]["parameters"] == TRANSLATION


def test_given_an_unknown_tool_and_auto_choice_when_conversing_then_the_answer_fits_its_schema(client):
    schema = {"type": "object", "additionalProperties": False, "required": ["mood", "score", "tags"],
              "properties": {"mood": {"type": "string", "enum": ["calm", "tense"]},
                             "score": {"type": "integer", "minimum": 1, "maximum": 5},
                             "tags": {"type": "array", "minItems": 2, "items": {"type": "string"}}}}
    response = client.converse(
        modelId=HAIKU, messages=[{"role": "user", "content": [{"text": '{"task": "rate"}'}]}],
        toolConfig={"tools": [{"toolSpec": {"name": "rate_mood", "inputSchema": {"json": schema}}}],
                    "toolChoice": {"auto": {}}})
    (block,) = response["output"]["message"]["content"]
    assert block["toolUse"]["name"] == "rate_mood"
    jsonschema.validate(block["toolUse"]["input"], schema)
