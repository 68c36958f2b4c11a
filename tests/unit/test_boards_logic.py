"""Boards' rules without I/O: who may see and change a board, what a page shows each viewer, the
names a board may have, and which list each scope reads (the adapters are replaced by fakes)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from studio.adapters import boards as board_rows
from studio.bodies.boards import BoardCreate, BoardItemsBatch, BoardPatch
from studio.errors import Forbidden, InvalidField, NotFound
from studio.logic import boards

OWNER, OTHER = "owner-1", "other-2"
BOARD = {"id": "b1", "ownerId": OWNER, "name": "Coast", "shared": False, "itemCount": 3,
         "createdAt": "2026-12-01T00:00:00.000Z", "updatedAt": "2026-12-01T00:00:00.000Z"}


REQUEST = {"mode": "text", "prompt": "p", "width": 1024, "height": 1024, "count": 1, "quality": "standard",
           "modelId": "m", "seed": 7}


def record(generation_id, owner=OWNER, public=False, status="COMPLETE"):
    return {"id": generation_id, "ownerId": owner, "status": status, "mode": "text", "modelId": "m", "public": public,
            "createdAt": "2026-12-01T00:00:00.000Z", "request": REQUEST, "lineage": {"source": "api"}, "images": []}


@pytest.mark.parametrize("board, user, readable", [
    (BOARD, OWNER, True), (BOARD, OTHER, False), ({**BOARD, "shared": True}, OTHER, True), (None, OWNER, False),
])
def test_given_a_board_then_its_owner_and_when_shared_everyone_may_read_it(board, user, readable):
    assert boards.can_read(board, user) is readable


def test_given_another_users_board_then_private_is_404_and_shared_is_403_on_a_change(monkeypatch):
    monkeypatch.setattr(board_rows, "get", lambda _id: BOARD)
    with pytest.raises(NotFound) as private:
        boards.remove("b1", "g1", OTHER)
    assert private.value.code == "board_not_found"
    monkeypatch.setattr(board_rows, "get", lambda _id: {**BOARD, "shared": True})
    with pytest.raises(Forbidden) as shared:
        boards.remove("b1", "g1", OTHER)
    assert shared.value.code == "board_read_only"


def test_given_a_shared_board_then_a_page_shows_each_viewer_only_what_that_viewer_may_see(monkeypatch):
    rows = [{"generationId": g, "addedAt": f"2026-12-0{n}T00:00:00.000Z"} for n, g in enumerate(("c", "a", "b"), 1)]
    records = {"a": record("a"), "b": record("b", public=True), "c": record("c", owner=OTHER)}
    monkeypatch.setattr(board_rows, "items_page", lambda *_: (rows, None))
    monkeypatch.setattr(board_rows, "board_and_records", lambda *_: ({**BOARD, "shared": True}, records))
    monkeypatch.setattr(boards.secrets, "cursor_key", lambda: b"k")
    mine = boards.items("b1", 10, None, OWNER, "")
    theirs = boards.items("b1", 10, None, OTHER, "")
    # The owner: the order added; the other user's private image ("c") is not theirs to see
    assert [i.id for i in mine.items] == ["a", "b"] and mine.board.mine is True
    # The other user: their own image and the shared one, never the owner's private one
    assert [i.id for i in theirs.items] == ["c", "b"] and theirs.board.mine is False
    assert [i.added_at for i in theirs.items] == ["2026-12-01T00:00:00.000Z", "2026-12-03T00:00:00.000Z"]


def test_given_a_private_board_then_a_page_of_it_is_404_for_another_user_before_anything_is_shown(monkeypatch):
    monkeypatch.setattr(board_rows, "items_page", lambda *_: ([{"generationId": "a", "addedAt": "t"}], None))
    monkeypatch.setattr(board_rows, "board_and_records", lambda *_: (BOARD, {"a": record("a", public=True)}))
    monkeypatch.setattr(boards.secrets, "cursor_key", lambda: b"k")
    with pytest.raises(NotFound):
        boards.items("b1", 10, None, OTHER, "")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "tab\there", "bell\u0007", "del\u007f"])
def test_given_a_name_that_is_empty_too_long_or_has_control_characters_then_it_is_refused(name):
    with pytest.raises(ValidationError):
        BoardCreate(name=name)


def test_given_a_name_with_spaces_around_and_any_script_then_it_is_kept_trimmed():
    assert BoardCreate(name="  바다 🌊 Coast  ").name == "바다 🌊 Coast"


def test_given_a_patch_with_nothing_or_both_cover_fields_then_422(monkeypatch):
    monkeypatch.setattr(board_rows, "get", lambda _id: BOARD)
    for patch in (BoardPatch(), BoardPatch(cover_generation_id="g", clear_cover=True)):
        with pytest.raises(InvalidField):
            boards.update("b1", patch, OWNER, "")
    with pytest.raises(InvalidField):
        boards.batch("b1", BoardItemsBatch(), OWNER, "")


def test_given_each_scope_then_the_list_reads_its_own_partition():
    assert board_rows.list_index("mine", OWNER) == ("byOwner", f"BOARDS#{OWNER}")
    assert board_rows.list_index("all", OWNER) == ("byPublic", "BOARDS")
    assert board_rows.list_index("mine", OWNER)[1] != OWNER  # never a gallery feed's partition
