"""POST /translate, /suggest and /describe: the exact Converse request, and every answer mapped."""


import pytest
from botocore.exceptions import ReadTimeoutError

import describe.handler
import suggest.handler
import translate.handler
from studio.catalog import DEFAULT_TEXT_MODEL_ID
from studio.logic import prompts
from tests.support import images as make
from tests.support.bedrock import CONTENT_FILTER, JsonEqual, Matches
from tests.support.events import USER_A, USER_B, call
from tests.support.uploads import put_upload

INFERENCE = {"maxTokens": 900, "temperature": 0.3}


@pytest.fixture(autouse=True)
def text_model_settings(aws, env):
    """Every text call counts against the caller's daily text quota: the table (moto) is needed."""
    env(TEXT_MAX_TOKENS="900", TEXT_TEMPERATURE="0.3")


def converse_request(system, tool, description, schema, content):
    return {
        "modelId": DEFAULT_TEXT_MODEL_ID,
        "system": [{"text": system}],
        "messages": [{"role": "user", "content": content}],
        "inferenceConfig": INFERENCE,
        "toolConfig": {
            "tools": [{"toolSpec": {"name": tool, "description": description, "inputSchema": {"json": schema}}}],
            "toolChoice": {"tool": {"name": tool}},
        },
    }


def translate_request(text):
    return converse_request(prompts.TRANSLATE_SYSTEM, "record_translation",
                            "Record the detected language and the English version of the text",
                            prompts.TRANSLATION_TOOL, [{"text": JsonEqual({"task": "translate", "text": text})}])


# --- translate -----------------------------------------------------------------------------
def test_given_korean_text_when_translated_then_exact_converse_request_and_mapped_answer(bedrock):
    bedrock.converse(translate_request("바닷가의 등대, 해질녘"), "record_translation",
                     {"language": "ko", "english": "A lighthouse by the sea at dusk", "translated": True})
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "바닷가의 등대, 해질녘"})
    assert reply.status == 200
    assert reply.body == {"text": "바닷가의 등대, 해질녘", "language": "ko", "english": "A lighthouse by the sea at dusk",
                          "translated": True, "notice": None}
    bedrock.assert_done()


def test_given_english_text_then_translated_is_false_even_if_the_model_says_true(bedrock):
    bedrock.converse(translate_request("a red fox"), "record_translation",
                     {"language": "en", "english": "a red fox", "translated": True})
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "a red fox"})
    assert reply.body["translated"] is False and reply.body["english"] == "a red fox"


def test_given_a_bad_language_tag_and_empty_english_then_und_and_the_original_text(bedrock):
    bedrock.converse(None, "record_translation",
                     {"language": "klingon language", "english": "  ", "translated": False,
                      "notice": "Could not identify the language"})
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "qapla"})
    assert reply.body == {"text": "qapla", "language": "und", "english": "qapla", "translated": False,
                          "notice": "Could not identify the language"}


@pytest.mark.parametrize("body,field", [({"text": ""}, "text"), ({"text": "x" * 2001}, "text"),
                                        ({"text": "   "}, "text"), ({}, "text"),
                                        ({"text": "ok", "extra": 1}, "extra"), ({"text": 5}, "text")])
def test_given_an_invalid_translate_body_then_422_naming_the_field(bedrock, body, field):
    reply = call(translate.handler.handler, "POST", "/translate", body=body)
    assert reply.status == 422 and reply.error["code"] == "validation_error"
    assert field in reply.fields()


def test_given_text_of_exactly_2000_chars_then_accepted(bedrock):
    bedrock.converse(None, "record_translation", {"language": "en", "english": "x" * 2000, "translated": False})
    assert call(translate.handler.handler, "POST", "/translate", body={"text": "x" * 2000}).status == 200


@pytest.mark.parametrize("raw", ["{not json", "[1, 2", ""])
def test_given_malformed_json_then_400_invalid_json(bedrock, raw):
    reply = call(translate.handler.handler, "POST", "/translate", raw_body=raw or "{")
    assert reply.status == 400 and reply.error["code"] == "invalid_json"


