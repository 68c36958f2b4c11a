"""schemathesis over the served OpenAPI document: no server error, every response as documented.

Every operation of GET /api/openapi.json (the document the local stack serves) gets valid and
invalid requests generated from its schema, with a signed-in user's token (a fresh user per
operation, and a new one every few requests, so no daily quota masks what the API answers). Each
response is checked with schemathesis's `not_a_server_error`, `response_schema_conformance`,
`status_code_conformance`, `content_type_conformance` and `response_headers_conformance`.

(schemathesis's own pytest loader, `schemathesis.pytest.from_fixture`, fails under pytest 9.2: it sets
a node attribute pytest no longer has. So each operation is a plain parametrized test that draws its
cases from `operation.as_strategy()` with Hypothesis.)

Bounded for CI: seeded (derandomized; set FUZZ_SEED to explore other inputs), FUZZ_EXAMPLES valid and
as many invalid requests per operation at most, and the whole suite stops sending once FUZZ_SECONDS
have passed. No shrinking: the first failure is reported as it was sent.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from e2e_helpers import create_user
from local.client import StudioClient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))  # per operation and per mode (valid, invalid)
BUDGET_SECONDS = float(os.environ.get("FUZZ_SECONDS", "120"))  # for the whole suite
SEED = os.environ.get("FUZZ_SEED")
REQUESTS_PER_USER = 25
PASSWORD = "Fuzz-Password-1"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance,
          response_headers_conformance]
# The operations, read at collection from the document the stack serves (the gallery function serves
# this file as is; a test in tests/integration keeps it current, another below checks it is served).
DOCUMENT = json.loads((ROOT / "functions" / "gallery" / "openapi.json").read_text(encoding="utf-8"))
OPERATIONS = [(method.upper(), path) for path, ops in sorted(DOCUMENT["paths"].items()) for method in sorted(ops)]
_started: list[float] = []
TALLY = {"requests": 0, "statuses": {}, "cut_by_budget": 0}  # reported by conftest.py


def budget_left() -> bool:
    if not _started:
        _started.append(time.monotonic())
    return time.monotonic() - _started[0] < BUDGET_SECONDS


class Users:
    """A signed-in user, replaced by a fresh one every REQUESTS_PER_USER requests."""

    def __init__(self, stack) -> None:
        self.stack = stack
        self.used = REQUESTS_PER_USER
        self.token = ""

    def header(self) -> dict[str, str]:
        if self.used >= REQUESTS_PER_USER:
            email = f"fuzz-{uuid.uuid4().hex[:12]}@studio.local"
            create_user(self.stack, email, PASSWORD)
            client = StudioClient(self.stack.url)
            client.sign_in(email, PASSWORD)
            self.token, self.used = client.token, 0
        self.used += 1
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def api_schema(fuzz_stack):
    return schemathesis.openapi.from_url(f"{fuzz_stack.url}/api/openapi.json", timeout=30)


def test_the_served_document_is_the_one_the_suite_fuzzes(api_schema):
    assert api_schema.raw_schema == DOCUMENT


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_answers_as_documented(api_schema, fuzz_stack, method, path, mode):
    operation = api_schema[path][method]
    users = Users(fuzz_stack)
    base_url = f"{fuzz_stack.url}/api"
    sent = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=SEED is None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        if not budget_left():
            TALLY["cut_by_budget"] += 1
            return
        sent.append(case)
        headers = users.header()
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        TALLY["requests"] += 1
        TALLY["statuses"][response.status_code] = TALLY["statuses"].get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    if SEED is not None:
        fuzz = seed(int(SEED))(fuzz)
    fuzz()
    if not sent and budget_left():
        pytest.fail(f"no request was generated for {method} {path} ({mode.value})")
