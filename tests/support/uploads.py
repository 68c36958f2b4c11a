"""Reference images as the browser would have uploaded them."""

from __future__ import annotations

import secrets

import boto3

from tests.support.aws import BUCKET, REGION


def put_upload(user: str, data: bytes, ext: str = "png") -> str:
    key = f"uploads/{user}/{secrets.token_hex(16)}.{ext}"
    boto3.client("s3", region_name=REGION).put_object(Bucket=BUCKET, Key=key, Body=data)
    return key
