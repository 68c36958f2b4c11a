"""Bedrock's control plane for preflight: boto3's `bedrock` client against the emulator."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timezone

import boto3
import pytest
from botocore.config import Config
from emulator_helpers import error_of, invoke, profile, service_body

from cdk import preflight

INPAINT = "stability.stable-image-inpaint-v1:0"
UTC = timezone.utc


@pytest.fixture(scope="module")
def bedrock(emulator):
    return boto3.client("bedrock", region_name="us-west-2", endpoint_url=emulator.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"mode": "standard", "total_max_attempts": 1}))


@pytest.fixture(scope="module")
def east(emulator):
    """The control plane in us-east-1, where Nova Canvas, Titan v2 and the embeddings model are known."""
    return boto3.client("bedrock", region_name="us-east-1", endpoint_url=emulator.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"mode": "standard", "total_max_attempts": 1}))


@pytest.fixture(autouse=True)
def _everything_available(emulator):
    emulator.availability.clear()
    emulator.lifecycles.clear()
    yield
    emulator.availability.clear()
    emulator.lifecycles.clear()


def set_lifecycle(url: str, **settings) -> dict:
    req = urllib.request.Request(f"{url}/_emulator/lifecycle", data=json.dumps(settings).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def set_availability(url: str, **settings) -> dict:
    req = urllib.request.Request(f"{url}/_emulator/availability", data=json.dumps(settings).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


# --- GetFoundationModel ------------------------------------------------------------------------
def test_given_nova_canvas_when_get_foundation_model_then_legacy_with_its_dates(east):
    details = east.get_foundation_model(modelIdentifier="amazon.nova-canvas-v1:0")["modelDetails"]
    lifecycle = details["modelLifecycle"]
    assert lifecycle["status"] == "LEGACY"
    assert lifecycle["legacyTime"] == datetime(2026, 3, 30, tzinfo=UTC)
    assert lifecycle["endOfLifeTime"] == datetime(2026, 9, 30, tzinfo=UTC)
    assert details["modelArn"] == "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-canvas-v1:0"
    assert details["inferenceTypesSupported"] == ["ON_DEMAND"]


def test_given_titan_v2_when_get_foundation_model_then_legacy_ending_2026_06_30(bedrock):
    lifecycle = bedrock.get_foundation_model(
        modelIdentifier="amazon.titan-image-generator-v2:0")["modelDetails"]["modelLifecycle"]
    assert lifecycle["status"] == "LEGACY" and lifecycle["endOfLifeTime"] == datetime(2026, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize("model_id, kinds", [
    ("stability.stable-image-core-v1:1", ["ON_DEMAND"]), ("stability.stable-image-ultra-v1:1", ["ON_DEMAND"]),
    ("stability.sd3-5-large-v1:0", ["ON_DEMAND"]), (INPAINT, ["INFERENCE_PROFILE"]),
    ("stability.stable-creative-upscale-v1:0", ["INFERENCE_PROFILE"]),
])
def test_given_a_stability_model_when_get_foundation_model_then_active_and_how_it_is_invoked(bedrock, model_id, kinds):
    details = bedrock.get_foundation_model(modelIdentifier=model_id)["modelDetails"]
    assert details["modelId"] == model_id and details["modelLifecycle"]["status"] == "ACTIVE"
    assert "endOfLifeTime" not in details["modelLifecycle"]
    assert details["inferenceTypesSupported"] == kinds and details["outputModalities"] == ["IMAGE"]


def test_given_an_unknown_model_when_get_foundation_model_then_validation_exception(bedrock):
    code, status, _ = error_of(lambda: bedrock.get_foundation_model(modelIdentifier="acme.nothing-v1:0"))
    assert (code, status) == ("ValidationException", 400)


@pytest.mark.parametrize("model_id", ["amazon.nova-2-multimodal-embeddings-v1:0", "amazon.nova-canvas-v1:0"])
def test_given_a_model_not_offered_in_the_region_when_get_foundation_model_then_invalid_identifier(
        bedrock, east, model_id):
    # Given us-west-2, where neither runs (model_regions: us-east-1 only; Nova Canvas east-1/ap-northeast-1/eu-west-1)
    code, status, message = error_of(lambda: bedrock.get_foundation_model(modelIdentifier=model_id))
    assert (code, status, message) == ("ValidationException", 400, "The provided model identifier is invalid.")
    # Then in us-east-1 it is there
    assert east.get_foundation_model(modelIdentifier=model_id)["modelDetails"]["modelId"] == model_id


def test_given_a_model_moved_to_legacy_when_get_foundation_model_then_the_new_lifecycle(bedrock, emulator):
    core = "stability.stable-image-core-v1:1"
    set_lifecycle(emulator.url, modelId=core, status="LEGACY", legacy="2026-12-01", end="2027-01-15")
    lifecycle = bedrock.get_foundation_model(modelIdentifier=core)["modelDetails"]["modelLifecycle"]
    assert lifecycle["status"] == "LEGACY" and lifecycle["endOfLifeTime"] == datetime(2027, 1, 15, tzinfo=UTC)
    req = urllib.request.Request(f"{emulator.url}/_emulator/lifecycle", method="DELETE")
    with urllib.request.urlopen(req, timeout=5):
        pass
    assert bedrock.get_foundation_model(modelIdentifier=core)["modelDetails"]["modelLifecycle"] == {"status": "ACTIVE"}


def test_given_a_bad_lifecycle_when_posted_then_400(emulator):
    with pytest.raises(urllib.error.HTTPError) as caught:
        set_lifecycle(emulator.url, modelId="stability.stable-image-core-v1:1", status="GONE")
    assert caught.value.code == 400


def test_given_a_us_profile_asked_from_europe_when_get_inference_profile_then_not_found(emulator):
    europe = boto3.client("bedrock", region_name="eu-west-1", endpoint_url=emulator.url,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    code, _, _ = error_of(lambda: europe.get_inference_profile(inferenceProfileIdentifier=f"us.{INPAINT}"))
    assert code == "ResourceNotFoundException"


# --- inference profiles ------------------------------------------------------------------------
def test_given_an_image_service_profile_when_get_inference_profile_then_its_three_us_regions(bedrock):
    answer = bedrock.get_inference_profile(inferenceProfileIdentifier=f"us.{INPAINT}")
    assert answer["status"] == "ACTIVE" and answer["type"] == "SYSTEM_DEFINED"
    assert answer["inferenceProfileId"] == f"us.{INPAINT}"
    assert answer["inferenceProfileArn"] == f"arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.{INPAINT}"
    assert [m["modelArn"] for m in answer["models"]] == [
        f"arn:aws:bedrock:{r}::foundation-model/{INPAINT}" for r in ("us-east-1", "us-east-2", "us-west-2")]


def test_given_the_text_models_profile_when_get_inference_profile_then_it_routes_to_the_anthropic_model(bedrock):
    answer = bedrock.get_inference_profile(inferenceProfileIdentifier="us.anthropic.claude-haiku-4-5-20251001-v1:0")
    assert answer["models"][0]["modelArn"].endswith("foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0")


@pytest.mark.parametrize("identifier", [f"eu.{INPAINT}", "us.amazon.nova-canvas-v1:0", "us.acme.nothing-v1:0"])
def test_given_a_profile_that_does_not_exist_when_get_inference_profile_then_not_found(bedrock, identifier):
    code, status, _ = error_of(lambda: bedrock.get_inference_profile(inferenceProfileIdentifier=identifier))
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_given_pages_of_two_when_listing_inference_profiles_then_all_thirteen_services_arrive(bedrock):
    pages = bedrock.get_paginator("list_inference_profiles").paginate(PaginationConfig={"PageSize": 2})
    ids = [p["inferenceProfileId"] for page in pages for p in page["inferenceProfileSummaries"]]
    assert len(ids) == 13 == len(set(ids)) and all(i.startswith("us.stability.") for i in ids)


# --- availability (agreement) --------------------------------------------------------------------
def test_given_nothing_switched_when_get_availability_then_everything_available(bedrock):
    answer = bedrock.get_foundation_model_availability(modelId=INPAINT)
    assert answer["agreementAvailability"] == {"status": "AVAILABLE"}
    assert (answer["authorizationStatus"], answer["entitlementAvailability"], answer["regionAvailability"]) == \
        ("AUTHORIZED", "AVAILABLE", "AVAILABLE")


def test_given_an_agreement_not_accepted_when_checked_and_invoked_then_pending_and_access_denied(
        bedrock, client, emulator):
    assert set_availability(emulator.url, modelId=INPAINT, agreement="PENDING") == \
        {"availability": {INPAINT: {"agreement": "PENDING"}}}
    assert bedrock.get_foundation_model_availability(modelId=INPAINT)["agreementAvailability"]["status"] == "PENDING"
    name = "stable-image-inpaint-v1:0"
    assert error_of(lambda: invoke(client, profile(name), service_body(name)))[:2] == ("AccessDeniedException", 403)
    req = urllib.request.Request(f"{emulator.url}/_emulator/availability", method="DELETE")
    with urllib.request.urlopen(req, timeout=5):
        pass
    assert invoke(client, profile(name), service_body(name))["finish_reasons"] == [None]


def test_given_a_bad_availability_setting_when_posted_then_400(emulator):
    with pytest.raises(urllib.error.HTTPError) as caught:
        set_availability(emulator.url, modelId=INPAINT, agreement="MAYBE")
    assert caught.value.code == 400


# --- preflight's checks against the stand-in -------------------------------------------------------
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def levels(findings: list[preflight.Finding]) -> list[str]:
    return [f.level for f in findings]


def test_given_nova_canvas_past_its_end_of_life_when_preflight_checks_then_an_error_naming_the_date(east):
    findings = preflight.check_model(east, "amazon.nova-canvas-v1:0", ("imageModelId",), "us-east-1", NOW)
    assert levels(findings) == ["error"] and "2026-09-30" in findings[0].message


def test_given_an_image_service_profile_when_preflight_checks_then_profile_lifecycle_and_access_are_ok(bedrock):
    findings = preflight.check_model(bedrock, f"us.{INPAINT}", ("allowedImageModels",), "us-west-2", NOW)
    assert levels(findings) == ["ok", "ok", "ok"]
    assert "us-east-1, us-east-2, us-west-2" in findings[0].message


def test_given_an_agreement_not_accepted_when_preflight_checks_then_it_fails_naming_the_agreement(bedrock, emulator):
    emulator.availability.set(INPAINT, agreement="NOT_AVAILABLE")
    findings = preflight.check_model(bedrock, f"us.{INPAINT}", ("allowedImageModels",), "us-west-2", NOW)
    assert levels(findings)[-1] == "error" and "agreement is NOT_AVAILABLE" in findings[-1].message


def test_given_aws_endpoint_url_bedrock_when_make_preflight_runs_then_it_checks_every_model_offline(
        emulator, monkeypatch):
    """`make preflight` against the stand-in: only the documented env var points boto3's bedrock client at it."""
    from cdk.config import app_context, load_config

    for key, value in {"AWS_ENDPOINT_URL_BEDROCK": emulator.url, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    config = load_config(app_context(["-c", "bedrockRegion=us-east-1", "-c", "modelRegionCheck=warn"], environ={}))
    lines: list[str] = []
    code = preflight.run(config, out=lines.append)
    checked = "\n".join(lines[1:-1])
    assert all(f"{call.model_id} in {call.region}" in checked for call in preflight.model_calls(config))
    assert "could not" not in checked
    # Then Stable Image Core, called in us-east-1 (modelRegionCheck=warn let the config through), fails there
    assert code == 1 and "[FAIL] stability.stable-image-core-v1:1 in us-east-1: model stability.stable-image-core-v1:1 " \
        "is not offered in us-east-1" in checked