def test_given_the_content_filter_blocks_the_input_then_422_content_filtered(bedrock):
    bedrock.converse_error("ValidationException", CONTENT_FILTER)
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "something awful"})
    assert reply.status == 422 and reply.error["code"] == "content_filtered"
    assert "Rephrase" in reply.error["message"]


@pytest.mark.parametrize("stop_reason", ["content_filtered", "guardrail_intervened"])
def test_given_the_model_stops_on_its_filter_then_422_content_filtered(bedrock, stop_reason):
    bedrock.converse(None, "record_translation", {}, stop_reason=stop_reason, content=[{"text": "…"}])
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "x"})
    assert reply.status == 422 and reply.error["details"] == {"stage": "output"}


def test_given_throttling_then_429_with_retry_after(bedrock):
    bedrock.converse_error("ThrottlingException", "Too many requests, please wait before trying again.", 429)
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "x"})
    assert reply.status == 429 and reply.error["code"] == "model_throttled"
    assert reply.headers["Retry-After"] == "30"


@pytest.mark.parametrize("code,status,expected_status,expected_code", [
    ("InternalServerException", 500, 503, "model_unavailable"),
    ("AccessDeniedException", 403, 503, "model_access_denied"),
    ("ModelTimeoutException", 408, 503, "model_timeout"),
])
def test_given_a_model_fault_then_503_with_a_typed_code(bedrock, code, status, expected_status, expected_code):
    bedrock.converse_error(code, "fault", status)
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "x"})
    assert (reply.status, reply.error["code"]) == (expected_status, expected_code)


def test_given_a_read_timeout_then_503_model_timeout(bedrock, monkeypatch):
    def timeout(**_):
        raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse")

    monkeypatch.setattr(bedrock.client, "converse", timeout)
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "x"})
    assert (reply.status, reply.error["code"]) == (503, "model_timeout")


@pytest.mark.parametrize("content", [
    [{"text": "The language is Korean."}],                                             # no toolUse
    [{"toolUse": {"toolUseId": "t", "name": "another_tool", "input": {"language": "ko"}}}],  # wrong tool
])
def test_given_an_answer_without_the_tool_call_then_502_model_error(bedrock, content):
    bedrock.converse(None, "record_translation", None, stop_reason="end_turn", content=content)
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "x"})
    assert (reply.status, reply.error["code"]) == (502, "model_error")


def test_given_a_tool_input_that_breaks_the_schema_then_502_model_error(bedrock):
    bedrock.converse(None, "record_translation", {"language": "ko"})  # english and translated missing
    reply = call(translate.handler.handler, "POST", "/translate", body={"text": "x"})
    assert (reply.status, reply.error["code"]) == (502, "model_error")


# --- suggest -------------------------------------------------------------------------------
IDEAS = [{"title": f"Idea {n}", "prompt": f" prompt {n} ", "negativePrompt": "blur", "gloss": f"글 {n}"}
         for n in range(1, 5)]


def test_given_style_and_keywords_when_suggesting_then_exact_request_and_count_prompts(bedrock):
    expected = converse_request(
        prompts.SUGGEST_SYSTEM, "propose_prompts", "Record the proposed image prompts", prompts.IDEAS_TOOL,
        [{"text": JsonEqual({"task": "suggest", "style": "moody noir", "keywords": "rain, neon", "count": 2,
                             "language": "ko"})}])
    bedrock.converse(expected, "propose_prompts", {"prompts": IDEAS})
    reply = call(suggest.handler.handler, "POST", "/suggest",
                 body={"style": "moody noir", "keywords": "rain, neon", "count": 2, "language": "ko"})
    assert reply.status == 200
    assert reply.body == {"prompts": [
        {"title": "Idea 1", "prompt": "prompt 1", "negativePrompt": "blur", "gloss": "글 1"},
        {"title": "Idea 2", "prompt": "prompt 2", "negativePrompt": "blur", "gloss": "글 2"}]}


