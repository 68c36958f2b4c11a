"""Push channels (AppSync Events): one namespace, one channel per user. One source for the stack
(cdk/push.py), the publisher (adapters/push.py), the local gateway and the browser (config.json).

A channel is /<namespace>/<user sub>; only that user may subscribe to it (the namespace's
onSubscribe handler, cdk/push_subscribe.js, and the local gateway's same rule)."""

from __future__ import annotations

NAMESPACE = "generations"
# The statuses pushed to the owner: each after its record was written, never before.
PUSHED_STATUSES = ("RUNNING", "COMPLETE", "FAILED")


def channel(user_id: str) -> str:
    return f"/{NAMESPACE}/{user_id}"


def may_subscribe(user_sub: str | None, channel_path: str) -> bool:
    """The onSubscribe rule: a signed-in user, on their own channel only (exactly two segments)."""
    segments = [s for s in channel_path.split("/") if s]
    return bool(user_sub) and segments == [NAMESPACE, user_sub]
