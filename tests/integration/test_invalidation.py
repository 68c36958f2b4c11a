"""Deleted and unshared images leave CloudFront's cache: one bounded CreateInvalidation, best effort.

Given a finished generation with two images and a reference, and the distribution id in SSM
(moto), the CloudFront call is checked with a Stubber (its exact request matters).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

import gallery.handler
from studio import caches
from studio.adapters import cdn, clients, generation_records
from studio.errors import StorageError
from studio.logic import indexing
from tests.support.events import USER_A, call
from tests.support.flow import claim, post

PARAMETER = "/ImagePromptStudio/distribution-id"
DISTRIBUTION = "E2EXAMPLE123"
IMAGES = [{"key": f"images/abc/{i}.png", "thumbnailKey": f"images/abc/{i}.webp", "width": 8, "height": 8,
           "seed": i} for i in range(2)]
PATHS = sorted(["/images/abc/0.png", "/images/abc/0.webp", "/images/abc/1.png", "/images/abc/1.webp",
                "/images/abc/reference.png"])


def finished_generation(public: bool = True) -> str:
    generation_id = post({"prompt": "p", "public": public}).body["id"]
    running = claim(generation_id, "abc")
    assert generation_records.complete(running, "abc", IMAGES, {"key": "images/abc/reference.png"}, "2026-11-26T00:00:02.000Z")
    return generation_id


@pytest.fixture
def cloudfront(aws, env):
    """The distribution id in SSM, and a stubbed CloudFront client."""
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value=DISTRIBUTION, Type="String")
    env(DISTRIBUTION_ID_PARAMETER=PARAMETER)
    caches.reset()
    client = boto3.client("cloudfront")
    with Stubber(client) as stub:
        clients.override("cloudfront", client)
        yield stub
        stub.assert_no_pending_responses()
    caches.reset()


def expect_invalidation(stub: Stubber, paths: list[str]) -> None:
    stub.add_response("create_invalidation", {"Invalidation": {
        "Id": "I1", "Status": "InProgress", "CreateTime": "2026-11-26T00:00:00Z",
        "InvalidationBatch": {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": "x"}}},
        {"DistributionId": DISTRIBUTION,
         "InvalidationBatch": {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": ANY}})


def test_deleting_a_generation_invalidates_every_one_of_its_paths(cloudfront):
    generation_id = finished_generation()
    expect_invalidation(cloudfront, PATHS)
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204


def test_unsharing_invalidates_and_sharing_or_favoriting_does_not(cloudfront):
    generation_id = finished_generation(public=False)
    for body in ({"public": True}, {"favorite": True}):  # no CloudFront call expected
        assert call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body=body).status == 200
    expect_invalidation(cloudfront, PATHS)
    reply = call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body={"public": False})
    assert reply.status == 200 and reply.body["public"] is False


def test_an_unshare_whose_index_rewrite_fails_still_invalidates(cloudfront, monkeypatch):
    # issue 19.9: the record is private already; its edge copies must go even though the PATCH answers 503
    generation_id = finished_generation(public=True)

    def index_down(_record):
        raise StorageError("The search index is unavailable.")

    monkeypatch.setattr(indexing, "share", index_down)
    expect_invalidation(cloudfront, PATHS)
    reply = call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body={"public": False})
    assert reply.status == 503 and reply.error["code"] == "storage_error"
    assert generation_records.get(generation_id)["public"] is False
    cloudfront.assert_no_pending_responses()  # the invalidation was sent


def test_a_cloudfront_failure_never_fails_the_delete(cloudfront):
    generation_id = finished_generation()
    cloudfront.add_client_error("create_invalidation", "TooManyInvalidationsInProgress", http_status_code=400)
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    assert generation_records.get(generation_id) is None


def test_invalidations_are_batched_and_bounded(cloudfront):
    keys = [f"images/f/{i:04d}.png" for i in range(cdn.MAX_PATHS_PER_CALL * cdn.MAX_CALLS + 7)]
    paths = sorted("/" + k for k in keys)
    for start in range(0, cdn.MAX_PATHS_PER_CALL * cdn.MAX_CALLS, cdn.MAX_PATHS_PER_CALL):
        expect_invalidation(cloudfront, paths[start:start + cdn.MAX_PATHS_PER_CALL])
    assert cdn.invalidate(keys + keys[:3]) == cdn.MAX_PATHS_PER_CALL * cdn.MAX_CALLS  # duplicates counted once


def test_without_a_distribution_there_is_nothing_to_invalidate(aws):
    # Given no DISTRIBUTION_ID_PARAMETER (make local): a CloudFront client that must not be called
    client = boto3.client("cloudfront")
    with Stubber(client) as stub:
        clients.override("cloudfront", client)
        generation_id = finished_generation()
        assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}", user=USER_A).status == 204
        stub.assert_no_pending_responses()
    assert cdn.invalidate(["images/x.png"]) == 0
