"""What the IAM gate of a local stack refused (local/iam/gate.py), for the suites that run on one."""

from __future__ import annotations

from pathlib import Path


def refused(data_dir: Path) -> list[str]:
    """One line per refused call: the function, the action, the resource and why."""
    from local.harness import Harness

    return [f"IAM denied: {d['function']} may not {d['action']} on {d['resource']} ({d['reason']}; {d['operation']})"
            for d in Harness(data_dir).denials()]


def assert_none_refused(data_dir: Path) -> None:
    """Every journey of a suite needs only what the stack grants: a refused call is a missing or
    too narrow grant in cdk/permissions.py (or a call the function should not make)."""
    lines = refused(data_dir)
    assert not lines, "the functions made calls their synthesized IAM policy refuses:\n" + "\n".join(lines)
