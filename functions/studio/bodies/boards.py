"""Boards: named collections of images, private or shared read-only with every signed-in user."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from studio.bodies.common import ApiModel, ResponseModel
from studio.bodies.generations import Generation

BOARD_NAME_MAX = 100
BOARDS_PAGE_MAX = 100
# A page of a board's items is one Query plus one BatchGetItem of the page's records, the board and
# its cover (at most 100 keys): so at most 98 items a page.
BOARD_ITEMS_PAGE_MAX = 96
BATCH_MAX = 50
IdText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
# Letters, digits, spaces and punctuation; no control characters (a name is shown as is).
BoardName = Annotated[str, StringConstraints(min_length=1, max_length=BOARD_NAME_MAX, strip_whitespace=True,
                                             pattern=r"^[^\x00-\x1f\x7f]+$")]


class BoardCreate(ApiModel):
    name: BoardName
    shared: bool = Field(False, description="true: every signed-in user may see it (read-only)")


class BoardPatch(ApiModel):
    name: BoardName | None = None
    shared: bool | None = None
    cover_generation_id: IdText | None = Field(
        None, description="An image on this board to show as its cover; send clearCover to remove the cover")
    clear_cover: bool | None = Field(None, description="true: no cover image")


class BoardItemsBatch(ApiModel):
    add: list[IdText] = Field(default_factory=list, max_length=BATCH_MAX,
                              description="Generation ids to add (in this order)")
    remove: list[IdText] = Field(default_factory=list, max_length=BATCH_MAX, description="Generation ids to remove")


class BoardCover(ResponseModel):
    generation_id: str
    thumbnail_url: str | None = Field(None, description="The image's first thumbnail; null until it has completed")


class BoardHeading(ResponseModel):
    """A board without its cover (a page of its items shows the images themselves)."""

    id: str
    name: str
    shared: bool = Field(description="Visible (read-only) to every signed-in user")
    mine: bool = Field(description="The caller owns it (may rename, share, delete it and add or remove images)")
    item_count: int
    created_at: str
    updated_at: str


class Board(BoardHeading):
    cover: BoardCover | None = Field(None, description="The cover image, when one is set and the caller may see it")


class BoardsPage(ResponseModel):
    items: list[Board]
    next_cursor: str | None = None


class BoardEntry(Generation):
    added_at: str = Field(description="When the image was added to the board")


class BoardItemsPage(ResponseModel):
    board: BoardHeading
    items: list[BoardEntry] = Field(description="In the order they were added. Images the caller may not see "
                                                "(another user's image that is no longer shared) are left out, "
                                                "so a page may hold fewer than `limit`")
    next_cursor: str | None = None


class BoardItem(ResponseModel):
    board_id: str
    generation_id: str
    added_at: str


class BatchProblem(ResponseModel):
    generation_id: str
    code: str = Field(description="not_found (no such image you may see) or board_full")
    message: str


class BoardItemsBatchResult(ResponseModel):
    added: list[str] = Field(description="Now on the board (including those that already were)")
    removed: list[str] = Field(description="No longer on the board (including those that were not)")
    failed: list[BatchProblem]
    board: Board
