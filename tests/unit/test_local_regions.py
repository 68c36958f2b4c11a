"""Locally, the functions call each model in the region the cloud calls it in (cdk.json through cdk/config.py):
the emulator refuses a model called anywhere else, so a wrong region fails here before it fails in AWS."""

from __future__ import annotations

from cdk.config import cdk_json_context, load_config
from local import stack
from studio import model_regions
from studio.settings import ENV


def test_the_local_functions_get_bedrock_and_embedding_regions_from_cdk_json():
    config = load_config(cdk_json_context())
    assert stack.model_regions() == (config.bedrock_region, config.embedding_region) == ("us-west-2", "us-east-1")


def test_every_model_the_local_stack_calls_is_offered_where_it_calls_it():
    bedrock_region, embedding_region = stack.model_regions()
    calls = load_config({**cdk_json_context(), "bedrockRegion": bedrock_region,
                         "embeddingRegion": embedding_region}).model_calls()
    assert [c.model_id for c in calls if model_regions.offered(c.model_id, c.region) is not True] == []
    assert ENV["embedding_region"] == "EMBEDDING_REGION"
