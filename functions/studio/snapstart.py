"""Lambda SnapStart restore hooks (cdk.json `snapStart`; docs/deploy.md).

With SnapStart, Lambda initializes a published version once, snapshots its memory, and resumes
every new execution environment from that snapshot. What must not be shared between them is
renewed after each restore: the `random` module's state (seeded once, at the snapshot) and the
boto3 clients and cached secret values, so that each environment opens its own connections with
fresh credentials. `secrets` and `uuid` read os.urandom on each call and need nothing.

Every cache of the process is in one registry (studio/caches.py), so one call renews them all.

The hooks come from the runtime's snapshot_restore_py library; elsewhere (tests, `make local`)
there is no snapshot and registering is a no-op.
"""

from __future__ import annotations

import os
import random

from studio import caches

try:
    from snapshot_restore_py import register_after_restore
except ImportError:  # not in a Lambda managed runtime
    def register_after_restore(func, *args, **kwargs):
        return func


@register_after_restore
def renew_after_restore() -> None:
    random.seed(os.urandom(32))
    caches.reset()
