"""The CloudFront Functions, run in Node with the viewer-request events CloudFront sends."""

from __future__ import annotations

import json
import subprocess

import pytest

from cdk.web import FORWARD_HOST_CODE, SPA_REWRITE_CODE, VIEWER_IP_HEADER


def run(code: str, event: dict) -> dict:
    script = f"{code}\nprocess.stdout.write(JSON.stringify(handler({json.dumps(event)})));"
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)


def event(uri: str, headers: dict | None = None, ip: str = "203.0.113.7") -> dict:
    return {"version": "1.0", "viewer": {"ip": ip},
            "request": {"method": "GET", "uri": uri, "querystring": {}, "headers": headers or {}, "cookies": {}}}


@pytest.mark.parametrize(("uri", "expected"), [
    ("/", "/index.html"),
    ("/gallery", "/index.html"),
    ("/generations/abc123", "/index.html"),
    ("/index.html", "/index.html"),
    ("/config.json", "/config.json"),
    ("/js/app.js", "/js/app.js"),
    ("/css/site.css", "/css/site.css"),
])
def test_client_side_routes_get_the_app_and_files_stay_files(uri, expected):
    assert run(SPA_REWRITE_CODE, event(uri))["uri"] == expected


def test_api_requests_carry_the_viewer_host_and_an_unspoofable_viewer_ip():
    request = run(FORWARD_HOST_CODE, event("/api/gallery", {
        "host": {"value": "studio.example.com"},
        VIEWER_IP_HEADER: {"value": "10.0.0.1"},  # sent by the client: overwritten
    }))
    assert request["uri"] == "/api/gallery"
    assert request["headers"]["x-forwarded-host"] == {"value": "studio.example.com"}
    assert request["headers"][VIEWER_IP_HEADER] == {"value": "203.0.113.7"}
