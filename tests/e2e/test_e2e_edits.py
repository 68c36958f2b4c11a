"""The edit chain over HTTP against the local stack: generate -> inpaint -> remove background -> upscale,
each a new record whose lineage reads back as a chain, and the failure paths a user meets.

(Remove background comes before the 4x upscale because it accepts at most 4,194,304 pixels: a 4x upscale
of a one-megapixel image is 16.)"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from e2e_helpers import RENDER_DEADLINE
from local.client import ApiError, http

pytestmark = pytest.mark.e2e


def image_of(demo, record: dict, index: int = 0) -> Image.Image:
    url = record["images"][index]["url"]
    status, _, data = http("GET", demo.base_url + url if url.startswith("/") else url)
    assert status == 200, url
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def mask_png(size: tuple[int, int], box: tuple[int, int, int, int]) -> bytes:
    mask = Image.new("L", size, 0)
    mask.paste(255, box)
    out = io.BytesIO()
    mask.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def chain(demo) -> dict[str, dict]:
    # Given a finished image from the default model
    generated = demo.wait(demo.generate(prompt="a white lighthouse on a green hill", seed=11)["id"], timeout=RENDER_DEADLINE)
    assert generated["status"] == "COMPLETE", generated.get("error")
    width, height = generated["images"][0]["width"], generated["images"][0]["height"]
    # When its top-left quarter is repainted, its background removed, and the cut-out upscaled 4x
    mask = demo.upload("mask.png", content=mask_png((width, height), (0, 0, width // 2, height // 2)),
                       content_type="image/png")["imageKey"]
    inpainted = demo.wait(demo.edit(operation="inpaint", generationId=generated["id"], prompt="a red sky",
                                    maskKey=mask, seed=3)["id"], timeout=RENDER_DEADLINE)
    background = demo.wait(demo.edit(operation="remove-background", generationId=inpainted["id"])["id"], timeout=RENDER_DEADLINE)
    upscaled = demo.wait(demo.edit(operation="upscale-fast", generationId=background["id"])["id"], timeout=RENDER_DEADLINE)
    return {"generated": generated, "inpainted": inpainted, "background": background, "upscaled": upscaled,
            "mask": mask}


def test_each_edit_completes_as_a_new_record_with_its_operation(chain):
    for step, operation in (("inpainted", "inpaint"), ("background", "remove-background"),
                            ("upscaled", "upscale-fast")):
        record = chain[step]
        assert record["status"] == "COMPLETE", (step, record.get("error"))
        assert record["mode"] == "edit" and record["operation"] == operation
        assert record["id"] != chain["generated"]["id"]


def test_the_lineage_reads_back_as_a_chain_both_ways(demo, chain):
    # Upward: each record names its parent
    assert chain["inpainted"]["lineage"]["parentId"] == chain["generated"]["id"]
    assert chain["background"]["lineage"]["parentId"] == chain["inpainted"]["id"]
    assert chain["upscaled"]["lineage"]["parentId"] == chain["background"]["id"]
    # Downward: each parent lists its edit
    for parent, child in (("generated", "inpainted"), ("inpainted", "background"), ("background", "upscaled")):
        items = demo.gallery(parent=chain[parent]["id"])["items"]
        assert [i["id"] for i in items] == [chain[child]["id"]]


def test_downloads_carry_content_credentials_that_read_back_to_the_first_generation(demo, chain):
    # Given the last image of the chain as the site serves it (the local worker signed it through
    # moto's KMS, under its role's synthesized policy)
    import json

    import c2pa

    url = chain["upscaled"]["images"][0]["url"]
    status, _, data = http("GET", demo.base_url + url if url.startswith("/") else url)
    assert status == 200
    with c2pa.Reader("image/png", io.BytesIO(data)) as reader:
        store = json.loads(reader.json())
    # Then it validates (its signer is the stack's day-one certificate, on no trust list)
    assert store["validation_state"] == "Valid"
    # And its manifests name every step back to the generation
    ids = {a["data"]["generationId"] for m in store["manifests"].values() for a in m["assertions"]
           if a["label"] == "com.imagepromptstudio.generation"}
    assert ids == {chain[step]["id"] for step in ("generated", "inpainted", "background", "upscaled")}
    # And the API's check of the same file, uploaded, names the record
    key = demo.upload("check.png", content=data, content_type="image/png")["imageKey"]
    checked = demo.verify(key)
    assert checked["hasManifest"] is True and checked["generationId"] == chain["upscaled"]["id"]
    assert [a["action"] for a in checked["credentials"]["actions"]] == ["c2pa.opened", "c2pa.resized"]
    assert chain["upscaled"]["contentCredentials"]["validationState"] == "Valid"


def test_the_signer_is_the_day_one_certificate_the_stack_issued_at_start_as_a_deploy_does(stack, demo, chain):
    # Given the local stack as `make local` starts it: the chain secret "unset" as deployed, and the
    # stack's own Custom::DayOneCertificate issuer run once at start, under its synthesized role
    # (this suite's stack fails its teardown if the IAM gate refused any call)
    import json

    import c2pa
    from cryptography import x509

    from cdk import constants as c
    from cdk.config import cdk_json_context, load_config

    harness = stack.harness()
    resources = json.loads((stack.data_dir / "stack.json").read_text())["resources"]
    secret = harness.client("secretsmanager").get_secret_value(SecretId=resources["credentials_chain_secret_arn"])
    assert secret["SecretString"] == "unset"
    name = c.DAY_ONE_CHAIN_PARAMETER.format(stack=load_config(cdk_json_context()).stack_name)
    issued = harness.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    # When a served image's manifest names its signer
    url = chain["generated"]["images"][0]["url"]
    status, _, data = http("GET", demo.base_url + url if url.startswith("/") else url)
    assert status == 200
    with c2pa.Reader("image/png", io.BytesIO(data)) as reader:
        store = json.loads(reader.json())
    active = store["manifests"][store["active_manifest"]]
    # Then it is the day-one certificate from the parameter (untrusted, and nothing else failed)
    signer = x509.load_pem_x509_certificates(issued.encode())[0]
    assert active["signature_info"]["cert_serial_number"] == str(signer.serial_number)
    assert "day one" in active["signature_info"]["common_name"]
    failures = {f["code"] for f in store["validation_results"]["activeManifest"].get("failure", [])}
    assert failures <= {"signingCredential.untrusted"}


def test_inpaint_changes_only_the_masked_area(demo, chain):
    before = image_of(demo, chain["generated"]).convert("RGB")
    after = image_of(demo, chain["inpainted"]).convert("RGB")
    assert before.size == after.size
    width, height = before.size
    outside = [(width - 5, height - 5), (width * 3 // 4, height * 3 // 4), (width - 20, 10)]
    inside = [(x, y) for x in range(5, width // 2 - 5, 37) for y in range(5, height // 2 - 5, 37)]
    assert all(before.getpixel(p) == after.getpixel(p) for p in outside)
    assert any(before.getpixel(p) != after.getpixel(p) for p in inside)


def test_remove_background_gives_a_real_alpha_channel_and_upscale_multiplies_the_size(demo, chain):
    cutout = image_of(demo, chain["background"])
    assert cutout.mode == "RGBA" and cutout.getchannel("A").getextrema() == (0, 255)
    upscaled = image_of(demo, chain["upscaled"])
    assert upscaled.size == (cutout.width * 4, cutout.height * 4)


def test_an_image_too_large_for_the_operation_is_422_before_anything_is_charged(demo, chain):
    with pytest.raises(ApiError) as caught:
        demo.edit(operation="upscale-fast", generationId=chain["upscaled"]["id"])
    assert caught.value.status == 422 and "at most 1536 pixels (it is 4096x4096)" in str(caught.value)


def test_a_mask_of_the_wrong_shape_is_422(demo, chain):
    wrong = demo.upload("wrong-mask.png", content=mask_png((300, 100), (0, 0, 50, 50)),
                        content_type="image/png")["imageKey"]
    with pytest.raises(ApiError) as caught:
        demo.edit(operation="erase", generationId=chain["generated"]["id"], maskKey=wrong)
    assert caught.value.status == 422 and "300x100" in str(caught.value)


def test_a_filtered_edit_ends_failed_content_filtered(demo, chain):
    record = demo.wait(demo.edit(operation="search-replace", generationId=chain["generated"]["id"],
                                 searchPrompt="the hill", prompt="a castle [fault:filter-input]")["id"], timeout=RENDER_DEADLINE)
    assert record["status"] == "FAILED" and record["error"]["code"] == "content_filtered"
    assert record["images"] == []
