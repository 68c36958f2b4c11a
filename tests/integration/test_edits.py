"""POST /edits through the real handlers and worker: the exact Image Services body per operation (Stubber),
the edit record and its lineage both ways, and every failure path a clear 4xx or a typed FAILED."""

import io

import pytest
from PIL import Image

import gallery.handler
import generate.handler
from studio.catalog import EDIT_OPERATIONS, invocation_id
from tests.support import images as make
from tests.support.aws import objects_under
from tests.support.bedrock import Matches, b64_image, stability_answer
from tests.support.events import USER_A, USER_B, call
from tests.support.flow import get, post, quota_used, run_worker, stored
from tests.support.uploads import put_upload

CORE = "stability.stable-image-core-v1:1"
SOURCE = make.png((128, 96), (10, 90, 200))  # what the text model "rendered"
RESULT = make.png((128, 96), (200, 90, 10))


def edit(body: dict, user: str = USER_A, headers: dict | None = None):
    return call(generate.handler.handler, "POST", "/edits", body=body, user=user, headers=headers)


def children(parent_id: str, user: str = USER_A):
    return call(gallery.handler.handler, "GET", "/gallery", user=user, query={"parent": parent_id})


def service(operation: str) -> str:
    return invocation_id(next(op.model_id for op in EDIT_OPERATIONS if op.name == operation), "us")


def finished_generation(aws, bedrock, user: str = USER_A, public: bool = False, image: bytes = SOURCE) -> str:
    reply = post({"prompt": "a lighthouse", "modelId": CORE, "seed": 7, "public": public}, user=user)
    assert reply.status == 202, reply.body
    bedrock.invoke(CORE, Matches(lambda _: True, "text body"), stability_answer(image, 7))
    run_worker(aws)
    assert stored(reply.body["id"])["status"] == "COMPLETE"
    return reply.body["id"]


def is_source(image) -> bool:
    return image.format == "PNG" and image.size == (128, 96) and image.getpixel((0, 0))[:3] == (10, 90, 200)


def mask_upload(size=(128, 96), user: str = USER_A, painted=(10, 10, 60, 60)) -> str:
    mask = Image.new("L", size, 0)
    mask.paste(255, painted)
    out = io.BytesIO()
    mask.save(out, format="PNG")
    return put_upload(user, out.getvalue(), "png")


def grey_mask(size=(128, 96)):
    return b64_image(lambda im: im.mode == "L" and im.size == size and im.getpixel((20, 20)) == 255
                     and im.getpixel((100, 80)) == 0, f"greyscale mask {size}")


SRC = b64_image(is_source, "the source PNG")
# (operation, request fields, the exact body the Image Service receives)
CASES = {
    "inpaint": ({"prompt": "a red door", "negativePrompt": "text", "growMask": 3, "seed": 5, "mask": True},
                lambda: {"image": SRC, "mask": grey_mask(), "prompt": "a red door", "negative_prompt": "text",
                         "grow_mask": 3, "seed": 5, "output_format": "png"}),
    "erase": ({"seed": 5, "mask": True},
              lambda: {"image": SRC, "mask": grey_mask(), "seed": 5, "output_format": "png"}),
    "search-replace": ({"searchPrompt": "the boat", "prompt": "a whale", "seed": 5},
                       lambda: {"image": SRC, "prompt": "a whale", "search_prompt": "the boat", "seed": 5,
                                "output_format": "png"}),
    "search-recolor": ({"selectPrompt": "the roof", "prompt": "bright green", "seed": 5},
                       lambda: {"image": SRC, "prompt": "bright green", "select_prompt": "the roof", "seed": 5,
                                "output_format": "png"}),
    "remove-background": ({}, lambda: {"image": SRC, "output_format": "png"}),
    "outpaint": ({"left": 64, "down": 32, "prompt": "more sea", "seed": 5},
                 lambda: {"image": SRC, "prompt": "more sea", "left": 64, "right": 0, "up": 0, "down": 32,
                          "creativity": 0.5, "seed": 5, "output_format": "png"}),
    "upscale-fast": ({}, lambda: {"image": SRC, "output_format": "png"}),
    "upscale-conservative": ({"prompt": "a lighthouse", "creativity": 0.25, "seed": 5},
                             lambda: {"image": SRC, "prompt": "a lighthouse", "creativity": 0.25, "seed": 5,
                                      "output_format": "png"}),
    "upscale-creative": ({"prompt": "a lighthouse", "seed": 5},  # default creativity 0.3
                         lambda: {"image": SRC, "prompt": "a lighthouse", "creativity": 0.3, "seed": 5,
                                  "output_format": "png"}),
}


