"""Many people at once in the local stack: every record ends, whatever the others do."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone

import jwt
import pytest

from e2e_helpers import RENDER_DEADLINE, create_user
from local.client import ApiError

pytestmark = pytest.mark.e2e
PASSWORD = "Concurrent-Password-1"


def used_up_quota(stack, user) -> None:
    """The user's image quota for today is spent (the harness writes the day's counter)."""
    harness = stack.harness()
    sub = jwt.decode(user.token, options={"verify_signature": False})["sub"]
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    harness.client("dynamodb").put_item(TableName=harness.resources["table_name"], Item={
        "pk": {"S": f"QUOTA#{sub}"}, "sk": {"S": day}, "used": {"N": "100000"}})


def test_generations_over_quota_at_the_same_time_lose_nobody_elses_writes(stack):
    # Given one user whose quota is spent, and another who generates
    over, maker = (f"conc-{name}-{uuid.uuid4().hex[:6]}@studio.local" for name in ("over", "maker"))
    create_user(stack, over, PASSWORD)
    create_user(stack, maker, PASSWORD)
    over_client, maker_client = stack.client(over, PASSWORD), stack.client(maker, PASSWORD)
    used_up_quota(stack, over_client)
    refused, done = [], threading.Event()

    def over_quota() -> None:
        client = stack.client(over, PASSWORD)
        while not done.is_set():
            try:
                client.generate(prompt="one too many", count=5)
            except ApiError as error:  # each one a transaction cancelled by the quota's condition
                refused.append(error.status)

    # When three threads keep sending generations over quota while the other user makes 12, 0.3 s apart
    threads = [threading.Thread(target=over_quota, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    made = []
    try:
        for index in range(12):
            made.append(maker_client.generate(prompt=f"a lighthouse, take {index}")["id"])
            time.sleep(0.3)  # the pace the issue gives: requests interleave with the refusals
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=60)
    # Then every refusal was a 429 and all 12 generations end COMPLETE
    assert refused and set(refused) == {429}
    assert [maker_client.wait(i, timeout=RENDER_DEADLINE)["status"] for i in made] == ["COMPLETE"] * 12
