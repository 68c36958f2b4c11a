"""Exports through the gallery function and the worker, on moto: POST /exports queues a job, the worker
packs the images (bytes unchanged) and metadata.json into exports/<owner>/<id>.zip, GET /exports/{id}
hands out a presigned link; only images the caller may see go in; a missing object fails the export."""

from __future__ import annotations

import io
import json
import os
import zipfile
from urllib.parse import urlparse

import boto3
import pytest

import gallery.handler
import generate.dead_letters
import generate.worker
from studio.adapters import generation_records
from tests.support.aws import BUCKET, REGION, objects_under, queued_messages, sqs_event, sqs_event_for_bodies
from tests.support.events import USER_A, USER_B, LambdaContext, call
from tests.support.flow import claim, post, worker_context

NOW = "2026-11-26T00:00:02.000Z"


def api(method, path, user=USER_A, **kwargs):
    return call(gallery.handler.handler, method, path, user=user, **kwargs)


def make_image(prompt: str, user: str = USER_A, public: bool = False, count: int = 1,
               size: int = 2000) -> tuple[str, list[bytes]]:
    """A COMPLETE generation whose images are stored objects (random bytes: the ZIP must keep them as they are)."""
    reply = post({"prompt": prompt, "negativePrompt": "blurry", "mode": "text", "public": public,
                  "count": count, "seed": 42}, user=user)
    assert reply.status == 202, reply.body
    generation_id = reply.body["id"]
    s3 = boto3.client("s3", region_name=REGION)
    images, contents = [], []
    for index in range(count):
        key, data = f"images/attempt-1/{generation_id}/{index}.png", os.urandom(size)
        s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        images.append({"key": key, "thumbnailKey": key.replace(".png", ".webp"), "width": 1024, "height": 1024,
                       "seed": 42 + index})
        contents.append(data)
    running = claim(generation_id)
    assert running and generation_records.complete(running, "attempt-1", images, None, NOW)
    return generation_id, contents


def run_exports(resources) -> dict:
    """Deliver the queued export jobs to the worker (generation jobs stay out: their images are made above)."""
    messages = [m for m in queued_messages(resources.queue_url) if "exportId" in json.loads(m["Body"])]
    assert messages, "no export was queued"
    return generate.worker.handler(sqs_event(messages, resources.queue_arn), worker_context())


def download(export: dict) -> zipfile.ZipFile:
    """The ZIP behind the presigned link (read from the bucket at the link's key: no HTTP in moto's in-process mode)."""
    url = urlparse(export["downloadUrl"])
    assert "X-Amz-Signature=" in url.query and "attachment" in url.query
    key = url.path.split(f"/{BUCKET}/", 1)[-1] if f"/{BUCKET}/" in url.path else url.path.lstrip("/")
    body = boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return zipfile.ZipFile(io.BytesIO(body))


def test_given_a_selection_then_the_zip_holds_the_visible_images_unchanged_and_their_metadata(aws):
    mine, mine_bytes = make_image("a lighthouse at dusk", count=2)
    shared, shared_bytes = make_image("a red fox", user=USER_B, public=True)
    private, _ = make_image("a secret garden", user=USER_B)

    reply = api("POST", "/exports", body={"generationIds": [mine, private, shared]})
    assert reply.status == 202, reply.body
    assert reply.body["status"] == "PENDING" and reply.body["requested"] == 3 and reply.body["downloadUrl"] is None
    export_id = reply.body["id"]
    assert run_exports(aws) == {"batchItemFailures": []}

    export = api("GET", f"/exports/{export_id}").body
    assert export["status"] == "COMPLETE", export
    assert (export["exported"], export["imageCount"]) == (2, 3)
    assert objects_under("exports/") == [f"exports/{USER_A}/{export_id}.zip"]
    archive = download(export)
    assert archive.read(f"{mine}-0.png") == mine_bytes[0] and archive.read(f"{mine}-1.png") == mine_bytes[1]
    assert archive.read(f"{shared}-0.png") == shared_bytes[0]
    assert not [name for name in archive.namelist() if name.startswith(private)]  # another user's private image
    entries = {e["id"]: e for e in json.loads(archive.read("metadata.json"))["images"]}
    assert set(entries) == {mine, shared}
    first = entries[mine]
    assert (first["prompt"], first["negativePrompt"], first["mode"], first["mine"]) == \
        ("a lighthouse at dusk", "blurry", "text", True)
    assert first["model"] and first["createdAt"] and "source" in first["lineage"] and first["tags"] == []
    assert first["images"] == [{"file": f"{mine}-0.png", "seed": 42, "width": 1024, "height": 1024},
                               {"file": f"{mine}-1.png", "seed": 43, "width": 1024, "height": 1024}]
    assert entries[shared]["mine"] is False


