"""Boards: GET/POST /boards, GET/PATCH/DELETE /boards/{id}, GET /boards/{id}/items, PUT/DELETE
/boards/{id}/items/{generationId} and POST /boards/{id}/items/batch (served by the gallery function)."""

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from gallery.filters import (AspectFilter, CreatedFrom, CreatedTo, ModeFilter, ModelFilter, OperationFilter,
                             TagFilter)
from studio.api_responses import responses
from studio.bodies.boards import (
    BOARD_ITEMS_PAGE_MAX,
    BOARDS_PAGE_MAX,
    Board,
    BoardCreate,
    BoardItem,
    BoardItemsBatch,
    BoardItemsBatchResult,
    BoardItemsPage,
    BoardPatch,
    BoardsPage,
)
from studio.bodies.common import GalleryScope
from studio.http import caller, public_base_url
from studio.logic import boards, gallery
from studio.settings import settings

router = APIGatewayRouter()
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
BoardId = Annotated[str, Path(pattern=ID_PATTERN, description="The board's id")]
GenerationId = Annotated[str, Path(pattern=ID_PATTERN, description="The image's generation id")]
Cursor = Annotated[Optional[str], Query(max_length=2048, description="nextCursor of the previous page")]


def _user() -> str:
    return caller(router).user_id


def _base_url() -> str:
    return public_base_url(router, settings().public_base_url)


@router.get("/boards", summary="Your boards, or every shared board, newest first",
            responses=responses(200, BoardsPage, "A page of boards and the cursor of the next one"))
def list_boards(
    scope: Annotated[GalleryScope, Query(description="mine (default): your boards; all: every shared board")] = "mine",
    limit: Annotated[int, Query(ge=1, le=BOARDS_PAGE_MAX)] = 50,
    cursor: Cursor = None,
) -> BoardsPage:
    return boards.list_boards(scope, limit, cursor, _user(), _base_url())


@router.post("/boards", summary="Make a board", responses=responses(201, Board, "The new, empty board"))
def create_board(body: BoardCreate) -> Response[Board]:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON,
                    body=boards.create(body, _user(), _base_url()))


@router.get("/boards/<id>", summary="One board: its name, whether it is shared, its cover and how many images",
            responses=responses(200, Board, "The board"))
def get_board(id: BoardId) -> Board:
    return boards.get(id, _user(), _base_url())


@router.patch("/boards/<id>", summary="Rename one of your boards, share or unshare it, set or clear its cover",
              responses=responses(200, Board, "The updated board"))
def update_board(id: BoardId, body: BoardPatch) -> Board:
    return boards.update(id, body, _user(), _base_url())


@router.delete("/boards/<id>", summary="Delete one of your boards (its images stay)",
               responses=responses(204, None, "Deleted; the images it held are kept"))
def delete_board(id: BoardId):
    boards.delete(id, _user())
    return Response(status_code=204, body="")


@router.get("/boards/<id>/items", summary="A page of a board's images, in the order they were added",
            description="Takes the gallery's filters (model, operation, aspect, tag, mode, createdFrom/createdTo), "
                        "in board order. A filtered page checks at most "
                        f"{boards.BOARD_FILTER_EXAMINED} of the board's images per request: it may hold fewer "
                        "than `limit` items, or none, and still have a nextCursor (read on from it).",
            responses=responses(200, BoardItemsPage, "The board, a page of its images and the cursor of the next"))
def list_board_items(
    id: BoardId,
    limit: Annotated[int, Query(ge=1, le=BOARD_ITEMS_PAGE_MAX)] = 48,
    cursor: Cursor = None,
    mode: ModeFilter = None,
    tag: TagFilter = None,
    model: ModelFilter = None,
    operation: OperationFilter = None,
    aspect: AspectFilter = None,
    createdFrom: CreatedFrom = None,
    createdTo: CreatedTo = None,
) -> BoardItemsPage:
    filters = gallery.Filters(mode=mode, tag=tag, model=model, operation=operation, aspect=aspect,
                              created_from=createdFrom, created_to=createdTo)
    return boards.items(id, limit, cursor, _user(), _base_url(), filters)


@router.post("/boards/<id>/items/batch", summary="Add and remove many images at once",
             description="Each image is added or removed on its own: one that cannot be added is named in `failed` "
                         "and the others go through. Adding one already there, or removing one that is not, changes "
                         "nothing.",
             responses=responses(200, BoardItemsBatchResult, "What was added and removed, and the board after it"))
def change_board_items(id: BoardId, body: BoardItemsBatch) -> BoardItemsBatchResult:
    return boards.batch(id, body, _user(), _base_url())


@router.put("/boards/<id>/items/<generationId>", summary="Put an image on one of your boards",
            description="Your own image, or one its owner shared. Putting one already there keeps its place.",
            responses=responses(200, BoardItem, "The image is on the board"))
def add_board_item(id: BoardId, generationId: GenerationId) -> BoardItem:
    return boards.add(id, generationId, _user())


@router.delete("/boards/<id>/items/<generationId>", summary="Take an image off one of your boards (the image stays)",
               responses=responses(204, None, "The image is not on the board (whether it was or not)"))
def remove_board_item(id: BoardId, generationId: GenerationId):
    boards.remove(id, generationId, _user())
    return Response(status_code=204, body="")
