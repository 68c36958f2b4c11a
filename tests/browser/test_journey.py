"""The whole journey in a real browser: sign in, the three prompt paths, the four modes, progress to
completion, a content-filter failure, the gallery with paging, detail, re-run, favorite, delete,
sign out. Each view is checked with axe-core and photographed at desktop and phone sizes."""

from __future__ import annotations

import re

import pytest

from playwright.sync_api import expect

from browser_helpers import PHONE, png_file
from studio.gateway_errors import UNAUTHORIZED

# Deadlines for a state (never sleeps): generous, so a machine busy with other work still passes.
RENDER_TIMEOUT = 90_000  # ms, for Playwright's expect
RENDER_WAIT_SECONDS = RENDER_TIMEOUT // 1000  # for the API client's wait


def result_cards(page):
    return page.locator(".results-list > li")


def wait_all_done(page, count: int) -> None:
    """The newest `count` result cards reach a terminal status."""
    cards = result_cards(page)
    expect(cards).to_have_count(count, timeout=RENDER_TIMEOUT)
    for i in range(count):
        expect(cards.nth(i)).to_have_attribute("data-status", re.compile("COMPLETE|FAILED"), timeout=RENDER_TIMEOUT)


def render(page) -> None:
    page.locator("#compose-render").click()


# --- sign in / sign out ------------------------------------------------------------------------------
def test_sign_in_rejects_a_wrong_password_then_signs_in_and_out(desk):
    page = desk.page
    desk.open()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    desk.axe_check("sign-in")
    desk.shot("01-sign-in")

    desk.sign_in(password="not-the-password", then=None)
    expect(page.get_by_role("alert")).to_contain_text("not right")

    desk.sign_in()
    expect(page.get_by_role("navigation")).to_be_visible()
    expect(page.get_by_role("link", name="Create")).to_have_attribute("aria-current", "page")
    # No token in the URL or in localStorage; only the refresh token in this tab's sessionStorage.
    assert "token" not in page.url and "code=" not in page.url
    assert page.evaluate("() => Object.keys(localStorage).filter(k => /token|refresh/i.test(k) || /eyJ/.test(localStorage[k]))") == []

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('ips.refresh')") is None


def test_a_reload_keeps_the_session_and_resumes_generations(desk, api):
    page = desk.page
    desk.sign_in()
    page.locator("#compose-prompt").fill("a paper boat on a quiet canal, morning light")
    render(page)
    expect(result_cards(page)).to_have_count(1)
    page.reload()
    page.locator("#composer").wait_for()
    expect(result_cards(page)).to_have_count(1)
    wait_all_done(page, 1)
    expect(result_cards(page).first).to_have_attribute("data-status", "COMPLETE")


# --- the three prompt paths -------------------------------------------------------------------------
def test_basic_path_translates_then_renders_text_to_image(desk, api):
    page = desk.page
    desk.sign_in()
    # Keyboard: on a fresh load (the session is restored), the first Tab reaches the skip link,
    # which moves focus to the main content.
    page.reload()
    page.locator("#composer").wait_for()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    desk.axe_check("create (empty)")
    desk.shot("02-create")

    page.get_by_label("What should the image show?").fill("안개 낀 항구의 등대, 새벽빛")
    page.get_by_role("button", name="Translate to English").click()
    # One step: the composer's prompt is filled and focused. Offline the emulator cannot translate: a
    # notice says so, and no chip claims a translation that did not happen.
    expect(page.locator("#compose-prompt")).to_be_focused()
    expect(page.locator("#compose-prompt")).to_have_value("안개 낀 항구의 등대, 새벽빛")
    expect(page.locator("#compose-translate-notice")).to_contain_text("could not translate the Korean text")
    expect(page.locator(".translation-chip")).to_have_count(0)
    page.locator("#compose-prompt").fill("a lighthouse in a foggy harbor at dawn, soft light")

    # Estimated cost before rendering: price x count.
    page.locator("#compose-count").select_option("2")
    expect(page.locator("#compose-cost")).to_have_text("$0.08")
    expect(page.locator("#compose-render")).to_contain_text("2 × $0.04 = $0.08")
    render(page)
    card = result_cards(page).first
    expect(card.locator(".pill")).to_have_text(re.compile("Queued|Rendering|Done"))
    expect(card.locator("progress, .thumbs img").first).to_be_visible()
    expect(card).to_have_attribute("data-status", "COMPLETE", timeout=RENDER_TIMEOUT)
    expect(card.locator(".thumbs img")).to_have_count(2)
    expect(page.locator("#live")).to_contain_text("Done")
    desk.axe_check("create (results)")
    desk.shot("03-create-results")

    record = api.generation(card.get_attribute("data-id"))
    assert record["mode"] == "text"
    assert record["lineage"]["source"] == "basic"
    assert record["lineage"]["originalText"] == "안개 낀 항구의 등대, 새벽빛"
    assert record["lineage"]["originalLanguage"] == "ko"


