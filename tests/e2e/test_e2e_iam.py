"""The local stack refuses what AWS refuses: each function calls AWS as its own role, under the policy
the stack synthesizes (local/iam). These journeys need grants the stack must give."""

from __future__ import annotations

import json
import time

import pytest

from e2e_helpers import RENDER_DEADLINE
from local.client import http

pytestmark = pytest.mark.e2e
STATE_DEADLINE = 90  # seconds for a state to be reached (a few on a quiet machine)


def arm_fault(stack, **fault) -> None:
    status, _, body = http("POST", f"{stack.url}/_bedrock/_emulator/faults", body=json.dumps(fault).encode(),
                           headers={"Content-Type": "application/json"})
    assert status == 200, body


def wait_for(what: str, check, deadline: float = STATE_DEADLINE):
    ends = time.monotonic() + deadline
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < ends, f"never: {what}"
        time.sleep(0.2)


def delayed_jobs(stack) -> int:
    harness = stack.harness()
    attributes = harness.client("sqs").get_queue_attributes(
        QueueUrl=harness.resources["jobs_queue_url"], AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"])


def deliver_twice(stack, demo, prompt: str) -> str:
    """A generation whose job SQS delivers a second time while the first delivery renders it."""
    arm_fault(stack, fault="hang", times=1, target="image", seconds=8)  # the first delivery takes a while
    generation_id = demo.generate(prompt=prompt)["id"]
    wait_for("the worker claimed the job", lambda: demo.generation(generation_id)["status"] == "RUNNING")
    harness = stack.harness()
    harness.client("sqs").send_message(QueueUrl=harness.resources["jobs_queue_url"],
                                       MessageBody=json.dumps({"generationId": generation_id}))
    return generation_id


def test_a_duplicate_delivery_queues_a_copy_for_when_the_claim_ends(stack, demo):
    # Given a job delivered again while its first delivery holds the claim
    before = delayed_jobs(stack)
    generation_id = deliver_twice(stack, demo, "a lighthouse delivered twice")
    # Then the worker, as its own role, queues a copy of the job for when that claim's lease ends
    wait_for("a delayed copy of the job in the jobs queue", lambda: delayed_jobs(stack) > before)
    assert not [d for d in stack.harness().denials() if d["action"] == "sqs:SendMessage"]
    # and the first delivery finishes the generation
    assert demo.wait(generation_id, timeout=RENDER_DEADLINE)["status"] == "COMPLETE"