def test_given_no_count_then_three_prompts_and_null_language(bedrock):
    expected = converse_request(
        prompts.SUGGEST_SYSTEM, "propose_prompts", "Record the proposed image prompts", prompts.IDEAS_TOOL,
        [{"text": JsonEqual({"task": "suggest", "style": "", "keywords": "cats", "count": 3, "language": None})}])
    bedrock.converse(expected, "propose_prompts", {"prompts": IDEAS})
    reply = call(suggest.handler.handler, "POST", "/suggest", body={"keywords": "cats"})
    assert len(reply.body["prompts"]) == 3


@pytest.mark.parametrize("tool_input", [{"prompts": [{"title": "t", "prompt": "  "}]}, {"prompts": "three ideas"},
                                        {"ideas": []}])
def test_given_empty_or_malformed_prompts_then_502(bedrock, tool_input):
    bedrock.converse(None, "propose_prompts", tool_input)
    reply = call(suggest.handler.handler, "POST", "/suggest", body={"keywords": "cats"})
    assert (reply.status, reply.error["code"]) == (502, "model_error")


@pytest.mark.parametrize("body,field", [
    ({"keywords": ""}, "keywords"), ({"keywords": "k" * 501}, "keywords"), ({"style": "s"}, "keywords"),
    ({"keywords": "k", "style": "s" * 501}, "style"), ({"keywords": "k", "count": 0}, "count"),
    ({"keywords": "k", "count": 6}, "count"), ({"keywords": "k", "language": "not a tag!"}, "language"),
])
def test_given_an_invalid_suggest_body_then_422_naming_the_field(bedrock, body, field):
    reply = call(suggest.handler.handler, "POST", "/suggest", body=body)
    assert reply.status == 422 and field in reply.fields()


def test_given_suggest_throttled_then_429(bedrock):
    bedrock.converse_error("ThrottlingException", "slow down", 429)
    reply = call(suggest.handler.handler, "POST", "/suggest", body={"keywords": "k"})
    assert reply.status == 429 and reply.headers["Retry-After"] == "30"


# --- describe ------------------------------------------------------------------------------
REFERENCE = {"summary": " A quiet harbour. ", "palette": ["#AABBCC", "#112233", "nope", "#445566"],
             "prompts": [{"title": "Mood", "prompt": "fog", "negativePrompt": "", "axis": "mood"},
                         {"title": "Texture", "prompt": "grain", "negativePrompt": "x", "axis": "texture"}]}


def jpeg_block(max_side, expected_size=None):
    def check(data):
        image = make.open_bytes(data)
        ok = image.format == "JPEG" and max(image.size) <= max_side
        return ok and (expected_size is None or image.size == expected_size)

    return Matches(check, f"JPEG bytes, longest side <= {max_side}")


def describe_request(image_check, keywords="", count=3, language=None):
    return converse_request(
        prompts.DESCRIBE_SYSTEM, "describe_reference", "Record the reference image's description, palette and prompts",
        prompts.REFERENCE_TOOL,
        [{"image": {"format": "jpeg", "source": {"bytes": image_check}}},
         {"text": JsonEqual({"task": "describe", "keywords": keywords, "count": count, "language": language})}])


@pytest.mark.parametrize("data,ext", [(make.png(), "png"), (make.jpeg(), "jpeg"), (make.webp(), "webp")])
def test_given_my_upload_when_described_then_image_block_and_mapped_answer(aws, bedrock, data, ext):
    key = put_upload(USER_A, data, ext)
    bedrock.converse(describe_request(jpeg_block(1568, (64, 48)), "harbour", 2, "fr"), "describe_reference", REFERENCE)
    reply = call(describe.handler.handler, "POST", "/describe",
                 body={"imageKey": key, "keywords": "harbour", "count": 2, "language": "fr"})
    assert reply.status == 200, reply.body
    assert reply.body == {"summary": "A quiet harbour.", "palette": ["#aabbcc", "#112233", "#445566"],
                          "prompts": [{"title": "Mood", "prompt": "fog", "negativePrompt": "", "axis": "mood"},
                                      {"title": "Texture", "prompt": "grain", "negativePrompt": "x",
                                       "axis": "texture"}]}
    bedrock.assert_done()


