"""Amazon Nova Multimodal Embeddings in the emulator: strict requests, vectors with real signal."""

from __future__ import annotations

import math

import pytest
from PIL import Image

from emulator_helpers import error_of, invoke, png_b64
from local.bedrock_emulator import render

MODEL = "amazon.nova-2-multimodal-embeddings-v1:0"


def text_body(value: str, purpose: str = "GENERIC_RETRIEVAL", dimension: int | None = 1024, **extra) -> dict:
    params = {"embeddingPurpose": purpose, "text": {"truncationMode": "END", "value": value}, **extra}
    if dimension is not None:
        params["embeddingDimension"] = dimension
    return {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": params}


def image_body(img: Image.Image, fmt: str = "png", pil_format: str = "PNG", purpose: str = "GENERIC_INDEX") -> dict:
    return {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {
        "embeddingPurpose": purpose, "embeddingDimension": 1024,
        "image": {"format": fmt, "source": {"bytes": png_b64(img, pil_format)}}}}


def embedding(client, body: dict) -> list[float]:
    answer = invoke(client, MODEL, body)
    assert list(answer) == ["embeddings"] and len(answer["embeddings"]) == 1
    return answer["embeddings"][0]["embedding"]


def cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def rendered(prompt: str, seed: int = 1) -> Image.Image:
    return render.render(render.RenderSpec(width=384, height=384, prompt=prompt, seed=seed))


@pytest.mark.parametrize("dimension", [256, 384, 1024, 3072])
def test_each_documented_dimension_gives_a_unit_vector_of_that_length(client, dimension):
    answer = invoke(client, MODEL, text_body("a red rose", dimension=dimension))
    vector = answer["embeddings"][0]["embedding"]
    assert answer["embeddings"][0]["embeddingType"] == "TEXT"
    assert len(vector) == dimension and sum(v * v for v in vector) == pytest.approx(1.0, abs=1e-4)


def test_the_default_dimension_is_3072_and_vectors_are_deterministic(client):
    first = embedding(client, text_body("a red rose", dimension=None))
    assert len(first) == 3072 and first == embedding(client, text_body("a red rose", dimension=None))


@pytest.mark.parametrize("body, fragment", [
    ({"taskType": "SINGLE_EMBEDDING"}, "singleEmbeddingParams"),
    (text_body("x", dimension=512), "embeddingDimension"),
    (text_body("x", purpose="SEARCH"), "embeddingPurpose"),
    ({"taskType": "SEGMENTED_EMBEDDING", "singleEmbeddingParams": {"embeddingPurpose": "GENERIC_INDEX",
                                                                   "text": {"truncationMode": "END", "value": "x"}}},
     "StartAsyncInvoke"),
    ({"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {"embeddingPurpose": "GENERIC_INDEX",
                                                                "text": {"value": "x"}}}, "truncationMode"),
    ({"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": {"embeddingPurpose": "GENERIC_INDEX"}}, "exactly one"),
    (text_body("x", extra_field=1), "extra_field"),
])
def test_requests_outside_the_documented_schema_are_validation_errors(client, body, fragment):
    code, status, message = error_of(lambda: invoke(client, MODEL, body))
    assert (code, status) == ("ValidationException", 400) and fragment in message


def test_text_over_8k_tokens_is_refused_with_truncation_none_and_cut_otherwise(client):
    long_text = "red " * 9000
    body = text_body(long_text)
    body["singleEmbeddingParams"]["text"]["truncationMode"] = "NONE"
    assert error_of(lambda: invoke(client, MODEL, body))[0] == "ValidationException"
    answer = invoke(client, MODEL, text_body(long_text))
    assert answer["embeddings"][0]["truncatedCharLength"] == 8192 * 4


def test_an_image_must_be_the_format_it_claims(client):
    img = Image.new("RGB", (64, 64), (200, 30, 40))
    code, _, message = error_of(lambda: invoke(client, MODEL, image_body(img, "jpeg", "PNG")))
    assert code == "ValidationException" and "does not match" in message
    assert len(embedding(client, image_body(img, "webp", "WEBP"))) == 1024


def test_a_color_word_finds_the_images_that_show_it_in_english_and_korean(client):
    images = {name: embedding(client, image_body(rendered(prompt)))
              for name, prompt in {"red": "a red rose, crimson and scarlet petals, ruby light",
                                   "blue": "a blue ocean, azure sky, navy and cobalt waves",
                                   "green": "a green forest, emerald moss, lime leaves"}.items()}
    for query, expected in (("red", "red"), ("빨간색", "red"), ("rojo", "red"), ("blue", "blue"), ("파란", "blue"),
                            ("green", "green"), ("초록", "green")):
        vector = embedding(client, text_body(query))
        assert max(images, key=lambda name: cos(vector, images[name])) == expected, query


def test_an_image_is_nearest_to_itself_then_to_its_own_scene(client):
    source = rendered("a blue ocean, azure sky, navy and cobalt waves", seed=1)
    others = {"same scene, other seed": rendered("a blue ocean, azure sky, navy and cobalt waves", seed=2),
              "red": rendered("a red rose, crimson and scarlet petals, ruby light", seed=1)}
    own = embedding(client, image_body(source))
    again = embedding(client, image_body(source, "webp", "WEBP"))
    scores = {name: cos(own, embedding(client, image_body(img))) for name, img in others.items()}
    assert cos(own, again) > scores["same scene, other seed"] > scores["red"]
