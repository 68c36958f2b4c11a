"""local.client's one waiting loop: the push channel wakes it, polling is the fallback (no I/O: the record
GETs and the channel are stand-ins)."""

from __future__ import annotations

import time

import pytest

from local.client import StudioClient
from local.push_client import PushUnavailable


class FakeChannel:
    """Answers next_event from a script: a dict is an event, None a quiet wait, an exception is raised, a
    function is called first (to stand for the time a wait takes)."""

    def __init__(self, script: list) -> None:
        self.script = list(script)
        self.closed = False

    def next_event(self, timeout: float):
        step = self.script.pop(0)
        if callable(step):
            step = step()
        if isinstance(step, Exception):
            raise step
        return step

    def close(self) -> None:
        self.closed = True


class ScriptedClient(StudioClient):
    """GET /generations/{id} answers the statuses given, in order (the last one repeats)."""

    def __init__(self, statuses: list[str], channel: FakeChannel | Exception) -> None:
        super().__init__("http://studio.invalid")
        self.statuses = list(statuses)
        self.gets = 0
        self._channel = channel

    def generation(self, generation_id: str) -> dict:
        self.gets += 1
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return {"id": generation_id, "status": status}

    def channel(self, timeout: float = 10):
        if isinstance(self._channel, Exception):
            raise self._channel
        return self._channel


def event(generation_id: str, status: str) -> dict:
    return {"id": generation_id, "generation": {"id": generation_id, "status": status}}


def test_the_channel_ends_the_wait_with_one_get_and_ignores_other_generations():
    # Given a running generation, whose completion comes on the channel after another generation's event
    channel = FakeChannel([None, event("other", "COMPLETE"), event("g1", "RUNNING"), event("g1", "COMPLETE")])
    client = ScriptedClient(["RUNNING"], channel)
    seen: list[str] = []
    # When the client waits on the channel
    record = client.wait_pushed("g1", timeout=30, interval=0.01, progress=lambda r, _: seen.append(r["status"]))
    # Then the pushed record ends it: one GET (after subscribing), every step reported, the channel closed
    assert record == {"id": "g1", "status": "COMPLETE"}
    assert client.gets == 1
    assert seen == ["RUNNING", "RUNNING", "RUNNING", "RUNNING", "COMPLETE"]
    assert channel.closed


def test_a_channel_that_closes_mid_wait_hands_over_to_polling():
    # Given a channel that closes while the generation is still running
    channel = FakeChannel([None, PushUnavailable("socket closed")])
    client = ScriptedClient(["RUNNING", "RUNNING", "RUNNING", "COMPLETE"], channel)
    # When the client waits on it
    record = client.wait_pushed("g1", timeout=30, interval=0.01)
    # Then it polls from then on (at once, then every interval) until the record is terminal
    assert record["status"] == "COMPLETE"
    assert client.gets == 4
    assert channel.closed


def test_no_channel_at_all_means_polling_with_the_same_deadline():
    # Given a stack whose push channel refuses the subscription
    client = ScriptedClient(["PENDING", "RUNNING", "FAILED"], PushUnavailable("no push channel"))
    assert client.wait_pushed("g1", timeout=30, interval=0.01)["status"] == "FAILED"
    assert client.gets == 3
    # And a generation that never ends times out, naming its last status
    stuck = ScriptedClient(["RUNNING"], PushUnavailable("no push channel"))
    with pytest.raises(TimeoutError, match="still RUNNING"):
        stuck.wait_pushed("g1", timeout=0.05, interval=0.01)
    assert stuck.gets >= 2


def test_a_closed_channel_still_gets_a_second_of_polling_past_the_deadline():
    # Given a channel that closes only after the deadline has passed (its wait outlasts the 50 ms deadline)
    def closes_late():
        time.sleep(0.1)
        return PushUnavailable("socket closed")

    channel = FakeChannel([closes_late])
    client = ScriptedClient(["RUNNING", "RUNNING", "RUNNING", "COMPLETE"], channel)
    # Then polling still gets its second and finds the result
    assert client.wait_pushed("g1", timeout=0.05, interval=0.01)["status"] == "COMPLETE"
    assert client.gets == 4
