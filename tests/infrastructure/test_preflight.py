"""make preflight: Bedrock model checks against stubbed control-plane answers (botocore Stubber)."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3
import pytest
from botocore.stub import Stubber

from cdk import preflight
from cdk.config import cdk_json_context, load_config

NOW = datetime(2026, 11, 26, tzinfo=timezone.utc)
TEXT = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
TEXT_BASE = "anthropic.claude-haiku-4-5-20251001-v1:0"
NOVA = "amazon.nova-canvas-v1:0"
TITAN = "amazon.titan-image-generator-v2:0"


def config(**overrides):
    """cdk.json with one image model (Nova Canvas, in us-east-1) unless a test says otherwise."""
    return load_config({**cdk_json_context(), "bedrockRegion": "us-east-1", "imageModelId": NOVA,
                        "allowedImageModels": [NOVA], **overrides})


@pytest.fixture
def bedrock():
    client = boto3.client("bedrock", region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def model(model_id: str, status: str = "ACTIVE", **dates) -> dict:
    lifecycle = {"status": status, **dates}
    return {"modelDetails": {"modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}",
                             "modelId": model_id, "modelLifecycle": lifecycle}}


def available(model_id: str, **changes) -> dict:
    return {"modelId": model_id, "agreementAvailability": {"status": "AVAILABLE"},
            "authorizationStatus": "AUTHORIZED", "entitlementAvailability": "AVAILABLE",
            "regionAvailability": "AVAILABLE", **changes}


def profile(profile_id: str, base: str, regions=("us-east-1", "us-east-2", "us-west-2")) -> dict:
    return {"inferenceProfileName": profile_id, "inferenceProfileId": profile_id, "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
            "inferenceProfileArn": f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{profile_id}",
            "models": [{"modelArn": f"arn:aws:bedrock:{r}::foundation-model/{base}"} for r in regions]}


def expect_text_model_ok(stubber) -> None:
    stubber.add_response("get_inference_profile", profile(TEXT, TEXT_BASE), {"inferenceProfileIdentifier": TEXT})
    stubber.add_response("get_foundation_model", model(TEXT_BASE), {"modelIdentifier": TEXT_BASE})
    stubber.add_response("get_foundation_model_availability", available(TEXT_BASE), {"modelId": TEXT_BASE})


EMBED = "amazon.nova-2-multimodal-embeddings-v1:0"


def expect_embedding_model_ok(stubber) -> None:
    """The embedding model, checked last (in embeddingRegion)."""
    stubber.add_response("get_foundation_model", model(EMBED), {"modelIdentifier": EMBED})
    stubber.add_response("get_foundation_model_availability", available(EMBED), {"modelId": EMBED})


def test_active_models_with_access_pass(bedrock):
    client, stubber = bedrock
    expect_text_model_ok(stubber)
    stubber.add_response("get_foundation_model", model(NOVA), {"modelIdentifier": NOVA})
    stubber.add_response("get_foundation_model_availability", available(NOVA), {"modelId": NOVA})
    expect_embedding_model_ok(stubber)
    lines: list[str] = []
    assert preflight.run(config(), client=client, now=NOW, out=lines.append) == 0
    text = "\n".join(lines)
    assert "routes to anthropic.claude-haiku-4-5-20251001-v1:0 in us-east-1, us-east-2, us-west-2" in text
    assert "0 error(s), 0 warning(s)." in text


def test_a_model_past_end_of_life_fails_and_names_the_keys_to_change(bedrock):
    client, stubber = bedrock
    expect_text_model_ok(stubber)
    stubber.add_response("get_foundation_model",
                         model(TITAN, "LEGACY", legacyTime=datetime(2025, 12, 30, tzinfo=timezone.utc),
                               endOfLifeTime=datetime(2026, 6, 30, tzinfo=timezone.utc)),
                         {"modelIdentifier": TITAN})
    expect_embedding_model_ok(stubber)
    lines: list[str] = []
    code = preflight.run(config(imageModelId=TITAN, allowedImageModels=[TITAN]), client=client, now=NOW,
                         out=lines.append)
    assert code == 1
    failure = next(line for line in lines if line.startswith("[FAIL]"))
    assert "past its end of life (2026-06-30)" in failure
    assert "change imageModelId / allowedImageModels (or bedrockRegion, now us-east-1)" in failure


def test_a_legacy_model_before_end_of_life_warns_with_its_dates(bedrock):
    client, stubber = bedrock
    expect_text_model_ok(stubber)
    stubber.add_response("get_foundation_model", model(NOVA), {"modelIdentifier": NOVA})
    stubber.add_response("get_foundation_model_availability", available(NOVA), {"modelId": NOVA})
    stubber.add_response("get_foundation_model",
                         model(TITAN, "LEGACY", legacyTime=datetime(2025, 12, 30, tzinfo=timezone.utc),
                               endOfLifeTime=datetime(2026, 6, 30, tzinfo=timezone.utc)),
                         {"modelIdentifier": TITAN})
    stubber.add_response("get_foundation_model_availability", available(TITAN), {"modelId": TITAN})
    expect_embedding_model_ok(stubber)
    lines: list[str] = []
    code = preflight.run(config(allowedImageModels=[NOVA, TITAN]), client=client,
                         now=datetime(2026, 3, 1, tzinfo=timezone.utc), out=lines.append)
    assert code == 0
    warning = next(line for line in lines if line.startswith("[WARN]"))
    assert "LEGACY (legacy since 2025-12-30, end of life 2026-06-30)" in warning
    assert "allowedImageModels" in warning


def test_a_model_missing_in_the_region_or_without_access_fails(bedrock):
    client, stubber = bedrock
    stubber.add_client_error("get_inference_profile", "ResourceNotFoundException", "not found",
                             expected_params={"inferenceProfileIdentifier": TEXT})
    stubber.add_response("get_foundation_model", model(NOVA), {"modelIdentifier": NOVA})
    stubber.add_response("get_foundation_model_availability",
                         available(NOVA, authorizationStatus="NOT_AUTHORIZED"), {"modelId": NOVA})
    expect_embedding_model_ok(stubber)
    lines: list[str] = []
    assert preflight.run(config(), client=client, now=NOW, out=lines.append) == 1
    failures = [line for line in lines if line.startswith("[FAIL]")]
    assert any("no such inference profile in us-east-1: change textModelId" in f for f in failures)
    assert any("not authorized (Bedrock console > Model access)" in f for f in failures)


def test_refused_credentials_exit_2(bedrock):
    client, stubber = bedrock
    stubber.add_client_error("get_inference_profile", "UnrecognizedClientException", "bad token",
                             expected_params={"inferenceProfileIdentifier": TEXT})
    lines: list[str] = []
    assert preflight.run(config(), client=client, now=NOW, out=lines.append) == 2
    assert "refused" in lines[-1]


def test_without_credentials_it_says_so_and_exits_2(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    lines: list[str] = []
    assert preflight.run(config(), out=lines.append) == 2
    assert "needs AWS credentials" in lines[0]


def test_main_reports_a_bad_setting_and_exits_2(capsys):
    assert preflight.main(["-c", "bedrockRegion=moon"]) == 2
    assert 'cdk.json context "bedrockRegion"' in capsys.readouterr().err


CORE = "stability.stable-image-core-v1:1"
INPAINT = "stability.stable-image-inpaint-v1:0"


def test_an_image_service_is_checked_through_its_inference_profile_and_a_missing_agreement_fails(bedrock):
    client, stubber = bedrock
    expect_text_model_ok(stubber)
    stubber.add_response("get_foundation_model", model(CORE), {"modelIdentifier": CORE})
    stubber.add_response("get_foundation_model_availability", available(CORE), {"modelId": CORE})
    stubber.add_response("get_inference_profile", profile(f"us.{INPAINT}", INPAINT),
                         {"inferenceProfileIdentifier": f"us.{INPAINT}"})
    stubber.add_response("get_foundation_model", model(INPAINT), {"modelIdentifier": INPAINT})
    stubber.add_response("get_foundation_model_availability",
                         available(INPAINT, agreementAvailability={"status": "NOT_AVAILABLE"}), {"modelId": INPAINT})
    expect_embedding_model_ok(stubber)
    lines: list[str] = []
    code = preflight.run(config(bedrockRegion="us-west-2", imageModelId=CORE, allowedImageModels=[CORE, INPAINT]),
                         client=client, now=NOW, out=lines.append)
    assert code == 1
    failure = next(line for line in lines if line.startswith("[FAIL]"))
    assert failure.startswith(f"[FAIL] us.{INPAINT} in us-west-2:") and "Marketplace" in failure and "docs/deploy.md" in failure
    assert f"[ok  ] us.{INPAINT} in us-west-2: inference profile routes to {INPAINT}" in "\n".join(lines)
    assert f"[ok  ] {EMBED} in us-east-1: model access granted" in "\n".join(lines)
