"""Constants and helpers shared by the browser tests."""

from __future__ import annotations

import io
from pathlib import Path

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The sign-in form's words in each language of the UI (web/js/i18n.js, web/js/locales/ko.js). The form is
# found by its labels and its button's name, so every sign-in also checks that the form is labelled.
SIGN_IN_WORDS = {"en": ("Email", "Password", "Sign in"), "ko": ("이메일", "비밀번호", "로그인")}


def sign_in_page(page, url: str, user: str, password: str, language: str = "en", then: str | None = "#composer") -> None:
    """The one way the browser tests sign in: open the site when the page is elsewhere, fill the form in
    the page's language, send it, and wait for `then` (Create's composer; None to wait for nothing,
    e.g. for a refused password)."""
    email_label, password_label, button = SIGN_IN_WORDS[language]
    if not page.url.startswith(url):
        page.goto(url)
    page.get_by_label(email_label).fill(user)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=button).click()
    if then:
        page.locator(then).wait_for()


def png_file(tmp_path: Path, name: str = "reference.png", size: tuple[int, int] = (640, 480)) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (40, 72, 88))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 4, size[1] // 3, size[0] * 3 // 4, size[1]), fill=(246, 174, 45))
    draw.ellipse((20, 20, 80, 80), fill=(134, 187, 216))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path
