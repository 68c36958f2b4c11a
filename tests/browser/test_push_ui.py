"""Push in the browser (issue 23): after sign-in the page subscribes to its user's channel; a render's
COMPLETE shows without any GET /generations/{id} after the POST; with the channel stopped the page
falls back to polling and says nothing about it."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import expect

RENDER_TIMEOUT = 30_000
GET_RECORD = re.compile(r"/api/generations/[^/?]+$")


def cards(page):
    return page.locator(".results-list > li")


def record_gets(page) -> list[str]:
    """Every GET /api/generations/{id} the page sends from now on (Playwright's request event)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.method == "GET" and GET_RECORD.search(r.url) else None)
    return seen


def set_channel(stack_url: str, down: bool) -> None:
    request = urllib.request.Request(f"{stack_url}/_events/_faults", data=json.dumps({"down": down}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.loads(answer.read())["down"] is down


def render(page, prompt: str) -> None:
    page.locator("#compose-prompt").fill(prompt)
    page.locator("#compose-render").click()
    expect(cards(page)).to_have_count(1)


def test_complete_shows_without_any_get_of_the_record_after_the_post(desk):
    page = desk.page
    desk.sign_in()
    expect(page.locator("html")).to_have_attribute("data-push", "live")
    gets = record_gets(page)

    render(page, "a paper lantern over a quiet river")

    expect(cards(page).first).to_have_attribute("data-status", "COMPLETE", timeout=RENDER_TIMEOUT)
    expect(cards(page).first.locator("img").first).to_be_visible()
    assert gets == []  # the result came on the channel: nothing polled


def test_with_the_channel_stopped_the_page_polls_and_says_nothing(desk, stack):
    page = desk.page
    desk.sign_in()
    expect(page.locator("html")).to_have_attribute("data-push", "live")
    set_channel(stack.url, down=True)
    try:
        expect(page.locator("html")).to_have_attribute("data-push", "down")
        gets = record_gets(page)

        render(page, "a kite over a windy beach")

        expect(cards(page).first).to_have_attribute("data-status", "COMPLETE", timeout=RENDER_TIMEOUT)
        assert gets, "with the channel down the record must be polled"
        expect(page.get_by_role("alert")).to_have_count(0)  # nothing said to the user
    finally:
        set_channel(stack.url, down=False)
    # and the channel comes back by itself
    expect(page.locator("html")).to_have_attribute("data-push", "live", timeout=RENDER_TIMEOUT * 2)


def hold_next_render(stack_url: str, seconds: float) -> None:
    """The Bedrock emulator's hang switch: the next image call answers only after `seconds`."""
    body = {"fault": "hang", "seconds": seconds, "target": "image", "times": 1}
    request = urllib.request.Request(f"{stack_url}/_bedrock/_emulator/faults", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 201)


def test_a_render_started_in_one_tab_completes_in_the_other_tabs_gallery_and_detail(session_factory, stack):
    # Given two tabs of one user: tab 2 shows the gallery, tab 1 the composer
    tab1, tab2 = session_factory(), session_factory()
    tab1.sign_in()
    tab2.sign_in()
    other = tab2.page
    expect(other.locator("html")).to_have_attribute("data-push", "live")
    other.get_by_role("link", name="Gallery").click()
    expect(other.locator("#gallery-grid")).not_to_have_attribute("aria-busy", "true")
    gets = record_gets(other)
    hold_next_render(stack.url, 8)  # long enough to open the running render's detail in tab 2

    # When tab 1 starts a render
    render(tab1.page, "a lighthouse at dusk seen from a cliff")
    record_id = cards(tab1.page).first.get_attribute("data-id")

    # Then it joins tab 2's gallery as it runs, and its detail opens there
    tile = other.locator(f'#gallery-grid li[data-id="{record_id}"]')
    expect(tile).to_have_attribute("data-status", re.compile("PENDING|RUNNING"), timeout=RENDER_TIMEOUT)
    tile.get_by_role("button").click()
    dialog = other.locator("dialog.detail")
    expect(dialog.locator(".empty-figure")).to_be_visible()
    # And when it completes, tab 2's detail shows its image and the tile its thumbnail, with no fetch of the record
    expect(dialog.locator(".detail-figure img")).to_be_visible(timeout=RENDER_TIMEOUT)
    expect(tile).to_have_attribute("data-status", "COMPLETE")
    expect(tile.locator("img")).to_be_visible()
    assert gets == []


GET_EXPORT = re.compile(r"/api/exports/[^/?]+$")


def test_an_exports_zip_ready_shows_without_any_get_of_the_export_and_polls_with_the_channel_down(desk, stack):
    page = desk.page
    desk.sign_in()
    expect(page.locator("html")).to_have_attribute("data-push", "live")
    render(page, "a tin robot on a windowsill")
    expect(cards(page).first).to_have_attribute("data-status", "COMPLETE", timeout=RENDER_TIMEOUT)
    record_id = cards(page).first.get_attribute("data-id")
    export_gets: list[str] = []
    page.on("request", lambda r: export_gets.append(r.url) if r.method == "GET" and GET_EXPORT.search(r.url) else None)

    # When the image is exported from the gallery's select mode
    page.get_by_role("link", name="Gallery").click()
    page.locator("#gallery-select").click()
    tile = page.locator(f'#gallery-grid li[data-id="{record_id}"] .tile')
    tile.click()
    expect(tile).to_have_attribute("aria-pressed", "true")
    page.locator("#gallery-export-button").click()

    # Then the ZIP's link shows, from the export's end pushed on the channel: nothing polled
    expect(page.locator("#gallery-export-status")).to_have_text("ZIP ready: 1 image.", timeout=RENDER_TIMEOUT)
    expect(page.locator("#gallery-export-download")).to_have_attribute("href", re.compile("X-Amz-Signature="))
    assert export_gets == []

    # And with the channel stopped, the same export ends by polling, with nothing said about it
    set_channel(stack.url, down=True)
    try:
        expect(page.locator("html")).to_have_attribute("data-push", "down")
        page.locator("#gallery-export-button").click()
        expect(page.locator("#gallery-export-status")).to_have_text("Preparing the ZIP…")
        expect(page.locator("#gallery-export-status")).to_have_text("ZIP ready: 1 image.", timeout=RENDER_TIMEOUT)
        assert export_gets, "with the channel down the export must be polled"
        expect(page.get_by_role("alert")).to_have_count(0)
    finally:
        set_channel(stack.url, down=False)
