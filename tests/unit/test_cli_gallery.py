"""`python -m local.cli gallery`: its flags become GET /gallery's filters (no I/O: a client that records)."""

from __future__ import annotations

from local import cli


class RecordingClient:
    def __init__(self) -> None:
        self.queries: list[dict] = []

    def gallery(self, **query):
        self.queries.append(query)
        return {"items": [], "nextCursor": None}


def run(argv: list[str]) -> dict:
    args = cli.build_parser().parse_args(["gallery", "--json", *argv])
    client = RecordingClient()
    args.func(client, args)
    return {name: value for name, value in client.queries[0].items() if value is not None}


def test_the_filter_flags_are_the_api_parameters():
    assert run(["--all", "--tag", "harbor", "--model", "stability.stable-image-core-v1:1", "--operation", "inpaint",
                "--aspect", "square", "--from", "2026-12-01", "--to", "2026-12-04", "--batch", "b1", "--limit", "5"]) == {
        "scope": "all", "tag": "harbor", "model": "stability.stable-image-core-v1:1", "operation": "inpaint",
        "aspect": "square", "createdFrom": "2026-12-01", "createdTo": "2026-12-04", "batchId": "b1", "limit": 5}


def test_without_flags_it_asks_for_your_whole_gallery():
    assert run([]) == {"scope": "mine", "limit": 24}
