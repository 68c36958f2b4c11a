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
        allowedImageModels="amazon.nova-canvas-v1:0, stability.stable-image-core-v1:1",
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
    with pytest.raises(ConfigError, match='"textModelId": the us. inference profile is only callable from us'):
        config_with(bedrockRegion="eu-central-1")
    with pytest.raises(ConfigError, match='"imageProfilePrefix": the us. inference profile is only callable from us'):
        config_with(bedrockRegion="eu-central-1", textModelId="eu.anthropic.claude-haiku-4-5-20251001-v1:0")
    one_model = {"imageModelId": "stability.sd3-5-large-v1:0", "allowedImageModels": ["stability.sd3-5-large-v1:0"]}
    assert config_with(bedrockRegion="eu-central-1", textModelId="eu.anthropic.claude-haiku-4-5-20251001-v1:0",
                       **one_model).bedrock_region == "eu-central-1"
    assert config_with(bedrockRegion="ap-south-1", textModelId="global.anthropic.claude-haiku-4-5-20251001-v1:0",
                       **one_model).text_model_id.startswith("global.")


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
    result = subprocess.run([sys.executable, "app.py", "-c", f"allowedImageModels={models}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600,
                            env={"PATH": "/usr/bin:/bin", "CDK_OUTDIR": str(tmp_path), "HOME": str(tmp_path),
                                 "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "warning: amazon.nova-canvas-v1:0 is past its end of life (2026-09-30)" in result.stderr


def test_given_a_legacy_model_enabled_then_synth_warns_and_past_its_end_of_life_says_so():
    config = config_with(allowedImageModels=[catalog.DEFAULT_IMAGE_MODEL_ID, "amazon.nova-canvas-v1:0"])
    [warning] = config.lifecycle_warnings("2026-12-01")
    assert "past its end of life (2026-09-30)" in warning and "allowedImageModels" in warning
    [early] = config.lifecycle_warnings("2026-05-01")
    assert "legacy, end of life 2026-09-30" in early


def test_given_the_image_services_then_the_worker_invokes_them_through_the_configured_profile():
    ids = config_with(imageProfilePrefix="us").image_invocation_ids()
    assert "us.stability.stable-image-inpaint-v1:0" in ids and "stability.stable-image-core-v1:1" in ids
    with pytest.raises(ValueError, match="imageProfilePrefix"):
        config_with(imageProfilePrefix="eu")  # eu. profiles are not callable from bedrockRegion us-west-2
