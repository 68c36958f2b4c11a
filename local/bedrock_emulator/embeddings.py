"""Amazon Nova Multimodal Embeddings, offline: strict requests, deterministic vectors with real signal.

The request rules come from "Complete embeddings request and response schema"
(https://docs.aws.amazon.com/nova/latest/userguide/embeddings-schema.html), written independently of
the application's adapter so that one can catch the other: InvokeModel only (the synchronous API),
taskType SINGLE_EMBEDDING, singleEmbeddingParams {embeddingPurpose (required, one of nine),
embeddingDimension 256 | 384 | 1024 | 3072 (default 3072), exactly one of text {truncationMode
START|END|NONE (required), value | source}, image {format png|jpeg|gif|webp (required), detailLevel,
source {bytes | s3Location}}, audio, video}. Text is at most 8K tokens (NONE refuses longer text);
an image must be the declared format, and within the 25 MB request and 8,000 x 8,000 pixels that
Amazon Nova documents for images (https://docs.aws.amazon.com/nova/latest/userguide/modalities-image.html).
Answer: {"embeddings": [{"embeddingType": "TEXT"|"IMAGE", "embedding": [floats],
"truncatedCharLength"?: int}]}.

The vectors: a small feature space where text and images meet, projected to the requested dimension
by a fixed random matrix (inner products survive the projection), then normalized.
- Color: the share of each of 12 basic colors among the image's pixels; in text, the color words of
  English (every word the offline renderer paints with), Korean, Japanese, Chinese, Spanish, French
  and German, so "red", "빨간" and "rojo" find the same red images.
- Light: bright/dark words and an image's mean brightness.
- Layout (images only): a 4x4 grid of brightness and a 2x2 grid of color, so "more like this" ranks
  the source first and images of the same scene close to it.
- Words (text only): each other word hashed into a few dimensions, so texts are near each other.
Subjects ("lighthouse") cannot be seen offline: they only move text-to-text similarity.
"""

from __future__ import annotations

import base64
import binascii
import colorsys
import io
import json
import math
import random
import re
import threading
from functools import lru_cache

from PIL import Image, UnidentifiedImageError

from . import errors
from .render import COLOR_WORDS, digest
from .schema import violations

MODEL_IDS = ("amazon.nova-2-multimodal-embeddings-v1:0",)
PURPOSES = ["GENERIC_INDEX", "GENERIC_RETRIEVAL", "TEXT_RETRIEVAL", "IMAGE_RETRIEVAL", "VIDEO_RETRIEVAL",
            "DOCUMENT_RETRIEVAL", "AUDIO_RETRIEVAL", "CLASSIFICATION", "CLUSTERING"]
DIMENSIONS = [256, 384, 1024, 3072]
DEFAULT_DIMENSION = 3072
MAX_TEXT_TOKENS = 8192
CHARS_PER_TOKEN = 4  # the emulator's token estimate
MAX_REQUEST_BYTES = 25 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}

_SOURCE = {"type": "object", "additionalProperties": False,
           "properties": {"bytes": {"type": "string"},
                          "s3Location": {"type": "object", "required": ["uri"],
                                         "properties": {"uri": {"type": "string"}, "bucketOwner": {"type": "string"}}}}}
REQUEST_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["taskType", "singleEmbeddingParams"],
    "properties": {
        "schemaVersion": {"type": "string", "enum": ["nova-multimodal-embed-v1"]},
        "taskType": {"type": "string", "enum": ["SINGLE_EMBEDDING", "SEGMENTED_EMBEDDING"]},
        "singleEmbeddingParams": {
            "type": "object", "additionalProperties": False, "required": ["embeddingPurpose"],
            "properties": {
                "embeddingPurpose": {"type": "string", "enum": PURPOSES},
                "embeddingDimension": {"type": "integer", "enum": DIMENSIONS},
                "text": {"type": "object", "additionalProperties": False, "required": ["truncationMode"],
                         "properties": {"truncationMode": {"type": "string", "enum": ["START", "END", "NONE"]},
                                        "value": {"type": "string", "minLength": 1}, "source": _SOURCE}},
                "image": {"type": "object", "additionalProperties": False, "required": ["format", "source"],
                          "properties": {"format": {"type": "string", "enum": list(IMAGE_FORMATS)},
                                         "detailLevel": {"type": "string", "enum": ["STANDARD_IMAGE", "DOCUMENT_IMAGE"]},
                                         "source": _SOURCE}},
                "audio": {"type": "object"},
                "video": {"type": "object"},
            },
        },
    },
}