@pytest.mark.parametrize("operation", list(CASES))
def test_given_a_finished_image_when_each_operation_runs_then_exact_body_and_a_new_record_with_lineage(
        aws, bedrock, operation):
    parent_id = finished_generation(aws, bedrock)
    fields, body = CASES[operation]
    request = {"operation": operation, "generationId": parent_id, **{k: v for k, v in fields.items() if k != "mask"}}
    if fields.get("mask"):
        request["maskKey"] = mask_upload()

    reply = edit(request)

    assert reply.status == 202, reply.body
    assert reply.body["mode"] == "edit" and reply.body["operation"] == operation
    assert reply.body["status"] == "PENDING" and reply.body["lineage"]["parentId"] == parent_id
    bedrock.invoke(service(operation), body(), stability_answer(RESULT, 5))
    response, _ = run_worker(aws)
    assert response == {"batchItemFailures": []}
    bedrock.assert_done()
    record = get(reply.body["id"]).body
    assert record["status"] == "COMPLETE" and len(record["images"]) == 1
    assert record["lineage"] == {**record["lineage"], "source": "edit", "parentId": parent_id, "parentImageIndex": 0,
                                 "operation": operation}
    assert [c["id"] for c in children(parent_id).body["items"]] == [reply.body["id"]]
    assert quota_used() == 2  # the generation and the edit


def test_given_remove_background_then_the_png_and_the_thumbnail_keep_the_alpha_channel(aws, bedrock):
    parent_id = finished_generation(aws, bedrock)
    cutout = Image.new("RGBA", (128, 96), (0, 0, 0, 0))
    cutout.paste((250, 200, 0, 255), (30, 20, 90, 70))
    out = io.BytesIO()
    cutout.save(out, format="PNG")
    reply = edit({"operation": "remove-background", "generationId": parent_id})
    bedrock.invoke(service("remove-background"), {"image": SRC, "output_format": "png"},
                   stability_answer(out.getvalue(), 0))
    run_worker(aws)
    record = stored(reply.body["id"])
    import boto3
    from tests.support.aws import BUCKET, REGION

    s3 = boto3.client("s3", region_name=REGION)
    png = make.open_bytes(s3.get_object(Bucket=BUCKET, Key=record["images"][0]["key"])["Body"].read())
    thumb = make.open_bytes(s3.get_object(Bucket=BUCKET, Key=record["images"][0]["thumbnailKey"])["Body"].read())
    for image in (png, thumb):
        alpha = image.convert("RGBA").getchannel("A").getextrema()
        assert image.mode == "RGBA" and alpha == (0, 255)


def test_given_an_edit_of_an_edit_then_the_chain_reads_both_ways(aws, bedrock):
    parent_id = finished_generation(aws, bedrock)
    first = edit({"operation": "upscale-fast", "generationId": parent_id}).body
    bedrock.invoke(service("upscale-fast"), {"image": SRC, "output_format": "png"}, stability_answer(SOURCE, 0))
    run_worker(aws)
    second = edit({"operation": "remove-background", "generationId": first["id"]}).body
    bedrock.invoke(service("remove-background"), {"image": SRC, "output_format": "png"}, stability_answer(RESULT, 0))
    run_worker(aws)
    assert stored(second["id"])["lineage"]["parentId"] == first["id"]
    assert [c["id"] for c in children(parent_id).body["items"]] == [first["id"]]
    assert [c["id"] for c in children(first["id"]).body["items"]] == [second["id"]]
    # and both name the chain's original, so it is still reached once the step between is deleted
    assert get(first["id"]).body["lineage"]["rootId"] == parent_id
    assert get(second["id"]).body["lineage"]["rootId"] == parent_id


def test_given_a_generation_and_its_edit_then_their_owner_sees_every_stored_field_of_request_and_lineage(aws, bedrock):
    # Given a generation written with a client's lineage, and an inpaint of it with a mask
    reply = post({"prompt": "a lighthouse", "modelId": CORE, "negativePrompt": "fog", "lineage": {
        "source": "basic", "originalText": "등대", "originalLanguage": "ko", "english": "a lighthouse"}})
    bedrock.invoke(CORE, Matches(lambda _: True, "text body"), stability_answer(SOURCE, 7))
    run_worker(aws)
    edited = edit({"operation": "inpaint", "generationId": reply.body["id"], "prompt": "a red door",
                   "maskKey": mask_upload()}).body
    for record_id in (reply.body["id"], edited["id"]):
        # When the owner reads it, then every key the server stored in request and lineage is shown:
        # the response schemas (RecordedGenerationRequest, RecordedEditRequest, RecordedLineage) drop none
        record, shown = stored(record_id), get(record_id).body
        assert set(shown["request"]) == set(record["request"]), record_id
        assert set(shown["lineage"]) == set(record["lineage"]), record_id
        assert None not in shown["request"].values() and None not in shown["lineage"].values()
    assert {"outputWidth", "outputHeight", "maskKey"} <= set(edited["request"])
    assert {"parentId", "parentImageIndex", "operation", "finalPrompt"} <= set(edited["lineage"])


