"""The whole API's OpenAPI document, generated from the handlers' routes and models.

`python -m studio.openapi` prints it (make openapi writes functions/gallery/openapi.json, which the
gallery function serves at GET /openapi.json); a test fails when the checked-in copy is stale.
"""

from __future__ import annotations

import importlib
import json

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

from studio.http import make_resolver
from studio.routes import API_PREFIX, api_functions

TITLE = "Image Prompt Studio API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Write image prompts with an LLM and render them on Amazon Bedrock. Every route except this "
    "document needs a Cognito access token in the Authorization header: a person's (managed login) "
    "or a machine client's (client credentials, scopes studio/read and studio/generate)."
)


def document() -> dict:
    app = make_resolver()
    for function in api_functions():
        module = importlib.import_module(function.handler.rsplit(".", 1)[0])
        app.include_router(module.router)
    schema = app.get_openapi_schema(title=TITLE, version=VERSION, description=DESCRIPTION,
                                    servers=[Server(url=API_PREFIX)],
                                    security_schemes={"cognito": HTTPBearer(bearerFormat="JWT")},
                                    security=[{"cognito": []}])
    document = json.loads(schema.model_dump_json(by_alias=True, exclude_none=True))
    for operations in document["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                # Powertools gives a response without a model an empty media type: say "no body" instead.
                if response.get("content") == {"application/json": {}}:
                    del response["content"]
    return document


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
