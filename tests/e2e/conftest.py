"""Fixtures: the local stack (see e2e_helpers.LocalStack), signed-in clients, a reference image."""

from __future__ import annotations

import uuid

import pytest

from e2e_helpers import DEMO_PASSWORD, DEMO_USER, OTHER_PASSWORD, OTHER_USER, LocalStack, create_user, png_bytes
from local.client import StudioClient
from tests.support.iam import assert_none_refused
from tests.support.suites import once, until_suite_ends


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    base = tmp_path_factory.mktemp("local-stack")
    s = LocalStack(base / "data", base / "stack.log")
    s.start()
    finish = once(lambda: (s.stop(), assert_none_refused(base / "data")))
    until_suite_ends(__file__, finish)
    yield s
    finish()


@pytest.fixture(scope="session")
def demo(stack) -> StudioClient:
    return stack.client(DEMO_USER, DEMO_PASSWORD)


@pytest.fixture(scope="session")
def other(stack) -> StudioClient:
    create_user(stack, OTHER_USER, OTHER_PASSWORD)
    return stack.client(OTHER_USER, OTHER_PASSWORD)


@pytest.fixture(scope="session")
def reference_key(demo) -> str:
    form = demo.upload(f"reference-{uuid.uuid4().hex[:6]}.png", content=png_bytes(), content_type="image/png")
    return form["imageKey"]

