"""Exports: POST /exports and GET /exports/{id} (served by the gallery function; the worker assembles)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from studio.api_responses import responses
from studio.bodies.exports import Export, ExportRequest
from studio.http import caller
from studio.logic import exports
from studio.storage_layout import EXPORT_MAX_BYTES, EXPORT_URL_SECONDS

router = APIGatewayRouter()
ExportId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The export's id")]


@router.post("/exports", summary="Export a board or a selection of images as a ZIP",
             description="Send `boardId` or `generationIds`. The ZIP is assembled asynchronously: poll "
                         "GET /exports/{id} until COMPLETE (or FAILED). It holds every image as stored, plus "
                         "metadata.json (prompt, negative prompt, model, seed, size, mode, lineage, tags, created). "
                         "Images you may not see, or not completed, are left out. At most "
                         f"{EXPORT_MAX_BYTES // (1024 * 1024)} MB of images.",
             responses=responses(202, Export, "Queued (PENDING)"))
def create_export(body: ExportRequest) -> Response[Export]:
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON,
                    body=exports.create(body, caller(router).user_id))


@router.get("/exports/<id>", summary="One of your exports: its status and, once COMPLETE, a download link",
            description=f"downloadUrl is a presigned link valid for {EXPORT_URL_SECONDS // 60} minutes: ask again "
                        "for a fresh one. Exports and their ZIPs are deleted after a day.",
            responses=responses(200, Export, "The export"))
def get_export(id: ExportId) -> Export:
    return exports.get(id, caller(router).user_id)
