"""The generate worker with a real SQS event: the exact InvokeModel body per mode and family, then S3
and the record; every failure ends FAILED with a typed code, no orphan objects, quota released."""

import io
import json
import threading

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, ReadTimeoutError

import gallery.handler
from studio.adapters import bedrock as bedrock_adapter
from studio.adapters import generation_records
from studio.adapters import clients
from studio.catalog import invocation_id
from tests.support import images as make
from tests.support.aws import BUCKET, REGION, objects_under
from tests.support.bedrock import CONTENT_FILTER, b64_image, stability_answer, titan_answer
from tests.support.events import USER_A, call
from tests.support.flow import dead_letter, get, post, quota_used, redeliver, run_worker, stored
from tests.support.uploads import put_upload

TITAN = "amazon.titan-image-generator-v2:0"
NOVA = "amazon.nova-canvas-v1:0"
SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
STRUCTURE = "stability.stable-image-control-structure-v1:0"
SKETCH = "stability.stable-image-control-sketch-v1:0"
STYLE_GUIDE = "stability.stable-image-style-guide-v1:0"
OUT = make.png((96, 64), (10, 90, 200))
HOST = {"X-Forwarded-Host": "studio.example.com"}


def reference_png(longest):
    """The 3000x2000 reference as the model must receive it: opaque RGB PNG, longest side fitted."""
    expected = (longest, round(longest * 2000 / 3000))
    return b64_image(lambda im: im.format == "PNG" and im.mode == "RGB" and im.size == expected,
                     f"PNG {expected[0]}x{expected[1]}")


def titan_config(count, width, height, seed=42, quality="standard", cfg=None):
    config = {"numberOfImages": count, "width": width, "height": height, "quality": quality, "seed": seed}
    if cfg is not None:
        config["cfgScale"] = cfg
    return config


