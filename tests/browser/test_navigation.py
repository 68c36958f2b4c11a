"""Found by a user test: Back and Forward between the views, the detail dialog when the session ends or a
link names a missing item, the edit chain's children, the compare of an outpaint, and the gallery's
empty filters. Each view is checked in a real browser and photographed."""

from __future__ import annotations

import re

import pytest

from playwright.sync_api import expect

from studio.gateway_errors import UNAUTHORIZED

RENDER_TIMEOUT = 60


@pytest.fixture(scope="module")
def picture(api):
    """A finished 1024 × 1024 image."""
    return api.wait(api.generate(prompt="a blue kite above a wheat field", seed=4242)["id"], timeout=RENDER_TIMEOUT)


def open_detail(page, url: str, record_id: str):
    page.goto(f"{url}/#/g/{record_id}")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


# --- 1. Back and Forward ----------------------------------------------------------------------------------
def test_back_and_forward_show_the_view_the_url_names(desk):
    page = desk.page
    # Given the app opened at / (Create, no hash)
    desk.sign_in()
    expect(page.locator("#composer")).to_be_visible()
    # When the user goes to the Gallery, then presses Back
    page.get_by_role("link", name="Gallery").click()
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()
    page.go_back()
    # Then Create is shown again, with its navigation link current
    expect(page.locator("#composer")).to_be_visible()
    expect(page.get_by_role("heading", name="Gallery")).to_have_count(0)
    expect(page.get_by_role("link", name="Create")).to_have_attribute("aria-current", "page")
    # And Forward shows the Gallery
    page.go_forward()
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()
    expect(page.get_by_role("link", name="Gallery")).to_have_attribute("aria-current", "page")
    # And an unknown hash is Create too
    page.evaluate("() => { location.hash = '#nonsense'; }")
    expect(page.locator("#composer")).to_be_visible()
    expect(page.get_by_role("heading", name="Gallery")).to_have_count(0)


# --- 2. the session ends while a detail is open ----------------------------------------------------------
def test_a_session_that_ends_with_a_detail_open_closes_it_and_reopens_after_sign_in(desk, picture):
    page = desk.page
    desk.sign_in()
    dialog = open_detail(page, desk.stack.url, picture["id"])
    # Given the session has ended (the API refuses the token and there is no refresh token)
    page.evaluate("() => sessionStorage.removeItem('ips.refresh')")
    page.route("**/api/**", lambda route: route.fulfill(status=401, json=UNAUTHORIZED.body()))
    # When the detail calls the API
    dialog.get_by_role("button", name="Favorite").click()
    # Then the sign-in form shows and no dialog is left over it
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#main")).to_contain_text("session ended")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.get_by_role("button", name="Re-run exactly")).to_have_count(0)
    desk.shot("60-signed-out-with-detail")
    # And signing in again reopens the linked detail
    page.unroute("**/api/**")
    page.get_by_label("Email").fill(desk.stack.user)
    page.get_by_label("Password").fill(desk.stack.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page).to_have_url(re.compile(f"#/g/{picture['id']}$"))


def test_signing_out_from_the_header_closes_the_detail(desk, picture):
    page = desk.page
    desk.sign_in()
    open_detail(page, desk.stack.url, picture["id"])
    # When the session is ended from the header's Sign out (the dialog is modal: by script)
    page.evaluate("() => document.getElementById('signout').click()")
    # Then the sign-in form is visible and no dialog is open
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("dialog[open]")).to_have_count(0)


# --- 3. a link to a missing item while another detail is open --------------------------------------------
def test_a_missing_item_link_closes_the_detail_that_was_open(desk, picture):
    page = desk.page
    desk.sign_in()
    page.get_by_role("link", name="Gallery").click()
    page.locator(f'#gallery-grid li[data-id="{picture["id"]}"] button').click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # When the URL is changed to an id that does not exist
    page.evaluate("() => { location.hash = '#/g/doesnotexist'; }")
    # Then the toast says so, the URL goes back to the gallery and the old detail is closed
    expect(page.locator(".toast")).to_contain_text("no longer exists")
    expect(page).to_have_url(re.compile("#gallery$"))
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()
    desk.shot("61-missing-link-closes-detail", full_page=False)
