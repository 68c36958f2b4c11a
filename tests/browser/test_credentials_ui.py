"""Content Credentials in a real browser: a result's badge, the detail's badge and panel say what the signed
manifest says, and "Check an image" reads a dropped file (ours, then one without a manifest); axe-checked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from local.client import http
from tests.support import images as make

PASSWORD = "Browser-Credentials-Password-1"
RENDER_TIMEOUT = 90_000  # ms: a render on a busy machine


@pytest.fixture(scope="module")
def signer(stack):
    """A fresh user with one finished image, and that image's signed file as the site serves it."""
    email, client = stack.new_user("browser-cr", PASSWORD)
    record = client.wait(client.generate(prompt="a green lighthouse")["id"], timeout=90)
    assert record["status"] == "COMPLETE"
    url = record["images"][0]["url"]
    status, _, signed = http("GET", stack.url + url if url.startswith("/") else url)
    assert status == 200
    return email, record, signed


def test_a_finished_result_carries_the_badge(desk):
    # When the user renders an image under Create, then its finished card shows the badge
    page = desk.page
    desk.sign_in()
    page.locator("#compose-prompt").fill("a quiet harbour at dawn")
    page.locator("#compose-render").click()
    card = page.locator(".results-list > li").first
    expect(card).to_have_attribute("data-status", "COMPLETE", timeout=RENDER_TIMEOUT)
    expect(card.locator(".cr-badge")).to_contain_text("Content Credentials")


def test_the_detail_shows_the_credentials_and_check_an_image_reads_a_file(desk, signer, tmp_path):
    email, record, signed = signer
    page = desk.page
    desk.sign_in(email, PASSWORD)
    page.get_by_role("link", name="Gallery").click()

    # When the user opens the image, then its title carries the badge and the panel says what was signed
    page.locator(f'#gallery-grid li[data-id="{record["id"]}"] button').click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".cr-badge")).to_contain_text("Content Credentials")
    dialog.locator(".cr-panel > summary").click()
    panel = dialog.locator(".cr-panel")
    expect(panel).to_contain_text("Created with Stable Image Core")
    expect(panel).to_contain_text("AI-generated")
    expect(panel).to_contain_text("Valid: unchanged since it was signed")
    desk.axe_check("detail-with-credentials", ".detail")
    dialog.get_by_role("button", name="Close").first.click()

    # When they check the downloaded file, then it validates and leads back to its record
    page.get_by_role("button", name="Check an image").click()
    checker = page.get_by_role("dialog", name="Check an image")
    ours = tmp_path / "ours.png"
    ours.write_bytes(signed)
    checker.locator("input[type=file]").set_input_files(str(ours))
    expect(checker.locator(".cr-result")).to_contain_text("Valid: unchanged since it was signed")
    expect(checker.get_by_role("button", name="It is one of these images: open it")).to_be_visible()
    desk.axe_check("credentials-checker", ".cr-dialog")

    # And a file without a manifest is told so
    plain = tmp_path / "plain.png"
    plain.write_bytes(make.png((64, 48)))
    checker.locator("input[type=file]").set_input_files(str(plain))
    expect(checker.locator(".cr-result")).to_contain_text("carries no Content Credentials")

    # And "open it" opens the record's detail
    checker.locator("input[type=file]").set_input_files(str(ours))
    checker.get_by_role("button", name="It is one of these images: open it").click()
    expect(page.locator("dialog.detail .cr-badge")).to_be_visible()