def test_given_a_board_then_its_images_are_exported_and_only_its_owner_reads_the_export(aws):
    first, _ = make_image("first")
    second, _ = make_image("second")
    board = api("POST", "/boards", body={"name": "Trips"}).body["id"]
    assert api("POST", f"/boards/{board}/items/batch", body={"add": [first, second]}).status == 200

    assert api("POST", "/exports", user=USER_B, body={"boardId": board}).error["code"] == "board_not_found"
    reply = api("POST", "/exports", body={"boardId": board})
    assert reply.status == 202 and reply.body["boardId"] == board and reply.body["requested"] == 2
    run_exports(aws)

    export = api("GET", f"/exports/{reply.body['id']}").body
    assert export["status"] == "COMPLETE" and export["exported"] == 2
    assert sorted(download(export).namelist()) == sorted([f"{first}-0.png", f"{second}-0.png", "metadata.json"])
    other = api("GET", f"/exports/{reply.body['id']}", user=USER_B)
    assert other.status == 404 and other.error["code"] == "export_not_found"


def test_given_a_stored_image_is_missing_then_the_export_fails_with_a_reason_and_leaves_no_zip(aws):
    gone, _ = make_image("gone")
    boto3.client("s3", region_name=REGION).delete_object(Bucket=BUCKET, Key=f"images/attempt-1/{gone}/0.png")
    export_id = api("POST", "/exports", body={"generationIds": [gone]}).body["id"]
    run_exports(aws)
    export = api("GET", f"/exports/{export_id}").body
    assert export["status"] == "FAILED" and export["error"]["code"] == "source_missing" and export["downloadUrl"] is None
    assert objects_under("exports/") == []


def test_given_nothing_the_caller_may_see_then_the_export_fails_nothing_to_export(aws):
    private, _ = make_image("not yours", user=USER_B)
    export_id = api("POST", "/exports", body={"generationIds": [private]}).body["id"]
    run_exports(aws)
    assert api("GET", f"/exports/{export_id}").body["error"]["code"] == "nothing_to_export"


@pytest.mark.parametrize("body", [{}, {"boardId": "b1", "generationIds": ["g1"]}, {"generationIds": []},
                                  {"generationIds": ["x"] * 501}, {"generationIds": ["../etc"]}])
def test_given_a_bad_request_then_422_and_nothing_is_queued(aws, body):
    reply = api("POST", "/exports", body=body)
    assert reply.status == 422 and reply.error["code"] == "validation_error", reply.body
    assert not [m for m in queued_messages(aws.queue_url) if "exportId" in m["Body"]]


def test_given_an_export_job_dead_lettered_then_the_export_fails_instead_of_staying_pending(aws):
    mine, _ = make_image("stuck")
    export_id = api("POST", "/exports", body={"generationIds": [mine]}).body["id"]
    body = json.dumps({"exportId": export_id})
    generate.dead_letters.handler(sqs_event_for_bodies([body], aws.queue_arn), LambdaContext())
    export = api("GET", f"/exports/{export_id}").body
    assert export["status"] == "FAILED" and export["error"]["code"] == "internal_error"


def test_given_images_over_the_size_bound_then_the_export_fails_too_large_before_writing_more(aws, monkeypatch):
    from studio.logic import exports

    big, _ = make_image("big", count=2)  # 2 x 2,000 bytes
    monkeypatch.setattr(exports, "EXPORT_MAX_BYTES", 3000)
    export_id = api("POST", "/exports", body={"generationIds": [big]}).body["id"]
    run_exports(aws)
    export = api("GET", f"/exports/{export_id}").body
    assert export["status"] == "FAILED" and export["error"]["code"] == "export_too_large"
    assert objects_under("exports/") == []


def test_given_a_zip_over_one_part_then_it_streams_in_parts_and_a_failure_midway_leaves_no_upload(aws, monkeypatch):
    from studio.adapters import storage

    monkeypatch.setattr(storage, "UPLOAD_PART_BYTES", 5 * 2 ** 20)  # S3's smallest part
    big, contents = make_image("big", count=2, size=3 * 2 ** 20)  # a 6 MB ZIP: two parts
    export_id = api("POST", "/exports", body={"generationIds": [big]}).body["id"]
    run_exports(aws)
    export = api("GET", f"/exports/{export_id}").body
    assert export["status"] == "COMPLETE" and export["sizeBytes"] > 6 * 2 ** 20
    assert download(export).read(f"{big}-1.png") == contents[1]
    etag = boto3.client("s3", region_name=REGION).head_object(Bucket=BUCKET, Key=f"exports/{USER_A}/{export_id}.zip")["ETag"]
    assert etag.strip('"').endswith("-2")  # a multipart upload's ETag counts its parts

    # Given a first part already sent and then a missing image: the upload is aborted, no object stays
    gone, _ = make_image("gone")
    boto3.client("s3", region_name=REGION).delete_object(Bucket=BUCKET, Key=f"images/attempt-1/{gone}/0.png")
    failed_id = api("POST", "/exports", body={"generationIds": [big, gone]}).body["id"]
    run_exports(aws)
    assert api("GET", f"/exports/{failed_id}").body["error"]["code"] == "source_missing"
    assert objects_under("exports/") == [f"exports/{USER_A}/{export_id}.zip"]
    assert not boto3.client("s3", region_name=REGION).list_multipart_uploads(Bucket=BUCKET).get("Uploads")