# (model, request fields beyond the prompt, expected bodies(reference matcher), reference longest side or None)
CASES = {
    "titan-text": (TITAN, {"seed": 42, "count": 2, "cfgScale": 7.5, "negativePrompt": " fog ", "width": 768,
                           "height": 1152},
                   lambda ref: [{"taskType": "TEXT_IMAGE",
                                 "textToImageParams": {"text": "a lighthouse", "negativeText": "fog"},
                                 "imageGenerationConfig": titan_config(2, 768, 1152, cfg=7.5)}], None),
    "titan-color": (TITAN, {"mode": "color", "colors": ["#FF0000", "#00aa00"], "seed": 42, "quality": "premium"},
                    lambda ref: [{"taskType": "COLOR_GUIDED_GENERATION",
                                  "colorGuidedGenerationParams": {"text": "a lighthouse",
                                                                  "colors": ["#ff0000", "#00aa00"]},
                                  "imageGenerationConfig": titan_config(1, 1024, 1024, quality="premium")}], None),
    "titan-color-reference": (TITAN, {"mode": "color", "colors": ["#123456"], "seed": 42},
                              lambda ref: [{"taskType": "COLOR_GUIDED_GENERATION",
                                            "colorGuidedGenerationParams": {"text": "a lighthouse",
                                                                            "colors": ["#123456"],
                                                                            "referenceImage": ref},
                                            "imageGenerationConfig": titan_config(1, 1024, 1024)}], 1408),
    "titan-structure": (TITAN, {"mode": "structure", "controlMode": "SEGMENTATION", "controlStrength": 0.4,
                                "seed": 42},
                        lambda ref: [{"taskType": "TEXT_IMAGE",
                                      "textToImageParams": {"text": "a lighthouse", "conditionImage": ref,
                                                            "controlMode": "SEGMENTATION", "controlStrength": 0.4},
                                      "imageGenerationConfig": titan_config(1, 1024, 1024)}], 1408),
    "titan-variation": (TITAN, {"mode": "variation", "similarityStrength": 0.8, "seed": 42},
                        lambda ref: [{"taskType": "IMAGE_VARIATION",
                                      "imageVariationParams": {"text": "a lighthouse", "images": [ref],
                                                               "similarityStrength": 0.8},
                                      "imageGenerationConfig": titan_config(1, 1024, 1024)}], 1408),
    "nova-text": (NOVA, {"seed": 42, "width": 1280, "height": 720, "count": 3},
                  lambda ref: [{"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                                "imageGenerationConfig": titan_config(3, 1280, 720)}], None),
    "nova-color": (NOVA, {"mode": "color", "colors": ["#abcdef"], "seed": 42},
                   lambda ref: [{"taskType": "COLOR_GUIDED_GENERATION",
                                 "colorGuidedGenerationParams": {"text": "a lighthouse", "colors": ["#abcdef"]},
                                 "imageGenerationConfig": titan_config(1, 1024, 1024)}], None),
    "nova-color-reference": (NOVA, {"mode": "color", "colors": ["#abcdef"], "seed": 42},
                             lambda ref: [{"taskType": "COLOR_GUIDED_GENERATION",
                                           "colorGuidedGenerationParams": {"text": "a lighthouse",
                                                                           "colors": ["#abcdef"],
                                                                           "referenceImage": ref},
                                           "imageGenerationConfig": titan_config(1, 1024, 1024)}], 2048),
    "nova-structure": (NOVA, {"mode": "structure", "seed": 42},  # defaults: CANNY_EDGE at 0.7
                       lambda ref: [{"taskType": "TEXT_IMAGE",
                                     "textToImageParams": {"text": "a lighthouse", "conditionImage": ref,
                                                           "controlMode": "CANNY_EDGE", "controlStrength": 0.7},
                                     "imageGenerationConfig": titan_config(1, 1024, 1024)}], 2048),
    "nova-variation": (NOVA, {"mode": "variation", "seed": 42},  # default similarity 0.7
                       lambda ref: [{"taskType": "IMAGE_VARIATION",
                                     "imageVariationParams": {"text": "a lighthouse", "images": [ref],
                                                              "similarityStrength": 0.7},
                                     "imageGenerationConfig": titan_config(1, 1024, 1024)}], 2048),
    "sd35-text": (SD35, {"seed": 42, "count": 2, "width": 1344, "height": 768, "negativePrompt": "text"},
                  lambda ref: [{"prompt": "a lighthouse", "seed": s, "output_format": "png",
                                "negative_prompt": "text", "mode": "text-to-image", "aspect_ratio": "16:9"}
                               for s in (42, 43)], None),
    "sd35-variation": (SD35, {"mode": "variation", "similarityStrength": 0.6, "seed": 42},
                       lambda ref: [{"prompt": "a lighthouse", "seed": 42, "output_format": "png",
                                     "mode": "image-to-image", "image": ref, "strength": 0.4}], 1536),
    "ultra-text": ("stability.stable-image-ultra-v1:1", {"seed": 42, "width": 1536, "height": 640},
                   lambda ref: [{"prompt": "a lighthouse", "seed": 42, "output_format": "png",
                                 "aspect_ratio": "21:9"}], None),
    "core-text": (CORE, {"seed": 42, "width": 832, "height": 1216},
                  lambda ref: [{"prompt": "a lighthouse", "seed": 42, "output_format": "png",
                                "aspect_ratio": "2:3"}], None),
    "control-structure": (STRUCTURE, {"mode": "structure", "controlStrength": 0.5, "seed": 42},
                          lambda ref: [{"image": ref, "prompt": "a lighthouse", "control_strength": 0.5,
                                        "seed": 42, "output_format": "png"}], 1536),
    "control-sketch": (SKETCH, {"mode": "sketch", "seed": 42, "negativePrompt": "blur"},  # default strength 0.7
                       lambda ref: [{"image": ref, "prompt": "a lighthouse", "control_strength": 0.7,
                                     "negative_prompt": "blur", "seed": 42, "output_format": "png"}], 1536),
    "style-guide": (STYLE_GUIDE, {"mode": "style", "fidelity": 0.8, "seed": 42, "width": 1344, "height": 768},
                    lambda ref: [{"image": ref, "prompt": "a lighthouse", "fidelity": 0.8, "aspect_ratio": "16:9",
                                  "seed": 42, "output_format": "png"}], 1536),
    "color-by-style-guide": (STYLE_GUIDE, {"mode": "color", "colors": ["#FF0000", "#0000ff"], "seed": 42},
                             lambda ref: [{"image": b64_image(lambda im: im.getpixel((10, 10)) == (255, 0, 0)
                                                              and im.getpixel((500, 10)) == (0, 0, 255), "swatch"),
                                           "prompt": "a lighthouse. Color palette: red (#ff0000), blue (#0000ff).",
                                           "fidelity": 0.6, "aspect_ratio": "1:1", "seed": 42,
                                           "output_format": "png"}], None),
}


def start(model, fields, reference_side):
    body = {"prompt": "a lighthouse", "modelId": model, **fields}
    if reference_side:
        body["referenceImageKey"] = put_upload(USER_A, make.jpeg((3000, 2000)), "jpeg")
    reply = post(body)
    assert reply.status == 202, reply.body
    return reply.body["id"], body


@pytest.mark.parametrize("case", list(CASES))
def test_given_each_mode_and_family_when_rendered_then_exact_body_and_complete_with_stored_images(
        aws, bedrock, case):
    model, fields, bodies, reference_side = CASES[case]
    generation_id, request = start(model, fields, reference_side)
    expected = bodies(reference_png(reference_side) if reference_side else None)
    for body in expected:
        if model.startswith("stability."):
            bedrock.invoke(invocation_id(model, "us"), body, stability_answer(OUT, body["seed"]))
        else:
            bedrock.invoke(model, body, titan_answer(*[OUT] * body["imageGenerationConfig"]["numberOfImages"]))

    response, _ = run_worker(aws)

    assert response == {"batchItemFailures": []}
    bedrock.assert_done()
    record = get(generation_id, headers=HOST).body
    assert record["status"] == "COMPLETE" and record["error"] is None
    count = request.get("count", 1)
    assert len(record["images"]) == count
    expected_seeds = [42 + i for i in range(count)] if model.startswith("stability.") else [42] * count
    assert [i["seed"] for i in record["images"]] == expected_seeds
    keys = objects_under("images/")
    for image in record["images"]:
        assert (image["width"], image["height"]) == (96, 64)
        assert image["url"].startswith("https://studio.example.com/images/") and image["url"].endswith(".png")
        png_key = image["url"].removeprefix("https://studio.example.com/")
        webp_key = image["thumbnailUrl"].removeprefix("https://studio.example.com/")
        assert png_key in keys and webp_key in keys
        s3 = boto3.client("s3", region_name=REGION)
        png = s3.get_object(Bucket=BUCKET, Key=png_key)
        thumb = s3.get_object(Bucket=BUCKET, Key=webp_key)
        assert png["ContentType"] == "image/png" and make.open_bytes(png["Body"].read()).format == "PNG"
        assert thumb["ContentType"] == "image/webp" and make.open_bytes(thumb["Body"].read()).format == "WEBP"
        assert png["CacheControl"] == "public, max-age=31536000, immutable"
    assert len(keys) == 2 * count + (1 if reference_side else 0)
    if reference_side:
        assert stored(generation_id)["referenceImage"]["key"] in keys
    assert quota_used() == count


def test_given_style_transfer_then_the_content_and_the_style_image_are_sent(aws, bedrock):
    content = put_upload(USER_A, make.jpeg((3000, 2000)), "jpeg")
    style = put_upload(USER_A, make.png((500, 500), (240, 10, 200)), "png")
    reply = post({"prompt": "a lighthouse", "mode": "style-transfer", "referenceImageKey": content,
                  "styleImageKey": style, "styleStrength": 0.6, "seed": 42})
    assert reply.status == 202 and reply.body["modelId"] == "stability.stable-style-transfer-v1:0"
    bedrock.invoke("us.stability.stable-style-transfer-v1:0",
                   {"init_image": reference_png(1536), "prompt": "a lighthouse", "style_strength": 0.6,
                    "style_image": b64_image(lambda im: im.size == (500, 500) and im.getpixel((1, 1)) == (240, 10, 200),
                                             "the style image"),
                    "seed": 42, "output_format": "png"}, stability_answer(OUT, 42))
    run_worker(aws)
    bedrock.assert_done()
    assert get(reply.body["id"]).body["status"] == "COMPLETE"


def test_given_style_transfer_without_a_style_image_then_422(aws):
    reply = post({"prompt": "a lighthouse", "mode": "style-transfer",
                  "referenceImageKey": put_upload(USER_A, make.png(), "png")})
    assert reply.status == 422 and reply.error["details"][0]["field"] == "styleImageKey"


def test_given_no_seed_then_the_seed_sent_to_the_model_is_the_one_stored_and_shown(aws, bedrock):
    from tests.support.bedrock import Matches

    generation_id, _ = start(NOVA, {}, None)
    stored_seed = stored(generation_id)["request"]["seed"]
    sent = Matches(lambda body: json.loads(body)["imageGenerationConfig"]["seed"] == stored_seed, "stored seed")
    bedrock.invoke(NOVA, sent, titan_answer(OUT))
    run_worker(aws)
    assert json.loads(sent.seen)["imageGenerationConfig"]["seed"] == stored_seed
    assert [i["seed"] for i in get(generation_id).body["images"]] == [stored_seed]


def test_given_a_public_base_url_then_image_urls_use_it(aws, bedrock, env):
    env(PUBLIC_BASE_URL="https://images.example.org/")
    generation_id, _ = start(TITAN, {"seed": 1}, None)
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024, seed=1)}, titan_answer(OUT))
    run_worker(aws)
    image = get(generation_id, headers=HOST).body["images"][0]
    assert image["url"].startswith("https://images.example.org/images/")
    relative = get(generation_id)  # no forwarded host and no configured base: relative URLs
    assert relative.body["images"][0]["url"].startswith("https://images.example.org/")


