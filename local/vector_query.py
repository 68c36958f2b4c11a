"""QueryVectors for the offline twin: moto 5.2 stores S3 Vectors (buckets, indexes, Put/Get/List/
DeleteVectors) but does not answer QueryVectors. `install()` adds the operation to moto's own
s3vectors service, so the same boto3 call (`s3vectors.query_vectors`) works against moto in server
mode (`make local`, e2e) and under `mock_aws` (integration tests), over the vectors moto stores.

The search is exact (every vector is compared): the real service is approximate, so a local result
can only be at least as good as AWS's. Rules written from the API reference and the user guide:
- QueryVectors: https://docs.aws.amazon.com/AmazonS3/latest/API/API_S3VectorBuckets_QueryVectors.html
  (topK 1..100 [s3-vectors-limitations], queryVector {"float32": [...]} of the index's dimension,
  filter, returnMetadata, returnDistance; answer {"vectors": [{key, metadata?, distance?}],
  "distanceMetric"}).
- Metadata filtering: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-metadata-filtering.html
  ($eq $ne $gt $gte $lt $lte $in $nin $exists $and $or; {"key": value} is $eq; several keys in one
  object are ANDed; $eq on an array value matches when the array holds the value; non-filterable
  metadata keys cannot be filtered on).
- Distances: cosine distance = 1 - cosine similarity; euclidean = the L2 distance.
"""

from __future__ import annotations

import json
import math
import operator
from typing import Any

MAX_TOP_K = 100
COMPARISONS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists")
LOGICAL = ("$and", "$or")


class QueryError(ValueError):
    """A request the real service rejects with ValidationException."""


# --- filters ----------------------------------------------------------------------------------
def check_filter(node: Any, path: str = "filter") -> None:
    """Raise QueryError for a filter document the service would reject."""
    if not isinstance(node, dict) or not node:
        raise QueryError(f"{path}: a filter is a non-empty JSON object")
    for key, value in node.items():
        if key in LOGICAL:
            if not isinstance(value, list) or not value:
                raise QueryError(f"{path}.{key}: expects a non-empty array of filters")
            for i, child in enumerate(value):
                check_filter(child, f"{path}.{key}[{i}]")
        elif key.startswith("$"):
            raise QueryError(f"{path}: unknown operator {key}; use one of {', '.join(COMPARISONS + LOGICAL)}")
        elif isinstance(value, dict):
            if len(value) != 1:
                raise QueryError(f"{path}.{key}: one operator per condition")
            (op, operand), = value.items()
            if op not in COMPARISONS:
                raise QueryError(f"{path}.{key}: unknown operator {op}")
            if op in ("$in", "$nin") and (not isinstance(operand, list) or not operand):
                raise QueryError(f"{path}.{key}.{op}: expects a non-empty array")
            if op in ("$gt", "$gte", "$lt", "$lte") and (isinstance(operand, bool)
                                                        or not isinstance(operand, (int, float))):
                raise QueryError(f"{path}.{key}.{op}: expects a number")
            if op == "$exists" and not isinstance(operand, bool):
                raise QueryError(f"{path}.{key}.$exists: expects true or false")
        elif not isinstance(value, (str, int, float, bool)):
            raise QueryError(f"{path}.{key}: expects a string, number or boolean (or an operator object)")


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):
        return any(_equal(item, expected) for item in actual)
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    return actual == expected


def _condition(metadata: dict, key: str, op: str, operand: Any) -> bool:
    present = key in metadata
    value = metadata.get(key)
    if op == "$exists":
        return present == operand
    if not present:
        return op in ("$ne", "$nin")
    if op == "$eq":
        return _equal(value, operand)
    if op == "$ne":
        return not _equal(value, operand)
    if op == "$in":
        return any(_equal(value, o) for o in operand)
    if op == "$nin":
        return not any(_equal(value, o) for o in operand)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return {"$gt": value > operand, "$gte": value >= operand, "$lt": value < operand,
            "$lte": value <= operand}[op]


def matches(node: dict, metadata: dict) -> bool:
    """Whether `metadata` (filterable keys only) satisfies the (checked) filter `node`."""
    for key, value in node.items():
        if key == "$and":
            ok = all(matches(child, metadata) for child in value)
        elif key == "$or":
            ok = any(matches(child, metadata) for child in value)
        elif isinstance(value, dict):
            (op, operand), = value.items()
            ok = _condition(metadata, key, op, operand)
        else:
            ok = _condition(metadata, key, "$eq", value)
        if not ok:
            return False
    return True


