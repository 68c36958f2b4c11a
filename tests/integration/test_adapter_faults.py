"""AWS faults become typed errors at the adapters, and the right HTTP answer at the edge."""

import pytest
from botocore.exceptions import ClientError

import describe.handler
import gallery.handler
from studio.adapters import clients, generation_records, storage
from studio.errors import NotFound, StorageError
from tests.support import images as make
from tests.support.events import USER_A, call
from tests.support.flow import claim, get, post, run_worker, stored
from tests.support.uploads import put_upload


def fail_with(code, operation):
    def failing(**_):
        raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)

    return failing


@pytest.mark.parametrize("method,path,operation", [
    ("GET", "/generations/abc", "get_item"),
    ("GET", "/gallery", "query"),
    ("DELETE", "/generations/abc", "get_item"),
])
def test_given_the_table_fails_then_503_storage_error(aws, monkeypatch, method, path, operation):
    monkeypatch.setattr(clients.get("dynamodb"), operation, fail_with("InternalServerError", operation))
    reply = call(gallery.handler.handler, method, path)
    assert reply.status == 503 and reply.error["code"] == "storage_error"
    assert reply.error["details"] == {"awsError": "InternalServerError"}


def test_given_the_table_fails_on_patch_then_503(aws, monkeypatch):
    generation_id = post({"prompt": "p"}).body["id"]
    monkeypatch.setattr(clients.get("dynamodb"), "update_item", fail_with("ProvisionedThroughputExceededException", "x"))
    # A favorite moves the image's facet rows too: that write is a transaction
    monkeypatch.setattr(clients.get("dynamodb"), "transact_write_items", fail_with("InternalServerError", "x"))
    reply = call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body={"favorite": True})
    assert reply.status == 503


def test_given_s3_cannot_sign_an_upload_then_503(aws, monkeypatch):
    monkeypatch.setattr(clients.get("s3"), "generate_presigned_post", fail_with("AccessDenied", "x"))
    reply = call(describe.handler.handler, "POST", "/uploads", body={"contentType": "image/png", "size": 10})
    assert reply.status == 503 and reply.error["code"] == "storage_error"


def test_given_s3_fails_to_read_an_upload_then_503_not_404(aws, bedrock, monkeypatch):
    key = put_upload(USER_A, make.png())
    monkeypatch.setattr(clients.get("s3"), "get_object", fail_with("InternalError", "GetObject"))
    monkeypatch.setattr(clients.get("s3"), "head_object", fail_with("InternalError", "HeadObject"))
    reply = call(describe.handler.handler, "POST", "/describe", body={"imageKey": key})
    assert reply.status == 503 and reply.error["code"] == "storage_error"
    with pytest.raises(StorageError):
        storage.exists(key)


def test_given_access_denied_on_an_upload_then_it_is_missing(aws, bedrock, monkeypatch):
    # Given roles without s3:ListBucket: S3 answers a read of a missing key with 403 AccessDenied
    key = f"uploads/{USER_A}/{'1' * 32}.png"
    monkeypatch.setattr(clients.get("s3"), "get_object", fail_with("AccessDenied", "GetObject"))
    monkeypatch.setattr(clients.get("s3"), "head_object", fail_with("403", "HeadObject"))
    # When describe reads it, then the caller is told to upload it again (404), and exists() is False
    reply = call(describe.handler.handler, "POST", "/describe", body={"imageKey": key})
    assert reply.status == 404 and reply.error["code"] == "reference_missing"
    assert storage.exists(key) is False


def test_given_a_missing_object_then_read_is_not_found_and_exists_is_false(aws):
    with pytest.raises(NotFound):
        storage.read(f"uploads/{USER_A}/{'0' * 32}.png", 100, "imageKey")
    assert storage.exists(f"uploads/{USER_A}/{'0' * 32}.png") is False


def test_given_the_worker_cannot_start_the_record_then_the_job_is_retried(aws, monkeypatch):
    post({"prompt": "p"})
    monkeypatch.setattr(clients.get("dynamodb"), "update_item", fail_with("InternalServerError", "UpdateItem"))
    with pytest.raises(Exception, match="All records failed"):
        run_worker(aws)


def test_given_a_pending_record_deleted_before_the_worker_runs_then_the_job_is_skipped(aws, bedrock):
    generation_id = post({"prompt": "p"}).body["id"]
    assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
    response, _ = run_worker(aws)  # no stubbed model answer: a model call would fail the test
    assert response == {"batchItemFailures": []}
    assert stored(generation_id) is None


def test_given_a_finished_record_then_fail_is_a_no_op_and_start_returns_none(aws):
    generation_id = post({"prompt": "p"}).body["id"]
    record = stored(generation_id)
    assert generation_records.fail(record, "internal_error", "x", "2026-11-26T00:00:00.000Z") is True
    assert generation_records.fail(record, "internal_error", "x", "2026-11-26T00:00:00.000Z") is False
    assert claim(generation_id) is None
    assert generation_records.complete(record, "attempt-1", [], None, "2026-11-26T00:00:00.000Z") is False


def test_given_a_machine_client_with_the_generate_scope_then_it_can_generate_and_read(aws):
    client_sub = "7q2machineclient0000000001"
    reply = post({"prompt": "p"}, user=client_sub, scope="studio/generate")
    assert reply.status == 202
    assert get(reply.body["id"], user=client_sub, scope="studio/read").status == 200
