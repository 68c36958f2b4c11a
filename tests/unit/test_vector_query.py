"""The local QueryVectors: S3 Vectors' filter operators and limits, exact distances."""

import pytest

from local.vector_query import QueryError, check_filter, matches, query

META = {"owner": "u1", "public": False, "mode": "text", "year": 2026, "tags": ["red", "rose"]}


@pytest.mark.parametrize("node, expected", [
    ({"owner": "u1"}, True), ({"owner": {"$eq": "u2"}}, False), ({"owner": {"$ne": "u2"}}, True),
    ({"public": True}, False), ({"public": {"$eq": False}}, True), ({"public": 0}, False),
    ({"year": {"$gt": 2025}}, True), ({"year": {"$gte": 2026}}, True), ({"year": {"$lt": 2026}}, False),
    ({"year": {"$lte": 2026}}, True), ({"owner": {"$gt": 1}}, False),
    ({"mode": {"$in": ["text", "color"]}}, True), ({"mode": {"$nin": ["text"]}}, False),
    ({"missing": {"$exists": False}}, True), ({"owner": {"$exists": True}}, True), ({"missing": {"$ne": "x"}}, True),
    ({"tags": "rose"}, True), ({"tags": {"$in": ["blue", "red"]}}, True), ({"tags": {"$nin": ["red"]}}, False),
    ({"$and": [{"owner": "u1"}, {"mode": "text"}]}, True), ({"owner": "u1", "mode": "color"}, False),
    ({"$or": [{"owner": "u2"}, {"public": True}]}, False), ({"$or": [{"owner": "u2"}, {"year": 2026}]}, True),
])
def test_filter_operators(node, expected):
    check_filter(node)
    assert matches(node, META) is expected


@pytest.mark.parametrize("node", [
    {}, {"$regex": "x"}, {"owner": {"$like": "u"}}, {"owner": {"$eq": "u", "$ne": "v"}}, {"$and": []},
    {"$or": {"owner": "u1"}}, {"year": {"$gt": "2025"}}, {"mode": {"$in": []}}, {"owner": {"$exists": "yes"}},
    {"owner": ["u1"]},
])
def test_malformed_filters_are_refused(node):
    with pytest.raises(QueryError):
        check_filter(node)


VECTORS = [("a", [1.0, 0.0], {"owner": "u1", "prompt": "red"}), ("b", [0.6, 0.8], {"owner": "u2"}),
           ("c", [0.0, 1.0], {"owner": "u1"})]


def test_cosine_ranks_nearest_first_and_honours_top_k_filter_and_return_flags():
    answer = query(VECTORS, metric="cosine", dimension=2, query_vector={"float32": [1.0, 0.1]}, top_k=2,
                   filter_={"owner": "u1"}, return_metadata=True, return_distance=True)
    assert [v["key"] for v in answer["vectors"]] == ["a", "c"] and answer["distanceMetric"] == "cosine"
    assert answer["vectors"][0]["distance"] < answer["vectors"][1]["distance"]
    assert answer["vectors"][0]["metadata"] == {"owner": "u1", "prompt": "red"}
    bare = query(VECTORS, metric="cosine", dimension=2, query_vector={"float32": [1.0, 0.1]}, top_k=1)
    assert bare["vectors"] == [{"key": "a"}]


def test_euclidean_distance():
    answer = query(VECTORS, metric="euclidean", dimension=2, query_vector={"float32": [0.0, 1.0]}, top_k=3,
                   return_distance=True)
    assert [(v["key"], v["distance"]) for v in answer["vectors"]] == [("c", 0.0), ("b", pytest.approx(0.6325, abs=1e-4)),
                                                                      ("a", pytest.approx(1.4142, abs=1e-4))]


def test_non_filterable_keys_cannot_be_filtered_on():
    answer = query(VECTORS, metric="cosine", dimension=2, query_vector={"float32": [1.0, 0.0]}, top_k=3,
                   filter_={"prompt": "red"}, non_filterable=("prompt",))
    assert answer["vectors"] == []


@pytest.mark.parametrize("top_k, vector", [(0, [1.0, 0.0]), (101, [1.0, 0.0]), (True, [1.0, 0.0]),
                                           (3, [1.0]), (3, ["x", 1.0])])
def test_limits_and_dimensions_are_checked(top_k, vector):
    with pytest.raises(QueryError):
        query(VECTORS, metric="cosine", dimension=2, query_vector={"float32": vector}, top_k=top_k)
