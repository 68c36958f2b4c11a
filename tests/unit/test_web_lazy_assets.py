"""The web UI's lazily loaded views carry their own English texts (web/js/strings/<view>.js) and styles
(web/css/<view>.css): neither is part of the first load, each is brought in by a view module, and no module asks
for a text that is not loaded with it: a first-load module only for the first-load table's, a lazy view only for
those and its own imports' (otherwise the bare key shows until some other view happens to load).

Files are read as text (no JavaScript engine), like tests/unit/test_web_i18n.py and tests/bench_web.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.bench_web import first_load_files

WEB = Path(__file__).resolve().parents[2] / "web"
JS = WEB / "js"
ENTRY = re.compile(r'^\s*("(?:[^"\\]|\\.)+")\s*:', re.M)
LITERAL_KEY = re.compile(r'\bt(?:n|Or)?\(\s*"([^"]+)"')
KEY_PREFIX = re.compile(r"\bt(?:n|Or)?\(\s*`([a-z]+\.)\$\{")


def _first_load_keys() -> set[str]:
    text = (JS / "i18n.js").read_text(encoding="utf-8")
    body = text[text.index("  en: {"): text.index("\n  },", text.index("  en: {"))]
    return {json.loads(k) for k in ENTRY.findall(body)}


def _views() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((JS / "views").glob("*.js"))}


def test_no_lazy_text_or_stylesheet_is_in_the_first_load():
    first = {p.relative_to(WEB).as_posix() for p in first_load_files()}
    assert "js/i18n.js" in first and "css/app.css" in first, "the walk found the first load"
    lazy = {f"js/strings/{p.name}" for p in (JS / "strings").glob("*.js")}
    lazy |= {f"css/{p.name}" for p in (WEB / "css").glob("*.css") if p.name != "app.css"}
    assert len(lazy) >= 8
    assert sorted(lazy & first) == []


def test_each_lazy_texts_file_is_added_by_a_view_and_each_sheet_awaited_by_one():
    views = "\n".join(_views().values())
    for path in sorted((JS / "strings").glob("*.js")):
        imported = re.findall(rf'^import (\w+) from "\.\./strings/{re.escape(path.name)}";', views, re.M)
        assert imported, f"no view imports strings/{path.name}"
        assert all(re.search(rf"^addEnglish\({name}\);", views, re.M) for name in imported), path.name
    for path in sorted((WEB / "css").glob("*.css")):
        if path.name != "app.css":
            # awaited at the module's top: the view is not drawn before its styles apply
            assert re.search(rf'^await (?:Promise\.all\(\[[^\]]*)?stylesheet\("{path.stem}"\)', views, re.M), path.name


def test_first_load_modules_ask_only_for_texts_of_the_first_load_table():
    # Given the English texts the first load carries, and every first-load module's t("key") / t(`prefix.${…}`)
    table = _first_load_keys()
    code = {p.name: p.read_text(encoding="utf-8") for p in first_load_files() if p.suffix == ".js" and p.name != "i18n.js"}
    assert "main.js" in code and "lazy.js" in code
    # Then each is there before any lazy view has loaded (a key only in web/js/strings/ would show as the key)
    missing = {name: sorted(k for k in LITERAL_KEY.findall(text) if k not in table and f"{k}.other" not in table)
               for name, text in code.items()}
    assert {name: keys for name, keys in missing.items() if keys} == {}
    prefixes = {p for text in code.values() for p in KEY_PREFIX.findall(text)}
    assert prefixes, "the prefix pattern matches (t(`nav.${name}`) in main.js)"
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in table)) == []


def _static_imports(path: Path) -> set[Path]:
    text = path.read_text(encoding="utf-8")
    return {(path.parent / m).resolve() for m in re.findall(r'^import [^;]*?from "(\.[^"]+)";', text, re.M)}


def test_each_lazy_view_asks_only_for_texts_it_brings_or_the_first_load_has():
    # Given each lazily loaded view and what it loads with it: its static imports, transitively (each
    # strings/*.js among them is added before the view runs), and the first-load table
    first = {p.resolve() for p in first_load_files()}
    table = _first_load_keys()
    lazy_views = [p for p in sorted((JS / "views").glob("*.js")) if p.resolve() not in first]
    assert len(lazy_views) >= 8
    wrong = {}
    for view in lazy_views:
        seen, queue = set(), [view.resolve()]
        while queue:
            for dep in _static_imports(queue.pop()) - seen:
                seen.add(dep)
                queue.append(dep)
        brought = set(table)
        for dep in seen:
            if dep.parent == (JS / "strings").resolve():
                brought |= {json.loads(k) for k in ENTRY.findall(dep.read_text(encoding="utf-8"))}
        # Then every literal key it asks for is among them (else the bare key shows until another view loads)
        missing = sorted(k for k in LITERAL_KEY.findall(view.read_text(encoding="utf-8"))
                         if k not in brought and f"{k}.other" not in brought)
        if missing:
            wrong[view.name] = missing
    assert wrong == {}
