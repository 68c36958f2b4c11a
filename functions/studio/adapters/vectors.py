"""Amazon S3 Vectors: the search index of every rendered image (studio.storage_layout.VECTOR_*).

Calls as in the API reference (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_S3_Vectors.html):
PutVectors (<= 500 vectors, overwrites a key: also how a metadata change is written), GetVectors
(<= 100 keys), DeleteVectors (<= 500 keys), QueryVectors (topK <= 100, a metadata filter). Limits:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-limitations.html
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters import clients
from studio.errors import StorageError
from studio.settings import settings
from studio.storage_layout import VECTOR_DATA_TYPE

MAX_PUT = 500
MAX_GET = 100
MAX_DELETE = 500
MAX_TOP_K = 100
UNAVAILABLE = "The search index did not answer. Try again in a moment."


def key(generation_id: str, image_index: int) -> str:
    return f"{generation_id}#{image_index}"


def split_key(vector_key: str) -> tuple[str, int]:
    generation_id, _, index = vector_key.rpartition("#")
    return generation_id, int(index)


def _index() -> dict:
    return {"indexArn": settings().require("vector_index_arn")}


def _fail(error: Exception) -> StorageError:
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else type(error).__name__
    return StorageError(UNAVAILABLE, {"awsError": code})


def put(vectors: list[tuple[str, list[float], dict]]) -> None:
    """Write (key, embedding, metadata) triples; an existing key is replaced whole."""
    for start in range(0, len(vectors), MAX_PUT):
        batch = [{"key": k, "data": {VECTOR_DATA_TYPE: v}, "metadata": m} for k, v, m in vectors[start:start + MAX_PUT]]
        try:
            clients.get("s3vectors").put_vectors(**_index(), vectors=batch)
        except (ClientError, BotoCoreError) as error:
            raise _fail(error) from error


def get(keys: list[str], with_data: bool = True) -> dict[str, dict]:
    """key -> {"data": [...], "metadata": {...}} for the keys that exist."""
    found: dict[str, dict] = {}
    for start in range(0, len(keys), MAX_GET):
        try:
            answer = clients.get("s3vectors").get_vectors(**_index(), keys=keys[start:start + MAX_GET],
                                                          returnData=with_data, returnMetadata=True)
        except (ClientError, BotoCoreError) as error:
            raise _fail(error) from error
        for vector in answer.get("vectors", []):
            found[vector["key"]] = {"data": (vector.get("data") or {}).get(VECTOR_DATA_TYPE),
                                    "metadata": vector.get("metadata") or {}}
    return found


def delete(keys: list[str]) -> None:
    for start in range(0, len(keys), MAX_DELETE):
        try:
            clients.get("s3vectors").delete_vectors(**_index(), keys=keys[start:start + MAX_DELETE])
        except (ClientError, BotoCoreError) as error:
            raise _fail(error) from error


def query(vector: list[float], top_k: int, metadata_filter: dict) -> list[tuple[str, float, dict]]:
    """The top_k nearest (key, distance, metadata) that pass the filter, nearest first."""
    try:
        answer = clients.get("s3vectors").query_vectors(
            **_index(), topK=min(top_k, MAX_TOP_K), queryVector={VECTOR_DATA_TYPE: vector},
            filter=metadata_filter, returnMetadata=True, returnDistance=True)
    except (ClientError, BotoCoreError) as error:
        raise _fail(error) from error
    return [(v["key"], float(v.get("distance", 0.0)), v.get("metadata") or {}) for v in answer.get("vectors", [])]
