"""Boards: a user's named collections of images, private or shared read-only with every signed-in user.

Who may do what, written once:
- see a board (and its items): its owner, or anyone once it is shared; another user's private board
  is not there (404, as a private image);
- change it (rename, share, cover, add, remove, delete): its owner only. Another user who may see a
  shared board gets 403 `board_read_only`;
- an image goes on a board when the board's owner may see it (theirs, or shared by its owner), and
  a board shows each viewer only the images that viewer may see (logic/access.py): sharing a board
  never shows an image its owner kept private to anyone else.
"""

from __future__ import annotations

import time
import uuid

from studio.adapters import boards, generation_records, secrets
from studio.adapters.boards import BoardRecord
from studio.bodies.boards import (
    BatchProblem,
    Board,
    BoardCover,
    BoardCreate,
    BoardEntry,
    BoardHeading,
    BoardItem,
    BoardItemsBatch,
    BoardItemsBatchResult,
    BoardItemsPage,
    BoardPatch,
    BoardsPage,
)
from studio.clock import now_iso
from studio.errors import Conflict, Forbidden, InvalidField, NotFound, StudioError
from studio.logic import access, board_cleanup, cursor, gallery, presentation
from studio.observability import count, logger
from studio.storage_layout import BOARD_MAX_ITEMS

NOT_FOUND_MESSAGE = "No board with this id (or it is not yours and not shared)."
READ_ONLY_MESSAGE = "This board is shared read-only: only its owner may change it."
IMAGE_NOT_FOUND_MESSAGE = "No image with this id that the board's owner may see (their own, or a shared one)."
FULL_MESSAGE = f"This board is full ({BOARD_MAX_ITEMS} images). Make another board."
ITEMS_INDEX = "board-items"  # what an items cursor is bound to (with the board's id)


def can_read(board: BoardRecord | None, user_id: str) -> bool:
    return bool(board) and (board["ownerId"] == user_id or bool(board.get("shared")))


def _readable(board: BoardRecord | None, user_id: str) -> BoardRecord:
    if not can_read(board, user_id):
        raise NotFound(NOT_FOUND_MESSAGE, code="board_not_found")
    return board  # type: ignore[return-value]


def _writable(board: BoardRecord | None, user_id: str) -> BoardRecord:
    board = _readable(board, user_id)
    if board["ownerId"] != user_id:
        raise Forbidden(READ_ONLY_MESSAGE, code="board_read_only")
    return board


def heading(board: BoardRecord, user_id: str) -> BoardHeading:
    return BoardHeading(id=board["id"], name=board["name"], shared=bool(board.get("shared")),
                        mine=board["ownerId"] == user_id, item_count=int(board.get("itemCount", 0)),
                        created_at=board["createdAt"], updated_at=board.get("updatedAt", board["createdAt"]))


def present(board: BoardRecord, user_id: str, base_url: str, cover_record: dict | None) -> Board:
    cover = None
    if board.get("coverGenerationId") and cover_record and access.can_read(cover_record, user_id):
        images = cover_record.get("images") or []
        cover = BoardCover(generation_id=board["coverGenerationId"],
                           thumbnail_url=presentation.image_url(base_url, images[0]["thumbnailKey"]) if images else None)
    return Board(**heading(board, user_id).model_dump(), cover=cover)


def _present_one(board: BoardRecord, user_id: str, base_url: str) -> Board:
    cover_id = board.get("coverGenerationId")
    return present(board, user_id, base_url, generation_records.get(cover_id) if cover_id else None)


def create(body: BoardCreate, user_id: str, base_url: str) -> Board:
    stamp = now_iso()
    board: BoardRecord = {"id": uuid.uuid4().hex, "ownerId": user_id, "name": body.name, "shared": body.shared,
                          "itemCount": 0, "createdAt": stamp, "updatedAt": stamp}
    boards.create(board)
    count("BoardsCreated")
    return present(board, user_id, base_url, None)


