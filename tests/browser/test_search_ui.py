"""Search in a real browser: type a color and find the image, open it, see its caption and tags, get
search by a tag chip, and "more like this" (other images, not the source); keyboard only, axe-checked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PASSWORD = "Browser-Search-Password-1"
RED = "a red rose, crimson and scarlet petals, ruby light"
BLUE = "a blue ocean, azure sky, navy and cobalt waves"


@pytest.fixture(scope="module")
def searcher(stack):
    """A fresh user with one red and one blue image, both indexed."""
    email, client = stack.new_user("browser-search", PASSWORD)
    ids = {}
    for name, prompt in (("red", RED), ("blue", BLUE)):
        record = client.generate(prompt=prompt)
        assert client.wait(record["id"], timeout=90)["status"] == "COMPLETE"
        client.wait_indexed(record["id"], timeout=90)
        ids[name] = record["id"]
    return email, ids


def test_type_a_color_find_the_image_then_more_like_this(desk, searcher):
    email, ids = searcher
    page = desk.page
    desk.sign_in(email, PASSWORD)
    page.get_by_role("link", name="Gallery").click()

    # When the user types a color and presses Enter
    box = page.get_by_role("searchbox", name="Search your images")
    box.fill("red")
    box.press("Enter")
    # Then the red image comes first, with its score
    results = page.locator("#search-results > li")
    expect(results.first).to_have_attribute("data-id", ids["red"])
    expect(page.locator("#search-status")).to_contain_text("best match first")
    expect(page.locator("#gallery-grid")).to_be_hidden()
    expect(results.first.locator(".tile-score")).to_have_text(re.compile(r"^\d+%$"))
    desk.axe_check("search-results")
    desk.shot("10-search", full_page=False)

    # When the user opens it (keyboard), the detail shows what the image shows and its tags
    results.first.locator("button").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".caption-text")).not_to_be_empty()
    expect(dialog.get_by_role("button", name="Search for red")).to_be_visible()
    desk.axe_check("detail-with-tags", ".detail")

    # When they search by a tag chip, then the search box shows the tag and red comes first
    dialog.get_by_role("button", name="Search for red").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(box).to_have_value("red")
    expect(results.first).to_have_attribute("data-id", ids["red"])

    # When they ask for more like the red image, then the other images come, never the image itself
    results.first.locator("button").click()
    page.get_by_role("dialog").get_by_role("button", name="More like this").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator("#search-status")).to_contain_text("this image")
    expect(results.first).to_have_attribute("data-id", ids["blue"])
    expect(page.locator(f'#search-results > li[data-id="{ids["red"]}"]')).to_have_count(0)
    # And the search bar shows that image as a chip (its thumbnail, a clear ×), the words field emptied
    chip = page.locator("#search-image-chip")
    expect(chip).to_be_visible()
    expect(chip.locator("img")).to_have_attribute("src", re.compile(r"/images/"))
    expect(box).to_have_value("")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^(1 image like|\d+ images like) this image"))
    desk.shot("11-search-by-image-chip", full_page=False)
    # When the × is pressed, the search by image ends and the gallery is back
    chip.get_by_role("button", name="Clear the search by image").click()
    expect(chip).to_be_hidden()
    expect(page.locator("#gallery-grid")).to_be_visible()
    # (once more, for the way back below)
    box.fill("red")
    box.press("Enter")
    expect(results.first).to_have_attribute("data-id", ids["red"])
    expect(chip).to_be_hidden()

    # And back to the gallery restores the grid
    page.get_by_role("button", name="Back to the gallery").click()
    expect(page.locator("#gallery-grid")).to_be_visible()
    expect(page.locator("#search-results")).to_be_hidden()