def test_ideas_path_suggests_three_prompts_and_renders_the_selected_ones(desk, api):
    page = desk.page
    desk.sign_in()
    page.get_by_label("Style or mood").fill("moody watercolor")
    page.get_by_label("Keywords", exact=True).fill("lighthouse, storm, gulls")
    page.get_by_role("button", name="Suggest prompts").click()
    ideas = page.locator("#panel-ideas article.idea")
    expect(ideas).to_have_count(3)
    for i in range(3):
        expect(ideas.nth(i).locator(".gloss")).not_to_be_empty()
    ideas.nth(0).locator("input[type=checkbox]").check()
    ideas.nth(2).locator("input[type=checkbox]").check()
    ideas.nth(2).locator("textarea").first.fill("a lighthouse in a storm, gulls, moody watercolor, edited by hand")
    desk.axe_check("create (ideas)")
    desk.shot("04-ideas")
    expect(page.get_by_role("button", name="Render selected (2)")).to_contain_text("2 × $0.04 = $0.08")
    page.get_by_role("button", name="Render selected (2)").click()
    wait_all_done(page, 2)
    ids = [result_cards(page).nth(i).get_attribute("data-id") for i in range(2)]
    records = [api.generation(i) for i in ids]
    assert {r["status"] for r in records} == {"COMPLETE"}
    assert all(r["lineage"]["source"] == "ideas" and r["lineage"]["keywords"] == "lighthouse, storm, gulls" for r in records)
    assert any(r["request"]["prompt"].endswith("edited by hand") for r in records)


def test_reference_path_drives_color_structure_and_variation_modes(desk, api, tmp_path):
    page = desk.page
    desk.sign_in()
    # Validation in the browser, before anything is uploaded.
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    page.locator("#ref-file").set_input_files(str(bad))
    expect(page.locator("#panel-reference [role=alert]")).to_contain_text("not a PNG, JPEG or WebP")

    # Too small for structure or variation: said at once, before any upload.
    page.locator("#ref-file").set_input_files(str(png_file(tmp_path, "small.png", (200, 150))))
    expect(page.locator("#panel-reference .ref-preview .notice")).to_contain_text("at least 320 px")

    page.locator("#ref-file").set_input_files(str(png_file(tmp_path)))
    expect(page.get_by_alt_text("Preview of the reference image")).to_be_visible()
    expect(page.locator("#panel-reference .ref-preview .notice")).to_have_count(0)
    page.get_by_label("Keywords (optional)").fill("poster")
    page.get_by_role("button", name="Upload and describe").click()
    expect(page.locator("#panel-reference .summary")).not_to_be_empty(timeout=RENDER_TIMEOUT)
    expect(page.locator("#panel-reference .swatches li").first).to_be_visible()
    expect(page.locator("#panel-reference article.idea")).to_have_count(3)
    desk.axe_check("create (reference)")
    desk.shot("05-reference")

    # Palette → color-guided generation.
    page.get_by_role("button", name="Use palette").click()
    expect(page.locator("#compose-mode-color")).to_be_checked()
    expect(page.locator(".palette-editor li").first).to_be_visible()
    page.locator("#compose-hex-0").fill("#ff8800")
    desk.axe_check("composer (color)")
    render(page)
    wait_all_done(page, 1)

    # Structure, with a control mode and "how close to stay".
    page.get_by_role("button", name="Keep structure").click()
    expect(page.locator("#compose-mode-structure")).to_be_checked()
    page.locator("#compose-control-strength").fill("0.4")
    desk.axe_check("composer (structure)")
    render(page)
    wait_all_done(page, 2)

    # Variation, with the similarity control.
    page.get_by_role("button", name="Make variations").click()
    expect(page.locator("#compose-mode-variation")).to_be_checked()
    page.locator("#compose-similarity").fill("0.85")
    desk.shot("06-variation")
    render(page)
    wait_all_done(page, 3)

    records = [api.generation(result_cards(page).nth(i).get_attribute("data-id")) for i in range(3)]
    by_mode = {r["mode"]: r for r in records}
    assert set(by_mode) == {"color", "structure", "variation"}
    assert all(r["status"] == "COMPLETE" for r in records), [r.get("error") for r in records]
    assert by_mode["color"]["request"]["colors"][0] == "#ff8800"
    assert by_mode["structure"]["modelId"] == "stability.stable-image-control-structure-v1:0"
    assert abs(by_mode["structure"]["request"]["controlStrength"] - 0.4) < 1e-6
    assert abs(by_mode["variation"]["request"]["similarityStrength"] - 0.85) < 1e-6
    assert all(r["lineage"]["source"] == "reference" and r["lineage"]["referenceImageKey"] for r in records)


