"""The web UI's strings (English in web/js/i18n.js plus one file per lazily loaded view in web/js/strings/,
Korean in web/js/locales/ko.js, fetched only when chosen): both have the same keys and placeholders, every key the code asks for exists, and no Korean
string is left in English.

The files are read as text (no JavaScript engine): each table is a block of `"key": "text",` lines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
I18N = WEB / "js" / "i18n.js"
KOREAN = WEB / "js" / "locales" / "ko.js"
# English texts of views loaded on first use (addEnglish in i18n.js): not part of the first load.
LAZY_ENGLISH = WEB / "js" / "strings"
ENTRY = re.compile(r'^\s*("(?:[^"\\]|\\.)+")\s*:\s*("(?:[^"\\]|\\.)*")\s*,?\s*$', re.M)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Strings that are the same in both languages on purpose (a name, a formula, a layout of values).
SAME_IN_BOTH = {"app.name", "cost.line", "results.announce", "gallery.item", "edit.upscaleOut",
                "search.forWords"}


def _entries(text: str, start: str, end: str) -> list[tuple[str, str]]:
    body = text[text.index(start): text.index(end, text.index(start))]
    return [(json.loads(k), json.loads(v)) for k, v in ENTRY.findall(body)]


def _block(text: str, start: str, end: str, more: list[tuple[str, str]] = ()) -> dict[str, str]:
    entries = _entries(text, start, end) + list(more)
    keys = [k for k, _ in entries]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"keys defined twice in {start.strip()}: {duplicates}"
    return dict(entries)


@pytest.fixture(scope="module")
def strings() -> dict[str, dict[str, str]]:
    lazy = [entry for path in sorted(LAZY_ENGLISH.glob("*.js"))
            for entry in _entries(path.read_text(encoding="utf-8"), "export default {", "\n};")]
    return {"en": _block(I18N.read_text(encoding="utf-8"), "  en: {", "\n  },", lazy),
            "ko": _block(KOREAN.read_text(encoding="utf-8"), "export default {", "\n};")}


def _code() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((WEB / "js").rglob("*.js"))
                     if p not in (I18N, KOREAN) and p.parent != LAZY_ENGLISH)


def test_both_languages_have_the_same_keys(strings):
    # Given the two string tables / Then neither lacks a key of the other
    en, ko = strings["en"], strings["ko"]
    assert len(en) > 200, "the parser found the English table"
    assert sorted(set(en) - set(ko)) == [], "keys missing in Korean"
    assert sorted(set(ko) - set(en)) == [], "keys missing in English"


def test_placeholders_match_between_languages(strings):
    en, ko = strings["en"], strings["ko"]
    wrong = {k: (PLACEHOLDER.findall(en[k]), PLACEHOLDER.findall(ko[k])) for k in en
             if sorted(PLACEHOLDER.findall(en[k])) != sorted(PLACEHOLDER.findall(ko.get(k, "")))}
    assert wrong == {}


def test_no_korean_string_is_left_in_english(strings):
    en, ko = strings["en"], strings["ko"]
    untranslated = sorted(k for k in en if k not in SAME_IN_BOTH and ko.get(k) == en[k])
    assert untranslated == []
    latin_only = sorted(k for k, v in ko.items() if k not in SAME_IN_BOTH
                        and re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", v)) and not re.search(r"[\uac00-\ud7a3]", v))
    assert latin_only == [], "Korean strings without any Korean"


def test_every_key_the_code_asks_for_exists(strings):
    # Given every literal t("key") / tOr("key") in web/js
    code = _code()
    literal = set(re.findall(r'\bt(?:Or)?\(\s*"([^"]+)"', code))
    # When a key is built from a prefix (t(`op.${name}`)), the prefix must have keys
    prefixes = set(re.findall(r"\bt(?:Or)?\(\s*`([a-z]+\.)\$\{", code))
    # Then every literal exists in both languages, and every prefix names some keys
    assert sorted(literal - set(strings["en"])) == []
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in strings["en"])) == []


@pytest.mark.parametrize("prefix, values", [
    ("op.", ["inpaint", "erase", "search-replace", "search-recolor", "remove-background", "outpaint",
             "upscale-fast", "upscale-conservative", "upscale-creative"]),
    ("mode.", ["text", "color", "structure", "variation", "sketch", "style", "style-transfer", "edit"]),
    ("status.", ["PENDING", "RUNNING", "COMPLETE", "FAILED"]),
    ("axis.", ["mood", "texture", "composition"]),
])
def test_values_from_the_api_have_a_label_in_both_languages(strings, prefix, values):
    for lang in ("en", "ko"):
        assert [v for v in values if f"{prefix}{v}" not in strings[lang]] == [], lang


def test_the_checker_fails_on_a_missing_key(tmp_path):
    # Given a table whose Korean block lacks a key / Then the comparison sees it (the test can fail)
    text = 'const STRINGS = {\n  en: {\n    "a": "A",\n    "b": "B {n}",\n  },\n  ko: {\n    "a": "가",\n  },\n};\n'
    en, ko = _block(text, "  en: {", "\n  },"), _block(text, "  ko: {", "\n  },")
    assert set(en) - set(ko) == {"b"}
