"""Push through the local gateway (issue 23), over the wire as a browser or the CLI speaks it:
AppSync Events' WebSocket protocol, user-pool authorization, one channel per user."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest

from e2e_helpers import RENDER_DEADLINE
from local.client import http
from local.push_client import Channel, PushUnavailable, token_sub

pytestmark = pytest.mark.e2e


def events_until_done(channel: Channel, generation_id: str, deadline: float = RENDER_DEADLINE) -> list[dict]:
    """The channel's events for one generation, until it is COMPLETE or FAILED."""
    seen, ends = [], time.monotonic() + deadline
    while time.monotonic() < ends:
        event = channel.next_event(timeout=ends - time.monotonic())
        if event and event["id"] == generation_id:
            seen.append(event)
            if event["status"] in ("COMPLETE", "FAILED"):
                return seen
    raise AssertionError(f"no end pushed for {generation_id}; got {[e['status'] for e in seen]}")


def set_channel(stack, down: bool) -> None:
    status, _, body = http("POST", f"{stack.url}/_events/_faults", body=json.dumps({"down": down}).encode(),
                           headers={"Content-Type": "application/json"})
    assert status == 200 and json.loads(body)["down"] is down


def test_each_open_page_of_the_owner_receives_running_then_complete_after_the_write(demo):
    # Given two subscriptions of the owner (two tabs)
    with demo.channel() as first, demo.channel() as second:
        # When a generation renders
        generation_id = demo.generate(prompt="a copper kettle on a stove")["id"]
        # Then each receives RUNNING, then COMPLETE with the record as the API presents it
        for channel in (first, second):
            events = events_until_done(channel, generation_id)
            assert [e["status"] for e in events] == ["RUNNING", "COMPLETE"]
            pushed = events[-1]["generation"]
            assert pushed["images"] and pushed["images"][0]["url"].startswith("/images/")
        # and the record was written before: the API already shows what was pushed
        stored = demo.generation(generation_id)
        assert stored["status"] == "COMPLETE"
        # (the API's URLs are absolute, from the forwarded host; the pushed ones relative to the site)
        assert [urlsplit(i["url"]).path for i in stored["images"]] == [i["url"] for i in pushed["images"]]


def test_user_b_cannot_subscribe_to_user_a_s_channel(demo, other):
    events = demo.config["events"]
    a_channel = f"/{events['namespace']}/{token_sub(demo.id_token)}"
    # When B subscribes to A's channel with B's own valid token
    with pytest.raises(PushUnavailable, match="subscribe_error.*Unauthorized"):
        Channel(events["realtimeUrl"], events["host"], other.id_token, a_channel).open()
    # and a connection without a valid token is refused outright
    with pytest.raises(PushUnavailable, match="connection_error"):
        Channel(events["realtimeUrl"], events["host"], "not-a-token", a_channel).open()


def test_an_unsigned_publish_is_refused(stack, demo):
    channel = f"/generations/{token_sub(demo.id_token)}"
    status, _, body = http("POST", f"{stack.url}/_events/event", headers={"Content-Type": "application/json"},
                           body=json.dumps({"channel": channel, "events": [json.dumps({"forged": True})]}).encode())
    assert status == 401 and json.loads(body)["errors"][0]["errorType"] == "UnauthorizedException"


def test_with_the_channel_stopped_wait_falls_back_to_polling(stack, demo):
    set_channel(stack, down=True)
    try:
        # Then subscribing fails, and waiting on a generation still ends by polling
        with pytest.raises(PushUnavailable):
            demo.channel(timeout=5)
        generation_id = demo.generate(prompt="a bicycle leaning on a fence")["id"]
        assert demo.wait_pushed(generation_id, timeout=RENDER_DEADLINE)["status"] == "COMPLETE"
    finally:
        set_channel(stack, down=False)


def test_the_cli_waits_on_the_channel_without_polling(stack, monkeypatch, capsys):
    from e2e_helpers import DEMO_PASSWORD, DEMO_USER
    from local import cli
    from local.client import StudioClient

    # Given a CLI whose polling would fail the test
    monkeypatch.setattr(StudioClient, "wait", lambda *a, **k: pytest.fail("the CLI polled instead of using push"))
    # When `generate` waits for its result
    code = cli.main(["--base-url", stack.url, "--user", DEMO_USER, "--password", DEMO_PASSWORD, "--json",
                     "generate", "a weathervane on a barn", "--timeout", str(RENDER_DEADLINE)])
    # Then it ends with the finished record, heard on the channel
    assert code == 0
    assert json.loads(capsys.readouterr().out)["status"] == "COMPLETE"


def test_an_exports_end_is_pushed_with_a_link_that_downloads(demo):
    """The worker signs the pushed link as its own role (under its synthesized policy here): it must open."""
    import io
    import urllib.request
    import zipfile

    generation_id = demo.wait(demo.generate(prompt="a brass compass on a map")["id"], timeout=RENDER_DEADLINE)["id"]
    with demo.channel() as channel:
        # When an export is asked for
        export_id = demo.request("POST", "/exports", {"generationIds": [generation_id]})["id"]
        # Then its COMPLETE comes on the channel, with the export as GET /exports/{id} shows it
        ends = time.monotonic() + RENDER_DEADLINE
        event = None
        while time.monotonic() < ends and not (event and event.get("id") == export_id):
            event = channel.next_event(timeout=ends - time.monotonic())
        assert event and event["type"] == "export" and event["status"] == "COMPLETE", event
        assert event["export"]["imageCount"] == 1
        # and its link downloads the ZIP
        with urllib.request.urlopen(event["export"]["downloadUrl"], timeout=30) as answer:
            names = zipfile.ZipFile(io.BytesIO(answer.read())).namelist()
        assert sorted(names) == [f"{generation_id}-0.png", "metadata.json"]
