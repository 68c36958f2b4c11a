"""The gallery: GET /gallery, GET/PATCH/DELETE /generations/{id}, and GET /openapi.json (no token)."""

from pathlib import Path
from typing import Annotated, Literal, Optional

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from studio.handlers import api_entry
from studio.http import ERROR_RESPONSES, caller, make_resolver, public_base_url
from studio.logic import generations
from studio.models import GalleryPage, Generation, GenerationPatch, RecordMode
from studio.settings import settings

OPENAPI_DOCUMENT = Path(__file__).with_name("openapi.json")
router = APIGatewayRouter()


def _base_url() -> str:
    return public_base_url(router, settings().public_base_url)


@router.get("/gallery", summary="A page of the gallery, newest first", tags=["gallery"], responses=ERROR_RESPONSES)
def list_gallery(
    scope: Annotated[Literal["mine", "all"], Query(description="mine (default) or all: everyone's shared images")] = "mine",
    limit: Annotated[int, Query(ge=1, le=100)] = 24,
    cursor: Annotated[Optional[str], Query(max_length=2048, description="nextCursor of the previous page")] = None,
    mode: Annotated[Optional[RecordMode], Query()] = None,
    favorite: Annotated[Optional[bool], Query(description="only your favorites (scope=mine)")] = None,
    parent: Annotated[Optional[str], Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                           description="your edits and re-runs of this generation")] = None,
) -> GalleryPage:
    return generations.list_gallery(scope, limit, cursor, mode, favorite, caller(router).user_id, _base_url(), parent)


@router.get("/generations/<id>", summary="One generation: status, images, parameters, lineage",
            tags=["generations"], responses=ERROR_RESPONSES)
def get_generation(id: str) -> Generation:
    return generations.get(id, caller(router).user_id, _base_url())


@router.patch("/generations/<id>", summary="Favorite or share one of your generations",
              tags=["gallery"], responses=ERROR_RESPONSES)
def update_generation(id: str, body: GenerationPatch) -> Generation:
    return generations.update(id, body, caller(router).user_id, _base_url())


@router.delete("/generations/<id>", summary="Delete one of your generations and its images",
               tags=["gallery"], responses={**ERROR_RESPONSES, 204: {"description": "Deleted"}})
def delete_generation(id: str):  # 204, no body
    generations.delete(id, caller(router).user_id)
    return Response(status_code=204, body="")


@router.get("/openapi.json", summary="This API's OpenAPI document", tags=["meta"], include_in_schema=False)
def openapi_document():  # the checked-in document, as is
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON,
                    body=OPENAPI_DOCUMENT.read_text(encoding="utf-8"))


app = make_resolver()
app.include_router(router)
handler = api_entry(app)