def test_a_content_filter_failure_says_what_to_change(desk):
    page = desk.page
    desk.sign_in()
    page.locator("#compose-prompt").fill("a crowded market at noon [fault:filter-input]")
    render(page)
    card = result_cards(page).first
    expect(card).to_have_attribute("data-status", "FAILED", timeout=RENDER_TIMEOUT)
    failure = card.locator(".failure")
    expect(failure).to_have_attribute("data-code", "content_filtered")
    expect(failure).to_contain_text("content filter")
    expect(failure).to_contain_text("Remove or reword")
    expect(page.locator("#live")).to_contain_text("Failed")
    desk.axe_check("create (failure)")
    desk.shot("07-failure")
    # "Edit the prompt" puts it back into the composer.
    card.get_by_role("button", name="Edit the prompt").click()
    expect(page.locator("#compose-prompt")).to_have_value(re.compile(r"crowded market"))
    expect(page.locator("#compose-prompt")).to_be_focused()


def test_each_mode_is_rendered_by_a_model_that_serves_it(desk):
    page = desk.page
    desk.sign_in()
    # Every mode some model serves is offered; the model list follows the mode.
    modes = page.locator("#compose-modes input")
    expect(modes).to_have_count(7)
    expect(page.locator("#compose-model")).to_have_value("stability.stable-image-core-v1:1")
    expect(page.locator("#compose-cost")).to_have_text("$0.04")
    page.locator("label[for=compose-mode-variation]").click()
    expect(page.locator("#compose-model")).to_have_value("stability.sd3-5-large-v1:0")
    expect(page.locator("#compose-model option")).to_have_count(1)
    page.locator("label[for=compose-mode-text]").click()
    expect(page.locator("#compose-model option")).to_have_count(3)
    expect(page.locator("#compose-size option[value='1536x640']")).to_have_count(1)