def list_boards(scope: str, limit: int, cursor_text: str | None, user_id: str, base_url: str) -> BoardsPage:
    """One Query for the boards, one BatchGetItem for their covers."""
    index, partition = boards.list_index(scope, user_id)
    key = secrets.cursor_key()
    start = cursor.decode(key, cursor_text, index, partition) if cursor_text else None
    found, last = boards.page(index, partition, limit, start)
    covers = generation_records.get_many([b["coverGenerationId"] for b in found if b.get("coverGenerationId")])
    return BoardsPage(items=[present(b, user_id, base_url, covers.get(b.get("coverGenerationId", "")))
                             for b in found],
                      next_cursor=cursor.encode(key, index, partition, last) if last else None)


def get(board_id: str, user_id: str, base_url: str) -> Board:
    return _present_one(_readable(boards.get(board_id), user_id), user_id, base_url)


def update(board_id: str, patch: BoardPatch, user_id: str, base_url: str) -> Board:
    if patch.name is None and patch.shared is None and patch.cover_generation_id is None and not patch.clear_cover:
        raise InvalidField("name", "send name, shared, coverGenerationId and/or clearCover")
    if patch.cover_generation_id is not None and patch.clear_cover:
        raise InvalidField("clearCover", "send coverGenerationId or clearCover, not both")
    _writable(boards.get(board_id), user_id)
    written, why = boards.update(board_id, user_id, name=patch.name, shared=patch.shared,
                                 cover=patch.cover_generation_id, clear_cover=bool(patch.clear_cover), now=now_iso())
    if why == "cover":
        raise InvalidField("coverGenerationId", "an image on this board",
                           "coverGenerationId: that image is not on this board. Add it first.")
    return _present_one(_writable(written, user_id), user_id, base_url)


def delete(board_id: str, user_id: str) -> None:
    """The board goes at once (nobody sees it or adds to it again); its images stay. Its rows go
    within this request's budget, or, for a very big board, by the sweeper's next run."""
    board = _writable(boards.get(board_id), user_id)
    if not boards.delete({**board, "updatedAt": now_iso()}):
        raise NotFound(NOT_FOUND_MESSAGE, code="board_not_found")
    count("BoardsDeleted")
    try:  # the board is gone already: what this request cannot remove, the sweeper does
        finished = boards.purge(board_id, time.monotonic() + board_cleanup.REQUEST_SECONDS)
    except StudioError:
        logger.exception("could not remove a deleted board's rows", extra={"boardId": board_id})
        finished = False
    if not finished:
        logger.info("board rows left to the sweeper", extra={"boardId": board_id})


# A filtered board page reads the board's items in rounds of at most BOARD_FILTER_ROWS (one Query and one
# BatchGetItem each, the filters checked on the records) until the page is full or the board ends, at most
# BOARD_FILTER_ROUNDS rounds: a page examines at most BOARD_FILTER_EXAMINED images.
BOARD_FILTER_ROWS = 99  # with the board itself, one BatchGetItem of 100 keys
BOARD_FILTER_ROUNDS = 5
BOARD_FILTER_EXAMINED = BOARD_FILTER_ROWS * BOARD_FILTER_ROUNDS


