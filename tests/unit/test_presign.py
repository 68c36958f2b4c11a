"""Presigned upload forms point at the bucket's regional endpoint, in every region.

The global endpoint (<bucket>.s3.amazonaws.com) answers 307 for new buckets outside us-east-1 and
400 in regions launched after March 2019; a custom endpoint (the local emulator) keeps path style.
No request is sent: presigning is local.
"""

from __future__ import annotations

import pytest

from studio import caches
from studio.adapters import clients, storage
from studio.settings import settings
from tests.support.aws import BUCKET


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-east-1", "me-south-1"])
def test_in_aws_the_form_posts_to_the_buckets_regional_virtual_hosted_endpoint(environment, region):
    # Given a function in `region` (its bucket is in the same stack, so the same region)
    environment.setenv("AWS_REGION", region)
    environment.setenv("AWS_DEFAULT_REGION", region)
    caches.reset()
    # When it presigns an upload
    form = storage.presigned_upload("uploads/u/1.png", "image/png", 10, 900)
    # Then the form posts to https://<bucket>.s3.<region>.amazonaws.com, never the global endpoint
    assert form["url"] == f"https://{BUCKET}.s3.{region}.amazonaws.com/"
    assert f"/{region}/s3/aws4_request" in form["fields"]["x-amz-credential"]


def test_with_a_custom_endpoint_the_form_posts_to_it_path_style(environment):
    # Given the local emulator's endpoint in the standard variable
    environment.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4566/_s3")
    caches.reset()
    # When a form is presigned
    form = storage.presigned_upload("uploads/u/1.png", "image/png", 10, 900)
    # Then it posts to that endpoint, the bucket in the path (no wildcard DNS needed)
    assert form["url"] == f"http://127.0.0.1:4566/_s3/{BUCKET}"
