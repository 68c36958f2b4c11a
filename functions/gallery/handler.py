"""The gallery: GET /gallery, GET /gallery/search, GET/PATCH/DELETE /generations/{id}, the boards
(gallery/boards.py), the exports (gallery/exports.py), POST /credentials/verify, and GET /openapi.json
(no token)."""

from pathlib import Path
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from gallery.filters import (AspectFilter, CreatedFrom, CreatedTo, ModeFilter, ModelFilter, OperationFilter,
                             TagFilter)
from studio.api_responses import responses
from studio.bodies.common import GalleryScope
from studio.bodies.generations import (
    SEARCH_MAX_LIMIT,
    SEARCH_QUERY_MAX,
    GalleryPage,
    Generation,
    GenerationPatch,
    SearchPage,
    VerifyRequest,
    VerifyResponse,
)
from gallery.boards import router as boards_router
from gallery.exports import router as exports_router
from studio.entry_points import api_entry
from studio.http import caller, make_resolver, public_base_url
from studio.logic import content_credentials, gallery, generations, search
from studio.settings import settings

OPENAPI_DOCUMENT = Path(__file__).with_name("openapi.json")
router = APIGatewayRouter()


def _base_url() -> str:
    return public_base_url(router, settings().public_base_url)


GALLERY_DESCRIPTION = (
    "Every filter combines with scope=mine, scope=all (everyone's shared, completed images) and favorite=true "
    "(scope=mine), and with the others; `parent` goes alone (dates aside). A page with one of model, operation, "
    "aspect, tag or batchId (plus dates) reads exactly what it returns: one Query and one BatchGetItem. With "
    "several of them, or one with mode, the rows of the narrowest are read and the others checked on them, "
    f"examining at most {gallery.COMBINED_ROWS_EXAMINED} images per request: such a page may hold fewer than "
    "`limit` items, or none, and still have a nextCursor (read on from it). A filter that cannot be served is a 400 "
    "`invalid_filter` saying which to drop; a bad value a 422.")


@router.get("/gallery", summary="A page of the gallery, newest first", description=GALLERY_DESCRIPTION,
            responses=responses(200, GalleryPage, "A page of records and the cursor of the next one"))
def list_gallery(
    scope: Annotated[GalleryScope, Query(description="mine (default) or all: everyone's shared images")] = "mine",
    limit: Annotated[int, Query(ge=1, le=100)] = 24,
    cursor: Annotated[Optional[str], Query(max_length=2048, description="nextCursor of the previous page")] = None,
    mode: ModeFilter = None,
    favorite: Annotated[Optional[bool], Query(description="only your favorites (scope=mine)")] = None,
    parent: Annotated[Optional[str], Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                           description="your edits and re-runs of this generation (alone)")] = None,
    tag: TagFilter = None,
    model: ModelFilter = None,
    operation: OperationFilter = None,
    aspect: AspectFilter = None,
    createdFrom: CreatedFrom = None,
    createdTo: CreatedTo = None,
    batchId: Annotated[Optional[str], Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                            description="the images of one POST /generations/batch")] = None,
) -> GalleryPage:
    filters = gallery.Filters(model=model, operation=operation, aspect=aspect, created_from=createdFrom,
                              created_to=createdTo, batch_id=batchId)
    return gallery.list_gallery(scope, limit, cursor, mode, favorite, caller(router).user_id, _base_url(), parent,
                                tag, filters)


@router.get("/gallery/search", summary="Find images by meaning (q, any language) or by example (like)",
            description="Send exactly one of `q` or `like` (both, or neither, is a 400 `invalid_search`). "
                        "`imageIndex` picks the image of a `like` generation (0 to 4); with an upload key it is "
                        "not used. Only completed images are found, a few seconds after they complete.",
            responses=responses(200, SearchPage, "The best matches first, each with its score"))
def search_gallery(
    q: Annotated[Optional[str], Query(min_length=1, max_length=SEARCH_QUERY_MAX,
                                      description="Words in any language: a subject, a color, a mood")] = None,
    like: Annotated[Optional[str], Query(max_length=200, description="More like this: a generation id "
                                         "(with imageIndex) or an uploaded image key (uploads/...)")] = None,
    imageIndex: Annotated[int, Query(ge=0, le=search.MAX_IMAGE_INDEX, description="Which image of `like`")] = 0,
    scope: Annotated[GalleryScope, Query(description="mine (default) or all: yours and everyone's shared images")] = "mine",
    limit: Annotated[int, Query(ge=1, le=SEARCH_MAX_LIMIT)] = 24,
) -> SearchPage:
    return search.search(q, like, imageIndex, scope, limit, caller(router).user_id, _base_url(), settings())


@router.get("/generations/<id>", summary="One generation: status, images, parameters, lineage",
            responses=responses(200, Generation, "The record"))
def get_generation(id: str) -> Generation:
    return generations.get(id, caller(router).user_id, _base_url())


@router.patch("/generations/<id>", summary="Favorite, share or tag one of your generations",
              responses=responses(200, Generation, "The updated record"))
def update_generation(id: str, body: GenerationPatch) -> Generation:
    return generations.update(id, body, caller(router).user_id, _base_url())


@router.post("/credentials/verify", summary="Check the Content Credentials (C2PA manifest) of an uploaded image",
             description="Upload the image first (POST /uploads), then send its key. Any C2PA image is read, ours "
                         "or not: the answer says what its active manifest declares and whether it validates "
                         "(Trusted, Valid: intact but the signer is on no trust list known here, or Invalid). An "
                         "image without a manifest is answered with hasManifest false. When the image is one of "
                         "ours that you may see, generationId names it.",
             responses=responses(200, VerifyResponse, "What the manifest says, or that there is none"))
def verify_credentials(body: VerifyRequest) -> VerifyResponse:
    return VerifyResponse.model_validate(content_credentials.verify(body.image_key, caller(router).user_id))


@router.delete("/generations/<id>", summary="Delete one of your generations and its images",
               responses=responses(204, None, "Deleted, with its images"))
def delete_generation(id: str):  # 204, no body
    generations.delete(id, caller(router).user_id)
    return Response(status_code=204, body="")


@router.get("/openapi.json", summary="This API's OpenAPI document", include_in_schema=False)
def openapi_document():  # the checked-in document, as is
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON,
                    body=OPENAPI_DOCUMENT.read_text(encoding="utf-8"))


routers = (router, boards_router, exports_router)  # studio.openapi documents each
app = make_resolver()
for each in routers:
    app.include_router(each)
handler = api_entry(app)
