"""Stack settings: cdk.json defaults, command-line strings, and clear errors that name the key."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cdk import config as cfg
from cdk.config import ConfigError, StudioConfig, cdk_json_context, load_config, parse_context_args
from studio import catalog

ROOT = cfg.ROOT


def config_with(**overrides) -> StudioConfig:
    return load_config({**cdk_json_context(), **overrides})


def test_cdk_json_defaults_are_valid_and_use_live_stability_models_and_retain_data():
    config = config_with()
    assert config.image_model_id == catalog.DEFAULT_IMAGE_MODEL_ID == "stability.stable-image-core-v1:1"
    assert config.allowed_image_models == catalog.DEFAULT_ENABLED_MODEL_IDS == StudioConfig().allowed_image_models
    assert config.lifecycle_warnings("2026-12-01") == []  # only active models by default
    assert config.bedrock_region == "us-west-2" and config.image_profile_prefix == "us"
    assert config.text_model_id == catalog.DEFAULT_TEXT_MODEL_ID
    assert config.retain_data and config.removal_policy == "retain"
    assert config.custom_domain is None and config.certificate_arn is None and config.alarm_email is None


def test_every_setting_has_a_default_in_cdk_json():
    assert set(cfg.KNOWN_KEYS) <= set(cdk_json_context())


def test_command_line_strings_are_parsed_into_their_types():
    config = config_with(
        dailyImageQuota="25", textTemperature="0.2", selfSignUp="true", waf="1",
        allowedImageModels="amazon.nova-canvas-v1:0, stability.stable-image-core-v1:1", modelRegionCheck="warn",
        allowedEmailDomains='["Example.com", "@example.org"]',
        imagePrices='{"amazon.nova-canvas-v1:0": {"standard": 0.05}}',
        removalPolicy="DESTROY", workerConcurrency="3", logRetentionDays="14",
    )
    assert config.daily_image_quota == 25 and config.text_temperature == 0.2
    assert config.self_sign_up is True and config.waf is True
    assert config.allowed_image_models == ("amazon.nova-canvas-v1:0", "stability.stable-image-core-v1:1")
    assert config.allowed_email_domains == ("example.com", "example.org")
    assert config.removal_policy == "destroy" and not config.retain_data
    prices = json.loads(config.image_prices_json())
    assert prices["amazon.nova-canvas-v1:0"] == {"standard": 0.05, "premium": 0.06}  # override + catalogue default
    assert prices["stability.stable-image-core-v1:1"] == {"standard": 0.04}


@pytest.mark.parametrize(("key", "value", "message"), [
    ("dailyImageQuota", "abc", 'cdk.json context "dailyImageQuota": must be an integer >= 0, got "abc"'),
    ("dailyImageQuota", "-1", 'cdk.json context "dailyImageQuota": must be an integer >= 0, got "-1"'),
    ("textTemperature", "2", 'cdk.json context "textTemperature": must be a number >= 0 and <= 1, got "2"'),
    ("workerConcurrency", "1", 'cdk.json context "workerConcurrency": must be an integer >= 2'),
    ("waf", "maybe", 'cdk.json context "waf": must be true or false, got "maybe"'),
    ("removalPolicy", "keep", 'cdk.json context "removalPolicy": must be one of retain or destroy'),
    ("logRetentionDays", "8", 'cdk.json context "logRetentionDays": must be one of the CloudWatch Logs'),
    ("imageModelId", "amazon.titan-image-generator-v1", 'cdk.json context "imageModelId": must be one of'),
    ("allowedImageModels", "dall-e", 'cdk.json context "allowedImageModels": unknown image model(s) dall-e'),
    ("bedrockRegion", "mars-1", 'cdk.json context "bedrockRegion": must be an AWS region code'),
    ("allowedEmailDomains", "not a domain", 'cdk.json context "allowedEmailDomains": not e-mail domains'),
    ("alarmEmail", "ops", 'cdk.json context "alarmEmail": must be an e-mail address, got "ops"'),
    ("certificateArn", "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
     'cdk.json context "certificateArn": must be the ARN of an ACM certificate in us-east-1'),
    ("cognitoDomainPrefix", "my-aws-login", 'cdk.json context "cognitoDomainPrefix": must be lowercase'),
    ("imagePrices", "{bad", 'cdk.json context "imagePrices"'),
    ("dailyImageQuta", "5", 'cdk.json context "dailyImageQuta": unknown setting'),
])
def test_a_bad_value_fails_with_a_message_naming_the_key(key, value, message):
    with pytest.raises(ConfigError) as err:
        config_with(**{key: value})
    assert message in str(err.value)


def test_settings_that_go_together_are_checked_together():
    with pytest.raises(ConfigError, match='"allowedImageModels": must include imageModelId'):
        config_with(imageModelId="amazon.titan-image-generator-v2:0")
    with pytest.raises(ConfigError, match='"certificateArn": customDomain and certificateArn must be set together'):
        config_with(customDomain="studio.example.com")
    with pytest.raises(ConfigError, match='"imagePrices": amazon.nova-canvas-v1:0 has no quality'):
        config_with(imagePrices={"amazon.nova-canvas-v1:0": {"ultra": 1}})
    # A text model the catalog does not know: at least its profile's geography is checked
    with pytest.raises(ConfigError, match='"textModelId": the us. inference profile is only callable from us'):
        config_with(bedrockRegion="eu-central-1", textModelId="us.meta.llama3-2-90b-instruct-v1:0",
                    modelRegionCheck="warn")
    nova = {"imageModelId": "amazon.nova-canvas-v1:0", "allowedImageModels": ["amazon.nova-canvas-v1:0"]}
    assert config_with(bedrockRegion="eu-west-1", textModelId="eu.anthropic.claude-haiku-4-5-20251001-v1:0",
                       **nova).bedrock_region == "eu-west-1"
    assert config_with(bedrockRegion="us-east-1", textModelId="global.anthropic.claude-haiku-4-5-20251001-v1:0",
                       **nova).text_model_id.startswith("global.")


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_given_a_bedrock_region_without_stable_image_core_then_the_synth_refuses_naming_where_it_runs(region):
    with pytest.raises(ConfigError) as refused:
        config_with(bedrockRegion=region)
    lines = str(refused.value).splitlines()
    core = next(line for line in lines if "stability.stable-image-core-v1:1" in line)
    assert f"Stable Image Core (stability.stable-image-core-v1:1) is not offered in {region}: it is offered on " \
        "demand in us-west-2" in core and "change bedrockRegion or imageModelId / allowedImageModels" in core
    assert lines[-1] == "(an operator who knows better: -c modelRegionCheck=warn makes these warnings)"
    # In Europe the us. profiles (edit services, text model) are refused too, each naming where it is offered
    profiled = [line for line in lines if "inference profile from us-east-1, us-east-2, us-west-2" in line]
    assert len(profiled) == (0 if region == "us-east-1" else 14)


def test_given_modelregioncheck_warn_then_the_same_problems_are_warnings_and_the_synth_goes_on():
    config = config_with(bedrockRegion="us-east-1", modelRegionCheck="warn")
    warnings = config.region_warnings()
    assert len(warnings) == 3 and all("offered on demand in us-west-2" in w for w in warnings)
    assert all(w.endswith("modelRegionCheck=warn: synthesized anyway.") for w in warnings)
    assert config_with().region_warnings() == []


def test_given_an_embedding_region_without_the_embedding_model_then_refused():
    with pytest.raises(ConfigError, match=r"Amazon Nova Multimodal Embeddings \(amazon.nova-2-multimodal-embeddings-v1:0\) "
                       r"is not offered in us-west-2: it is offered on demand in us-east-1 \(change embeddingRegion"):
        config_with(embeddingRegion="us-west-2")


def test_all_errors_are_reported_at_once():
    with pytest.raises(ConfigError) as err:
        config_with(dailyImageQuota="x", waf="maybe")
    assert '"dailyImageQuota"' in str(err.value) and '"waf"' in str(err.value)


def test_cdk_feature_flags_and_cli_keys_are_not_taken_for_settings():
    config = config_with(**{"@aws-cdk/core:newStyleStackSynthesis": True, "aws:cdk:enable-path-metadata": True})
    assert config.stack_name == "ImagePromptStudio"


def test_context_arguments_are_read_like_the_cdk_cli():
    assert parse_context_args(["-c", "a=1", "--context", "b=x=y", "--context=c=", "-cd=2"]) == \
        {"a": "1", "b": "x=y", "c": "", "d": "2"}
    with pytest.raises(ConfigError, match="key=value"):
        parse_context_args(["-c", "novalue"])
    with pytest.raises(ConfigError, match="unexpected argument"):
        parse_context_args(["deploy"])


def test_synth_with_a_bad_value_exits_2_naming_the_key_before_building_anything(tmp_path):
    result = subprocess.run([sys.executable, "app.py", "-c", "dailyImageQuota=abc"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "CDK_OUTDIR": str(tmp_path),
                                 "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 2
    assert 'cdk.json context "dailyImageQuota": must be an integer >= 0, got "abc"' in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_given_a_legacy_model_enabled_then_make_synth_warns_on_stderr(tmp_path):
    models = f"{catalog.DEFAULT_IMAGE_MODEL_ID},amazon.nova-canvas-v1:0"
    result = subprocess.run([sys.executable, "app.py", "-c", f"allowedImageModels={models}",
                             "-c", "modelRegionCheck=warn"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600,
                            env={"PATH": "/usr/bin:/bin", "CDK_OUTDIR": str(tmp_path), "HOME": str(tmp_path),
                                 "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "warning: amazon.nova-canvas-v1:0 is past its end of life (2026-09-30)" in result.stderr
    assert "warning: Amazon Nova Canvas (amazon.nova-canvas-v1:0) is not offered in us-west-2" in result.stderr


def test_given_a_legacy_model_enabled_then_synth_warns_and_past_its_end_of_life_says_so():
    config = config_with(allowedImageModels=[catalog.DEFAULT_IMAGE_MODEL_ID, "amazon.nova-canvas-v1:0"],
                         modelRegionCheck="warn")
    [warning] = config.lifecycle_warnings("2026-12-01")
    assert "past its end of life (2026-09-30)" in warning and "allowedImageModels" in warning
    [early] = config.lifecycle_warnings("2026-05-01")
    assert "legacy, end of life 2026-09-30" in early


def test_given_the_image_services_then_the_worker_invokes_them_through_the_configured_profile():
    ids = config_with(imageProfilePrefix="us").image_invocation_ids()
    assert "us.stability.stable-image-inpaint-v1:0" in ids and "stability.stable-image-core-v1:1" in ids
    with pytest.raises(ValueError, match="imageProfilePrefix"):
        config_with(imageProfilePrefix="eu")  # eu. profiles are not callable from bedrockRegion us-west-2