def test_given_no_host_and_no_base_then_relative_urls(aws, bedrock):
    generation_id, _ = start(TITAN, {"seed": 1}, None)
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024, seed=1)}, titan_answer(OUT))
    run_worker(aws)
    assert get(generation_id).body["images"][0]["url"].startswith("/images/")


# --- failures ------------------------------------------------------------------------------
def titan_job(count=1):
    generation_id, _ = start(TITAN, {"seed": 42, "count": count}, None)
    return generation_id


def assert_failed(generation_id, code, response):
    assert response == {"batchItemFailures": []}  # never retried by SQS
    record = get(generation_id).body
    assert record["status"] == "FAILED" and record["error"]["code"] == code and record["error"]["message"]
    assert record["images"] == []
    assert objects_under("images/") == []
    assert quota_used() == 0
    return record


def test_given_the_input_content_filter_then_failed_content_filtered_with_one_call(aws, bedrock):
    generation_id = titan_job()
    bedrock.invoke_error("ValidationException", CONTENT_FILTER, model_id=TITAN)
    response, _ = run_worker(aws)
    record = assert_failed(generation_id, "content_filtered", response)
    assert "Rephrase" in record["error"]["message"]
    bedrock.assert_done()


def test_given_titan_output_filter_error_field_then_failed_content_filtered(aws, bedrock):
    generation_id = titan_job()
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024)},
                   {"images": [], "error": "The generated image has been blocked by our content filters."})
    response, _ = run_worker(aws)
    assert_failed(generation_id, "content_filtered", response)


