"""The regions the deployment calls each model in are where the catalog says the model runs: the local stack
runs each function with its synthesized environment (BEDROCK_REGION, EMBEDDING_REGION from cdk.json through
cdk/config.py), so a wrong region would be refused by the emulator locally before AWS refused it."""

from __future__ import annotations

from cdk.config import cdk_json_context, load_config
from studio import model_regions


def test_cdk_json_calls_every_model_where_it_is_offered():
    config = load_config(cdk_json_context())
    assert (config.bedrock_region, config.embedding_region) == ("us-west-2", "us-east-1")
    assert [c.model_id for c in config.model_calls() if model_regions.offered(c.model_id, c.region) is not True] == []
