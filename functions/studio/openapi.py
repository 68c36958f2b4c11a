"""The whole API's OpenAPI document, generated from the handlers, the route table and the error table.

`python -m studio.openapi` prints it (make openapi writes functions/gallery/openapi.json, which the
gallery function serves at GET /openapi.json); a test fails when the checked-in copy is stale.

Powertools builds the paths and schemas from the handlers' routes and pydantic bodies. Then, for every
operation, the route table (studio.routes) gives its operationId, its one tag (its resource) and the
OAuth2 scopes that may call it, and the error table (studio.api_responses) gives its error responses:
a new route gets all of them from its entry in ROUTES, and tests/unit/test_openapi_contract.py fails
when an operation lacks one. Clients are generated from this document (docs/api-clients.md).
"""

from __future__ import annotations

import importlib
import json
import typing
from typing import Any, Iterator

from aws_lambda_powertools.event_handler.openapi.models import Server

from studio import api_responses
from studio.bodies.common import NAMED_VALUES, ErrorResponse
from studio.http import make_resolver
from studio.routes import (
    API_PREFIX,
    MACHINE_SCOPES,
    RESOURCE_SERVER,
    RESOURCES,
    ROUTES,
    USER_SCOPE,
    Route,
    api_functions,
)

TITLE = "Image Prompt Studio API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Write image prompts with an LLM and render them on Amazon Bedrock. Every operation needs an OAuth2 access "
    "token from the deployment's Amazon Cognito user pool in the Authorization header (`Bearer <token>`): a "
    "program's (client credentials) or a person's (authorization code with PKCE, or the web app's sign-in). "
    "Each operation names the scopes that may call it. Errors are `{\"error\": {\"code\", \"message\", "
    "\"details\"}}`; each response lists its codes. Generating a client, the Cognito addresses and the scopes: "
    "docs/api-clients.md in the repository."
)
# No license has been chosen for the API or the code: the operator's terms apply.
LICENSE = {"name": "Proprietary: the terms of the deployment's operator", "identifier": "LicenseRef-Proprietary"}
SERVER = Server(url=API_PREFIX, description="This deployment: its site address (the stack output SiteUrl, or "
                                            "http://localhost:8080 for `make local`) followed by /api")

