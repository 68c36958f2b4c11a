"""From Create's results (issue 22: images are added to boards "from the results", compared "from ... the
results", a selection exported): a batch grid's "Add to board" uses the boards' picker, and the results'
select mode picks two results and exports them as one ZIP."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from test_batch_compare import PASSWORD, fresh_user


def test_from_the_results_add_a_batch_to_a_board_then_select_two_and_export_them(desk, stack):
    email, client = fresh_user(stack)
    page = desk.page
    desk.sign_in(email, PASSWORD)
    # Given a prompt rendered on two models
    page.locator("#compose-prompt").fill("a red bicycle against a blue wall")
    page.get_by_label(re.compile(r"^Stable Image Ultra")).check()
    page.locator("#compose-render").click()
    card = page.locator(".result-batch")
    expect(card.locator('.batch-cell[data-status="COMPLETE"]')).to_have_count(2)
    ids = [cell.get_attribute("data-id") for cell in card.locator(".batch-cell").all()]

    # When the grid's "Add to board" puts both on a new board
    card.get_by_role("button", name="Add to board").click()
    card.locator("#board-pick-new").fill("From results")
    card.locator("#board-pick-add").click()
    # Then they are on it, in the grid's order
    expect(card.locator(".board-pick [role=status]")).to_have_text("2 added to “From results”.")
    [board] = [b for b in client.request("GET", "/boards")["items"] if b["name"] == "From results"]
    items = client.request("GET", f"/boards/{board['id']}/items")["items"]
    assert [i["id"] for i in items] == ids

    # When the results' select mode picks both (a tap picks instead of opening the detail)
    page.locator("#results-select").click()
    expect(page.locator("#results-select")).to_have_attribute("aria-pressed", "true")
    for cell in card.locator(".batch-cell").all():
        cell.locator(".thumb").click()
        expect(cell.locator(".thumb")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#results-selected")).to_have_text("2 selected")
    expect(page.locator("#results-compare")).to_be_enabled()
    # And exports the selection
    page.locator("#results-export-button").click()
    # Then one ZIP of the two images is ready
    expect(page.locator("#results-export-status")).to_have_text("ZIP ready: 2 images.")
    expect(page.locator("#results-export-download")).to_have_attribute("href", re.compile("X-Amz-Signature="))
    desk.axe_check("results-select", "#results")
    desk.shot("22-results-select", full_page=False)
    # And leaving select mode, a tap opens the image again
    page.locator("#results-select").click()
    expect(page.locator("#results-select-bar")).to_have_count(0)
    card.locator(".batch-cell .thumb").first.click()
    expect(page.locator("dialog.detail")).to_be_visible()
