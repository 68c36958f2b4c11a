"""A restart of the stack (same data directory) keeps users, records and images.

Named to run last: it stops and starts the session's stack.
"""

from __future__ import annotations

import json
import time

import jwt
import pytest

from e2e_helpers import DEMO_PASSWORD, DEMO_USER, OTHER_PASSWORD, OTHER_USER, create_user, image_size
from local.client import http

pytestmark = pytest.mark.e2e


def test_a_restart_keeps_users_records_and_images(stack, demo, other):
    # Given a finished generation, a favorite, and the users' identities
    record = demo.wait(demo.generate(prompt="a greenhouse in the snow", seed=7)["id"],
                       timeout=60)
    assert record["status"] == "COMPLETE"
    demo.patch(record["id"], favorite=True)
    before = demo.gallery(limit=100)["items"]
    demo_sub = jwt.decode(demo.token, options={"verify_signature": False})["sub"]
    other_sub = jwt.decode(other.token, options={"verify_signature": False})["sub"]
    config_before = stack.client().config
    session = stack.client()
    tokens = session.sign_in(DEMO_USER, DEMO_PASSWORD)

    # When the stack is stopped (SIGTERM, as Ctrl-C) and started again on the same data
    shutdown_seconds = stack.stop()
    assert shutdown_seconds < 10
    stack.start()
    assert stack.startup_seconds < 20

    # Then both users sign in with the same password and keep their sub
    again = stack.client(DEMO_USER, DEMO_PASSWORD)
    other_again = stack.client(OTHER_USER, OTHER_PASSWORD)
    assert jwt.decode(again.token, options={"verify_signature": False})["sub"] == demo_sub
    assert jwt.decode(other_again.token, options={"verify_signature": False})["sub"] == other_sub
    # a user who signs up after the restart gets a sub of their own, and none of the records
    create_user(stack, "e2e-third@studio.local", "E2e-Third-Password-1")
    third = stack.client("e2e-third@studio.local", "E2e-Third-Password-1")
    assert jwt.decode(third.token, options={"verify_signature": False})["sub"] not in (demo_sub, other_sub)
    assert third.gallery()["items"] == []
    # a browser signed in before the restart stays signed in: its access token still works and its
    # refresh token still gives new tokens
    assert session.gallery(limit=1)["items"]
    refreshed = session.cognito("InitiateAuth", {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": config_before["userPoolClientId"],
                                                 "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]}})
    assert refreshed["AuthenticationResult"]["AccessToken"]
    # the sign-in configuration is the same
    assert stack.client().config == config_before
    # the records are all there, in the same order, favorites included
    after = again.gallery(limit=100)["items"]
    assert [i["id"] for i in after] == [i["id"] for i in before]
    kept = again.generation(record["id"])
    assert kept["status"] == "COMPLETE" and kept["favorite"] is True
    # and the images are served again, byte-identical in size and format
    status, _, data = http("GET", kept["images"][0]["url"])
    assert status == 200 and image_size(data) == ("PNG", (1024, 1024))
    # and the stack still works after the restart (the cursor secret survived: paging works)
    page = again.gallery(limit=1)
    if page["nextCursor"]:
        assert again.gallery(limit=1, cursor=page["nextCursor"])["items"]
    assert again.wait(again.generate(prompt="after the restart")["id"],
                      timeout=60)["status"] == "COMPLETE"


def test_a_generation_in_flight_at_shutdown_finishes_after_the_restart(stack, demo):
    # Given the image model hangs on its next two calls (the emulator's fault switch, through the
    # gateway): the worker's two attempts (20 s read timeout each) keep the job in flight ~40 s
    status, _, _ = http("POST", f"{stack.url}/_bedrock/_emulator/faults",
                        body=json.dumps({"fault": "hang", "times": 2, "target": "image", "seconds": 60}).encode(),
                        headers={"Content-Type": "application/json"})
    assert status == 200
    # and a generation the worker has started on
    generation_id = demo.generate(prompt="a clock tower at midnight")["id"]
    deadline = time.monotonic() + 20
    while (status := demo.generation(generation_id)["status"]) == "PENDING":
        assert time.monotonic() < deadline, "the worker never picked the job up"
        time.sleep(0.1)
    assert status == "RUNNING"

    # When the stack stops in the middle of it and starts again
    stack.restart()

    # Then the job comes back from the saved queue and the generation completes
    again = stack.client(DEMO_USER, DEMO_PASSWORD)
    record = again.wait(generation_id, timeout=60)
    assert record["status"] == "COMPLETE", record.get("error")
