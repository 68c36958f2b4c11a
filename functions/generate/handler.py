"""POST /generations and POST /edits (validate, reserve quota, store PENDING, queue) and GET /models."""

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from studio.api_responses import responses
from studio.bodies.generations import (
    BatchGenerationRequest,
    EditRequest,
    Generation,
    GenerationBatch,
    GenerationRequest,
)
from studio.bodies.model_listing import ModelsResponse
from studio.entry_points import api_entry
from studio.http import caller, make_resolver, public_base_url
from studio.logic import edits, generations, model_listing
from studio.settings import settings

router = APIGatewayRouter()


@router.post(
    "/generations", summary="Start a generation (asynchronous: poll GET /generations/{id})",
    responses=responses(202, Generation, "Accepted: the PENDING record"),
)
def create_generation(
    body: GenerationRequest,
    idempotency_key: Annotated[Optional[str], Header(alias="Idempotency-Key",
                                                     description="Repeat it to retry safely")] = None,
) -> Response[Generation]:
    conf = settings()
    record = generations.create(body, caller(router).user_id, idempotency_key,
                                public_base_url(router, conf.public_base_url), conf)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=record)


@router.post(
    "/generations/batch",
    summary="Render one prompt on 2-3 models at once (asynchronous: poll each GET /generations/{id})",
    responses=responses(202, GenerationBatch, "Accepted: one PENDING record per model, sharing a batchId"),
)
def create_generation_batch(
    body: BatchGenerationRequest,
    idempotency_key: Annotated[Optional[str], Header(alias="Idempotency-Key",
                                                     description="Repeat it to retry safely")] = None,
) -> Response[GenerationBatch]:
    conf = settings()
    batch = generations.create_batch(body, caller(router).user_id, idempotency_key,
                                     public_base_url(router, conf.public_base_url), conf)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=batch)


@router.post(
    "/edits", summary="Edit one image (asynchronous: poll GET /generations/{id}); the result is a new record",
    responses=responses(202, Generation, "Accepted: the PENDING edit record"),
)
def create_edit(
    body: EditRequest,
    idempotency_key: Annotated[Optional[str], Header(alias="Idempotency-Key",
                                                     description="Repeat it to retry safely")] = None,
) -> Response[Generation]:
    conf = settings()
    record = edits.create(body, caller(router).user_id, idempotency_key, public_base_url(router, conf.public_base_url),
                          conf)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=record)


@router.get("/models", summary="The image and text models this deployment offers",
            responses=responses(200, ModelsResponse, "The enabled models, their limits and prices, the quota"))
def list_models() -> ModelsResponse:
    return model_listing.list_models(settings(), caller(router).user_id)


app = make_resolver()
app.include_router(router)
handler = api_entry(app)
