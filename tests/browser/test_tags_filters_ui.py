"""Tags you can edit and the gallery's filter bar (issue 22, points 2 and 3), in a real browser.

Tags: the owner adds one (Enter), removes one (×), sees the server's 422 rule in place for a bad one, and a
tag chip is a link to the gallery filtered by that tag. Filters: model + date + tag combined, their chips,
one removed, the URL hash surviving a reload, the empty state naming the filters and clearing them; a
board's page with the same bar."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from playwright.sync_api import expect


PASSWORD = "Browser-Tags-Password-1"
CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"


@pytest.fixture(scope="module")
def owner(stack):
    """A user of its own with two finished images: one on Stable Image Core, square, tagged "harbor";
    one on Stable Image Ultra, wide, untagged."""
    email, client = stack.new_user("browser-tags", PASSWORD)
    core = client.generate(prompt="a harbor at dawn with red boats", modelId=CORE, width=1024, height=1024)
    ultra = client.generate(prompt="a wide desert road at noon", modelId=ULTRA, width=1344, height=768)
    for record in (core, ultra):
        assert client.wait(record["id"], timeout=90)["status"] == "COMPLETE"
    client.patch(core["id"], tags=["harbor"])
    return email, client, core["id"], ultra["id"]


def tile(page, image_id):
    return page.locator(f'#gallery-grid li[data-id="{image_id}"]')


def test_the_owner_edits_tags_in_the_detail_and_a_tag_opens_the_gallery_filtered(desk, owner):
    email, client, core_id, ultra_id = owner
    page = desk.page
    desk.sign_in(email, PASSWORD)
    page.goto(f"{desk.stack.url}/#/g/{core_id}")
    dialog = page.get_by_role("dialog")
    tags = dialog.locator("#tag-list")
    expect(tags.get_by_role("link", name="Show images tagged harbor")).to_be_visible()

    # When the owner adds a tag (Enter), it joins the chips and the record
    dialog.get_by_label("Add a tag").fill("  Red   Boats ")
    dialog.get_by_label("Add a tag").press("Enter")
    expect(tags.get_by_role("link", name="Show images tagged red boats")).to_be_visible()
    assert client.generation(core_id)["tags"] == ["harbor", "red boats"]

    # When they add one the server refuses, its rule shows in place and nothing changes
    dialog.get_by_label("Add a tag").fill("boats!")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog.locator("#tag-error")).to_contain_text(re.compile(r"^Tag not saved: .*is not a tag.*letters, digits"))
    expect(dialog.get_by_label("Add a tag")).to_be_focused()
    assert client.generation(core_id)["tags"] == ["harbor", "red boats"]

    # When they remove one (×, named for it), it goes
    dialog.get_by_role("button", name="Remove tag red boats").click()
    expect(tags.get_by_role("link", name="Show images tagged red boats")).to_have_count(0)
    expect(dialog.locator("#tag-error")).to_be_empty()
    assert client.generation(core_id)["tags"] == ["harbor"]
    desk.axe_check("detail-tags", ".detail")

    # When they follow the tag, the gallery shows only the images with it, the filter as a chip
    tags.get_by_role("link", name="Show images tagged harbor").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"#gallery\?tag=harbor$"))
    expect(tile(page, core_id)).to_have_count(1)
    expect(page.locator("#gallery-grid > li")).to_have_count(1)
    expect(page.locator("#gallery-filters-chips")).to_have_text(re.compile(r"Tag: harbor"))
    expect(page.locator("#gallery-filters-tag")).to_have_value("harbor")


def test_someone_else_sees_the_tags_read_only(desk, stack, owner):
    email, client, core_id, _ = owner
    client.patch(core_id, public=True)
    other, _ = stack.new_user("browser-tags-other", PASSWORD)
    desk.sign_in(other, PASSWORD)
    desk.page.goto(f"{stack.url}/#/g/{core_id}")
    dialog = desk.page.get_by_role("dialog")
    link = dialog.locator("#tag-list").get_by_role("link", name="Show images tagged harbor")
    expect(link).to_have_attribute("href", "#gallery?scope=all&tag=harbor")
    expect(dialog.get_by_label("Add a tag")).to_have_count(0)
    expect(dialog.get_by_role("button", name=re.compile("^Remove tag"))).to_have_count(0)
    client.patch(core_id, public=False)


def test_the_filter_bar_combines_model_date_and_tag_keeps_them_in_the_url_and_clears_them(desk, owner):
    email, client, core_id, ultra_id = owner
    page = desk.page
    today = datetime.now(timezone.utc).date()  # the records were made today (UTC); a day either side keeps a midnight run right
    desk.sign_in(email, PASSWORD)
    page.get_by_role("link", name="Gallery").click()
    expect(tile(page, ultra_id)).to_have_count(1)

    # When the user picks a model, a date range and a tag
    page.locator("#gallery-filters-model").select_option(CORE)
    expect(tile(page, ultra_id)).to_have_count(0)
    page.locator("#gallery-filters-from").fill((today - timedelta(days=1)).isoformat())
    page.locator("#gallery-filters-to").fill((today + timedelta(days=1)).isoformat())
    page.locator("#gallery-filters-tag").fill("harbor")
    page.locator("#gallery-filters-tag").press("Enter")
    # Then the grid holds what fits all of them, each filter a chip, all of it in the URL
    expect(page).to_have_url(re.compile(r"tag=harbor"))
    expect(tile(page, core_id)).to_have_count(1)
    expect(page.locator("#gallery-grid > li")).to_have_count(1)
    chips = page.locator("#gallery-filters-chips > li > span")
    expect(chips).to_have_text(["Tag: harbor", "Model: Stable Image Core",
                                f"From: {(today - timedelta(days=1)).isoformat()}", f"To: {(today + timedelta(days=1)).isoformat()}"])
    url = page.url
    assert f"model={quote(CORE, safe='')}" in url and "createdFrom=" in url and "createdTo=" in url
    desk.axe_check("gallery-filters", "#main")
    desk.shot("23-gallery-filters", full_page=False)

    # When the page is reloaded, the filters and the result stay
    page.reload()
    expect(tile(page, core_id)).to_have_count(1)
    expect(page.locator("#gallery-filters-model")).to_have_value(CORE)
    expect(chips).to_have_count(4)

    # When a date range holds nothing, the empty state names the filters and offers to clear them
    page.locator("#gallery-filters-to").fill((today - timedelta(days=2)).isoformat())
    page.locator("#gallery-filters-from").fill((today - timedelta(days=3)).isoformat())
    empty = page.locator("#gallery-empty")
    expect(empty).to_contain_text("No images match these filters: Tag: harbor · Model: Stable Image Core")
    expect(page.locator("#gallery-grid > li")).to_have_count(0)

    # When a chip's × is pressed only that filter goes; "Clear filters" clears the rest
    page.get_by_role("button", name="Remove filter Tag: harbor").click()
    expect(chips).to_have_count(3)
    expect(page).not_to_have_url(re.compile(r"tag="))
    empty.get_by_role("button", name="Clear filters").click()
    expect(chips).to_have_count(0)
    expect(tile(page, ultra_id)).to_have_count(1)
    expect(tile(page, core_id)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"#gallery$"))

    # When the server refuses a range (from after to), its message shows, not a blank grid
    page.locator("#gallery-filters-from").fill((today + timedelta(days=2)).isoformat())
    page.locator("#gallery-filters-to").fill(today.isoformat())
    expect(page.locator("#gallery-error")).to_contain_text("Filter not accepted:")
    expect(page.locator("#gallery-error")).to_contain_text("createdFrom")

    # And a board's page has the same bar, its filters in its URL, the board's order kept
    board = client.request("POST", "/boards", {"name": "Both"})
    client.request("POST", f"/boards/{board['id']}/items/batch", {"add": [core_id, ultra_id]})
    page.goto(f"{desk.stack.url}/#boards/{board['id']}?aspect=landscape")
    expect(page.locator("#board-filters-chips > li > span")).to_have_text(["Shape: Landscape"])
    expect(page.locator("#board-items > li")).to_have_count(1)
    expect(page.locator(f'#board-items li[data-id="{ultra_id}"]')).to_have_count(1)
    page.locator("#board-filters-clear").click()
    expect(page.locator("#board-items > li")).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"#boards/{board['id']}$"))
