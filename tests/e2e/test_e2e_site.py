"""The static site as CloudFront serves it: web/, SPA fallback, content types, gzip, security headers."""

from __future__ import annotations

import gzip
import mimetypes

import pytest

from e2e_helpers import ROOT
from local.client import http

pytestmark = pytest.mark.e2e
WEB = ROOT / "web"


def test_the_site_is_served_gzipped_with_security_headers(stack):
    # When the browser asks for the page and accepts gzip
    status, headers, body = http("GET", f"{stack.url}/", headers={"Accept-Encoding": "gzip"})
    # Then it gets web/index.html, compressed, with the CloudFront security headers
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == (WEB / "index.html").read_bytes()
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_client_side_routes_fall_back_to_the_app_and_missing_files_are_404(stack):
    status, headers, body = http("GET", f"{stack.url}/gallery/some-id")
    assert status == 200 and body == (WEB / "index.html").read_bytes()
    assert http("GET", f"{stack.url}/no-such-file.js")[0] == 404


def test_every_site_file_has_its_content_type(stack):
    for file in sorted(p for p in WEB.rglob("*") if p.is_file() and not p.name.startswith(".")):
        path = "/" + file.relative_to(WEB).as_posix()
        status, headers, body = http("GET", f"{stack.url}{path}")
        assert status == 200, path
        expected = mimetypes.guess_type(file.name)[0]
        if expected:
            assert headers["Content-Type"].split(";")[0] == expected.replace("text/javascript", "application/javascript"), path
        assert body == file.read_bytes(), path
