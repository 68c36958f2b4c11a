"""The web UI's first load: every JavaScript and CSS file index.html pulls in, gzip-compressed,
as a ratio to the 60 KB budget (issue 9). `python -m tests.bench_web` or through tests/bench.py.

The files are found statically: index.html's stylesheets, scripts and module preloads, then every
static `import ... from "..."` / `export ... from "..."` of those modules and every CSS `@import`,
followed transitively. Dynamic `import()` is not first load and is not counted.
"""

from __future__ import annotations

import gzip
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
BUDGET_BYTES = 60 * 1024

STATIC_IMPORT = re.compile(r"""^\s*(?:import|export)\s[^'";]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']""", re.M)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""")


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("href") and ("stylesheet" in rel or "modulepreload" in rel):
            self.urls.append(a["href"])


def _local(url: str, base: str) -> tuple[str, Path] | None:
    absolute = urljoin(base, url)
    parts = urlsplit(absolute)
    if parts.scheme not in ("", "file", "http") or (parts.netloc and parts.netloc != "site"):
        return None  # third-party: not part of this site
    path = (WEB / parts.path.lstrip("/")).resolve()
    return absolute, path


def first_load_files(web: Path = WEB) -> list[Path]:
    parser = _Assets()
    parser.feed((web / "index.html").read_text(encoding="utf-8"))
    base = "http://site/index.html"
    queue = [_local(u, base) for u in parser.urls]
    seen: dict[Path, None] = {}
    while queue:
        item = queue.pop(0)
        if not item:
            continue
        url, path = item
        if path in seen or path.suffix not in (".js", ".mjs", ".css"):
            continue
        if not path.is_file():
            raise FileNotFoundError(f"index.html loads {url}, which is not in web/")
        seen[path] = None
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".css":
            queue += [_local(m, url) for m in CSS_IMPORT.findall(text)]
        else:
            queue += [_local(a or b, url) for a, b in STATIC_IMPORT.findall(text)]
    return list(seen)


def measure(web: Path = WEB, verbose: bool = True) -> dict:
    files = first_load_files(web)
    rows = []
    for path in files:
        raw = path.read_bytes()
        rows.append((path.relative_to(web).as_posix(), len(raw), len(gzip.compress(raw, compresslevel=6, mtime=0))))
    raw_total = sum(r[1] for r in rows)
    gz_total = sum(r[2] for r in rows)
    ratio = gz_total / BUDGET_BYTES
    if verbose:
        print(f"Web first load: {len(rows)} JS/CSS files, gzip, against the {BUDGET_BYTES // 1024} KB budget")
        for name, raw, gz in sorted(rows, key=lambda r: -r[2]):
            print(f"  {name:40s} {raw / 1024:7.1f} KB raw {gz / 1024:7.1f} KB gzip")
        print(f"  total                                    {raw_total / 1024:7.1f} KB raw {gz_total / 1024:7.1f} KB gzip"
              f"   x{ratio:5.2f} of budget")
    return {"files": len(rows), "raw_bytes": raw_total, "gzip_bytes": gz_total, "budget_bytes": BUDGET_BYTES, "ratio": ratio}


if __name__ == "__main__":
    result = measure()
    sys.exit(0 if result["ratio"] <= 1 else 1)
