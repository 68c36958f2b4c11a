"""What a user test found in the Create view and search by image (round 3): one render per Ctrl+Enter
burst, a bad color or seed stops the render with a message beside the field, "Translate, then render"
says when it could not translate, files are checked by their bytes and size before uploading, error
texts in the user's words, the shape warning and the real output size for an uploaded reference, and
the small text-field messages (empty, limit reached, nothing selected)."""

from __future__ import annotations

import json
import re
import time
import uuid

from playwright.sync_api import expect

from browser_helpers import png_file

RENDER_TIMEOUT = 30_000
TEXT_FILE = {"name": "holiday.png", "mimeType": "image/png", "buffer": b"Dear diary, this is not a picture.\n" * 20}


def cards(page):
    return page.locator(".results-list > li")


def gallery_count(api, prompt: str) -> int:
    return sum(1 for item in api.gallery(limit=50)["items"] if item["request"].get("prompt") == prompt)


def pump_until(page, condition, deadline_s: float = 30) -> None:
    """Let Playwright dispatch its events (route handlers) until `condition()` holds, with a deadline."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold before the deadline"
        page.evaluate("() => new Promise((resolve) => requestAnimationFrame(resolve))")


# --- 1. one render per burst of Ctrl+Enter ---------------------------------------------------------
def test_ctrl_enter_pressed_three_times_quickly_renders_once(desk, api):
    page = desk.page
    desk.sign_in()
    # Given POST /generations held until the presses are done (so a second send would overlap the first)
    held, released = [], []

    def hold(route):
        if route.request.method != "POST" or released:
            route.continue_()
        else:
            held.append(route)
    page.route("**/api/generations", hold)
    text = f"one paper boat on a pond {uuid.uuid4().hex[:8]}"
    prompt = page.locator("#compose-prompt")
    prompt.fill(text)
    # When Ctrl+Enter is pressed three times quickly
    for _ in range(3):
        prompt.press("Control+Enter")
    expect(page.locator("#compose-render")).to_be_disabled()
    pump_until(page, lambda: len(held) >= 1)
    released.append(True)
    for route in held:
        route.continue_()
    # Then exactly one generation is made (one card, one record, one image off the quota)
    card = cards(page).first
    expect(card).to_have_attribute("data-status", "COMPLETE", timeout=RENDER_TIMEOUT)
    expect(cards(page)).to_have_count(1)
    assert len(held) == 1
    assert gallery_count(api, text) == 1
    expect(page.locator("#compose-render")).to_be_enabled()


# --- 2. a bad color stops the render -----------------------------------------------------------------
def test_an_invalid_hex_color_blocks_the_render_with_a_message(desk, api):
    page = desk.page
    desk.sign_in()
    page.locator("#compose-prompt").fill(f"a striped beach towel {uuid.uuid4().hex[:8]}")
    page.get_by_text("Color palette", exact=True).click()
    hex0 = page.locator("#compose-hex-0")
    # When the first color is typed as "#zzz"
    hex0.fill("#zzz")
    # Then the field is marked, and the message beside the palette says what to type
    expect(hex0).to_have_attribute("aria-invalid", "true")
    problem = page.locator("#compose-color-error")
    expect(problem).to_contain_text("Color 1 is not a color code")
    expect(problem).to_contain_text("#1e90ff")
    desk.shot("30-color-invalid")
    # And Render does not go ahead with the previous color: it says why and goes back to the field
    page.locator("#compose-render").click()
    expect(page.locator("#compose-error")).to_contain_text("#1e90ff")
    expect(hex0).to_be_focused()
    expect(cards(page)).to_have_count(0)
    # When it is fixed, the message goes and the color sent is the one shown
    hex0.fill("#1E90FF")
    expect(problem).to_be_empty()
    page.locator("#compose-render").click()
    expect(cards(page)).to_have_count(1)
    record = api.generation(cards(page).first.get_attribute("data-id"))
    assert record["request"]["colors"][0] == "#1e90ff"


def test_a_seed_out_of_range_is_refused_before_sending(desk):
    page = desk.page
    desk.sign_in()
    page.locator("#compose-prompt").fill("a quiet library")
    page.get_by_text("More settings").click()
    page.get_by_label("Fixed seed").check()
    page.locator("#compose-seed").fill("-5")
    page.locator("#compose-render").click()
    expect(page.locator("#compose-error")).to_contain_text(re.compile(r"whole number from 0 to \d+"))
    expect(page.locator("#compose-seed")).to_be_focused()
    expect(cards(page)).to_have_count(0)


# --- 3. translate, then render, when it cannot translate ---------------------------------------------
def test_translate_then_render_says_when_it_could_not_translate(desk, api):
    page = desk.page
    desk.sign_in()
    text = f"바닷가의 등대, 해질녘 {uuid.uuid4().hex[:6]}"
    prompt = page.locator("#compose-prompt")
    prompt.fill(text)
    prompt.press("Control+Enter")
    ask = page.locator("#compose-translate-first")
    # When "Translate, then render" is chosen and (offline) nothing can be translated
    page.get_by_role("button", name="Translate, then render").click()
    # Then the box says so and what is left; no chip claims a translation; nothing was rendered
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("could not be translated, so nothing was rendered")
    expect(page.get_by_role("button", name="Translate, then render")).to_be_hidden()
    expect(page.get_by_role("button", name="Render as written")).to_be_focused()
    expect(page.locator(".translation-chip")).to_have_count(0)
    expect(cards(page)).to_have_count(0)
    desk.axe_check("composer (translation failed)")
    desk.shot("31-translate-failed")
    # And "Render as written" renders the text as it is
    page.get_by_role("button", name="Render as written").click()
    expect(cards(page)).to_have_count(1)
    assert api.generation(cards(page).first.get_attribute("data-id"))["request"]["prompt"] == text


def test_translate_then_render_explains_a_failed_translation_request(desk):
    page = desk.page
    desk.sign_in()
    # Given a translation service that fails (in the cloud: throttled, quota, model error)
    page.route("**/api/translate", lambda route: route.fulfill(status=503, content_type="application/json", body=json.dumps(
        {"error": {"code": "model_unavailable", "message": "unavailable", "details": None}})))
    page.locator("#compose-prompt").fill("비 오는 찻집")
    page.locator("#compose-prompt").press("Control+Enter")
    page.get_by_role("button", name="Translate, then render").click()
    ask = page.locator("#compose-translate-first")
    expect(ask).to_contain_text("cannot be reached right now")
    expect(ask).to_contain_text("Render the text as written")
    expect(page.get_by_role("button", name="Render as written")).to_be_focused()
    expect(cards(page)).to_have_count(0)


def test_english_text_is_not_claimed_as_translated(desk):
    page = desk.page
    desk.sign_in()
    page.get_by_label("What should the image show?").fill("a red kite over green hills")
    page.get_by_role("button", name="Translate to English").click()
    expect(page.locator("#compose-prompt")).to_have_value("a red kite over green hills")
    expect(page.locator(".translation-chip")).to_have_count(0)
    expect(page.locator("#compose-translate-notice")).to_have_count(0)


# --- 4. error texts and files checked before uploading ----------------------------------------------
def test_error_texts_are_in_the_users_words(desk):
    page = desk.page
    desk.sign_in()
    said = page.evaluate("""async () => {
        const { errorMessage } = await import("./js/messages.js");
        return {
          seed: errorMessage({ code: "validation_error", details: [{ field: "seed", rule: "Input should be greater than or equal to 0" }] }),
          image: errorMessage({ code: "validation_error", details: [{ field: "imageKey", rule: "must be a PNG, JPEG or WebP image" }] }),
          other: errorMessage({ code: "validation_error", details: [{ field: "lineage.x", rule: "Extra inputs are not permitted" }] }),
          long: errorMessage({ code: "validation_error", details: [{ field: "prompt", rule: "at most 10000 characters for Stable Image Core" }] }),
          quota: errorMessage({ code: "quota_exceeded", retryAfter: 14440 }),
          soon: errorMessage({ code: "model_throttled", retryAfter: 30 }),
          big: errorMessage({ code: "payload_too_large", status: 413 }),
          gateway: errorMessage({ code: "http_413", status: 413 }),
        };
    }""")
    # The setting as the UI labels it, and the server's rule, which says what to fix
    assert said["seed"] == "“Seed” is not accepted: input should be greater than or equal to 0. Change it and try again."
    assert said["image"] == ("The image could not be used — must be a PNG, JPEG or WebP image. "
                             "Choose another image, or crop or resize it.")
    assert said["long"] == ("“Prompt (English)” is not accepted: at most 10000 characters for Stable Image Core. "
                            "Change it and try again.")
    assert said["other"] == "Some settings are not valid. Check them and try again."
    assert said["quota"] == "You reached today’s image limit. You can try again in about 4 hours."
    assert said["soon"].endswith("about 30 seconds.")
    assert "10 MB" in said["big"] and said["gateway"] == said["big"]
    # And in Korean, the wait in Korean units
    korean = page.evaluate("""async () => {
        const { setLang } = await import("./js/i18n.js");
        const { errorMessage } = await import("./js/messages.js");
        await setLang("ko");
        return errorMessage({ code: "quota_exceeded", retryAfter: 14440 });
    }""")
    assert korean == "오늘의 이미지 한도에 도달했습니다. 약 4시간 뒤에 다시 시도할 수 있습니다."


def test_a_text_file_named_png_is_refused_before_upload(desk):
    page = desk.page
    desk.sign_in()
    uploads = []
    page.on("request", lambda request: uploads.append(request.url) if "/api/uploads" in request.url else None)
    # When a text file renamed .png is chosen as the reference
    page.locator("#ref-file").set_input_files(TEXT_FILE)
    # Then it is refused by its bytes, with no broken preview and nothing uploaded
    expect(page.locator("#panel-reference [role=alert]")).to_contain_text("not a PNG, JPEG or WebP image")
    expect(page.locator("#panel-reference .ref-img")).to_have_count(0)
    expect(page.get_by_role("button", name="Upload and describe")).to_be_disabled()
    desk.shot("32-reference-fake-png")
    assert uploads == []


def test_search_by_image_checks_the_file_before_uploading(desk):
    page = desk.page
    desk.sign_in()
    uploads = []
    page.on("request", lambda request: uploads.append(request.url) if "/api/uploads" in request.url else None)
    page.get_by_role("link", name="Gallery").click()
    chooser = page.locator("#gallery-search-file")
    status = page.locator("#search-status")
    error = page.locator(".search-panel [role=alert]")
    # When a text file named .png is chosen
    chooser.set_input_files(TEXT_FILE)
    expect(error).to_contain_text("not a PNG, JPEG or WebP image")
    expect(status).to_be_empty()
    # When an image over the upload limit (10 MB) is chosen
    big = b"\x89PNG\r\n\x1a\n" + bytes(11 * 1024 * 1024)
    chooser.set_input_files({"name": "huge.png", "mimeType": "image/png", "buffer": big})
    expect(error).to_contain_text("the limit is 10 MB")
    expect(status).not_to_contain_text("Uploading")
    desk.shot("33-search-too-big")
    # Then nothing was uploaded
    assert uploads == []


# --- 5 and 6. an uploaded reference: the shape warning, then the real size of what came out ---------
def test_an_uploaded_reference_gives_its_shape_and_cards_show_real_sizes(desk, api, tmp_path):
    page = desk.page
    desk.sign_in()
    page.locator("#ref-file").set_input_files(str(png_file(tmp_path, "wide.png", (640, 480))))
    page.get_by_role("button", name="Upload and describe").click()
    expect(page.locator("#panel-reference article.idea")).to_have_count(3, timeout=RENDER_TIMEOUT)
    page.get_by_role("button", name="Keep structure").click()
    expect(page.locator("#compose-mode-structure")).to_be_checked()
    # Then the size is the uploaded reference's (Stability's structure control takes its shape): no size
    # to pick, so no warning that the chosen one differs
    expect(page.locator("#compose-size-reference")).to_contain_text("640 × 480")
    expect(page.locator("#compose-size")).to_have_count(0)
    expect(page.locator("#compose-aspect")).to_be_hidden()
    desk.shot("34-reference-shape")
    page.locator("#compose-render").click()
    card = cards(page).first
    expect(card).to_have_attribute("data-status", "COMPLETE", timeout=RENDER_TIMEOUT)
    record = api.generation(card.get_attribute("data-id"))
    made = f"{record['images'][0]['width']}×{record['images'][0]['height']}"
    # And the card shows the size that came out (the reference's), not the draft's 1024 × 1024
    assert made != "1024×1024", "this model keeps the reference's size, so the two differ"
    expect(card.locator(".result-head .meta")).to_contain_text(made)
    expect(card.locator(".result-head .meta")).not_to_contain_text("1024×1024")
    # A variation (image-to-image on SD3.5) answers at the model's size nearest the reference's shape: the
    # composer says that size, not the reference's, and the image comes out at it
    page.get_by_role("button", name="Make variations").click()
    expect(page.locator("#compose-mode-variation")).to_be_checked()
    expect(page.locator("#compose-size-reference")).to_have_text(
        "1152 × 896: the model's size nearest the reference's shape (640 × 480)")
    page.locator("#compose-render").click()
    variation = cards(page).first
    expect(variation).not_to_have_attribute("data-id", record["id"])
    expect(variation).to_have_attribute("data-status", "COMPLETE", timeout=RENDER_TIMEOUT)
    expect(variation.locator(".result-head .meta")).to_contain_text("1152×896")
    # And the Color palette mode starts from the reference's palette (described above), not the stock one
    palette = page.locator("#panel-reference .swatches .mono").all_inner_texts()
    assert palette
    page.locator("label[for=compose-mode-color]").click()
    expect(page.locator("#compose-hex-0")).to_have_value(palette[0])
    expect(page.locator(".palette-editor li")).to_have_count(len(palette))
    # Style transfer's second image has the reference's drop zone and a preview, not a bare file input
    page.locator("label[for=compose-mode-style-transfer]").click()
    drop = page.locator("#composer .dropzone")
    expect(drop).to_be_visible()
    expect(page.locator("#compose-style-file")).to_have_class(re.compile("visually-hidden"))
    page.locator("#compose-style-file").set_input_files(str(png_file(tmp_path, "style.png", (512, 512))))
    expect(page.get_by_alt_text("Preview of the style image")).to_be_visible()
    expect(page.locator("#compose-style-status")).not_to_be_empty()
    page.locator("#compose-style-preview").scroll_into_view_if_needed()
    desk.shot("36-style-image-drop", full_page=False)


# --- 7, 8, 9. small text-field messages ---------------------------------------------------------------
def test_empty_fields_limits_and_nothing_selected_are_said_in_the_app(desk):
    page = desk.page
    desk.sign_in()
    # An empty "Your words": a message, not just the cursor
    page.get_by_role("button", name="Translate to English").click()
    expect(page.locator("#panel-basic [role=alert]")).to_contain_text("First write what the image should show")
    # Empty keywords: the app's message, not the browser's bubble
    page.get_by_role("button", name="Suggest prompts").click()
    expect(page.locator("#panel-ideas [role=alert]")).to_contain_text("First write a few keywords")
    # The limit of "Your words" is shown when a paste reaches it
    basic = page.locator("#basic-text")
    basic.fill("x" * 2100)
    expect(basic).to_have_value("x" * 2000)
    expect(page.locator("#basic-text-hint")).to_contain_text("2000 / 2000 characters")
    expect(page.locator("#basic-text-hint")).to_contain_text("anything longer is cut off")
    expect(page.locator("#panel-basic [role=alert]")).to_be_empty()  # typing cleared the message
    # Nothing selected among the ideas: the button says what to do and is disabled
    page.get_by_label("Keywords", exact=True).fill("lighthouse, storm")
    page.get_by_role("button", name="Suggest prompts").click()
    expect(page.locator("#panel-ideas article.idea")).to_have_count(3)
    pick = page.locator("#panel-ideas .idea-list .row.end > .btn-primary")
    expect(pick).to_have_text("Select a prompt to render")
    expect(pick).to_be_disabled()
    desk.shot("35-ideas-nothing-selected")


def test_a_first_write_message_goes_once_a_render_has_started(desk):
    page = desk.page
    desk.sign_in()
    # Given both panels said "First write…"
    page.get_by_role("button", name="Translate to English").click()
    page.get_by_role("button", name="Suggest prompts").click()
    expect(page.locator("#panel-basic [role=alert]")).to_contain_text("First write")
    expect(page.locator("#panel-ideas [role=alert]")).to_contain_text("First write")
    # When the user renders from the composer instead
    page.locator("#compose-prompt").fill("a lighthouse at dusk")
    page.locator("#compose-render").click()
    expect(page.locator(".results-list > li")).to_have_count(1)
    # Then those messages are gone: their cause is
    expect(page.locator("#panel-basic [role=alert]")).to_be_empty()
    expect(page.locator("#panel-ideas [role=alert]")).to_be_empty()


# --- found by the second user test ----------------------------------------------------------------------
def test_a_fixed_problem_loses_its_message_and_a_long_negative_prompt_is_caught(desk):
    page = desk.page
    desk.sign_in()
    page.locator("#compose-prompt").fill("a lighthouse at dusk")
    # Given a negative prompt over the model's limit (the field is under the advanced settings)
    page.evaluate("""() => {
        const field = document.getElementById("compose-negative");
        field.closest("details")?.setAttribute("open", "");
        field.value = "blur ".repeat(2100);
        field.dispatchEvent(new Event("input", { bubbles: true }));
    }""")
    page.locator("#compose-render").click()
    # Then the render is stopped with the limit said, and the field is shown and focused
    error = page.locator("#compose-error")
    expect(error).to_contain_text("The negative prompt is 10499 characters")
    expect(page.locator("#compose-negative")).to_be_focused()
    # When the user shortens it, the message goes at once (not at the next Render)
    page.locator("#compose-negative").fill("blur")
    expect(error).to_be_empty()


def test_a_text_that_could_not_be_translated_is_not_offered_translation_again(desk):
    page = desk.page
    desk.sign_in()
    # Given Korean text that the offline emulator could not translate
    page.get_by_label("What should the image show?").fill("안개 낀 항구의 등대")
    page.get_by_role("button", name="Translate to English").click()
    expect(page.locator("#compose-translate-notice")).to_be_visible()
    # When the user renders it
    page.locator("#compose-render").click()
    # Then it is rendered as written, without asking again to translate what could not be translated
    expect(page.locator("#compose-translate-first")).to_be_hidden()
    expect(cards(page)).to_have_count(1, timeout=RENDER_TIMEOUT)
    expect(cards(page).first).to_contain_text("안개 낀 항구의 등대")


def test_keyboard_hints_show_only_where_there_is_a_keyboard(browser, stack, desk):
    from browser_helpers import PHONE, sign_in_page

    # Given a touch phone (no keyboard, no fine pointer) and a desktop
    touch = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = touch.new_page()
        sign_in_page(page, stack.url, stack.user, stack.password)
        # Then the phone does not say "Ctrl+Enter renders"
        expect(page.locator(".kbd-hint")).to_be_hidden()
    finally:
        touch.close()
    # And the desktop does
    desk.sign_in()
    expect(desk.page.locator(".kbd-hint")).to_be_visible()


def test_the_ideas_list_folds_once_an_idea_is_in_the_composer(desk):
    page = desk.page
    desk.sign_in()
    # Given three proposed ideas
    page.get_by_label("Keywords", exact=True).fill("lighthouse, storm")
    page.get_by_role("button", name="Suggest prompts").click()
    ideas = page.locator("#panel-ideas article.idea")
    expect(ideas).to_have_count(3)
    title = ideas.first.locator(".idea-title").inner_text()
    # When one is used
    ideas.first.get_by_role("button", name=re.compile("^Use")).click()
    # Then the list folds to one line naming it, and the panel is short again
    expect(ideas).to_have_count(0)
    expect(page.locator("#panel-ideas .idea-chosen")).to_contain_text(title)
    assert page.locator("#panel-ideas").bounding_box()["height"] < 600
    desk.shot("75-ideas-folded", full_page=False)
    # And "Show all ideas" opens it again
    page.get_by_role("button", name="Show all ideas (3)").click()
    expect(ideas).to_have_count(3)