def test_given_stability_finish_reason_filter_then_failed_content_filtered(aws, bedrock):
    generation_id, _ = start(CORE, {"seed": 42}, None)
    bedrock.invoke(CORE, {"prompt": "a lighthouse", "seed": 42, "output_format": "png", "aspect_ratio": "1:1"},
                   stability_answer(OUT, 42, "Filter reason: output image"))
    response, _ = run_worker(aws)
    assert_failed(generation_id, "content_filtered", response)


def test_given_stability_second_image_filtered_then_nothing_from_the_first_is_kept(aws, bedrock):
    generation_id, _ = start(SD35, {"seed": 42, "count": 2}, None)
    base = {"prompt": "a lighthouse", "output_format": "png", "mode": "text-to-image", "aspect_ratio": "1:1"}
    bedrock.invoke(SD35, {**base, "seed": 42}, stability_answer(OUT, 42))
    bedrock.invoke(SD35, {**base, "seed": 43}, stability_answer(OUT, 43, "Filter reason: prompt"))
    response, _ = run_worker(aws)
    assert_failed(generation_id, "content_filtered", response)


@pytest.mark.parametrize("code,status,expected", [
    ("ThrottlingException", 429, "model_throttled"),
    ("ModelTimeoutException", 408, "model_timeout"),
    ("InternalServerException", 500, "model_unavailable"),
    ("AccessDeniedException", 403, "model_unavailable"),
    ("ModelErrorException", 424, "model_error"),
])
def test_given_a_model_error_after_botocore_retries_then_failed_with_a_typed_code(aws, bedrock, code, status,
                                                                                   expected):
    generation_id = titan_job(count=2)
    bedrock.invoke_error(code, "fault", status, model_id=TITAN)
    response, _ = run_worker(aws)
    assert_failed(generation_id, expected, response)


