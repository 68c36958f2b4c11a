"""Helpers for the Bedrock Runtime emulator tests (model IDs, request bodies, image measures)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any, Callable

import boto3
import pytest
from botocore.config import Config
from PIL import Image, ImageDraw


TITAN = "amazon.titan-image-generator-v2:0"
NOVA = "amazon.nova-canvas-v1:0"
SD35 = "stability.sd3-5-large-v1:0"
ULTRA = "stability.stable-image-ultra-v1:1"
CORE = "stability.stable-image-core-v1:1"
HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


def make_client(url: str, **config: Any):
    options = {"retries": {"mode": "standard", "total_max_attempts": 1}, "read_timeout": 30, "connect_timeout": 5}
    options.update(config)
    return boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(**options))


_REGIONAL: dict[tuple[int, str], Any] = {}


def regional(client, model_id: str):
    """`client`, or its twin in a region that offers `model_id`: the emulator refuses a model called in a
    region without it, as Bedrock does (where each model runs: studio.model_regions)."""
    from studio import model_regions

    if model_regions.offered(model_id, client.meta.region_name) is not False:
        return client
    where = model_regions.availability(model_id)
    prefix, _ = model_regions.split_profile_id(model_id)
    profile = where.profile(prefix) if prefix else None
    regions = where.on_demand if prefix is None else (profile.sources if profile else ())
    if not regions:  # a call no region offers (a bare profile-only ID, a missing profile): as it is
        return client
    region = regions[0]
    key = (id(client), region)
    if key not in _REGIONAL:
        _REGIONAL[key] = boto3.client("bedrock-runtime", region_name=region, endpoint_url=client.meta.endpoint_url,
                                      aws_access_key_id="testing", aws_secret_access_key="testing",
                                      config=client.meta.config)
    return _REGIONAL[key]


def invoke(client, model_id: str, body: dict) -> dict:
    response = regional(client, model_id).invoke_model(modelId=model_id, body=json.dumps(body),
                                                       contentType="application/json", accept="application/json")
    return json.loads(response["body"].read())


def error_of(call: Callable[[], Any]) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the ClientError that `call` raises."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        call()
    err = caught.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Message"]


def decode(b64: str) -> Image.Image:
    img = Image.open(io.BytesIO(base64.b64decode(b64)))
    img.load()
    return img


def png_b64(img: Image.Image, fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def image_bytes(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def shapes_image(size: tuple[int, int] = (512, 512), variant: int = 0) -> Image.Image:
    """Clean, high-contrast shapes: a reference whose edges are unmistakable."""
    img = Image.new("RGB", size, (10, 10, 10))
    draw = ImageDraw.Draw(img)
    w, h = size
    if variant == 0:
        draw.rectangle((w * 0.1, h * 0.1, w * 0.45, h * 0.9), fill=(240, 240, 240))
        draw.ellipse((w * 0.55, h * 0.3, w * 0.9, h * 0.65), fill=(200, 200, 200))
    else:
        draw.polygon([(w * 0.5, h * 0.05), (w * 0.95, h * 0.95), (w * 0.05, h * 0.95)], fill=(230, 230, 230))
        draw.rectangle((w * 0.0, h * 0.0, w * 0.2, h * 0.2), fill=(180, 180, 180))
    return img


def titan_text(text: str = "a red lighthouse on a teal sea", **config: Any) -> dict:
    cfg = {"numberOfImages": 1, "width": 512, "height": 512, "seed": 1, "cfgScale": 8.0, "quality": "standard"}
    cfg.update(config)
    return {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": text}, "imageGenerationConfig": cfg}


def correlation(a: Image.Image, b: Image.Image, size: int = 64) -> float:
    """Pearson correlation of two images' grey levels at size x size."""
    xa = list(a.convert("L").resize((size, size), Image.Resampling.BOX).get_flattened_data())
    xb = list(b.convert("L").resize((size, size), Image.Resampling.BOX).get_flattened_data())
    n = len(xa)
    ma, mb = sum(xa) / n, sum(xb) / n
    cov = sum((p - ma) * (q - mb) for p, q in zip(xa, xb))
    va = sum((p - ma) ** 2 for p in xa) ** 0.5
    vb = sum((q - mb) ** 2 for q in xb) ** 0.5
    return cov / (va * vb) if va and vb else 0.0


def mean_abs_diff(a: Image.Image, b: Image.Image, size: int = 64) -> float:
    from PIL import ImageChops, ImageStat

    da = a.convert("RGB").resize((size, size), Image.Resampling.BOX)
    db = b.convert("RGB").resize((size, size), Image.Resampling.BOX)
    return sum(ImageStat.Stat(ImageChops.difference(da, db)).mean) / 3


# --- Stability Image Services (invoked through their US inference profiles) -------------------
SERVICE_NAMES = (
    "stable-image-control-structure-v1:0", "stable-image-control-sketch-v1:0", "stable-image-style-guide-v1:0",
    "stable-style-transfer-v1:0", "stable-image-inpaint-v1:0", "stable-image-erase-object-v1:0",
    "stable-image-search-replace-v1:0", "stable-image-search-recolor-v1:0", "stable-image-remove-background-v1:0",
    "stable-outpaint-v1:0", "stable-fast-upscale-v1:0", "stable-conservative-upscale-v1:0",
    "stable-creative-upscale-v1:0",
)
PROMPTED = {"stable-image-control-structure-v1:0", "stable-image-control-sketch-v1:0",
            "stable-image-style-guide-v1:0", "stable-image-inpaint-v1:0", "stable-image-search-replace-v1:0",
            "stable-image-search-recolor-v1:0", "stable-conservative-upscale-v1:0", "stable-creative-upscale-v1:0"}


def profile(name: str) -> str:
    return f"us.stability.{name}"


def square_mask(size: tuple[int, int], box: tuple[int, int, int, int]) -> Image.Image:
    """Black, with a white (repaint) rectangle."""
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rectangle(box, fill=255)
    return mask


def service_body(name: str, size: tuple[int, int] = (128, 128), **extra: Any) -> dict:
    """The smallest valid body for an Image Service (plus `extra`)."""
    image = png_b64(shapes_image(size))
    body: dict[str, Any] = {"image": image}
    if name == "stable-style-transfer-v1:0":
        body = {"init_image": image, "style_image": png_b64(Image.new("RGB", (96, 96), (200, 30, 40)))}
    if name in PROMPTED:
        body["prompt"] = "a lighthouse"
    if name == "stable-image-search-replace-v1:0":
        body["search_prompt"] = "white box"
    if name == "stable-image-search-recolor-v1:0":
        body["select_prompt"] = "white box"
    if name in ("stable-image-inpaint-v1:0", "stable-image-erase-object-v1:0"):
        w, h = size
        body["mask"] = png_b64(square_mask(size, (w // 4, h // 4, w // 2, h // 2)))
    if name == "stable-outpaint-v1:0":
        body["left"] = 16
    body.update(extra)
    return body
