"""S3: reference-image uploads and rendered images."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

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
# Read size when an image is streamed into an export's ZIP, and the part size its upload sends (S3's
# minimum part is 5 MB; 10,000 parts of 16 MB allow 160 GB, far beyond an export's bound).
COPY_CHUNK_BYTES = 1024 * 1024
UPLOAD_PART_BYTES = 16 * 1024 * 1024


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


class StreamingUpload:
    """A write-only stream into one S3 object, uploaded in parts as it is written (multipart upload):
    memory holds one part, never the whole object, and no file is written to /tmp (SnapStart allows a
    function no more than 512 MB there). Used as `with storage.StreamingUpload(key, type) as out:`;
    leaving the block completes the upload, or aborts it when the block raised (no object, no parts
    left behind). It has no tell() or seek(): zipfile then writes a streamable ZIP (data descriptors)."""

    def __init__(self, key: str, content_type: str) -> None:
        self._s3, self._bucket, self._key, self._part_bytes = clients.get("s3"), _bucket(), key, UPLOAD_PART_BYTES
        self._content_type, self._buffer, self._parts, self._upload_id = content_type, bytearray(), [], None
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self._buffer += data
        self.size += len(data)
        while len(self._buffer) >= self._part_bytes:
            self._send(bytes(self._buffer[:self._part_bytes]))
            del self._buffer[:self._part_bytes]
        return len(data)

    def flush(self) -> None:  # parts go out when full; the last one on completion
        pass

    def _send(self, part: bytes) -> None:
        if self._upload_id is None:
            self._upload_id = self._s3.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ContentType=self._content_type)["UploadId"]
        number = len(self._parts) + 1
        answer = self._s3.upload_part(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                                      PartNumber=number, Body=part)
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def __enter__(self) -> "StreamingUpload":
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, _trace: object) -> None:
        try:
            if kind is None:
                self._finish()
                return
        except (ClientError, BotoCoreError) as failure:
            self._abort()
            raise StorageError("Could not store the export. Try again.") from failure
        self._abort()
        if isinstance(error, (ClientError, BotoCoreError)):  # a part failed to upload
            raise StorageError("Could not store the export. Try again.") from error

    def _finish(self) -> None:
        if self._upload_id is None:  # smaller than one part: one PutObject
            self._s3.put_object(Bucket=self._bucket, Key=self._key, Body=bytes(self._buffer),
                                ContentType=self._content_type)
            return
        if self._buffer:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        self._s3.complete_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                                           MultipartUpload={"Parts": self._parts})

    def _abort(self) -> None:
        if self._upload_id is None:
            return
        try:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)
        except (ClientError, BotoCoreError):  # the bucket's abort-multipart lifecycle rule is the backstop
            logger.exception("could not abort a multipart upload", extra={"key": self._key})


def presigned_download(key: str, filename: str, expires_in: int) -> str:
    """A presigned GET of the object that saves it as `filename`."""
    try:
        return clients.get("s3").generate_presigned_url(
            "get_object", ExpiresIn=expires_in,
            Params={"Bucket": _bucket(), "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"'})
    except (ClientError, BotoCoreError) as error:
        raise StorageError("Could not prepare the download. Try again.") from error
