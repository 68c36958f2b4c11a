"""A model Bedrock is retiring (GET /models checkedLifecycle, from the daily lifecycle check): the model picker
marks it and says when it stops working, in the user's language."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

CORE = "stability.stable-image-core-v1:1"
LEAVING = {"modelId": CORE, "region": "us-west-2", "status": "LEGACY", "legacySince": "2026-12-01",
           "endOfLife": "2027-01-15", "daysLeft": 43, "attention": True, "checkedAt": "2026-12-03T00:00:00.000Z",
           "notice": "Bedrock lists it as legacy."}


def retiring(route):
    """GET /models as the API answers it, with Stable Image Core found LEGACY by the daily check."""
    answer = route.fetch()
    body = answer.json()
    for model in body["imageModels"]:
        if model["modelId"] == CORE:
            model["checkedLifecycle"] = LEAVING
    body["modelNotices"] = [LEAVING]
    route.fulfill(response=answer, body=json.dumps(body))


def test_a_model_bedrock_is_retiring_is_marked_on_the_picker_with_its_date(session_factory):
    session = session_factory()
    page = session.page
    page.route("**/api/models", retiring)
    session.sign_in()
    picker = page.locator("#compose-model")
    expect(picker.locator(f"option[value='{CORE}']")).to_have_text("⚠ Stable Image Core (leaving)")
    expect(page.locator("#compose-model-hint")).to_contain_text(
        "Bedrock is retiring this model: it stops working on 2027-01-15 (43 days left). Choose another model.")
    session.axe_check("composer with a model leaving")
    session.shot("model-leaving")


def test_in_korean_too(session_factory):
    ko = session_factory(locale="ko-KR")
    page = ko.page
    page.route("**/api/models", retiring)
    ko.sign_in()
    expect(page.locator(f"#compose-model option[value='{CORE}']")).to_have_text("⚠ Stable Image Core (종료 예정)")
    expect(page.locator("#compose-model-hint")).to_contain_text("2027-01-15부터 작동하지 않습니다(43일 남음)")


def test_model_names_are_shown_whole_with_their_price(session_factory):
    from browser_helpers import PHONE

    for viewport in (None, PHONE):
        s = session_factory(viewport) if viewport else session_factory()
        page = s.page
        s.sign_in()
        # Given the mode whose models have the longest names
        page.locator("label[for=compose-mode-structure]").click()
        expect(page.locator("#compose-model")).to_contain_text("Stable Image Control Structure")
        # Then the chosen name fits inside the picker (not "Stable Image Control St…"), its price beside it
        page.wait_for_function("""() => {
            const select = document.getElementById("compose-model");
            const style = getComputedStyle(select);
            const ctx = document.createElement("canvas").getContext("2d");
            ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            const text = select.options[select.selectedIndex].text;
            const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return text === "Stable Image Control Structure" && ctx.measureText(text).width <= room;
        }""")
        expect(page.locator("#compose-model-hint")).to_have_text(re.compile(r"^\$0\.\d+ an image$"))
        page.locator("#compose-model").scroll_into_view_if_needed()
        s.shot("74-model-picker", full_page=False)
        s.close()