def test_given_a_read_timeout_then_failed_model_timeout(aws, bedrock, monkeypatch):
    generation_id = titan_job()

    def timeout(**_):
        raise ReadTimeoutError(endpoint_url=f"https://bedrock-runtime.us-east-1.amazonaws.com/model/{TITAN}/invoke")

    monkeypatch.setattr(bedrock.client, "invoke_model", timeout)
    response, _ = run_worker(aws)
    assert_failed(generation_id, "model_timeout", response)


def test_given_throttling_on_every_attempt_then_the_real_client_retries_within_the_budget_then_fails(
        aws, env, monkeypatch):
    """No Stubber here: the application's own bedrock client, with its retry configuration, answered
    429 on every attempt at the HTTP layer."""
    env(BEDROCK_MAX_ATTEMPTS="3")
    generation_id = titan_job()
    client = clients.get("bedrock-runtime")
    attempts = []

    def throttled(request, **_):
        attempts.append(request.url)
        raw = io.BytesIO(json.dumps({"message": "Too many requests, please wait before trying again."}).encode())
        raw.stream = lambda **__: iter([raw.getvalue()])
        return AWSResponse(request.url, 429, {"x-amzn-ErrorType": "ThrottlingException"}, raw)

    client.meta.events.register_first("before-send.bedrock-runtime.InvokeModel", throttled)
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    response, _ = run_worker(aws)
    assert len(attempts) == 3 and all(f"/model/{TITAN}/invoke" in u.replace("%3A", ":") for u in attempts)
    assert_failed(generation_id, "model_throttled", response)


@pytest.mark.parametrize("answer", [
    b"<html>502 Bad Gateway</html>",                       # not JSON
    b"[1, 2, 3]",                                           # JSON, not an object
    {"images": [], "error": None},                          # no images
    {"images": ["bm90IGEgcG5n"], "error": None},            # base64 of "not a png"
    {"images": ["%%%"], "error": None},                     # not base64
])
def test_given_a_malformed_model_answer_then_failed_model_error(aws, bedrock, answer):
    generation_id = titan_job()
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024)}, answer)
    response, _ = run_worker(aws)
    assert_failed(generation_id, "model_error", response)


@pytest.mark.parametrize("second", [b"not a png", make.png((1024, 1024), (9, 9, 9))[:300]],
                         ids=["not-an-image", "truncated-png"])
def test_given_a_bad_second_image_after_the_first_was_stored_then_model_error_and_no_objects_left(
        aws, bedrock, env, second):
    env(DAILY_IMAGE_QUOTA="2")
    generation_id = titan_job(count=2)  # the first image's PNG upload has started before the second is read
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(2, 1024, 1024)},
                   titan_answer(OUT, second))
    response, _ = run_worker(aws)
    assert_failed(generation_id, "model_error", response)
    assert objects_under("images/") == []
    assert quota_used() == 0


