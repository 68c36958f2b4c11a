"""Boards over HTTP on the local stack (each function under its own synthesized IAM policy): the owner
makes, fills and shares a board; another signed-in user can never see a private board nor change a
shared one; deleting an image takes it off the board."""

from __future__ import annotations

import pytest

from e2e_helpers import RENDER_DEADLINE
from local.client import ApiError

pytestmark = pytest.mark.e2e


def refused(client, method: str, path: str, body=None) -> tuple[int, str]:
    with pytest.raises(ApiError) as error:
        client.request(method, path, body)
    return error.value.status, error.value.body["error"]["code"]


def test_boards_auth_matrix_and_the_owners_journey(demo, other):
    # Given a board of the demo user with two of their images, one of them shared
    shared_image = demo.wait(demo.generate(prompt="a kite over dunes", public=True)["id"], timeout=RENDER_DEADLINE)
    private_image = demo.wait(demo.generate(prompt="a quiet harbour")["id"], timeout=RENDER_DEADLINE)
    board = demo.request("POST", "/boards", {"name": "Coast"})
    for image in (shared_image, private_image):
        assert demo.request("PUT", f"/boards/{board['id']}/items/{image['id']}")["generationId"] == image["id"]
    page = demo.request("GET", f"/boards/{board['id']}/items")
    assert [i["id"] for i in page["items"]] == [shared_image["id"], private_image["id"]]
    assert page["items"][0]["images"][0]["thumbnailUrl"]
    theirs = other.wait(other.generate(prompt="a red door")["id"], timeout=RENDER_DEADLINE)
    path = f"/boards/{board['id']}"

    # Then, while it is private, the other user cannot see it, list it, change it or add to it
    for method, sub, body in [("GET", "", None), ("GET", "/items", None), ("PATCH", "", {"name": "x"}),
                              ("DELETE", "", None), ("PUT", f"/items/{theirs['id']}", None),
                              ("DELETE", f"/items/{shared_image['id']}", None),
                              ("POST", "/items/batch", {"add": [theirs["id"]]})]:
        assert refused(other, method, path + sub, body) == (404, "board_not_found"), (method, sub)
    assert board["id"] not in [b["id"] for b in other.request("GET", "/boards", query={"scope": "all"})["items"]]

    # When the owner shares it, then the other user reads it (only the shared image) and cannot change it
    assert demo.request("PATCH", path, {"shared": True, "coverGenerationId": shared_image["id"]})["shared"] is True
    listed = other.request("GET", "/boards", query={"scope": "all"})["items"]
    assert board["id"] in [b["id"] for b in listed]
    seen = other.request("GET", f"{path}/items")
    assert seen["board"]["mine"] is False and [i["id"] for i in seen["items"]] == [shared_image["id"]]
    for method, sub, body in [("PATCH", "", {"name": "x"}), ("DELETE", "", None),
                              ("PUT", f"/items/{theirs['id']}", None), ("DELETE", f"/items/{shared_image['id']}", None),
                              ("POST", "/items/batch", {"remove": [shared_image["id"]]})]:
        assert refused(other, method, path + sub, body) == (403, "board_read_only"), (method, sub)

    # When the owner deletes an image, it leaves the board; when they delete the board, the images stay
    demo.delete(private_image["id"])
    assert [i["id"] for i in demo.request("GET", f"{path}/items")["items"]] == [shared_image["id"]]
    demo.request("DELETE", path)
    assert refused(demo, "GET", path) == (404, "board_not_found")
    assert demo.generation(shared_image["id"])["status"] == "COMPLETE"
