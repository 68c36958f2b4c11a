"""Every test here starts from clean settings, clients and a known environment (tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _clean_environment(environment):
    yield