def test_given_s3_fails_on_the_third_write_then_storage_error_no_orphans_and_the_quota_is_free_again(
        aws, bedrock, env, monkeypatch):
    env(DAILY_IMAGE_QUOTA="2")
    generation_id = titan_job(count=2)  # 2 PNGs + 2 thumbnails = 4 writes
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(2, 1024, 1024)}, titan_answer(OUT, OUT))
    s3 = clients.get("s3")
    real_put = s3.put_object
    calls = []

    lock = threading.Lock()

    def flaky_put(**kwargs):  # the writes run concurrently: the third to start fails
        with lock:
            calls.append(kwargs["Key"])
            third = len(calls) == 3
        if third:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "We encountered an internal error."}},
                              "PutObject")
        return real_put(**kwargs)

    monkeypatch.setattr(s3, "put_object", flaky_put)
    response, _ = run_worker(aws)
    assert len(calls) == 4  # concurrent: every write was under way; those that landed are removed
    assert_failed(generation_id, "storage_error", response)
    assert objects_under("images/") == []
    assert post({"prompt": "again", "count": 2}).status == 202  # the whole quota is available again


def test_given_a_redelivered_message_for_a_complete_record_then_nothing_happens(aws, bedrock):
    generation_id = titan_job()
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024)}, titan_answer(OUT))
    response, messages = run_worker(aws)
    before, keys = stored(generation_id), objects_under("images/")
    again = redeliver(aws, messages)  # no stubbed response left: a model call would raise
    assert again == {"batchItemFailures": []}
    assert stored(generation_id) == before and objects_under("images/") == keys
    assert before["status"] == "COMPLETE"


def test_given_the_record_is_deleted_while_rendering_then_its_images_are_deleted(aws, bedrock, monkeypatch):
    generation_id, _ = start(TITAN, {"seed": 42, "mode": "variation"}, 1408)
    bedrock.invoke(TITAN, {"taskType": "IMAGE_VARIATION",
                           "imageVariationParams": {"text": "a lighthouse", "images": [reference_png(1408)],
                                                    "similarityStrength": 0.7},
                           "imageGenerationConfig": titan_config(1, 1024, 1024)}, titan_answer(OUT))
    real_invoke = bedrock_adapter.invoke_json

    def delete_meanwhile(model_id, body):
        answer = real_invoke(model_id, body)
        assert call(gallery.handler.handler, "DELETE", f"/generations/{generation_id}").status == 204
        return answer

    monkeypatch.setattr(bedrock_adapter, "invoke_json", delete_meanwhile)
    response, _ = run_worker(aws)
    assert response == {"batchItemFailures": []}
    assert stored(generation_id) is None
    assert objects_under("images/") == []


def test_given_the_reference_upload_expired_before_the_job_ran_then_failed_reference_missing(aws, bedrock):
    generation_id, request = start(TITAN, {"seed": 42, "mode": "variation"}, 1408)
    boto3.client("s3", region_name=REGION).delete_object(Bucket=BUCKET, Key=request["referenceImageKey"])
    response, _ = run_worker(aws)
    assert_failed(generation_id, "reference_missing", response)


@pytest.mark.parametrize("data", [make.NOT_AN_IMAGE, make.truncated_jpeg()], ids=["text", "truncated-jpeg"])
def test_given_the_reference_is_not_a_readable_image_then_failed_reference_invalid(aws, bedrock, data):
    key = put_upload(USER_A, data, "png")
    generation_id = post({"prompt": "a lighthouse", "mode": "variation", "referenceImageKey": key}).body["id"]
    response, _ = run_worker(aws)
    assert_failed(generation_id, "reference_invalid", response)


