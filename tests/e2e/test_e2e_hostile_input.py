"""Hostile bodies through the local gateway (the same bytes a client sends): a 4xx in the error shape."""

from __future__ import annotations

import json

import pytest

from local.client import http

pytestmark = pytest.mark.e2e

BODIES = {
    "not-utf8": (b'{"prompt": "caf\xe9"}', "application/json", 400),
    "nested-20000": (b"[" * 20_000 + b"]" * 20_000, "application/json", 400),
    "integer-5000-digits": (b'{"count": ' + b"9" * 5000 + b"}", "application/json", 400),
    "text-plain": (b'{"prompt": "a lighthouse"}', "text/plain", 415),
    "xml": (b'{"prompt": "a lighthouse"}', "application/xml", 415),
}


@pytest.mark.parametrize("path", ["/api/generations", "/api/generations/batch", "/api/translate", "/api/suggest", "/api/uploads"])
@pytest.mark.parametrize("case", list(BODIES))
def test_a_hostile_body_is_a_4xx_in_the_error_shape(stack, demo, path, case):
    body, content_type, status = BODIES[case]
    got, _, data = http("POST", f"{demo.base_url}{path}", body=body,
                        headers={"Authorization": f"Bearer {demo.token}", "Content-Type": content_type})
    answer = json.loads(data)
    assert got == status, answer
    assert set(answer) == {"error"} and answer["error"]["code"] and answer["error"]["message"]