# --- the shared feature space ------------------------------------------------------------------
COLORS = ("red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "brown", "white", "gray", "black")
# Color words that are not English, matched as substrings (Korean and CJK words take endings).
FOREIGN_COLOR_WORDS = {
    "red": ("빨간", "빨강", "붉은", "적색", "赤", "红", "紅", "rojo", "roja", "rouge", "rot"),
    "orange": ("주황", "오렌지", "橙", "naranja", "orangé"),
    "yellow": ("노란", "노랑", "황색", "黄", "amarillo", "amarilla", "jaune", "gelb"),
    "green": ("초록", "녹색", "緑", "绿", "verde", "vert", "grün"),
    "cyan": ("청록", "하늘색", "水色", "青绿", "cian", "türkis"),
    "blue": ("파란", "파랑", "푸른", "청색", "남색", "青", "蓝", "藍", "azul", "bleu", "blau"),
    "purple": ("보라", "자주", "紫", "morado", "violeta", "violet", "lila"),
    "pink": ("분홍", "핑크", "桃色", "粉", "rosa", "rose"),
    "brown": ("갈색", "茶色", "棕", "marrón", "marron", "braun"),
    "white": ("흰", "하얀", "하양", "백색", "白", "blanco", "blanca", "blanc", "weiß", "weiss"),
    "gray": ("회색", "灰", "gris", "grau"),
    "black": ("검은", "검정", "까만", "흑색", "黒", "黑", "negro", "negra", "noir", "schwarz"),
}
BRIGHT_WORDS = ("bright", "light", "sunny", "day", "pale", "밝은", "환한", "明る", "亮", "claro", "clair", "hell")
DARK_WORDS = ("dark", "night", "shadow", "gloomy", "dim", "어두운", "밤", "暗", "夜", "oscuro", "sombre", "dunkel")
WORD_BUCKETS = 48
COLOR_WEIGHT, LIGHT_WEIGHT, LAYOUT_WEIGHT, WORD_WEIGHT = 1.0, 0.35, 0.45, 0.5
FEATURES = len(COLORS) + 2 + 16 + 12 + WORD_BUCKETS  # color, light (bright, dark), 4x4 luma, 2x2 color, words
PROJECTION_SEED = 20261201


def color_of(r: float, g: float, b: float) -> str:
    """One of COLORS for an RGB pixel (0-255)."""
    h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
    if v < 0.18:
        return "black"
    if s < 0.18:
        return "white" if v > 0.82 else "gray"
    hue = h * 360
    if hue < 15 or hue >= 340:
        return "red"
    if hue < 45:
        return "brown" if v < 0.6 else "orange"
    if hue < 70:
        return "yellow"
    if hue < 160:
        return "green"
    if hue < 195:
        return "cyan"
    if hue < 255:
        return "blue"
    if hue < 290:
        return "purple"
    return "pink"


ENGLISH_COLOR = {word: color_of(*rgb) for word, rgb in COLOR_WORDS.items()}
ENGLISH_COLOR.update({c: c for c in COLORS} | {"grey": "gray", "violet": "purple", "magenta": "pink"})


@lru_cache(maxsize=4)
def projection(dimension: int) -> tuple[tuple[float, ...], ...]:
    """A fixed Gaussian matrix (dimension x FEATURES): the same on every run and machine."""
    rng = random.Random(PROJECTION_SEED + dimension)
    scale = 1 / math.sqrt(dimension)
    return tuple(tuple(rng.gauss(0, 1) * scale for _ in range(FEATURES)) for _ in range(dimension))


def _unit(values: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values] if norm else values


def project(features: list[float], dimension: int) -> list[float]:
    rows = projection(dimension)
    return _unit([sum(w * f for w, f in zip(row, features) if f) for row in rows])


def text_features(text: str) -> list[float]:
    lowered = text.lower()
    tokens = re.findall(r"[a-zà-ÿß]+", lowered)
    colors = [0.0] * len(COLORS)
    for token in tokens:
        if token in ENGLISH_COLOR:
            colors[COLORS.index(ENGLISH_COLOR[token])] += 1
    for color, words in FOREIGN_COLOR_WORDS.items():
        for word in words:
            if (word.isascii() and word in tokens) or (not word.isascii() and word in lowered):
                colors[COLORS.index(color)] += 1
    light = [float(any(w in lowered for w in BRIGHT_WORDS)), float(any(w in lowered for w in DARK_WORDS))]
    words = [0.0] * WORD_BUCKETS
    others = [t for t in tokens if t not in ENGLISH_COLOR] + re.findall(r"[^\x00-\x7f\s]+", lowered)
    for token in others:
        words[digest("word", token) % WORD_BUCKETS] += 1
    if not any(colors) and not any(light) and not any(words):
        words[digest("word", lowered) % WORD_BUCKETS] = 1.0
    return ([COLOR_WEIGHT * v for v in _unit(colors)] + [LIGHT_WEIGHT * v for v in _unit(light)]
            + [0.0] * 28 + [WORD_WEIGHT * v for v in _unit(words)])


def _pixels(img: Image.Image) -> list[tuple[int, int, int]]:
    raw = img.tobytes()
    return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]