def test_given_a_3000x2000_upload_then_it_is_downscaled_to_1568_before_sending(aws, bedrock):
    key = put_upload(USER_A, make.png((3000, 2000)))
    check = jpeg_block(1568, (1568, 1045))
    bedrock.converse(describe_request(check), "describe_reference", REFERENCE)
    reply = call(describe.handler.handler, "POST", "/describe", body={"imageKey": key})
    assert reply.status == 200
    assert len(check.seen) < 3_750_000


def test_given_another_users_image_key_then_404_and_no_model_call(aws, bedrock):
    key = put_upload(USER_B, make.png())
    reply = call(describe.handler.handler, "POST", "/describe", body={"imageKey": key})
    assert reply.status == 404 and reply.error["code"] == "reference_missing"


def test_given_a_key_that_was_never_uploaded_then_404(aws, bedrock):
    reply = call(describe.handler.handler, "POST", "/describe",
                 body={"imageKey": f"uploads/{USER_A}/{'0' * 32}.png"})
    assert reply.status == 404 and reply.error["code"] == "reference_missing"


@pytest.mark.parametrize("data", [make.gif(), make.NOT_AN_IMAGE, make.truncated_jpeg(), make.png_header_only(15000, 12000)],
                         ids=["gif", "text", "truncated-jpeg", "pixel-bomb"])
def test_given_a_gif_text_or_broken_image_uploaded_as_png_then_422_naming_image_key(aws, bedrock, data):
    key = put_upload(USER_A, data, "png")
    reply = call(describe.handler.handler, "POST", "/describe", body={"imageKey": key})
    assert reply.status == 422 and reply.fields() == ["imageKey"]


def test_given_an_upload_over_10_mb_then_413(aws, bedrock):
    key = put_upload(USER_A, make.png() + b"\0" * (10 * 1024 * 1024))
    reply = call(describe.handler.handler, "POST", "/describe", body={"imageKey": key})
    assert reply.status == 413 and reply.error["code"] == "payload_too_large"


@pytest.mark.parametrize("body,field", [
    ({"imageKey": "images/abc/0.png"}, "imageKey"), ({"imageKey": f"uploads/{USER_A}/x.gif"}, "imageKey"),
    ({"imageKey": f"uploads/{USER_A}/../../secret.png"}, "imageKey"), ({}, "imageKey"),
    ({"imageKey": f"uploads/{USER_A}/{'a' * 32}.png", "count": 9}, "count"),
    ({"imageKey": f"uploads/{USER_A}/{'a' * 32}.png", "keywords": "k" * 501}, "keywords"),
])
def test_given_an_invalid_describe_body_then_422_naming_the_field(aws, bedrock, body, field):
    reply = call(describe.handler.handler, "POST", "/describe", body=body)
    assert reply.status == 422 and field in reply.fields()


@pytest.mark.parametrize("answer", [
    {**REFERENCE, "palette": ["#aabbcc", "red"]},  # fewer than 3 usable colors
    {**REFERENCE, "prompts": [{"title": "t", "prompt": " "}]},
    {"summary": "s"},
])
def test_given_an_unusable_description_then_502(aws, bedrock, answer):
    key = put_upload(USER_A, make.png())
    bedrock.converse(None, "describe_reference", answer)
    reply = call(describe.handler.handler, "POST", "/describe", body={"imageKey": key})
    assert (reply.status, reply.error["code"]) == (502, "model_error")


def test_given_describe_hits_the_content_filter_then_422_content_filtered(aws, bedrock):
    key = put_upload(USER_A, make.png())
    bedrock.converse_error("ValidationException", CONTENT_FILTER)
    reply = call(describe.handler.handler, "POST", "/describe", body={"imageKey": key})
    assert (reply.status, reply.error["code"]) == (422, "content_filtered")
