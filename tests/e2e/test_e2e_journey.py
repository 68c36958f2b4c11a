"""The whole journey a new user takes, over HTTP against the running local stack."""

from __future__ import annotations

import pytest

from local.client import ApiError, http, multipart

from e2e_helpers import image_size

pytestmark = pytest.mark.e2e


def test_site_and_config_are_served_on_one_origin(stack):
    # Given the local stack
    # When the browser asks for the site configuration
    status, headers, _ = http("GET", f"{stack.url}/config.json")
    config = stack.client().config
    # Then it names the sign-in endpoint on this same origin, and carries the security headers
    assert status == 200
    assert config["apiBase"] == "/api"
    assert config["cognitoEndpoint"] == f"{stack.url}/_cognito"
    assert config["environment"] == "local" and config["signIn"] == "password"
    assert config["userPoolId"] and config["userPoolClientId"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_unknown_api_path_is_404_json_and_wrong_method_is_405(stack):
    # When a path is not a route / a route is called with a method it does not have
    status, _, body = http("GET", f"{stack.url}/api/no-such-thing")
    wrong_status, _, _ = http("DELETE", f"{stack.url}/api/gallery")
    # Then the answers say so in the API's error shape
    assert status == 404 and b'"not_found"' in body
    assert wrong_status == 405


def test_translate_detects_the_language_and_answers_both_texts(demo):
    # When a French prompt is translated
    answer = demo.translate("un chat roux qui dort au soleil sur un rebord de fenêtre")
    # Then the original text comes back with its detected language and an English text
    assert answer["text"].startswith("un chat roux")
    assert answer["language"].startswith("fr")
    assert answer["english"]
    # the offline emulator cannot translate: it says so instead of pretending
    assert answer["translated"] is True or answer["notice"]


def test_suggest_proposes_detailed_prompts(demo):
    # When ideas are asked for a style and keywords
    answer = demo.suggest("lighthouse, storm, seagulls", style="moody watercolor", count=3)
    # Then three distinct prompts come back, each with a negative prompt, a title and a gloss
    prompts = answer["prompts"]
    assert len(prompts) == 3
    assert len({p["prompt"] for p in prompts}) == 3
    for idea in prompts:
        assert idea["title"] and idea["negativePrompt"] and idea["gloss"]
        assert "lighthouse" in idea["prompt"].lower()


def test_upload_then_describe_reads_the_reference_image(demo, reference_key):
    # Given a PNG uploaded with the presigned POST (a real multipart form post)
    assert reference_key.startswith("uploads/")
    # When it is described
    answer = demo.describe(reference_key, keywords="poster", count=2)
    # Then the description has a summary, a palette of hex colors and the prompts asked for
    assert answer["summary"]
    assert 3 <= len(answer["palette"]) <= 6
    assert all(c.startswith("#") and len(c) == 7 for c in answer["palette"])
    assert len(answer["prompts"]) == 2


def test_upload_rejects_an_unsupported_type(demo):
    with pytest.raises(ApiError) as error:
        demo.request("POST", "/uploads", {"contentType": "image/gif", "size": 100})
    assert error.value.status in (400, 422)


# The request per mode, and the size of the PNG it answers: text and color (style guide) at the aspect
# ratio's size; structure, sketch and style transfer at the reference's (640x480); variation (SD3.5
# image-to-image) at the catalogue size nearest the reference's aspect ratio.
MODES = {
    "text": (dict(mode="text", width=1024, height=1024), (1024, 1024)),
    "color": (dict(mode="color", colors=["#ff0000", "#00ff88", "#2040ff"], width=1344, height=768), (1344, 768)),
    "structure": (dict(mode="structure", controlStrength=0.6), (640, 480)),
    "sketch": (dict(mode="sketch"), (640, 480)),
    "style": (dict(mode="style", fidelity=0.7, width=768, height=1344), (768, 1344)),
    "style-transfer": (dict(mode="style-transfer", styleStrength=0.8), (640, 480)),
    "variation": (dict(mode="variation", similarityStrength=0.7), (1152, 896)),
}
NEEDS_REFERENCE = ("structure", "sketch", "style", "style-transfer", "variation")


@pytest.fixture(scope="module")
def generations(demo, reference_key) -> dict[str, dict]:
    """One generation per mode, submitted together (the worker runs two at a time), all finished."""
    submitted = {}
    for name, (options, _) in MODES.items():
        fields = dict(options, prompt=f"a quiet harbor at dawn, {name} study", seed=42)
        if name in NEEDS_REFERENCE:
            fields["referenceImageKey"] = reference_key
        if name == "style-transfer":
            fields["styleImageKey"] = reference_key
        record = demo.generate(**fields)
        assert record["status"] == "PENDING", record
        submitted[name] = record
    return {name: demo.wait(record["id"], timeout=60) for name, record in submitted.items()}


@pytest.mark.parametrize("mode", list(MODES))
def test_each_mode_completes_with_pngs_of_the_requested_size(demo, generations, mode):
    # Given a generation in this mode
    record = generations[mode]
    # Then it completed
    assert record["status"] == "COMPLETE", record.get("error")
    assert record["mode"] == mode
    # and each image URL (absolute, on this origin) returns a PNG of the requested size
    assert record["images"]
    for image in record["images"]:
        assert image["url"].startswith(demo.base_url + "/images/")
        status, headers, data = http("GET", image["url"])
        assert status == 200
        assert headers["Content-Type"] == "image/png"
        assert "immutable" in headers["Cache-Control"]
        assert image_size(data) == ("PNG", MODES[mode][1])
        thumb_status, _, _ = http("GET", image["thumbnailUrl"])
        assert thumb_status == 200


def test_an_absent_image_is_404(stack):
    status, _, _ = http("GET", f"{stack.url}/images/nothing/here.png")
    assert status == 404


def test_gallery_lists_newest_first_and_pages(demo, generations):
    # Given the four finished generations (and maybe others)
    ids = {record["id"] for record in generations.values()}
    # When the gallery is read two at a time
    seen, cursor, pages = [], None, 0
    while True:
        page = demo.gallery(limit=2, cursor=cursor)
        pages += 1
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        cursor = page.get("nextCursor")
        if not cursor or pages > 50:
            break
    # Then every one of them is there once, newest first
    listed = [item["id"] for item in seen]
    assert ids <= set(listed)
    assert len(listed) == len(set(listed))
    created = [item["createdAt"] for item in seen]
    assert created == sorted(created, reverse=True)
    assert pages >= 2


def test_gallery_filters_by_mode_and_favorite(demo, generations):
    # When one generation is made a favorite
    color = generations["color"]
    patched = demo.patch(color["id"], favorite=True)
    assert patched["favorite"] is True
    # Then the favorite filter and the mode filter find it
    favorites = demo.gallery(favorite="true")["items"]
    assert color["id"] in [i["id"] for i in favorites]
    assert all(i["favorite"] for i in favorites)
    by_mode = demo.gallery(mode="color")["items"]
    assert color["id"] in [i["id"] for i in by_mode]
    assert all(i["mode"] == "color" for i in by_mode)


def test_delete_removes_the_record_and_its_images(demo):
    # Given a finished generation
    record = demo.wait(demo.generate(prompt="a paper boat on a puddle")["id"], timeout=60)
    assert record["status"] == "COMPLETE"
    url = record["images"][0]["url"]
    # When it is deleted
    demo.delete(record["id"])
    # Then it is gone, and so are its images
    with pytest.raises(ApiError) as error:
        demo.generation(record["id"])
    assert error.value.status == 404
    assert http("GET", url)[0] == 404


def test_models_lists_every_configured_family(demo):
    models = demo.models()
    families = {m["family"] for m in models["imageModels"]}
    assert families == {"stability", "stability-service"}  # only active models by default
    assert all(m["lifecycle"]["status"] == "active" for m in models["imageModels"])
    assert {op["operation"] for op in models["editOperations"]} >= {"inpaint", "remove-background", "upscale-fast"}
    assert sum(1 for m in models["imageModels"] if m["default"]) == 1


def test_openapi_document_needs_no_token(stack):
    status, _, body = http("GET", f"{stack.url}/api/openapi.json")
    assert status == 200 and b'"openapi"' in body


def test_the_upload_form_enforces_its_policy_like_s3(demo):
    # Given an upload form for a 100-byte PNG
    form = demo.request("POST", "/uploads", {"contentType": "image/png", "size": 100})

    def post(content: bytes, **overrides) -> int:
        body, ctype = multipart(dict(form["fields"], **overrides), "file", "a.png", content, "image/png")
        return http("POST", form["url"], body=body, headers={"Content-Type": ctype})[0]

    # Then a bigger file, or another content type, is refused; the declared one is accepted
    assert post(b"x" * 5000) == 400
    assert post(b"x" * 100, **{"Content-Type": "image/jpeg"}) == 403
    assert post(b"x" * 100) == 204


def test_every_configured_text_model_renders_locally(demo):
    # Given every text-to-image model the local stack allows (the active ones)
    models = [m for m in demo.models()["imageModels"] if "text" in m["modes"]]
    submitted = {}
    for model in models:
        size = model["sizes"][0]
        submitted[model["modelId"]] = (size, demo.generate(prompt="a fox in the snow", modelId=model["modelId"],
                                                           width=size["width"], height=size["height"])["id"])
    # Then each one completes with an image of the size asked for
    for model_id, (size, generation_id) in submitted.items():
        record = demo.wait(generation_id, timeout=60)
        assert record["status"] == "COMPLETE", (model_id, record.get("error"))
        image = record["images"][0]
        assert (image["width"], image["height"]) == (size["width"], size["height"]), model_id