def items(board_id: str, limit: int, cursor_text: str | None, user_id: str, base_url: str,
          filters: gallery.Filters | None = None) -> BoardItemsPage:
    """A page of the board's images in the order they were added: one Query for the page, one
    BatchGetItem for the board (checked before anything is shown) and the page's records, whatever
    the board's size. With filters, see BOARD_FILTER_ROUNDS."""
    given = filters or gallery.Filters()
    since, until = gallery.date_range(given.created_from, given.created_to)
    filtered = since or until or gallery.facet_filters(given) or given.mode
    bound = board_id if not filtered else f"{board_id}|{since}|{until}|{gallery.facet_filters(given)}|{given.mode}"
    key = secrets.cursor_key()
    start = cursor.decode(key, cursor_text, ITEMS_INDEX, bound) if cursor_text else None
    entries: list[BoardEntry] = []
    board = None
    for _round in range(BOARD_FILTER_ROUNDS if filtered else 1):
        rows, last = boards.items_page(board_id, BOARD_FILTER_ROWS if filtered else limit, start)
        found, records = boards.board_and_records(board_id, [r["generationId"] for r in rows])
        board = _readable(found, user_id)  # before anything of the board is shown
        start = last
        for row in rows:
            record = records.get(row["generationId"])
            if access.can_read(record, user_id) and (not filtered or gallery.matches(record, given, since, until)):
                entries.append(BoardEntry(**presentation.generation(record, user_id, base_url).model_dump(),
                                          added_at=row["addedAt"]))
                if len(entries) == limit:
                    # Full: go on after this row next time (unless it was the board's last).
                    start = None if (row is rows[-1] and last is None) else {"pk": row["pk"], "sk": row["sk"]}
                    break
        if len(entries) == limit or start is None:
            break
    return BoardItemsPage(board=heading(board, user_id), items=entries,
                          next_cursor=cursor.encode(key, ITEMS_INDEX, bound, start) if start else None)


def _add(board_id: str, generation_id: str, user_id: str) -> BoardItem:
    added_at = now_iso()
    why = boards.add(board_id, user_id, generation_id, added_at, BOARD_MAX_ITEMS)
    if not why:
        return BoardItem(board_id=board_id, generation_id=generation_id, added_at=added_at)
    board = _writable(boards.get(board_id), user_id) if "board" in why else None  # 404 or 403 first
    if "present" in why:  # already there (a full board included): it keeps its place
        found = boards.membership(board_id, generation_id)
        if found:
            return BoardItem(board_id=board_id, generation_id=generation_id, added_at=found["addedAt"])
    elif "generation" in why:
        raise NotFound(IMAGE_NOT_FOUND_MESSAGE)
    elif board and int(board.get("itemCount", 0)) >= BOARD_MAX_ITEMS:
        raise Conflict(FULL_MESSAGE, code="board_full")
    raise Conflict(boards.IN_PROGRESS_MESSAGE, code="in_progress")  # changed meanwhile: try again


def add(board_id: str, generation_id: str, user_id: str) -> BoardItem:
    """Put the image on the board, after the others (idempotent: an image already there keeps its place)."""
    item = _add(board_id, generation_id, user_id)
    count("BoardItemsAdded")
    return item


def _remove(board_id: str, generation_id: str, user_id: str) -> None:
    found = boards.membership(board_id, generation_id)
    if found and boards.remove(board_id, user_id, found):
        boards.drop_cover_if(board_id, generation_id)


def remove(board_id: str, generation_id: str, user_id: str) -> None:
    """Take the image off the board (idempotent: one that is not there is not there); the image stays."""
    _writable(boards.get(board_id), user_id)
    _remove(board_id, generation_id, user_id)


def batch(board_id: str, body: BoardItemsBatch, user_id: str, base_url: str) -> BoardItemsBatchResult:
    """Add and remove many images: each image on its own (one that fails is named in `failed`, the
    others go through)."""
    if not body.add and not body.remove:
        raise InvalidField("add", "send at least one generation id in add or remove")
    _writable(boards.get(board_id), user_id)
    added, removed, failed = [], [], []
    for generation_id in dict.fromkeys(body.add):
        try:
            _add(board_id, generation_id, user_id)
            added.append(generation_id)
        except (NotFound, Conflict) as error:
            failed.append(BatchProblem(generation_id=generation_id, code=error.code, message=error.message))
    for generation_id in dict.fromkeys(body.remove):
        _remove(board_id, generation_id, user_id)
        removed.append(generation_id)
    if added:
        count("BoardItemsAdded", len(added))
    return BoardItemsBatchResult(added=added, removed=removed, failed=failed,
                                 board=_present_one(_writable(boards.get(board_id), user_id), user_id, base_url))