def test_given_an_unexpected_error_then_the_record_fails_cleanly_and_the_message_comes_back_in_a_minute(
        aws, bedrock, monkeypatch):
    generation_id = titan_job()
    from studio.logic import rendering

    other = titan_job()
    real = rendering._render_and_store
    written = []

    def broken_for_one(record, attempt, time_left_ms):
        if record["id"] == generation_id:
            key = f"images/{attempt}/0.png"  # a write that went through before the bug struck
            boto3.client("s3", region_name=REGION).put_object(Bucket=BUCKET, Key=key, Body=b"png")
            written.append(key)
            raise ZeroDivisionError("unexpected")
        return real(record, attempt, time_left_ms)

    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024)}, titan_answer(OUT))
    monkeypatch.setattr(rendering, "_render_and_store", broken_for_one)
    visibility = []
    sqs = clients.get("sqs")
    real_change = sqs.change_message_visibility
    monkeypatch.setattr(sqs, "change_message_visibility", lambda **kw: visibility.append(kw) or real_change(**kw))

    response, messages = run_worker(aws)

    failed = [m for m in messages if json.loads(m["Body"])["generationId"] == generation_id]
    assert response == {"batchItemFailures": [{"itemIdentifier": failed[0]["MessageId"]}]}
    assert visibility == [{"QueueUrl": aws.queue_url, "ReceiptHandle": failed[0]["ReceiptHandle"],
                           "VisibilityTimeout": 60}]
    record = stored(generation_id)
    assert record["status"] == "FAILED" and record["error"]["code"] == "internal_error"
    assert written and not set(written) & set(objects_under("images/"))
    assert stored(other)["status"] == "COMPLETE" and quota_used() == 1  # only the other one's image


def test_given_every_job_in_the_batch_fails_unexpectedly_then_the_invocation_fails(aws, monkeypatch):
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
    from studio.logic import rendering

    titan_job()
    monkeypatch.setattr(rendering, "_render_and_store", lambda record, attempt, time_left_ms: 1 / 0)
    with pytest.raises(BatchProcessingError):
        run_worker(aws)


def test_given_too_little_time_left_for_the_worst_case_then_failed_model_timeout_without_a_call(aws, bedrock):
    generation_id = titan_job()
    response, _ = run_worker(aws, remaining_ms=60_000)  # 60 s read timeout x 3 attempts + reserve > 60 s
    assert_failed(generation_id, "model_timeout", response)


def test_given_an_unreadable_message_then_it_is_dropped_not_retried(aws):
    from tests.support.aws import sqs_event_for_bodies
    import generate.worker
    from tests.support.events import LambdaContext

    event = sqs_event_for_bodies(["not json", json.dumps({"other": 1}), json.dumps([1])], aws.queue_arn)
    assert generate.worker.handler(event, LambdaContext()) == {"batchItemFailures": []}


def test_given_a_model_that_is_no_longer_configured_then_failed_model_error(aws, bedrock):
    generation_id = titan_job()
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=aws.table_name, Key={"pk": {"S": f"GEN#{generation_id}"}, "sk": {"S": "GEN"}},
        UpdateExpression="SET modelId = :m", ExpressionAttributeValues={":m": {"S": "retired.model-v1:0"}})
    response, _ = run_worker(aws)
    assert_failed(generation_id, "model_error", response)


# --- dead letters --------------------------------------------------------------------------
def test_given_an_abandoned_job_then_the_dead_letter_handler_fails_it_and_releases_the_quota(aws):
    generation_id = titan_job(count=3)
    assert quota_used() == 3
    assert dead_letter(aws, [generation_id]) == {"batchItemFailures": []}
    record = get(generation_id).body
    assert record["status"] == "FAILED" and record["error"]["code"] == "internal_error"
    assert quota_used() == 0
    assert dead_letter(aws, [generation_id]) == {"batchItemFailures": []}  # twice: released once
    assert quota_used() == 0


def test_given_the_quota_item_expired_then_the_record_still_fails(aws):
    generation_id = titan_job()
    boto3.client("dynamodb", region_name=REGION).delete_item(
        TableName=aws.table_name, Key={"pk": {"S": f"QUOTA#{USER_A}"}, "sk": {"S": stored(generation_id)["quotaDay"]}})
    dead_letter(aws, [generation_id])
    assert stored(generation_id)["status"] == "FAILED" and quota_used() == 0


def test_given_a_finished_record_then_the_dead_letter_handler_leaves_it_alone(aws, bedrock):
    generation_id = titan_job()
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024)}, titan_answer(OUT))
    run_worker(aws)
    before = stored(generation_id)
    dead_letter(aws, [generation_id, "no-such-generation"])
    assert stored(generation_id) == before and quota_used() == 1


