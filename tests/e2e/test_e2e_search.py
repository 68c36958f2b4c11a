"""Search over HTTP against the local stack: a color finds the images that show it (in English and
Korean), "more like this" leaves the source out, and nobody finds another user's private image."""

from __future__ import annotations

import uuid

import pytest

from e2e_helpers import create_user
from local.client import ApiError

pytestmark = pytest.mark.e2e

RED = "a red rose, crimson and scarlet petals, ruby light"
BLUE = "a blue ocean, azure sky, navy and cobalt waves"
GREEN = "a green forest, emerald moss, lime leaves"
PASSWORD = "E2e-Search-Password-1"


@pytest.fixture(scope="module")
def users(stack):
    """Two fresh users, so the other tests' images do not crowd the rankings."""
    clients = []
    for name in ("searcher", "neighbour"):
        email = f"e2e-{name}-{uuid.uuid4().hex[:6]}@studio.local"
        create_user(stack, email, PASSWORD)
        clients.append(stack.client(email, PASSWORD))
        clients[-1].email = email  # for the CLI test
    return clients


@pytest.fixture(scope="module")
def images(users):
    """The searcher: two red images and one blue; the neighbour: a private red one, a public green one."""
    searcher, neighbour = users
    submitted = {
        "red": (searcher, searcher.generate(prompt=RED, count=2)),
        "blue": (searcher, searcher.generate(prompt=BLUE)),
        "their-red": (neighbour, neighbour.generate(prompt=RED)),
        "their-green": (neighbour, neighbour.generate(prompt=GREEN, public=True)),
    }
    done = {}
    for name, (client, record) in submitted.items():
        assert client.wait(record["id"], timeout=90)["status"] == "COMPLETE"
        done[name] = client.wait_indexed(record["id"], timeout=90)
    return done


def ids(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_a_color_finds_the_images_that_show_it_first(users, images):
    searcher, _ = users
    # When the searcher types a color, in English and in Korean
    for query in ("red", "빨간색"):
        page = searcher.search(q=query)
        # Then both red images come first, ranked by score, and the blue one after them
        ranked = [(item["id"], item["imageIndex"]) for item in page["items"]]
        assert ranked[:2] in ([(images["red"]["id"], 0), (images["red"]["id"], 1)],
                              [(images["red"]["id"], 1), (images["red"]["id"], 0)])
        assert images["blue"]["id"] in ids(page)[2:]
        scores = [item["score"] for item in page["items"]]
        assert scores == sorted(scores, reverse=True)
        # And the items have the gallery's shape
        assert page["items"][0]["images"][0]["thumbnailUrl"] and page["items"][0]["mine"] is True


def test_more_like_this_finds_the_others_and_leaves_the_source_out(users, images):
    searcher, _ = users
    # When the searcher asks for images like one of the two red images
    page = searcher.search(like=images["red"]["id"], imageIndex=0)
    # Then its red sibling comes first, the blue one after it, and the source itself never
    ranked = [(item["id"], item["imageIndex"]) for item in page["items"]]
    assert ranked == [(images["red"]["id"], 1), (images["blue"]["id"], 0)]
    assert all(item["score"] < 1 for item in page["items"])


def test_the_index_captions_and_tags_each_image(images):
    # Then each image has a caption and 3-8 tags naming what it shows
    for annotation in images["red"]["annotations"]:
        assert annotation["caption"] and 3 <= len(annotation["tags"]) <= 8
        assert "red" in annotation["tags"]


def test_nobody_finds_another_users_private_image(users, images):
    searcher, neighbour = users
    # When the searcher searches everything for red, and asks for images like the neighbour's private one
    everyone = searcher.search(q="red", scope="all", limit=50)
    # Then the neighbour's private red image is never there, and "more like" it is a 404
    assert images["their-red"]["id"] not in ids(everyone)
    with pytest.raises(ApiError) as foreign:
        searcher.search(like=images["their-red"]["id"])
    assert foreign.value.status == 404
    # While the neighbour finds it
    assert images["their-red"]["id"] in ids(neighbour.search(q="red"))


def test_unsharing_and_deleting_remove_an_image_from_others_results_at_once(users, images):
    searcher, neighbour = users
    green = images["their-green"]["id"]
    # Given the neighbour's public green image is in the searcher's results for everyone's images
    assert green in ids(searcher.search(q="green", scope="all", limit=50))
    # When the neighbour unshares it, then it is gone from the searcher's results in the next request
    neighbour.patch(green, public=False)
    assert green not in ids(searcher.search(q="green", scope="all", limit=50))
    # When the neighbour deletes their red image, then not even they find it any more
    neighbour.delete(images["their-red"]["id"])
    assert images["their-red"]["id"] not in ids(neighbour.search(q="red"))


@pytest.mark.parametrize("query, status", [
    ({"q": ""}, 422), ({"q": "x" * 10_000}, 422), ({}, 400), ({"q": "red", "like": "abc"}, 400),
    ({"like": "0" * 32}, 404), ({"q": "red", "limit": 51}, 422),
])
def test_bad_searches_get_a_clear_4xx(users, query, status):
    searcher, _ = users
    with pytest.raises(ApiError) as error:
        searcher.search(**query)
    assert error.value.status == status
    assert error.value.body["error"]["message"]


def test_more_like_an_upload_that_is_not_an_image_is_422(users):
    searcher, _ = users
    form = searcher.upload("not-an-image.png", content=b"this is text, not a PNG", content_type="image/png")
    with pytest.raises(ApiError) as error:
        searcher.search(like=form["imageKey"])
    assert error.value.status == 422


def test_the_cli_searches_by_words_and_by_a_file(stack, users, images, tmp_path, capsys):
    from local import cli

    searcher, _ = users
    common = ["--base-url", stack.url, "--user", searcher.email, "--password", PASSWORD]
    # When the CLI searches for red, then the red generation is the first line, with its score
    assert cli.main([*common, "search", "red"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert images["red"]["id"] in first and first.split()[0].startswith("0.")
    # When it searches with an image file of the blue one, then the blue generation comes first
    blue = tmp_path / "blue.png"
    searcher.download(images["blue"]["images"][0]["url"], blue)
    assert cli.main([*common, "search", "--image", str(blue)]) == 0
    assert images["blue"]["id"] in capsys.readouterr().out.splitlines()[0]
