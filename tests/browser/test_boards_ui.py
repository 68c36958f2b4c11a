"""Boards in a real browser: make a board, add an image to it from the image's detail, open the board,
share it, set its cover and export it as a ZIP; put a selection of the gallery on a new board; another signed-in user then
sees the shared board (read-only). axe-checked."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile

import pytest
from playwright.sync_api import expect

from local.client import ApiError, StudioClient

PASSWORD = "Browser-Boards-Password-1"


def new_user(stack) -> tuple[str, StudioClient]:
    return stack.new_user("browser-boards", PASSWORD)


@pytest.fixture(scope="module")
def collector(stack):
    """A fresh user with one finished image."""
    email, client = new_user(stack)
    record = client.generate(prompt="a lighthouse in the fog at dawn", public=True)
    assert client.wait(record["id"], timeout=90)["status"] == "COMPLETE"
    return email, client, record["id"]


def test_create_a_board_add_an_image_from_its_detail_then_share_it(desk, stack, collector):
    email, client, image_id = collector
    page = desk.page
    desk.sign_in(email, PASSWORD)

    # When the user makes a board on the Boards page
    page.get_by_role("link", name="Boards").click()
    page.get_by_label("New board").fill("Coast")
    page.get_by_role("button", name="Make board").click()
    card = page.locator("#boards-grid > li")
    expect(card).to_have_count(1)
    expect(card.first).to_contain_text("Coast")
    expect(card.first).to_contain_text("0 images")
    desk.axe_check("boards")

    # And adds the image to it from the image's detail
    page.get_by_role("link", name="Gallery").click()
    page.locator(f'#gallery-grid li[data-id="{image_id}"] button').first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Add to board").click()
    expect(dialog.locator("#board-pick option", has_text="Coast")).to_have_count(1)
    dialog.locator("#board-pick").select_option(label="Coast")
    dialog.locator("#board-pick-add").click()
    expect(dialog.locator(".board-pick [role=status]")).to_have_text("Added to “Coast”.")
    dialog.get_by_role("button", name="Close").click()

    # Then the board's page lists it, and the owner shares the board
    page.get_by_role("link", name="Boards").click()
    page.locator("#boards-grid a", has_text="Coast").click()
    expect(page.locator("#board-title")).to_have_text("Coast")
    expect(page.locator(f'#board-items li[data-id="{image_id}"]')).to_have_count(1)
    page.get_by_label("Shared: every signed-in user may see it (read-only)").check()
    expect(page.locator(".boards .gallery-foot [role=status]")).to_contain_text("shared")
    page.locator(f'#board-items li[data-id="{image_id}"] [data-action=cover]').click()
    expect(page.locator("#toasts")).to_contain_text("Cover set.")

    # And exports it: the worker assembles the ZIP in storage, the page shows progress, then a link to it
    page.locator("#board-export-button").click()
    expect(page.locator("#board-export-status")).to_have_text("ZIP ready: 1 image.", timeout=60_000)
    link = page.locator("#board-export-download")
    expect(link).to_be_visible()
    with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as answer:  # the presigned link itself
        archive = zipfile.ZipFile(io.BytesIO(answer.read()))
    assert sorted(archive.namelist()) == [f"{image_id}-0.png", "metadata.json"]
    assert json.loads(archive.read("metadata.json"))["images"][0]["prompt"] == "a lighthouse in the fog at dawn"
    desk.axe_check("board-page")
    desk.shot("20-board")

    # And, in the gallery's select mode, picks the image and puts it on a new board
    page.get_by_role("link", name="Gallery").click()
    page.locator("#gallery-select").click()
    tile = page.locator(f'#gallery-grid li[data-id="{image_id}"] .tile')
    tile.click()
    expect(tile).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#gallery-selected")).to_have_text("1 selected")
    expect(page.get_by_role("dialog")).to_have_count(0)  # picked, not opened
    page.locator("#board-pick-new").fill("Picks")
    page.locator("#board-pick-add").click()
    expect(page.locator(".gallery-select-bar .board-pick [role=status]")).to_have_text("Added to “Picks”.")
    # and exports the selection as a ZIP from the same bar
    page.locator("#gallery-export-button").click()
    expect(page.locator("#gallery-export-status")).to_have_text("ZIP ready: 1 image.", timeout=60_000)
    expect(page.locator("#gallery-export-download")).to_be_visible()
    desk.axe_check("gallery-select", "#main")  # not the fading toast

    # And another signed-in user finds it among the shared boards, but cannot change it
    boards = {b["name"]: b for b in client.request("GET", "/boards")["items"]}
    board = boards["Coast"]
    assert board["cover"]["generationId"] == image_id
    assert [i["id"] for i in client.request("GET", f"/boards/{boards['Picks']['id']}/items")["items"]] == [image_id]
    _, other = new_user(stack)
    assert board["id"] in [b["id"] for b in other.request("GET", "/boards", query={"scope": "all"})["items"]]
    assert [i["id"] for i in other.request("GET", f"/boards/{board['id']}/items")["items"]] == [image_id]
    with pytest.raises(ApiError) as refused:
        other.request("PATCH", f"/boards/{board['id']}", {"name": "mine"})
    assert refused.value.status == 403


def test_boards_on_a_phone_fit_the_screen_in_korean(phone, collector):
    email, client, image_id = collector
    board = client.request("POST", "/boards", {"name": "바다 Coast"})
    client.request("PUT", f"/boards/{board['id']}/items/{image_id}")
    page = phone.page
    phone.sign_in(email, PASSWORD)
    page.locator("#lang").select_option("ko")
    page.get_by_role("link", name="보드").click()
    expect(page.locator("#boards-grid a", has_text="바다 Coast")).to_contain_text("이미지 1개")
    page.locator("#boards-grid a", has_text="바다 Coast").click()
    expect(page.locator(f'#board-items li[data-id="{image_id}"]')).to_have_count(1)
    # Nothing wider than the phone's screen
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    phone.axe_check("board-page-phone", "#main")
    phone.shot("21-board")
