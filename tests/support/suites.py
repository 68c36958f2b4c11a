"""A suite's local stack lives as long as the suite's tests, not the whole session.

The e2e, browser and fuzz suites each start a stack (a process and a container per function) in a
session fixture; pytest would keep all three running until the last unit test. Each fixture hands
its stop here, and tests/conftest.py calls it right after the suite's last test, so the machine
carries one stack at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

TESTS = Path(__file__).resolve().parents[1]
_running: dict[str, list[Callable[[], None]]] = {}


def suite_of(path) -> str:
    """The suite (tests/<folder>) a test file belongs to."""
    relative = Path(str(path)).resolve().relative_to(TESTS)
    return relative.parts[0] if len(relative.parts) > 1 else ""


def until_suite_ends(path, finish: Callable[[], None]) -> None:
    """Call `finish` after the last test of the suite that `path` is in (the last registered first)."""
    _running.setdefault(suite_of(path), []).append(finish)


def once(finish: Callable[[], object]) -> Callable[[], None]:
    """`finish`, made safe to call twice (after the suite, and again at the session's end)."""
    done: list[bool] = []

    def run() -> None:
        if not done:
            done.append(True)
            finish()

    return run


def suite_ended(suite: str) -> None:
    """Run every finish of the suite, then raise the first failure (a refused IAM call, say)."""
    failures = []
    for finish in reversed(_running.pop(suite, [])):
        try:
            finish()
        except Exception as failure:  # noqa: BLE001 - the others must still run
            failures.append(failure)
    if failures:
        raise failures[0]
