"""A daily per-user limit on text calls (translate, suggest, describe), beside the image quota.

Given a small DAILY_TEXT_QUOTA and the table in moto, each test makes text calls and reads GET /models.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import generate.handler
import translate.handler
from studio.logic import usage
from studio.settings import settings
from tests.support.events import USER_A, USER_B, call

ANSWER = {"language": "fr", "english": "a cat", "translated": True}


@pytest.fixture
def limit_two(aws, env):
    env(DAILY_TEXT_QUOTA="2")


def translate_once(bedrock, user=USER_A, answer=True):
    if answer:
        bedrock.converse(None, "record_translation", ANSWER)
    return call(translate.handler.handler, "POST", "/translate", body={"text": "un chat"}, user=user)


def models(user=USER_A):
    reply = call(generate.handler.handler, "GET", "/models", user=user)
    assert reply.status == 200
    return reply.body


def test_the_call_after_the_limit_is_429_with_retry_after_and_no_model_call(limit_two, bedrock):
    assert models()["dailyTextQuota"] == 2 and models()["textCallsLeft"] == 2
    for left in (1, 0):
        assert translate_once(bedrock).status == 200
        assert models()["textCallsLeft"] == left
    # The third: refused before the model is called (no answer is stubbed for it)
    reply = translate_once(bedrock, answer=False)
    assert reply.status == 429 and reply.error["code"] == "quota_exceeded"
    assert reply.error["details"] == {"limit": 2, "kind": "text"}
    assert 0 < int(reply.headers["Retry-After"]) <= 24 * 3600
    # Another user has their own day
    assert models(USER_B)["textCallsLeft"] == 2
    assert translate_once(bedrock, user=USER_B).status == 200


def test_a_zero_quota_turns_text_calls_off(aws, env, bedrock):
    env(DAILY_TEXT_QUOTA="0")
    reply = translate_once(bedrock, answer=False)
    assert reply.status == 429 and "turned off" in reply.error["message"]


def test_the_day_is_the_utc_day_and_its_counter_expires(limit_two):
    conf = settings()
    late = datetime(2026, 11, 26, 23, 59, 30, tzinfo=timezone.utc)
    usage.charge_text_call(USER_A, conf, late)
    usage.charge_text_call(USER_A, conf, late)
    with pytest.raises(Exception) as refused:
        usage.charge_text_call(USER_A, conf, late)
    assert refused.value.retry_after == 30
    next_day = datetime(2026, 11, 27, 0, 0, 1, tzinfo=timezone.utc)
    usage.charge_text_call(USER_A, conf, next_day)  # a new day, a new count
    assert usage.left_today(USER_A, conf, next_day)[0][1] == 1


# --- a call the model failed is given back (issue 19.7) -------------------------------------------
@pytest.mark.parametrize("code,status,expected", [
    ("ThrottlingException", 429, 429),          # model_throttled: the model was busy
    ("ServiceUnavailableException", 503, 503),  # model_unavailable
    ("ModelErrorException", 424, 502),          # model_error
])
def test_a_text_call_the_model_failed_is_given_back(limit_two, bedrock, code, status, expected):
    bedrock.converse_error(code, "fault", status)
    reply = translate_once(bedrock, answer=False)
    assert reply.status == expected, reply.body
    assert models()["textCallsLeft"] == 2
    assert translate_once(bedrock).status == 200 and models()["textCallsLeft"] == 1


def test_a_text_call_refused_for_its_content_still_counts(limit_two, bedrock):
    # the caller's 4xx (content filtered) used the model: it is not given back
    bedrock.converse(None, "record_translation", {}, stop_reason="content_filtered", content=[{"text": "…"}])
    reply = translate_once(bedrock, answer=False)
    assert reply.status == 422 and reply.error["code"] == "content_filtered"
    assert models()["textCallsLeft"] == 1
