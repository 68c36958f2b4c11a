"""Push (issue 23): the worker, the dead-letter handler and the sweeper publish each status change to
the owner's AppSync Events channel AFTER the record's write, signed with SigV4 as the function's role;
a publish that fails never fails the job; with no Events API configured nothing is sent."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from studio import channels
from studio.adapters import exports as export_records
from studio.logic import sweeping
from studio.storage_layout import GENERATION_DEADLINE_SECONDS
from tests.support.bedrock import titan_answer
from tests.support.events import USER_A
from tests.support.flow import dead_letter, post, run_worker, stored
from tests.support import images as make

TITAN = "amazon.titan-image-generator-v2:0"
DOMAIN = "abcdefghij.appsync-api.us-east-1.amazonaws.com"


def stored_status(event: dict) -> str | None:
    """The status stored, at the moment of the publish, of the record the event is about."""
    record = export_records.get(event["id"]) if event.get("type") == "export" else stored(event["id"])
    return record["status"] if record else None


class EventsEndpoint:
    """AppSync Events' HTTP publish endpoint, on loopback: records each publish, and the record's
    stored status at the moment the publish arrived (to prove the write came first)."""

    def __init__(self) -> None:
        self.published: list[dict] = []
        self.status = 200
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                events = [json.loads(e) for e in body["events"]]
                endpoint.published.append({
                    "path": self.path, "channel": body["channel"], "events": events,
                    "authorization": self.headers.get("Authorization", ""),
                    "stored": [stored_status(e) for e in events]})
                answer = json.dumps({"successful": [{"identifier": "x", "index": 0}], "failed": []}).encode()
                self.send_response(endpoint.status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def statuses(self) -> list[str]:
        return [e["status"] for p in self.published for e in p["events"]]


@pytest.fixture
def events(aws, env):
    endpoint = EventsEndpoint()
    env(EVENTS_HTTP_DOMAIN=DOMAIN, EVENTS_ENDPOINT_URL=endpoint.url)
    yield endpoint
    endpoint.server.shutdown()


def titan_job(bedrock) -> str:
    generation_id = post({"prompt": "a lighthouse", "modelId": TITAN, "seed": 42}).body["id"]
    bedrock.invoke(TITAN, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse"},
                           "imageGenerationConfig": {"numberOfImages": 1, "width": 1024, "height": 1024,
                                                     "quality": "standard", "seed": 42}},
                   titan_answer(make.png((64, 64), (10, 90, 200))))
    return generation_id


def test_given_a_render_then_running_and_complete_are_pushed_to_the_owner_after_each_write(aws, bedrock, events):
    generation_id = titan_job(bedrock)

    run_worker(aws)

    assert events.statuses() == ["RUNNING", "COMPLETE"]
    for publish in events.published:
        assert publish["path"] == "/event"
        assert publish["channel"] == channels.channel(USER_A) == f"/generations/{USER_A}"
        # SigV4, service appsync, as the function's own credentials
        assert re.match(r"AWS4-HMAC-SHA256 Credential=\w+/\d{8}/us-east-1/appsync/aws4_request, ", publish["authorization"])
        # the record was written before the publish went out
        assert publish["stored"] == [e["status"] for e in publish["events"]]
    complete = events.published[-1]["events"][0]
    assert complete["id"] == generation_id and complete["generation"]["status"] == "COMPLETE"
    image = complete["generation"]["images"][0]
    assert image["url"].endswith(".png") and image["thumbnailUrl"].endswith(".webp") and image["width"] == 64


def test_given_the_channel_refuses_then_the_job_still_completes(aws, bedrock, events):
    events.status = 500
    generation_id = titan_job(bedrock)

    response, _ = run_worker(aws)

    assert response == {"batchItemFailures": []}
    assert stored(generation_id)["status"] == "COMPLETE"
    assert events.statuses() == ["RUNNING", "COMPLETE"]  # both tried, both refused, nothing failed


def test_given_a_dead_letter_then_failed_is_pushed_with_its_error(aws, events):
    generation_id = post({"prompt": "a lighthouse", "modelId": TITAN}).body["id"]

    dead_letter(aws, [generation_id])

    assert events.statuses() == ["FAILED"]
    failed = events.published[0]["events"][0]["generation"]
    assert failed["error"]["code"] == "internal_error" and failed["error"]["message"]
    assert events.published[0]["stored"] == ["FAILED"]


def test_given_an_overdue_record_then_the_sweeper_pushes_failed_expired(aws, events):
    generation_id = post({"prompt": "a lighthouse", "modelId": TITAN}).body["id"]

    sweeping.sweep(datetime.now(timezone.utc) + timedelta(seconds=GENERATION_DEADLINE_SECONDS + 60))

    assert events.statuses() == ["FAILED"]
    assert events.published[0]["events"][0]["generation"]["error"]["code"] == "expired"
    assert events.published[0]["events"][0]["id"] == generation_id


def test_given_no_events_api_then_nothing_is_published(aws, bedrock, env):
    endpoint = EventsEndpoint()
    env(EVENTS_ENDPOINT_URL=endpoint.url)  # an endpoint, but no EVENTS_HTTP_DOMAIN from the stack
    try:
        generation_id = titan_job(bedrock)
        run_worker(aws)
        assert stored(generation_id)["status"] == "COMPLETE"
        assert endpoint.published == []
    finally:
        endpoint.server.shutdown()


# --- exports: their end is pushed too (after the write), so a waiting page needs no polling -------
def test_given_an_export_then_its_complete_is_pushed_with_its_download_link_after_the_write(aws, events):
    from tests.integration.test_exports import api, make_image, run_exports

    mine, _ = make_image("a lantern")
    export_id = api("POST", "/exports", body={"generationIds": [mine]}).body["id"]
    events.published.clear()  # the generation's own events

    run_exports(aws)

    [publish] = events.published
    assert publish["channel"] == channels.channel(USER_A) and publish["stored"] == ["COMPLETE"]
    [event] = publish["events"]
    assert event["type"] == "export" and event["id"] == export_id and event["status"] == "COMPLETE"
    pushed = event["export"]
    assert pushed["imageCount"] == 1 and pushed["exported"] == 1
    assert "X-Amz-Signature=" in pushed["downloadUrl"] and f"{export_id}.zip" in pushed["downloadUrl"]


def test_given_an_export_that_fails_then_failed_is_pushed_with_its_reason(aws, events):
    from tests.integration.test_exports import api, run_exports

    export_id = api("POST", "/exports", body={"generationIds": ["0" * 32]}).body["id"]

    run_exports(aws)

    [event] = events.published[0]["events"]
    assert (event["type"], event["id"], event["status"]) == ("export", export_id, "FAILED")
    assert event["export"]["error"]["code"] == "nothing_to_export" and event["export"]["downloadUrl"] is None
    assert events.published[0]["stored"] == ["FAILED"]


def test_given_a_dead_lettered_export_then_failed_is_pushed(aws, events):
    import generate.dead_letters
    from tests.support.aws import sqs_event_for_bodies
    from tests.support.events import LambdaContext
    from tests.integration.test_exports import api

    export_id = api("POST", "/exports", body={"generationIds": ["0" * 32]}).body["id"]

    generate.dead_letters.handler(sqs_event_for_bodies([json.dumps({"exportId": export_id})], aws.queue_arn),
                                  LambdaContext())

    assert events.statuses() == ["FAILED"] and events.published[0]["stored"] == ["FAILED"]
    assert events.published[0]["events"][0]["export"]["error"]["code"] == "internal_error"
