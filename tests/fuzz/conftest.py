"""The fuzz suite's own local stack (as tests/e2e starts one), and the served OpenAPI document."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from e2e_helpers import LocalStack  # noqa: E402
from tests.support.iam import assert_none_refused  # noqa: E402
from tests.support.suites import once, until_suite_ends  # noqa: E402


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/fuzz" in str(item.fspath):
            item.add_marker(pytest.mark.fuzz)


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz-stack")
    stack = LocalStack(base / "data", base / "stack.log")
    stack.start()
    finish = once(lambda: (stack.stop(), assert_none_refused(base / "data")))
    until_suite_ends(__file__, finish)
    yield stack
    finish()


def pytest_terminal_summary(terminalreporter):
    module = sys.modules.get("test_fuzz_api")
    tally = getattr(module, "TALLY", None)
    if not tally or not tally["requests"]:
        return
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(tally["statuses"].items()))
    terminalreporter.write_line(
        f"fuzz: {tally['requests']} requests ({statuses}); "
        f"{tally['cut_by_budget']} generated cases not sent (time budget)")
