"""Models that leave: the daily lifecycle check against the emulator's control plane, GET /models and the alarm.

Given moto (the table) and the Bedrock emulator's control plane (AWS_ENDPOINT_URL_BEDROCK, one client per
region as in the cloud), the local scheduler runs the "model-lifecycle" function like EventBridge would.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cdk import constants as c
from local.bedrock_emulator import EmulatorServer
from local.lambda_runtime import Scheduler
from tests.support.in_process import InProcess
from studio import catalog
from studio.logic import model_watch
from studio.model_regions import ModelCall
from tests.support.flow import call

import generate.handler  # noqa: E402  (functions/ is on the path)

CORE = "stability.stable-image-core-v1:1"
INPAINT = "stability.stable-image-inpaint-v1:0"


@pytest.fixture(scope="module")
def emulator():
    server = EmulatorServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def control_plane(emulator, env):
    emulator.lifecycles.clear()
    # The deployed defaults (cdk.json): the active models, image models in us-west-2, embeddings in us-east-1
    env(AWS_ENDPOINT_URL_BEDROCK=emulator.url, ALLOWED_IMAGE_MODELS=",".join(catalog.DEFAULT_ENABLED_MODEL_IDS),
        IMAGE_MODEL_ID=CORE, BEDROCK_REGION="us-west-2", EMBEDDING_REGION="us-east-1")
    yield emulator
    emulator.lifecycles.clear()


def models(user=None) -> dict:
    reply = call(generate.handler.handler, "GET", "/models")
    assert reply.status == 200, reply.body
    return reply.body


def test_given_every_model_active_then_nothing_needs_attention_and_the_states_are_stored(aws, control_plane):
    summary = Scheduler(InProcess()).run_now("model-lifecycle")
    # Then every model the stack calls was read in its region, none is unknown, none needs attention
    assert summary["checked"] == 18 and summary["unknown"] == [] and summary[model_watch.METRIC] == 0
    body = models()
    core = next(m for m in body["imageModels"] if m["modelId"] == CORE)
    assert core["checkedLifecycle"]["status"] == "ACTIVE" and core["checkedLifecycle"]["region"] == "us-west-2"
    assert core["checkedLifecycle"]["attention"] is False and body["modelNotices"] == []


def test_given_a_model_moved_to_legacy_then_the_alarm_would_fire_and_get_models_carries_the_notice(aws, control_plane):
    # Given Bedrock moves Stable Image Core to LEGACY, ending in 45 days
    end = (date.today() + timedelta(days=45)).isoformat()
    control_plane.lifecycles.set(CORE, "LEGACY", legacy=date.today().isoformat(), end=end)
    # When the scheduled check runs
    summary = Scheduler(InProcess()).run_now("model-lifecycle")
    # Then the metric it publishes reaches the alarm's threshold (cdk/monitoring.py ModelLifecycle alarm)
    assert summary["attention"] == [CORE]
    assert summary[model_watch.METRIC] >= c.MODEL_LIFECYCLE_ALARM_THRESHOLD
    # And GET /models carries the notice on the model and in the list of notices
    body = models()
    core = next(m for m in body["imageModels"] if m["modelId"] == CORE)["checkedLifecycle"]
    assert core["status"] == "LEGACY" and core["endOfLife"] == end and core["daysLeft"] == 45
    assert core["attention"] is True and f"Bedrock ends it on {end} (45 days left)" in core["notice"]
    assert [n["modelId"] for n in body["modelNotices"]] == [CORE]
    # When Bedrock moves it back, the next check clears the notice (and the metric goes back to 0)
    control_plane.lifecycles.clear()
    assert Scheduler(InProcess()).run_now("model-lifecycle")[model_watch.METRIC] == 0
    assert models()["modelNotices"] == []


def test_given_an_active_model_with_an_end_of_life_in_60_days_then_it_needs_attention(aws, control_plane):
    end = (date.today() + timedelta(days=60)).isoformat()
    control_plane.lifecycles.set(f"{INPAINT}", "ACTIVE", end=end)
    summary = Scheduler(InProcess()).run_now("model-lifecycle")
    assert summary["attention"] == [INPAINT]
    edit = next(op for op in models()["editOperations"] if op["operation"] == "inpaint")["checkedLifecycle"]
    assert edit["status"] == "ACTIVE" and edit["daysLeft"] == 60 and "is leaving" in edit["notice"]


@pytest.mark.parametrize("days, attention", [(61, False), (60, True), (0, True)])
def test_assess_draws_the_line_at_60_days(days, attention):
    today = date(2026, 12, 3)
    found = {"status": "ACTIVE", "legacySince": None, "endOfLife": (today + timedelta(days=days)).isoformat()}
    assert model_watch.assess(ModelCall(CORE, "us-west-2", ()), found, today)["attention"] is attention


def test_given_bedrock_does_not_answer_then_the_model_is_unknown_not_an_alarm(aws, control_plane, env):
    env(BEDROCK_REGION="eu-west-1", TEXT_MODEL_ID="eu.anthropic.claude-haiku-4-5-20251001-v1:0")
    summary = Scheduler(InProcess()).run_now("model-lifecycle")
    # Core is not known to Bedrock in eu-west-1: recorded as UNKNOWN (synth would have refused this config)
    assert CORE in summary["unknown"] and summary[model_watch.METRIC] == 0
