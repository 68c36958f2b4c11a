"""A model called in a region that does not offer it: Bedrock's ValidationException, like AWS.

The region is the SigV4 credential scope's (the client's region); where each model runs is the app's
own catalog (studio.model_regions), so the emulator and the synth check cannot disagree.
"""

from __future__ import annotations

import boto3
import pytest
from emulator_helpers import CORE, HAIKU, error_of, make_client

from studio import model_regions

EMBED = "amazon.nova-2-multimodal-embeddings-v1:0"
INVALID = ("ValidationException", 400, "The provided model identifier is invalid.")
TEXT_BODY = {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {
    "embeddingPurpose": "IMAGE_RETRIEVAL", "embeddingDimension": 256, "text": {"truncationMode": "END", "value": "a fox"}}}


def client_in(url: str, region: str):
    return make_client(url) if region == "us-east-1" else boto3.client(
        "bedrock-runtime", region_name=region, endpoint_url=url, aws_access_key_id="testing",
        aws_secret_access_key="testing")


def invoke_in(url: str, region: str, model_id: str, body: dict):
    import json

    return client_in(url, region).invoke_model(modelId=model_id, body=json.dumps(body), contentType="application/json")


@pytest.mark.parametrize("model_id, body, refused, served", [
    (CORE, {"prompt": "a fox"}, "us-east-1", "us-west-2"),
    (EMBED, TEXT_BODY, "us-west-2", "us-east-1"),
    ("us.stability.stable-image-inpaint-v1:0", {"prompt": "a fox"}, "eu-west-1", None),
])
def test_given_a_region_without_the_model_when_invoked_then_invalid_identifier(emulator, model_id, body, refused,
                                                                                served):
    # Given the catalog says where the model runs
    assert model_regions.offered(model_id, refused) is False
    # When it is invoked from a region that does not offer it, Then Bedrock's answer
    assert error_of(lambda: invoke_in(emulator.url, refused, model_id, body)) == INVALID
    # And where it runs, the same call gets past the region check
    if served:
        assert invoke_in(emulator.url, served, model_id, body)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_given_the_text_profile_from_europe_when_conversing_then_invalid_identifier(emulator):
    europe = client_in(emulator.url, "eu-west-1")
    call = lambda: europe.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "hello"}]}])  # noqa: E731
    assert error_of(call) == INVALID
    west = client_in(emulator.url, "us-west-2")
    assert west.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "hello"}]}])["output"]