def test_given_the_request_side_lineage_then_every_field_a_client_writes_is_shown_back():
    import typing

    from studio.bodies.generations import Lineage, RecordedLineage

    # What POST /generations and /edits accept in lineage, GET /generations/{id} shows in lineage
    assert set(Lineage.model_fields) <= set(RecordedLineage.model_fields)
    written, shown = (typing.get_args(m.model_fields["source"].annotation) for m in (Lineage, RecordedLineage))
    assert set(written) <= set(shown)


def test_given_an_upload_as_source_then_it_is_edited_and_its_key_stays_private(aws, bedrock):
    key = put_upload(USER_A, SOURCE, "png")
    reply = edit({"operation": "upscale-fast", "imageKey": key, "public": True})
    assert reply.status == 202 and reply.body["lineage"]["sourceImageKey"] == key
    bedrock.invoke(service("upscale-fast"), {"image": SRC, "output_format": "png"}, stability_answer(RESULT, 0))
    run_worker(aws)
    assert get(reply.body["id"]).body["status"] == "COMPLETE"
    seen_by_other = get(reply.body["id"], user=USER_B).body
    assert "sourceImageKey" not in seen_by_other["lineage"] and "imageKey" not in seen_by_other["request"]


def test_given_another_users_public_image_then_it_can_be_edited_but_not_a_private_one(aws, bedrock):
    public_id = finished_generation(aws, bedrock, user=USER_B, public=True)
    private_id = finished_generation(aws, bedrock, user=USER_B, public=False)
    assert edit({"operation": "upscale-fast", "generationId": public_id}).status == 202
    hidden = edit({"operation": "upscale-fast", "generationId": private_id})
    assert hidden.status == 404 and hidden.error["code"] == "not_found"


# --- failures before anything is charged -----------------------------------------------------
def test_given_an_operation_whose_model_is_not_enabled_then_400_unsupported_operation(aws, bedrock, env):
    parent_id = finished_generation(aws, bedrock)
    env(ALLOWED_IMAGE_MODELS=f"{CORE},stability.stable-fast-upscale-v1:0")
    reply = edit({"operation": "inpaint", "generationId": parent_id, "prompt": "x", "maskKey": mask_upload()})
    assert reply.status == 400 and reply.error["code"] == "unsupported_operation"
    assert reply.error["details"] == [{"field": "operation", "rule": "one of upscale-fast"}]
    assert quota_used() == 1


@pytest.mark.parametrize("mask_size,accepted", [((128, 96), True), ((256, 192), True), ((64, 48), True),
                                                ((128, 128), False), ((96, 128), False)])
def test_given_a_mask_then_the_source_size_or_its_aspect_ratio_is_accepted_and_any_other_is_422(
        aws, bedrock, mask_size, accepted):
    parent_id = finished_generation(aws, bedrock)
    reply = edit({"operation": "erase", "generationId": parent_id,
                  "maskKey": mask_upload(mask_size, painted=(0, 0, 8, 8))})
    if accepted:
        assert reply.status == 202
    else:
        assert reply.status == 422 and reply.error["details"][0]["field"] == "maskKey"
        assert f"{mask_size[0]}x{mask_size[1]}" in reply.error["message"] and "128x96" in reply.error["message"]


@pytest.mark.parametrize("fields,field", [
    ({"operation": "inpaint", "maskKey": "M"}, "prompt"),
    ({"operation": "inpaint", "prompt": "a door"}, "maskKey"),
    ({"operation": "search-replace", "prompt": "a whale"}, "searchPrompt"),
    ({"operation": "search-recolor", "prompt": "green", "searchPrompt": "roof"}, "selectPrompt"),
    ({"operation": "outpaint"}, "left"),
    ({"operation": "upscale-fast", "left": 10}, "left"),
    ({"operation": "upscale-fast", "prompt": "x"}, "prompt"),
    ({"operation": "upscale-creative", "prompt": "x", "creativity": 0.9}, "creativity"),
    ({"operation": "remove-background", "maskKey": "M"}, "maskKey"),
    ({"operation": "erase", "maskKey": "M", "negativePrompt": "x"}, "negativePrompt"),
    ({"operation": "upscale-fast", "imageIndex": 3}, "imageIndex"),
])
def test_given_a_field_the_operation_needs_or_refuses_then_422_names_it(aws, bedrock, fields, field):
    parent_id = finished_generation(aws, bedrock)
    body = {"generationId": parent_id, **fields}
    if body.get("maskKey") == "M":
        body["maskKey"] = mask_upload()
    reply = edit(body)
    assert reply.status == 422, reply.body
    assert reply.error["details"][0]["field"] == field and reply.error["message"]


