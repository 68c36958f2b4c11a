"""Exports over HTTP on the local stack (the gallery and the worker each under its own synthesized IAM
policy): a selection across two users exports only what the caller may see, the ZIP downloads through
its presigned link, and nobody reads another user's export or exports their private board."""

from __future__ import annotations

import io
import json
import time
import urllib.request
import zipfile

import pytest

from e2e_helpers import RENDER_DEADLINE
from local.client import ApiError

pytestmark = pytest.mark.e2e


def wait_export(client, export_id: str, timeout: float = RENDER_DEADLINE) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        export = client.request("GET", f"/exports/{export_id}")
        if export["status"] in ("COMPLETE", "FAILED") or time.monotonic() > deadline:
            return export
        time.sleep(0.5)  # polling the record, as the page does: it ends when the worker has written it


def test_an_export_holds_what_the_caller_may_see_and_only_its_owner_reads_it(demo, other):
    shared = demo.wait(demo.generate(prompt="a kite over dunes", public=True)["id"], timeout=RENDER_DEADLINE)
    private = demo.wait(demo.generate(prompt="a quiet harbour")["id"], timeout=RENDER_DEADLINE)
    theirs = other.wait(other.generate(prompt="a red door")["id"], timeout=RENDER_DEADLINE)
    board = demo.request("POST", "/boards", {"name": "Private coast"})

    export = other.request("POST", "/exports", {"generationIds": [shared["id"], private["id"], theirs["id"]]})
    assert export["status"] == "PENDING" and export["requested"] == 3
    done = wait_export(other, export["id"])
    assert done["status"] == "COMPLETE" and done["exported"] == 2, done
    with urllib.request.urlopen(done["downloadUrl"], timeout=30) as answer:
        archive = zipfile.ZipFile(io.BytesIO(answer.read()))
    assert sorted(archive.namelist()) == sorted([f"{shared['id']}-0.png", f"{theirs['id']}-0.png", "metadata.json"])
    entries = {e["id"]: e for e in json.loads(archive.read("metadata.json"))["images"]}
    assert entries[shared["id"]]["prompt"] == "a kite over dunes" and entries[shared["id"]]["mine"] is False

    with pytest.raises(ApiError) as refused:
        demo.request("GET", f"/exports/{export['id']}")
    assert (refused.value.status, refused.value.body["error"]["code"]) == (404, "export_not_found")
    with pytest.raises(ApiError) as refused:
        other.request("POST", "/exports", {"boardId": board["id"]})
    assert (refused.value.status, refused.value.body["error"]["code"]) == (404, "board_not_found")
