"""After a SnapStart restore, nothing random or connected is shared with other environments."""

from __future__ import annotations

import random

from studio import entry_points, snapstart  # noqa: F401  (entry_points registers the hooks)
from studio.adapters import clients, secrets


def test_restore_reseeds_random_and_drops_clients_and_cached_secrets(environment):
    # Given an environment as the snapshot left it: a seeded random, a client, a cached secret
    random.seed(1234)
    snapshot_state = random.getstate()
    client = clients.get("sqs")
    secrets.remember_origin_values("arn:x", ("v",))
    # When Lambda resumes it
    snapstart.renew_after_restore()
    # Then random differs from the snapshot's, and clients and secret values are made anew
    assert random.getstate() != snapshot_state
    assert clients.get("sqs") is not client
    assert "arn:x" not in secrets._origin_cache


def test_outside_lambda_registering_a_hook_is_a_no_op_that_keeps_the_function():
    # Given no snapshot_restore_py (it ships only in Lambda's managed runtimes)
    assert snapstart.register_after_restore(len) is len
