"""Search calls the embedding model in embeddingRegion (EMBEDDING_REGION), not in bedrockRegion."""

from __future__ import annotations

import io
import json

from studio.adapters import bedrock, clients
from studio.logic import indexing
from studio.settings import Settings


class FakeRuntime:
    def invoke_model(self, **request):
        self.request = request
        return {"body": io.BytesIO(json.dumps({"embeddings": [{"embeddingType": "TEXT",
                                                                "embedding": [0.0] * 1024}]}).encode())}


def test_given_two_regions_when_search_embeds_then_the_client_is_the_embedding_regions(monkeypatch):
    asked, runtime = [], FakeRuntime()
    monkeypatch.setattr(clients, "get", lambda service, region=None: asked.append((service, region)) or runtime)
    conf = Settings(bedrock_region="us-west-2", embedding_region="us-east-1")
    vector = indexing.embed(conf, indexing.QUERY_PURPOSE, text="a red rose")
    assert len(vector) == 1024 and asked == [("bedrock-runtime", "us-east-1")]
    body = json.loads(runtime.request["body"])
    assert body["singleEmbeddingParams"]["embeddingPurpose"] == "IMAGE_RETRIEVAL"
    assert runtime.request["modelId"] == conf.embedding_model_id


def test_the_other_model_calls_stay_in_bedrock_region(monkeypatch):
    asked, runtime = [], FakeRuntime()
    monkeypatch.setattr(clients, "get", lambda service, region=None: asked.append((service, region)) or runtime)
    bedrock.invoke_json("stability.stable-image-core-v1:1", {"prompt": "p"})
    assert asked == [("bedrock-runtime", None)]  # None: the client's default, settings().bedrock_region
