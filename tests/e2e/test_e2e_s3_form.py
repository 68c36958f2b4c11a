"""The local S3 checks an upload form's signature and policy as S3 does, and never serves a page."""

from __future__ import annotations

import base64
import json
import re

import pytest

from e2e_helpers import png_bytes
from local.client import http, multipart

pytestmark = pytest.mark.e2e
PNG = png_bytes(80, 60)


@pytest.fixture
def form(demo) -> dict:
    """A fresh upload form for the PNG above, as POST /uploads hands it out."""
    return demo.request("POST", "/uploads", {"contentType": "image/png", "size": len(PNG)})


def post(form: dict, fields: dict, content: bytes = PNG, content_type: str = "image/png") -> tuple[int, str]:
    body, ctype = multipart(fields, "file", "a.png", content, content_type)
    status, _, data = http("POST", form["url"], body=body, headers={"Content-Type": ctype})
    return status, data.decode("utf-8", "replace")


def s3_code(xml: str) -> str:
    match = re.search(r"<Code>([^<]+)</Code>", xml)
    return match.group(1) if match else ""


def replaced_policy(fields: dict, **changes) -> str:
    policy = json.loads(base64.b64decode(fields["Policy"] if "Policy" in fields else fields["policy"]))
    conditions = [c for c in policy["conditions"] if not (isinstance(c, dict) and "Content-Type" in c)]
    conditions.append({"Content-Type": changes.get("content_type", "text/html")})
    policy["conditions"] = [c for c in conditions if not (isinstance(c, list) and c[0] == "content-length-range")]
    return base64.b64encode(json.dumps(policy).encode()).decode()


def policy_key(fields: dict) -> str:
    return "Policy" if "Policy" in fields else "policy"


def test_the_signed_form_as_handed_out_is_stored(form):
    assert post(form, form["fields"])[0] == 204


def test_a_form_without_signature_or_policy_is_access_denied(form):
    # Given the form's key and type, without the signed policy
    unsigned = {k: v for k, v in form["fields"].items() if k.lower() not in ("policy", "x-amz-signature")}
    # Then S3 refuses it as it refuses any anonymous write to a private bucket
    status, xml = post(form, unsigned)
    assert (status, s3_code(xml)) == (403, "AccessDenied")
    # and without only the signature too
    no_signature = {k: v for k, v in form["fields"].items() if k.lower() != "x-amz-signature"}
    assert post(form, no_signature)[0] == 403


def test_a_replaced_policy_does_not_match_the_signature(form):
    # Given the form with its policy rewritten to allow text/html of any size, signature kept
    fields = dict(form["fields"])
    fields[policy_key(fields)] = replaced_policy(fields)
    fields["Content-Type"] = "text/html"
    # When an HTML page is posted with it
    status, xml = post(form, fields, b"<script>alert(1)</script>", "text/html")
    # Then S3's signature check refuses it
    assert (status, s3_code(xml)) == (403, "SignatureDoesNotMatch")


def test_a_signature_with_another_secret_or_key_is_refused(form):
    fields = dict(form["fields"])
    signature = next(k for k in fields if k.lower() == "x-amz-signature")
    fields[signature] = "0" * 64
    assert s3_code(post(form, fields)[1]) == "SignatureDoesNotMatch"
    fields = dict(form["fields"])
    credential = next(k for k in fields if k.lower() == "x-amz-credential")
    fields[credential] = "AKIDSOMEONEELSE/" + fields[credential].split("/", 1)[1]
    assert s3_code(post(form, fields)[1]) == "InvalidAccessKeyId"


def test_a_field_the_policy_does_not_allow_is_refused(form):
    fields = dict(form["fields"], **{"Content-Disposition": "inline"})
    status, xml = post(form, fields)
    assert (status, s3_code(xml)) == (403, "AccessDenied") and "Extra input fields" in xml


def test_an_uploaded_object_is_never_served_to_a_browser_from_the_app_origin(stack, form):
    # Given a stored upload
    assert post(form, form["fields"])[0] == 204
    bucket_url = form["url"].rstrip("/")
    # When a browser (no AWS signature) asks for it on the app's origin
    status, headers, body = http("GET", f"{bucket_url}/{form['fields']['key']}")
    # Then S3's answer for a private bucket, sandboxed like every /_s3 answer
    assert status == 403 and s3_code(body.decode()) == "AccessDenied"
    assert "sandbox" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"


def test_images_are_served_only_with_the_image_types_the_app_writes(stack):
    # Given an object in the images bucket stored as text/html (a signed call, as only the app can make)
    import boto3

    from local import aws

    s3 = boto3.client("s3", endpoint_url=f"{stack.url}/_s3", region_name=aws.REGION,
                      aws_access_key_id="local", aws_secret_access_key="local")
    s3.put_object(Bucket=aws.IMAGES_BUCKET, Key="images/e2e/page.html", Body=b"<script>alert(1)</script>",
                  ContentType="text/html")
    s3.put_object(Bucket=aws.IMAGES_BUCKET, Key="images/e2e/ok.png", Body=PNG, ContentType="image/png")
    # When the app's origin serves them
    status, headers, _ = http("GET", f"{stack.url}/images/e2e/page.html")
    # Then the page is a download, never a page; an image keeps its type
    assert status == 200 and headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"] == "attachment" and headers["X-Content-Type-Options"] == "nosniff"
    assert http("GET", f"{stack.url}/images/e2e/ok.png")[1]["Content-Type"] == "image/png"