def test_given_an_unreadable_dead_letter_then_it_is_dropped(aws):
    from tests.support.aws import sqs_event_for_bodies
    import generate.dead_letters
    from tests.support.events import LambdaContext

    event = sqs_event_for_bodies(["{}"], aws.queue_arn)
    assert generate.dead_letters.handler(event, LambdaContext()) == {"batchItemFailures": []}


# --- infrastructure faults around the model call -------------------------------------------
def test_given_the_connection_drops_on_the_third_write_then_storage_error_and_no_orphans(aws, bedrock, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    generation_id = titan_job(count=2)
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(2, 1024, 1024)}, titan_answer(OUT, OUT))
    s3 = clients.get("s3")
    real_put, calls = s3.put_object, []

    def dropping_put(**kwargs):
        calls.append(kwargs["Key"])
        if len(calls) == 3:
            raise EndpointConnectionError(endpoint_url=f"https://{BUCKET}.s3.amazonaws.com/{kwargs['Key']}")
        return real_put(**kwargs)

    monkeypatch.setattr(s3, "put_object", dropping_put)
    response, _ = run_worker(aws)
    assert_failed(generation_id, "storage_error", response)


def test_given_the_table_fails_when_completing_then_the_images_are_removed_and_the_job_retried(
        aws, bedrock, monkeypatch):
    from studio.errors import StorageError

    generation_id = titan_job()
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024)}, titan_answer(OUT))

    def unavailable(*_, **__):
        raise StorageError("The gallery database did not answer. Try again.")

    monkeypatch.setattr(generation_records, "complete", unavailable)
    with pytest.raises(Exception, match="All records failed"):
        run_worker(aws)
    assert objects_under("images/") == []  # the retry renders into a new folder: nothing left behind
    assert stored(generation_id)["status"] == "RUNNING"


def test_given_time_runs_out_between_stability_calls_then_failed_model_timeout_and_nothing_stored(aws, bedrock):
    import generate.worker
    from tests.support.aws import queued_messages, sqs_event
    from tests.support.flow import worker_context

    generation_id, _ = start(SD35, {"seed": 42, "count": 3}, None)
    base = {"prompt": "a lighthouse", "output_format": "png", "mode": "text-to-image", "aspect_ratio": "1:1"}
    bedrock.invoke(SD35, {**base, "seed": 42}, stability_answer(OUT, 42))
    bedrock.invoke(SD35, {**base, "seed": 43}, stability_answer(OUT, 43))
    # The claim's lease, then before each call: the third no longer fits 60 s x 3 + 15 s.
    clock = iter([600_000, 600_000, 300_000, 100_000])

    class Draining(type(worker_context())):
        def get_remaining_time_in_millis(self):
            return next(clock)

    messages = queued_messages(aws.queue_url)
    response = generate.worker.handler(sqs_event(messages, aws.queue_arn), Draining())
    bedrock.assert_done()
    assert_failed(generation_id, "model_timeout", response)


def test_given_the_completion_went_through_but_its_answer_was_lost_then_the_images_are_kept(
        aws, bedrock, monkeypatch):
    from studio.errors import StorageError

    generation_id = titan_job()
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": titan_config(1, 1024, 1024)}, titan_answer(OUT))
    real_complete = generation_records.complete

    def applied_then_lost(*args):
        real_complete(*args)
        raise StorageError("The gallery database did not answer. Try again.")

    monkeypatch.setattr(generation_records, "complete", applied_then_lost)
    with pytest.raises(Exception, match="All records failed"):
        run_worker(aws)
    record = get(generation_id).body
    assert record["status"] == "COMPLETE" and len(objects_under("images/")) == 2


def test_given_a_reference_too_wide_for_an_image_service_then_failed_reference_invalid_without_a_call(aws, bedrock):
    wide = put_upload(USER_A, make.png((1500, 400), (1, 2, 3)), "png")
    reply = post({"prompt": "a lighthouse", "mode": "structure", "referenceImageKey": wide, "modelId": STRUCTURE})
    assert reply.status == 202
    run_worker(aws)
    bedrock.assert_done()  # no model call was made
    record = get(reply.body["id"]).body
    assert record["status"] == "FAILED" and record["error"]["code"] == "reference_invalid"
    assert "1:2.5" in record["error"]["message"] and quota_used() == 0
