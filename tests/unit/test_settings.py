"""Settings come from the environment once, typed."""

import pytest
from pydantic import ValidationError

from studio.catalog import DEFAULT_ENABLED_MODEL_IDS, DEFAULT_IMAGE_MODEL_ID
from studio.settings import Settings


def test_given_an_empty_environment_then_defaults():
    conf = Settings.from_env({})
    assert conf.allowed_image_models == list(DEFAULT_ENABLED_MODEL_IDS)
    assert DEFAULT_IMAGE_MODEL_ID in conf.allowed_image_models and conf.image_profile_prefix == "us"
    assert conf.daily_image_quota == 100 and conf.image_prices == {}


def test_given_a_comma_list_and_prices_json_then_parsed():
    conf = Settings.from_env({
        "ALLOWED_IMAGE_MODELS": " amazon.nova-canvas-v1:0, ,stability.sd3-5-large-v1:0 ,",
        "IMAGE_PRICES_JSON": '{"amazon.nova-canvas-v1:0": {"standard": 0.05}}',
        "DAILY_IMAGE_QUOTA": "7", "TEXT_TEMPERATURE": "0.2", "BEDROCK_MAX_ATTEMPTS": "4", "TABLE_NAME": "t",
        "IMAGES_BUCKET": "",  # empty means unset
    })
    assert conf.allowed_image_models == ["amazon.nova-canvas-v1:0", "stability.sd3-5-large-v1:0"]
    assert conf.image_prices == {"amazon.nova-canvas-v1:0": {"standard": 0.05}}
    assert (conf.daily_image_quota, conf.text_temperature, conf.model_max_attempts) == (7, 0.2, 4)
    assert conf.require("table_name") == "t"
    with pytest.raises(RuntimeError, match="IMAGES_BUCKET"):
        conf.require("images_bucket")


def test_given_configured_prices_then_they_win_and_defaults_fill_the_rest():
    conf = Settings.from_env({"IMAGE_PRICES_JSON": '{"amazon.nova-canvas-v1:0": {"standard": 0.05}}'})
    assert conf.price_per_image("amazon.nova-canvas-v1:0", "standard") == 0.05
    assert conf.price_per_image("amazon.nova-canvas-v1:0", "premium") == 0.06
    assert conf.price_per_image("stability.stable-image-core-v1:1", "premium") == 0.04  # falls back to standard
    assert conf.price_per_image("unknown", "standard") == 0.0


@pytest.mark.parametrize("name,value", [
    ("DAILY_IMAGE_QUOTA", "lots"), ("DAILY_IMAGE_QUOTA", "-1"), ("TEXT_TEMPERATURE", "1.5"),
    ("TEXT_MAX_TOKENS", "10"), ("IMAGE_PRICES_JSON", "{not json"), ("IMAGE_PRICES_JSON", '{"m": 3}'),
    ("BEDROCK_MAX_ATTEMPTS", "0"), ("BEDROCK_READ_TIMEOUT_SECONDS", "x"),
])
def test_given_a_bad_value_then_reading_settings_fails_loudly(name, value):
    with pytest.raises(ValidationError) as caught:
        Settings.from_env({name: value})
    assert caught.value.errors()
