"""One prompt on several models, and compare (issue 22, points 5 and 4), in a real browser.

Batch: the composer offers more models, shows the summed cost before spending, and Results shows a
grid with each model's image, cost and time. Compare: from that grid, and from the gallery's
multi-select on a phone (swipe between the images), settings diffed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import DESKTOP, PHONE
from playwright.sync_api import expect

from local.client import StudioClient

PASSWORD = "Browser-Compare-Password-1"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"  # as the Session's shots
CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"


def fresh_user(stack) -> tuple[str, StudioClient]:
    """A user of its own: the batch's quota and gallery are not shared with other tests."""
    return stack.new_user("browser-compare", PASSWORD)


def test_one_prompt_on_two_models_shows_the_summed_cost_then_a_grid_then_compare(desk, stack):
    email, client = fresh_user(stack)
    page = desk.page
    desk.sign_in(email, PASSWORD)
    page.locator("#compose-prompt").fill("a lighthouse at dusk, oil painting")
    cost = page.locator("#compose-cost")
    single = cost.inner_text()
    # When the user also renders on Stable Image Ultra
    page.get_by_label(re.compile(r"^Stable Image Ultra")).check()
    # Then the summed cost of both models shows before anything is spent, on the button too
    expect(cost).not_to_have_text(single)
    expect(page.locator("#compose-render")).to_contain_text("Render on 2 models")
    expect(page.locator("#compose-render .btn-cost")).to_contain_text(f"2 images = {cost.inner_text()}")
    desk.shot("22-batch-composer", full_page=False)
    page.locator("#compose-render").click()

    # Then Results shows one grid with a cell per model, each finishing with its image, cost and time
    card = page.locator(".result-batch")
    cells = card.locator(".batch-cell")
    expect(cells).to_have_count(2)
    expect(card.locator('.batch-cell[data-status="COMPLETE"]')).to_have_count(2)
    expect(card.locator(f'.batch-cell[data-model="{ULTRA}"]')).to_have_count(1)
    expect(card.locator(f'.batch-cell[data-model="{CORE}"]')).to_have_count(1)
    for cell in cells.all():
        expect(cell.locator("img")).to_be_visible()
        expect(cell.locator(".batch-cost")).to_have_text(re.compile(r"\$0\.\d+"))
        expect(cell.locator(".batch-time")).to_have_text(re.compile(r"^\d+(\.\d)? s$"))
    seeds = {cell.locator(".batch-facts dd").nth(2).inner_text() for cell in cells.all()}
    assert len(seeds) == 1, seeds  # the same seed on both models
    card.scroll_into_view_if_needed()
    desk.axe_check("batch-grid", "#results")
    desk.shot("22-batch-grid", full_page=False)
    # The same grid on a phone's width (the cells wrap; nothing is cut off)
    page.set_viewport_size(PHONE)
    card.scroll_into_view_if_needed()
    expect(card.locator(".batch-cell img").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SHOTS / "22-batch-grid-phone.png"), animations="disabled")
    page.set_viewport_size(DESKTOP)

    # When the user compares them: side by side, the model differs and the seed and prompt do not
    card.get_by_role("button", name=re.compile("Compare 2 side by side")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".compare-col")).to_have_count(2)
    expect(dialog.locator('dd[data-setting="model"].differs')).to_have_count(2)
    expect(dialog.locator('dd[data-setting="seed"].differs')).to_have_count(0)
    expect(dialog.locator(".compare-diff-count")).to_have_text(["The base prompt", "Same prompt"])
    desk.axe_check("compare", ".compare")
    desk.shot("22-compare", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(card.get_by_role("button", name=re.compile("Compare 2 side by side"))).to_be_focused()

    # When the user shows the batch in the gallery, it holds the batch's two records, not their other images
    other = client.generate(prompt="a quiet pond, not in the batch")
    assert client.wait(other["id"], timeout=90)["status"] == "COMPLETE"
    ids = sorted(cell.get_attribute("data-id") for cell in cells.all())
    card.get_by_role("link", name="Show in gallery").click()
    expect(page.locator("#gallery-filters-chips > li")).to_have_count(1)
    expect(page.locator("#gallery-grid > li")).to_have_count(2)
    assert sorted(li.get_attribute("data-id") for li in page.locator("#gallery-grid > li").all()) == ids


@pytest.fixture(scope="module")
def two_images(stack):
    """A user with two finished images whose prompts differ by words."""
    email, client = fresh_user(stack)
    ids = []
    for prompt in ("a red house on a hill", "a tall blue house on a hill at night"):
        record = client.generate(prompt=prompt)
        assert client.wait(record["id"], timeout=90)["status"] == "COMPLETE"
        ids.append(record["id"])
    return email, ids


def test_compare_from_the_gallery_on_a_phone_diffs_the_prompt_and_swipes(session_factory, two_images):
    phone = session_factory(PHONE, "ko-KR")
    email, ids = two_images
    page = phone.page
    phone.sign_in(email, PASSWORD)  # (by the Korean page's own labels)
    page.goto(phone.stack.url + "/#gallery")
    grid = page.locator("#gallery-grid")
    expect(grid.locator("li[data-id]")).to_have_count(2)
    # When the user selects both images (Korean UI) and compares them
    page.locator("#gallery-select").click()
    expect(page.locator("#gallery-select")).to_have_text("선택 끝내기")
    for generation_id in ids:
        grid.locator(f'li[data-id="{generation_id}"] .tile').click()
    expect(page.locator("#gallery-selected")).to_have_text("2개 선택됨")
    expect(page.locator("#compare-go")).to_be_enabled()
    page.locator("#compare-go").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".compare-col")).to_have_count(2)
    # Then the second one's prompt shows the words added and removed against the first
    newer, older = dialog.locator(".compare-col").nth(0), dialog.locator(".compare-col").nth(1)
    base_prompt = newer.locator(".compare-prompt").inner_text()
    other = older.locator(".compare-prompt")
    expect(other.locator("ins").first).to_be_visible()
    assert other.locator("del").count() + other.locator("ins").count() >= 2
    assert base_prompt in ("a red house on a hill", "a tall blue house on a hill at night")
    # And on a phone one image fills the width; a swipe (a horizontal scroll that snaps) shows the next
    strip = dialog.locator("#compare-strip")
    assert strip.evaluate("el => getComputedStyle(el).scrollSnapType").startswith("x")
    width = strip.evaluate("el => el.clientWidth")
    assert abs(newer.bounding_box()["width"] - width) < 2
    expect(page.locator("#compare-position")).to_have_text("2개 중 1번째")
    phone.shot("22-compare-swipe-1", full_page=False)
    strip.evaluate("el => el.scrollTo({ left: el.clientWidth })")
    expect(page.locator("#compare-position")).to_have_text("2개 중 2번째")
    page.locator("#compare-prev").click()
    expect(page.locator("#compare-position")).to_have_text("2개 중 1번째")
    phone.axe_check("compare-phone", ".compare")
    phone.shot("22-compare-phone", full_page=False)