# --- gallery, detail and actions ----------------------------------------------------------------------
def test_gallery_pages_filters_and_detail_actions(desk, api):
    # Given more generations than one page (24) holds.
    ids = []
    for i in range(27):
        ids.append(api.generate(prompt=f"gallery seed {i}: a small red kite over dunes", seed=1000 + i)["id"])
    api.wait(ids[-1], timeout=RENDER_WAIT_SECONDS)

    page = desk.page
    pages = []
    # The gallery's pages (not the count of today's images that the quota line makes at sign-in).
    page.on("response", lambda r: "/api/gallery" in r.url and "limit=50" not in r.url and pages.append(r))
    desk.sign_in()
    page.get_by_role("link", name="Gallery").click()
    grid = page.locator("#gallery-grid > li")
    expect(grid.nth(23)).to_be_visible()
    # Scrolling to the end loads the next pages (IntersectionObserver), no click needed.
    # (Other tests may have added pages: keep scrolling to the foot until the last page is in.)
    status = page.locator(".gallery-status")
    for _ in range(20):
        page.locator(".gallery-foot").scroll_into_view_if_needed()
        page.mouse.wheel(0, 10_000)
        try:
            expect(status).to_contain_text("everything", timeout=3_000)
            break
        except AssertionError:
            continue
    expect(status).to_contain_text("everything")
    assert grid.count() >= 27
    first = pages[0].json()
    assert len(first["items"]) == 24 and first["nextCursor"], "the first page is full and has a cursor"
    assert "limit=24" in pages[0].url and "cursor=" not in pages[0].url
    assert any("cursor=" in r.url for r in pages[1:]), "a later page is asked for with the cursor"
    desk.axe_check("gallery")
    page.evaluate("() => window.scrollTo(0, 0)")
    desk.shot("08-gallery", full_page=False)

    # Filter by mode: none of the seeded ones is a variation... unless other tests made some.
    page.locator("#gallery-mode").select_option("text")
    expect(page.locator(".gallery-status")).to_contain_text("shown")

    # Open the newest seeded one (seed 1026).
    page.locator("#gallery-mode").select_option("")
    tile = page.get_by_role("button", name=re.compile(r"gallery seed 26:"))
    tile.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".detail-close")).to_be_focused()
    expect(dialog.locator(".lineage")).to_contain_text("Seed 1026")
    expect(dialog.locator(".record-params")).to_contain_text("1026")
    desk.axe_check("detail", ".detail")
    desk.shot("09-detail", full_page=False)

    # Favorite, then the favorites filter shows it.
    favorite = dialog.get_by_role("button", name="Favorite")
    favorite.click()
    expect(favorite).to_have_attribute("aria-pressed", "true")
    assert api.generation(ids[26])["favorite"] is True
    expect(favorite).to_have_text("Favorite ✓")
    dialog.get_by_role("button", name="Private").click()
    expect(dialog.get_by_role("button", name="Public ✓")).to_have_attribute("aria-pressed", "true")
    expect(dialog.locator(".record-params")).to_contain_text("Everyone")
    assert api.generation(ids[26])["public"] is True
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(tile).to_be_focused()
    page.get_by_label("Favorites only").check()
    expect(page.locator("#gallery-grid > li")).to_have_count(1)
    page.get_by_label("Favorites only").uncheck()

    # Re-run exactly: the same seed, a lineage pointing at the parent.
    page.get_by_role("button", name=re.compile(r"gallery seed 26:")).click()
    page.get_by_role("dialog").get_by_role("button", name="Re-run exactly").click()
    expect(page).to_have_url(re.compile("#create$"))
    wait_all_done(page, 1)
    rerun = api.generation(result_cards(page).first.get_attribute("data-id"))
    assert rerun["images"][0]["seed"] == 1026
    assert rerun["lineage"]["source"] == "rerun" and rerun["lineage"]["parentId"] == ids[26]

    # Vary: a new seed.
    page.get_by_role("link", name="Gallery").click()
    page.get_by_role("button", name=re.compile(r"gallery seed 25:")).click()
    page.get_by_role("dialog").get_by_role("button", name="Vary").click()
    wait_all_done(page, 2)
    varied = api.generation(result_cards(page).first.get_attribute("data-id"))
    assert varied["images"][0]["seed"] != 1025 and varied["lineage"]["parentId"] == ids[25]

    # Use this prompt: back in the composer.
    page.get_by_role("link", name="Gallery").click()
    page.get_by_role("button", name=re.compile(r"gallery seed 24:")).click()
    page.get_by_role("dialog").get_by_role("button", name="Use this prompt").click()
    expect(page.locator("#compose-prompt")).to_have_value(re.compile("gallery seed 24"))

    # Download link, then delete with confirmation.
    page.get_by_role("link", name="Gallery").click()
    page.get_by_role("button", name=re.compile(r"gallery seed 23:")).click()
    dialog = page.get_by_role("dialog")
    with page.expect_download() as download:
        dialog.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.endswith(".png")
    dialog.get_by_role("button", name="Delete").click()
    expect(dialog.get_by_text("cannot be undone")).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Delete for good").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile(r"gallery seed 23:"))).to_have_count(0)
    from local.client import ApiError

    try:
        api.generation(ids[23])
        raise AssertionError("the generation still exists")
    except ApiError as error:
        assert error.status == 404


def test_everyones_gallery_shows_public_generations(desk, api):
    # Given a shared generation that has finished (only finished ones reach everyone's gallery)
    record = api.wait(api.generate(prompt="a public lantern festival", public=True)["id"], timeout=RENDER_WAIT_SECONDS)
    assert record["status"] == "COMPLETE"
    page = desk.page
    desk.sign_in()
    page.get_by_role("link", name="Gallery").click()
    page.get_by_text("Everyone").click()
    expect(page.get_by_role("button", name=re.compile("public lantern festival"))).to_be_visible()