def test_given_an_image_too_large_for_the_operation_then_422_says_the_limit(aws, bedrock):
    parent_id = finished_generation(aws, bedrock, image=make.png((1400, 1000), (1, 2, 3)))
    reply = edit({"operation": "upscale-fast", "generationId": parent_id})
    assert reply.status == 422 and reply.error["details"][0]["field"] == "generationId"
    assert "1,048,576" in reply.error["message"] and "1400x1000" in reply.error["message"]


def test_given_both_or_neither_source_then_422(aws, bedrock):
    parent_id = finished_generation(aws, bedrock)
    for body in ({"operation": "upscale-fast"},
                 {"operation": "upscale-fast", "generationId": parent_id, "imageKey": put_upload(USER_A, SOURCE)}):
        reply = edit(body)
        assert reply.status == 422 and reply.error["details"][0]["field"] == "generationId"


def test_given_an_unfinished_generation_then_409_source_not_ready(aws, bedrock):
    pending = post({"prompt": "a lighthouse", "modelId": CORE}).body["id"]
    reply = edit({"operation": "upscale-fast", "generationId": pending})
    assert reply.status == 409 and reply.error["code"] == "source_not_ready"


def test_given_someone_elses_upload_as_source_or_mask_then_404(aws, bedrock):
    parent_id = finished_generation(aws, bedrock)
    foreign = put_upload(USER_B, SOURCE)
    assert edit({"operation": "upscale-fast", "imageKey": foreign}).status == 404
    reply = edit({"operation": "erase", "generationId": parent_id, "maskKey": mask_upload(user=USER_B)})
    assert reply.status == 404 and reply.error["code"] == "reference_missing"


def test_given_the_same_idempotency_key_then_one_edit(aws, bedrock):
    parent_id = finished_generation(aws, bedrock)
    body = {"operation": "upscale-fast", "generationId": parent_id}
    first = edit(body, headers={"Idempotency-Key": "edit-1"})
    again = edit(body, headers={"Idempotency-Key": "edit-1"})
    assert first.status == 202 and again.body["id"] == first.body["id"] and quota_used() == 2


# --- failures in the worker ----------------------------------------------------------------------
@pytest.mark.parametrize("reason,stage", [("Filter reason: input image", "input image"),
                                          ("Filter reason: output image", "output image")])
def test_given_a_filtered_edit_then_failed_content_filtered_naming_the_stage_and_quota_back(
        aws, bedrock, reason, stage):
    parent_id = finished_generation(aws, bedrock)
    reply = edit({"operation": "upscale-fast", "generationId": parent_id})
    bedrock.invoke(service("upscale-fast"), {"image": SRC, "output_format": "png"},
                   {"seeds": [0], "finish_reasons": [reason], "images": []})
    run_worker(aws)
    record = get(reply.body["id"]).body
    assert record["status"] == "FAILED" and record["error"]["code"] == "content_filtered"
    assert stage in record["error"]["message"]
    assert quota_used() == 1 and len(objects_under("images/")) == 2  # only the parent's PNG and thumbnail


def test_given_an_inference_error_then_failed_model_error(aws, bedrock):
    parent_id = finished_generation(aws, bedrock)
    reply = edit({"operation": "upscale-fast", "generationId": parent_id})
    bedrock.invoke(service("upscale-fast"), {"image": SRC, "output_format": "png"},
                   {"seeds": [0], "finish_reasons": ["Inference error"], "images": []})
    run_worker(aws)
    assert get(reply.body["id"]).body["error"]["code"] == "model_error"


def test_given_get_models_then_edit_operations_are_listed_with_limits_and_prices(aws):
    reply = call(generate.handler.handler, "GET", "/models")
    operations = {op["operation"]: op for op in reply.body["editOperations"]}
    assert list(operations) == [op.name for op in EDIT_OPERATIONS]
    fast = operations["upscale-fast"]
    assert fast["scale"] == 4 and fast["inputLimits"]["maxPixels"] == 1_048_576 and fast["pricePerImage"] > 0
    assert operations["inpaint"]["needsMask"] and operations["inpaint"]["needsPrompt"]
    assert operations["search-recolor"]["searchField"] == "selectPrompt"
    models = {m["modelId"]: m for m in reply.body["imageModels"]}
    assert models["amazon.nova-canvas-v1:0"]["lifecycle"] == {"status": "legacy", "legacySince": "2026-03-30",
                                                             "endOfLife": "2026-09-30"}
    assert models[CORE]["lifecycle"]["status"] == "active"
    assert "swatch" in models["stability.stable-image-style-guide-v1:0"]["how"]["color"]