# --- distances --------------------------------------------------------------------------------
def _dot(a: list[float], b: list[float]) -> float:
    return sum(map(operator.mul, a, b))


def distance(metric: str, a: list[float], b: list[float]) -> float:
    if metric == "euclidean":
        return math.sqrt(max(0.0, _dot(a, a) - 2 * _dot(a, b) + _dot(b, b)))
    na, nb = math.sqrt(_dot(a, a)), math.sqrt(_dot(b, b))
    if na == 0 or nb == 0:
        return 1.0
    return 1.0 - _dot(a, b) / (na * nb)


def query(vectors: list[tuple[str, list[float], dict]], *, metric: str, dimension: int, query_vector: Any,
          top_k: Any, filter_: Any = None, non_filterable: tuple[str, ...] = (), return_metadata: bool = False,
          return_distance: bool = False) -> dict:
    """The QueryVectors answer over (key, float32 data, metadata) triples."""
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise QueryError(f"topK: must be between 1 and {MAX_TOP_K}")
    data = (query_vector or {}).get("float32") if isinstance(query_vector, dict) else None
    if not isinstance(data, list) or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in data):
        raise QueryError("queryVector: expects {\"float32\": [numbers]}")
    if len(data) != dimension:
        raise QueryError(f"queryVector: has {len(data)} dimensions; the index has {dimension}")
    if filter_ is not None:
        check_filter(filter_)
    scored = []
    for key, values, metadata in vectors:
        metadata = metadata or {}
        if filter_ is not None:
            filterable = {k: v for k, v in metadata.items() if k not in non_filterable}
            if not matches(filter_, filterable):
                continue
        scored.append((distance(metric, data, values), key, metadata))
    scored.sort(key=lambda item: (item[0], item[1]))
    answer = []
    for dist, key, metadata in scored[:top_k]:
        item: dict[str, Any] = {"key": key}
        if return_metadata:
            item["metadata"] = metadata
        if return_distance:
            item["distance"] = round(dist, 7)
        answer.append(item)
    return {"vectors": answer, "distanceMetric": metric}


# --- moto glue --------------------------------------------------------------------------------
_installed = False


def install() -> None:
    """Teach moto's s3vectors service QueryVectors (and keep each index's non-filterable keys,
    which moto's CreateIndex drops). Idempotent; call before the first s3vectors request."""
    global _installed
    if _installed:
        return
    from moto.core.exceptions import ServiceException
    from moto.core.responses import ActionResult
    from moto.s3vectors import urls
    from moto.s3vectors.responses import S3VectorsResponse

    class ValidationException(ServiceException):
        code = "ValidationException"

    original_create_index = S3VectorsResponse.create_index

    def create_index(self):  # noqa: ANN001 - moto's signature
        result = original_create_index(self)
        keys = ((self._get_param("metadataConfiguration") or {}).get("nonFilterableMetadataKeys") or [])
        index = self.s3vectors_backend.get_index(self._get_param("vectorBucketName"), self._get_param("indexName"),
                                                 self._get_param("indexArn"))
        index.non_filterable_keys = tuple(keys)
        return result

    def query_vectors(self):  # noqa: ANN001
        bucket, name, arn = (self._get_param("vectorBucketName"), self._get_param("indexName"),
                             self._get_param("indexArn"))
        self._validate_index_params(arn, name, bucket)
        index = self.s3vectors_backend.get_index(bucket, name, arn)
        filter_ = self._get_param("filter")
        if isinstance(filter_, str):  # a JSON document in some SDKs' wire format
            filter_ = json.loads(filter_)
        try:
            answer = query(
                [(v.key, v.data.get("float32", []), v.metadata) for v in list(index.vectors.values())],
                metric=index.distance_metric, dimension=index.dimension,
                query_vector=self._get_param("queryVector"), top_k=self._get_param("topK"), filter_=filter_,
                non_filterable=getattr(index, "non_filterable_keys", ()),
                return_metadata=bool(self._get_param("returnMetadata", False)),
                return_distance=bool(self._get_param("returnDistance", False)))
        except QueryError as error:
            raise ValidationException(str(error)) from None
        return ActionResult(answer)

    S3VectorsResponse.create_index = create_index
    S3VectorsResponse.query_vectors = query_vectors
    urls.url_paths["{0}/QueryVectors$"] = S3VectorsResponse.dispatch
    _installed = True