# --- language, phone layout ---------------------------------------------------------------------------
def test_the_ui_follows_the_browser_language_and_can_switch(session_factory):
    ko = session_factory(locale="ko-KR")
    page = ko.page
    ko.open()
    expect(page.get_by_role("heading", name="로그인")).to_be_visible()
    ko.sign_in(then=None)
    expect(page.get_by_role("link", name="만들기")).to_be_visible()
    expect(page.get_by_role("heading", name="내 말로")).to_be_visible()  # the create view, not only the header
    assert page.evaluate("() => document.documentElement.lang") == "ko"
    ko.axe_check("create (ko)")
    ko.shot("10-create-ko", full_page=False)
    page.get_by_label("언어").select_option("en")
    expect(page.get_by_role("link", name="Create")).to_be_visible()
    assert page.evaluate("() => document.documentElement.lang") == "en"
    # The choice is remembered: a reload comes back in English, though the browser asks for Korean
    page.reload()
    expect(page.get_by_role("link", name="Create")).to_be_visible()
    page.get_by_label("Language").select_option("ko")
    expect(page.get_by_role("link", name="만들기")).to_be_visible()


def test_phone_layout_uses_tabs_and_never_scrolls_sideways(phone, api, tmp_path):
    page = phone.page
    phone.open()
    phone.shot("01-sign-in")
    phone.sign_in()
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(3)
    expect(page.locator("#panel-basic")).to_be_visible()
    expect(page.locator("#panel-ideas")).to_be_hidden()
    phone.axe_check("create (phone)")
    phone.shot("02-create")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    tabs.nth(1).click()
    expect(page.locator("#panel-ideas")).to_be_visible()
    page.get_by_label("Keywords", exact=True).fill("tea house, rain")
    page.get_by_role("button", name="Suggest prompts").click()
    expect(page.locator("#panel-ideas article.idea")).to_have_count(3)
    phone.shot("04-ideas")
    tabs.nth(1).press("ArrowRight")
    expect(tabs.nth(2)).to_be_focused()
    expect(page.locator("#panel-reference")).to_be_visible()
    page.locator("#ref-file").set_input_files(str(png_file(tmp_path)))
    page.get_by_role("button", name="Upload and describe").click()
    expect(page.locator("#panel-reference article.idea")).to_have_count(3, timeout=RENDER_TIMEOUT)
    phone.shot("05-reference")
    page.get_by_role("button", name="Use palette").click()
    render(page)
    wait_all_done(page, 1)
    phone.axe_check("create results (phone)")
    phone.shot("03-create-results")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Gallery").click()
    expect(page.locator("#gallery-grid > li").first).to_be_visible()
    phone.axe_check("gallery (phone)")
    phone.shot("08-gallery", full_page=False)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#gallery-grid > li button").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    phone.axe_check("detail (phone)", ".detail")
    phone.shot("09-detail", full_page=False)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_first_load_is_within_the_size_budget():
    from tests.bench_web import measure

    result = measure(verbose=False)
    assert result["files"] >= 5
    assert result["gzip_bytes"] < result["budget_bytes"], result


@pytest.mark.parametrize(("fault", "code", "advice"), [
    ("throttle", "model_throttled", "Wait a minute"),
    ("server-error", "model_unavailable", "cannot be reached"),
    ("malformed", "model_error", "returned an error"),
])
def test_each_model_failure_has_its_own_message(desk, fault, code, advice):
    page = desk.page
    desk.sign_in()
    page.locator("#compose-prompt").fill(f"a quiet harbor [fault:{fault}]")
    render(page)
    card = result_cards(page).first
    expect(card).to_have_attribute("data-status", "FAILED", timeout=RENDER_TIMEOUT)
    expect(card.locator(".failure")).to_have_attribute("data-code", code)
    expect(card.locator(".failure")).to_contain_text(advice)
    expect(card.get_by_role("button", name="Try again")).to_be_visible()


def test_an_expired_session_asks_to_sign_in_again_and_keeps_the_work(desk):
    page = desk.page
    desk.sign_in()
    page.locator("#compose-prompt").fill("kept across the sign-in")
    # The API starts refusing the token and the refresh token is gone: the session has ended.
    page.evaluate("() => sessionStorage.removeItem('ips.refresh')")
    page.route("**/api/gallery**", lambda route: route.fulfill(status=401, json=UNAUTHORIZED.body()))
    page.get_by_role("link", name="Gallery").click()
    expect(page.get_by_role("alert")).to_contain_text("session ended")
    page.unroute("**/api/gallery**")
    desk.sign_in(then=None)
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()
    page.get_by_role("link", name="Create").click()
    expect(page.locator("#compose-prompt")).to_have_value("kept across the sign-in")
