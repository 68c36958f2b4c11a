"""S3: reference-image uploads and rendered images."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError

from studio import caches
from studio.adapters import clients
from studio.errors import NotFound, PayloadTooLarge, StorageError
from studio.observability import logger
from studio.settings import settings

IMMUTABLE = "public, max-age=31536000, immutable"
# Objects written at once: a generation stores up to 5 PNG + 5 WebP (+ its reference).
WRITE_THREADS = 4
# A missing key. The functions may not list the bucket (no s3:ListBucket), so S3 answers a read of
# a missing key with 403 AccessDenied rather than 404; under a prefix the role may read, that
# means "not there".
MISSING = ("404", "NoSuchKey", "NotFound", "403", "AccessDenied")
# Read size when an image is streamed into an export's ZIP.
COPY_CHUNK_BYTES = 1024 * 1024


def _bucket() -> str:
    return settings().require("images_bucket")


def presigned_upload(key: str, content_type: str, size: int, expires_in: int) -> dict:
    """A presigned POST that accepts exactly this type and this many bytes at this key."""
    try:
        return clients.get("s3").generate_presigned_post(
            Bucket=_bucket(), Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=expires_in,
        )
    except (ClientError, BotoCoreError) as error:
        raise StorageError("Could not prepare the upload. Try again.") from error


def read(key: str, max_bytes: int, field: str) -> bytes:
    try:
        answer = clients.get("s3").get_object(Bucket=_bucket(), Key=key)
        if answer["ContentLength"] > max_bytes:  # refuse before reading the body
            answer["Body"].close()
            raise PayloadTooLarge(f"{field}: the image is larger than {max_bytes} bytes")
        return answer["Body"].read()
    except ClientError as error:
        if error.response["Error"]["Code"] in MISSING:
            raise NotFound(f"{field}: no uploaded image at {key}. Uploads are kept for one day; upload it again.",
                           code="reference_missing") from error
        raise StorageError("Could not read the image from storage. Try again.") from error
    except BotoCoreError as error:  # no answer: connection refused, read timeout, connection closed
        raise StorageError("Could not read the image from storage. Try again.") from error


def exists(key: str) -> bool:
    try:
        clients.get("s3").head_object(Bucket=_bucket(), Key=key)
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] in MISSING:
            return False
        raise StorageError("Could not check the image in storage. Try again.") from error
    except BotoCoreError as error:
        raise StorageError("Could not check the image in storage. Try again.") from error


class Batch:
    """Objects written concurrently, each from the moment it is added; all or none.

    Used as `with storage.Batch() as batch: batch.put(...)`: leaving the block waits for every
    write (none is left running); if a write failed, or the block raised, what was written is
    removed. A failed write raises StorageError; the block's own exception propagates unchanged.
    One boto3 client serves every thread (clients are thread-safe; resources are not)."""

    def __init__(self) -> None:
        self._s3, self._bucket, self._futures = clients.get("s3"), _bucket(), []

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._futures.append(_writers().submit(self._put, key, data, content_type))

    def _put(self, key: str, data: bytes, content_type: str) -> str:
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type, CacheControl=IMMUTABLE)
        return key

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind: type | None, *_: object) -> None:
        written, failure = [], None
        for future in self._futures:  # wait for all, so none is still writing when the others are removed
            try:
                written.append(future.result())
            except (ClientError, BotoCoreError) as error:  # BotoCoreError: connection lost, read timeout
                failure = failure or error
        if failure is None and kind is None:
            return
        try:
            delete_all(written)
        except StorageError:
            if kind is None:
                raise
            return  # logged by delete_all; the caller's own exception says what went wrong
        if kind is None:
            raise StorageError("Could not store the rendered images.") from failure


_pool: list[ThreadPoolExecutor] = []


def _writers() -> ThreadPoolExecutor:
    """A few threads per container, started on first use (after a SnapStart restore, never before)."""
    if not _pool:
        _pool.append(ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix="s3-write"))
    return _pool[0]


@caches.register
def _stop_writers() -> None:
    """Let the threads end once their writes are done; the next batch starts new ones."""
    while _pool:
        _pool.pop().shutdown(wait=False)


def delete_all(keys: list[str]) -> None:
    """Delete keys (best effort per batch; a failure is logged, the lifecycle rules are the backstop)."""
    for start in range(0, len(keys), 1000):
        batch = [{"Key": k} for k in keys[start:start + 1000]]
        try:
            clients.get("s3").delete_objects(Bucket=_bucket(), Delete={"Objects": batch, "Quiet": True})
        except (ClientError, BotoCoreError):
            logger.exception("could not delete objects", extra={"keys": [k["Key"] for k in batch]})
            raise StorageError("Could not delete the images from storage. Try again.")


def copy_to(key: str, out: BinaryIO, max_bytes: int) -> int:
    """Stream one stored object into `out` (bytes unchanged), refusing it when it is over `max_bytes`
    (PayloadTooLarge) before reading it; NotFound when it is not there."""
    try:
        answer = clients.get("s3").get_object(Bucket=_bucket(), Key=key)
        size = answer["ContentLength"]
        if size > max_bytes:
            answer["Body"].close()
            raise PayloadTooLarge(f"{key}: over the {max_bytes} bytes left")
        shutil.copyfileobj(answer["Body"], out, COPY_CHUNK_BYTES)
        return size
    except ClientError as error:
        if error.response["Error"]["Code"] in MISSING:
            raise NotFound(f"The stored image {key} is missing.") from error
        raise StorageError("Could not read an image from storage. Try again.") from error
    except BotoCoreError as error:
        raise StorageError("Could not read an image from storage. Try again.") from error


def upload_file(source: BinaryIO, key: str, content_type: str) -> None:
    """Upload a file (multipart above boto3's 8 MB threshold; a failed multipart upload is aborted)."""
    try:
        clients.get("s3").upload_fileobj(source, _bucket(), key, ExtraArgs={"ContentType": content_type})
    except (ClientError, BotoCoreError, S3UploadFailedError) as error:  # the last: a part or the completion failed
        raise StorageError("Could not store the export. Try again.") from error


def presigned_download(key: str, filename: str, expires_in: int) -> str:
    """A presigned GET of the object that saves it as `filename`."""
    try:
        return clients.get("s3").generate_presigned_url(
            "get_object", ExpiresIn=expires_in,
            Params={"Bucket": _bucket(), "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"'})
    except (ClientError, BotoCoreError) as error:
        raise StorageError("Could not prepare the download. Try again.") from error
