"""POST /uploads: a presigned POST that enforces the type and the exact size, under the caller's prefix."""

import base64
import json
import re

import boto3
import pytest
import requests

import describe.handler
from tests.support.aws import BUCKET, REGION
from tests.support.events import USER_A, call
from tests.support import images as make


def policy_of(fields):
    return json.loads(base64.b64decode(fields["policy"]))


@pytest.mark.parametrize("content_type,ext", [("image/png", "png"), ("image/jpeg", "jpeg"), ("image/webp", "webp")])
def test_given_a_type_and_size_when_asking_for_an_upload_then_the_policy_enforces_both(aws, content_type, ext):
    reply = call(describe.handler.handler, "POST", "/uploads", body={"contentType": content_type, "size": 12345})
    assert reply.status == 200
    key = reply.body["imageKey"]
    assert re.fullmatch(rf"uploads/{USER_A}/[0-9a-f]{{32}}\.{ext}", key)
    assert (reply.body["expiresIn"], reply.body["maxBytes"]) == (900, 10 * 1024 * 1024)
    fields = reply.body["fields"]
    assert fields["key"] == key and fields["Content-Type"] == content_type
    conditions = policy_of(fields)["conditions"]
    assert {"Content-Type": content_type} in conditions
    assert ["content-length-range", 12345, 12345] in conditions
    assert {"bucket": BUCKET} in conditions and {"key": key} in conditions
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4, required for POST policies


def test_given_the_form_when_the_browser_posts_the_file_then_it_lands_at_the_key(aws):
    data = make.png()
    reply = call(describe.handler.handler, "POST", "/uploads", body={"contentType": "image/png", "size": len(data)})
    posted = requests.post(reply.body["url"], data=reply.body["fields"], files={"file": ("me.png", data)}, timeout=5)
    assert posted.status_code in (200, 201, 204)
    stored = boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=reply.body["imageKey"])
    assert stored["Body"].read() == data and stored["ContentType"] == "image/png"


def test_given_two_requests_then_two_distinct_keys(aws):
    keys = {call(describe.handler.handler, "POST", "/uploads", body={"contentType": "image/png", "size": 1}
                 ).body["imageKey"] for _ in range(2)}
    assert len(keys) == 2


def test_given_exactly_10_mb_then_accepted_and_one_byte_more_then_413(aws):
    limit = 10 * 1024 * 1024
    assert call(describe.handler.handler, "POST", "/uploads", body={"contentType": "image/png", "size": limit}).status == 200
    reply = call(describe.handler.handler, "POST", "/uploads", body={"contentType": "image/png", "size": limit + 1})
    assert reply.status == 413 and reply.error["code"] == "payload_too_large" and reply.fields() == ["size"]


@pytest.mark.parametrize("body,field", [
    ({"contentType": "image/gif", "size": 10}, "contentType"), ({"contentType": "image/png", "size": 0}, "size"),
    ({"contentType": "image/png"}, "size"), ({"size": 10}, "contentType"),
    ({"contentType": "image/png", "size": "big"}, "size"),
])
def test_given_an_invalid_upload_request_then_422_naming_the_field(aws, body, field):
    reply = call(describe.handler.handler, "POST", "/uploads", body=body)
    assert reply.status == 422 and field in reply.fields()


def test_given_no_signed_in_user_then_401(aws):
    reply = call(describe.handler.handler, "POST", "/uploads", body={"contentType": "image/png", "size": 10}, user=None)
    assert reply.status == 401 and reply.error["code"] == "unauthorized"


def test_given_an_unknown_route_then_404_json(aws):
    reply = call(describe.handler.handler, "GET", "/nowhere")
    assert reply.status == 404 and reply.error["code"] == "not_found"