def image_features(img: Image.Image) -> list[float]:
    small = img.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
    pixels = _pixels(small)
    colors = [0.0] * len(COLORS)
    for r, g, b in pixels:
        # Vivid pixels say more about an image's color than washed-out ones.
        _h, saturation, value = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        name = color_of(r, g, b)
        colors[COLORS.index(name)] += (0.4 + saturation * value) if name not in ("white", "gray", "black") else 0.4
    luma = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in pixels]
    mean = sum(luma) / len(luma) / 255
    light = [max(0.0, mean - 0.5) * 2, max(0.0, 0.5 - mean) * 2]
    grid = list(img.convert("L").resize((4, 4), Image.Resampling.BOX).tobytes())
    center = sum(grid) / len(grid)
    quads = [c / 255 - 0.5 for c in img.convert("RGB").resize((2, 2), Image.Resampling.BOX).tobytes()]
    layout = _unit([(v - center) / 255 for v in grid] + quads)
    return ([COLOR_WEIGHT * v for v in _unit(colors)] + [LIGHT_WEIGHT * v for v in light]
            + [LAYOUT_WEIGHT * v for v in layout] + [0.0] * WORD_BUCKETS)


# --- the request -------------------------------------------------------------------------------
def is_embeddings_model(model_id: str) -> bool:
    return model_id in MODEL_IDS


def _image(spec: dict) -> Image.Image:
    source = spec["source"]
    if "s3Location" in source:
        raise errors.validation("The offline emulator cannot read s3Location sources; send the image as bytes.")
    if "bytes" not in source:
        raise errors.malformed(["#/singleEmbeddingParams/image/source: one of bytes or s3Location is required"])
    try:
        raw = base64.b64decode(source["bytes"], validate=True)
    except (binascii.Error, ValueError):
        raise errors.validation("Unable to decode the image bytes: they are not valid base64.") from None
    try:
        img = Image.open(io.BytesIO(raw))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise errors.validation(f"The image could not be read as {spec['format']}. Provide a valid png, jpeg, gif "
                                "or webp image.") from None
    if (img.format or "") != IMAGE_FORMATS[spec["format"]]:
        raise errors.validation(f"The image format {spec['format']} does not match the image bytes "
                                f"({(img.format or 'unknown').lower()}).")
    if max(img.size) > MAX_IMAGE_SIDE:
        raise errors.validation(f"The image is {img.width}x{img.height}; the maximum is {MAX_IMAGE_SIDE}x{MAX_IMAGE_SIDE}.")
    return img


_lock = threading.Lock()


def answer(body: bytes) -> dict:
    """The InvokeModel answer for an embeddings request (BedrockError for a request AWS refuses)."""
    if len(body) > MAX_REQUEST_BYTES:
        raise errors.validation(f"The request is {len(body)} bytes; the maximum is {MAX_REQUEST_BYTES}.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.validation(f"Malformed input request: {exc}{errors.MALFORMED_SUFFIX}") from None
    problems = violations(REQUEST_SCHEMA, data)
    if problems:
        raise errors.malformed(problems)
    if data["taskType"] != "SINGLE_EMBEDDING":
        raise errors.validation("taskType SEGMENTED_EMBEDDING is only available through StartAsyncInvoke; "
                                "InvokeModel accepts SINGLE_EMBEDDING.")
    params = data["singleEmbeddingParams"]
    inputs = [k for k in ("text", "image", "audio", "video") if k in params]
    if len(inputs) != 1:
        raise errors.malformed([f"#/singleEmbeddingParams: exactly one of text, image, audio, video is required "
                                f"(found {len(inputs)})"])
    dimension = params.get("embeddingDimension", DEFAULT_DIMENSION)
    result: dict = {}
    if inputs[0] == "text":
        text_spec = params["text"]
        if ("value" in text_spec) == ("source" in text_spec):
            raise errors.malformed(["#/singleEmbeddingParams/text: exactly one of value or source is required"])
        if "source" in text_spec:
            raise errors.validation("The offline emulator cannot read text sources; send the text as value.")
        value = text_spec["value"]
        limit = MAX_TEXT_TOKENS * CHARS_PER_TOKEN
        if len(value) > limit:
            if text_spec["truncationMode"] == "NONE":
                raise errors.validation(f"The text is longer than {MAX_TEXT_TOKENS} tokens and truncationMode is NONE.")
            value = value[:limit] if text_spec["truncationMode"] == "END" else value[-limit:]
            result["truncatedCharLength"] = len(value)
        with _lock:
            vector = project(text_features(value), dimension)
        kind = "TEXT"
    elif inputs[0] == "image":
        img = _image(params["image"])
        with _lock:
            vector = project(image_features(img), dimension)
        kind = "IMAGE"
    else:
        raise errors.validation(f"The offline emulator embeds text and images only, not {inputs[0]}.")
    return {"embeddings": [{"embeddingType": kind, "embedding": [round(v, 7) for v in vector], **result}]}