# Cognito's OAuth2 endpoints live on the user pool's domain, which each deployment names (the stack
# output CognitoDomain: https://<cognitoDomainPrefix>.auth.<region>.amazoncognito.com). OAuth2 flows in
# OpenAPI take no variables: integrators put their deployment's CognitoDomain in place of this host.
COGNITO_DOMAIN = "https://YOUR-COGNITO-DOMAIN-PREFIX.auth.YOUR-REGION.amazoncognito.com"
MACHINE_SCHEME = "cognitoClientCredentials"
PERSON_SCHEME = "cognitoAuthorizationCode"
SIGN_IN_SCHEME = "cognitoSignIn"
API_SCOPES = {f"{RESOURCE_SERVER}/{name}": text for name, text in MACHINE_SCOPES.items()}
PERSON_SCOPES = {
    **API_SCOPES,
    USER_SCOPE: "A person signed in to this user pool (the web app's tokens carry it): every operation",
    "openid": "OpenID Connect: an ID token besides the access token",
    "email": "The person's e-mail address in the ID token",
    "profile": "The person's profile in the ID token",
}
SECURITY_SCHEMES = {
    MACHINE_SCHEME: {
        "type": "oauth2",
        "description": "A program: the OAuth2 client-credentials grant with the machine app client (stack output "
                       "MachineClientId; its secret is in the Cognito console). Replace the token URL's host with "
                       "your deployment's CognitoDomain (stack output); locally: http://localhost:8080/oauth2/token "
                       "with the client `make local` prints.",
        "flows": {"clientCredentials": {"tokenUrl": f"{COGNITO_DOMAIN}/oauth2/token", "scopes": API_SCOPES}},
    },
    PERSON_SCHEME: {
        "type": "oauth2",
        "description": "A person, through Cognito's managed login: the authorization-code grant with PKCE "
                       "(code_challenge_method=S256), with an app client that lists your redirect URI and no "
                       "secret. Replace the URLs' host with your deployment's CognitoDomain (stack output).",
        "flows": {"authorizationCode": {"authorizationUrl": f"{COGNITO_DOMAIN}/oauth2/authorize",
                                        "tokenUrl": f"{COGNITO_DOMAIN}/oauth2/token",
                                        "refreshUrl": f"{COGNITO_DOMAIN}/oauth2/token", "scopes": PERSON_SCOPES}},
    },
    SIGN_IN_SCHEME: {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": f"A person's access token from Cognito's own sign-in API (InitiateAuth, with SRP or a "
                       f"password), as the web app and local/client.py get it: it carries {USER_SCOPE}.",
    },
}
SCHEMAS = "#/components/schemas/"
ERROR_REF = f"{SCHEMAS}{ErrorResponse.__name__}"


def document() -> dict:
    app = make_resolver()
    for function in api_functions():
        module = importlib.import_module(function.handler.rsplit(".", 1)[0])
        for router in getattr(module, "routers", (module.router,)):  # a handler may serve several routers
            app.include_router(router)
    schema = app.get_openapi_schema(title=TITLE, version=VERSION, description=DESCRIPTION, servers=[SERVER])
    document = json.loads(schema.model_dump_json(by_alias=True, exclude_none=True))
    document["info"]["license"] = LICENSE
    document["components"]["securitySchemes"] = SECURITY_SCHEMES
    _add_error_schemas(document["components"]["schemas"])
    used = []
    for route, operation in _operations(document):
        _describe(route, operation)
        used.append(route.resource)
    document["tags"] = [{"name": name, "description": text} for name, text in RESOURCES.items() if name in used]
    _name_value_sets(document)
    _drop_unused_schemas(document)
    _defaults_in_words(document)
    for schema in document["components"]["schemas"].values():
        _drop_inner_titles(schema, root=True)
    return document


def _operations(document: dict) -> Iterator[tuple[Route, dict]]:
    """Each operation of the document with its entry in the route table (every one must have one)."""
    by_key = {(r.method.lower(), r.path): r for r in ROUTES}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            route = by_key.get((method, path))
            if route is None:
                raise LookupError(f"{method.upper()} {path} is served but not in studio.routes.ROUTES")
            yield route, operation


def _describe(route: Route, operation: dict) -> None:
    """operationId, tag, scopes and errors from the route table and the error table."""
    operation["operationId"] = route.operation_id
    operation["tags"] = [route.resource]
    operation["security"] = security(route)
    for parameter in operation.get("parameters", []):
        # A parameter is sent or not; it is never null.
        parameter["schema"] = _without_null(parameter["schema"])
        _drop_inner_titles(parameter["schema"])
    responses = operation["responses"]
    for response in responses.values():
        # Powertools gives a response without a model an empty media type: say "no body" instead.
        if response.get("content") == {"application/json": {}}:
            del response["content"]
    codes = api_responses.codes_for(route.operation_id, "requestBody" in operation)
    for status in sorted({e.status for e in codes}):
        response = {"description": api_responses.error_description(status, codes),
                    "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}
        if status == 429:
            response["headers"] = api_responses.RETRY_AFTER
        responses[str(status)] = response
    operation["responses"] = dict(sorted(responses.items()))


def security(route: Route) -> list[dict[str, list[str]]]:
    """Who may call a route: a program's token with the route's scope, or a person's with it or with the
    user scope (API Gateway accepts any one of route.scopes), or a person's from Cognito's sign-in API."""
    requirements: list[dict[str, list[str]]] = []
    for scope in route.scopes:
        if scope in API_SCOPES:
            requirements.append({MACHINE_SCHEME: [scope]})
        requirements.append({PERSON_SCHEME: [scope]})
    return [*requirements, {SIGN_IN_SCHEME: []}]


def _without_null(schema: dict) -> dict:
    kept = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if len(kept) == 1 and len(schema["anyOf"]) == 2:
        return {**{k: v for k, v in schema.items() if k != "anyOf"}, **kept[0]}
    return schema


def _name_value_sets(document: dict) -> None:
    """Each value set of NAMED_VALUES becomes one component, and every inline enum with exactly its values
    a reference to it (pydantic writes a Literal out wherever it is used)."""
    schemas = document["components"]["schemas"]
    refs = {}
    for name, (values, description) in NAMED_VALUES.items():
        enum = list(typing.get_args(values))
        if name in schemas:
            raise ValueError(f"{name} names a body already: rename the value set in NAMED_VALUES")
        refs[json.dumps(enum)] = SCHEMAS + name
        schemas[name] = {"title": name, "type": "string", "enum": enum, "description": description}
    named = set(NAMED_VALUES)

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            ref = refs.get(json.dumps(node.get("enum")))
            if ref and node.get("type") == "string":
                kept = {k: v for k, v in node.items() if k in ("description", "default")}
                node.clear()
                node.update({"$ref": ref, **kept})
                return
            for value in node.values():
                visit(value)

    visit(document["paths"])
    visit({name: schema for name, schema in schemas.items() if name not in named})


def _add_error_schemas(schemas: dict) -> None:
    generated = ErrorResponse.model_json_schema(mode="serialization", ref_template=SCHEMAS + "{model}")
    for name, schema in {**generated.pop("$defs", {}), ErrorResponse.__name__: generated}.items():
        schemas.setdefault(name, schema)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _drop_unused_schemas(document: dict) -> None:
    """Keep the schemas the operations reach (Powertools adds its own validation-error schemas, which
    this API never answers with: its 422 is the one error shape)."""
    schemas = document["components"]["schemas"]
    document["components"]["schemas"] = {name: schemas[name] for name in sorted(_reach(schemas, document["paths"]))}


def _reach(schemas: dict, start: Any) -> set[str]:
    reached: set[str] = set()
    pending = list(_refs(start))
    while pending:
        name = pending.pop().removeprefix(SCHEMAS)
        if name not in reached:
            reached.add(name)
            pending.extend(_refs(schemas[name]))
    return reached


def _defaults_in_words(document: dict) -> None:
    """A request body's defaults are what the server assumes when a field is left out. openapi-typescript
    (by default) types a property with a `default` as always there, which is true of a response and
    wrong of a request: the bodies only sent move theirs into the description."""
    schemas = document["components"]["schemas"]
    operations = [o for item in document["paths"].values() for o in item.values()]
    sent = _reach(schemas, [o.get("requestBody") for o in operations])
    for name in sent - _reach(schemas, [o["responses"] for o in operations]):
        for prop in schemas[name].get("properties", {}).values():
            if "default" in prop:
                said = json.dumps(prop.pop("default"), ensure_ascii=False)
                prop["description"] = " ".join(filter(None, [prop.get("description"), f"Default: {said}."]))


def _drop_inner_titles(schema: Any, root: bool = False) -> None:
    """pydantic titles every property ("Createdat"); generators name inner types after them, which
    can collide with components. A component keeps its title; inner types are named by their place."""
    if not isinstance(schema, dict):
        return
    if not root:
        schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        _drop_inner_titles(prop)
    for key in ("items", "additionalProperties", "not"):
        _drop_inner_titles(schema.get(key))
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for sub in schema.get(key, []):
            _drop_inner_titles(sub)


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
