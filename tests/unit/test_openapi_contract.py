"""The OpenAPI document as integrators use it: every operation named, tagged, secured and with its errors.

A route added to studio.routes.ROUTES gets its operationId, tag, scopes and error responses from the
route table and the error table (studio.openapi); these tests fail when one is missing or wrong, when
the code raises an error code the table lacks, or when the document would mislead a generated client
(an always-sent field marked optional, a request default typed as always there, a title that collides).
"""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path

import pytest

from studio import api_responses, gateway_errors, openapi
from studio.bodies import common
from studio.catalog import MAX_IMAGES_PER_GENERATION
from studio.errors import StudioError
from studio.routes import RESOURCES, ROUTES, USER_SCOPE

STUDIO = Path(__file__).resolve().parents[2] / "functions" / "studio"
VERBS = ("create", "get", "list", "update", "delete", "search", "translate", "suggest", "describe", "verify")
ALWAYS = {401, 403, 413, 429, 500, 502, 503}  # the gateway's answers and the handlers' edge, on any operation
DOCUMENT = openapi.document()
SCHEMAS = DOCUMENT["components"]["schemas"]
TOKEN_ROUTES = [r for r in ROUTES if r.scope is not None]


def operation(route):
    return DOCUMENT["paths"][route.path][route.method.lower()]


def by_id():
    return {r.operation_id: r for r in TOKEN_ROUTES}


def test_every_route_that_needs_a_token_is_an_operation_and_nothing_else_is():
    served = {(m.upper(), p) for p, ops in DOCUMENT["paths"].items() for m in ops}
    assert served == {(r.method, r.path) for r in TOKEN_ROUTES}


def test_an_operation_missing_from_the_route_table_stops_the_document():
    # Given a document with an operation no route names, when it is described, then it says which
    document = {"paths": {"/albums": {"post": {"responses": {}}}}}
    with pytest.raises(LookupError, match="POST /albums"):
        list(openapi._operations(document))


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=lambda r: r.operation_id)
def test_each_operation_has_a_readable_id_and_the_one_tag_of_its_resource(route):
    op = operation(route)
    assert op["operationId"] == route.operation_id
    assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", route.operation_id), "lowerCamelCase, at least two words"
    assert route.operation_id.startswith(VERBS), f"{route.operation_id} starts with a verb of {VERBS}"
    assert op["tags"] == [route.resource] and route.resource in RESOURCES
    assert op["summary"].strip()


def test_operation_ids_are_unique_and_tags_are_declared_and_described():
    ids = [r.operation_id for r in ROUTES]
    assert len(ids) == len(set(ids))
    declared = {t["name"]: t["description"] for t in DOCUMENT["tags"]}
    used = {r.resource for r in TOKEN_ROUTES}
    assert set(declared) == used and all(declared.values())


def test_the_operations_on_one_path_belong_to_one_resource():
    for path, ops in DOCUMENT["paths"].items():
        assert len({tag for op in ops.values() for tag in op["tags"]}) == 1, path


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=lambda r: r.operation_id)
def test_each_operation_names_the_scopes_that_may_call_it(route):
    security = operation(route)["security"]
    # Then a program's token needs the route's scope, and a person's the route's scope or the user scope
    assert {openapi.MACHINE_SCHEME: [route.scope]} in security
    assert {openapi.PERSON_SCHEME: [route.scope]} in security
    assert {openapi.PERSON_SCHEME: [USER_SCOPE]} in security
    assert {openapi.SIGN_IN_SCHEME: []} in security  # a person's token from Cognito's sign-in API
    granted = {scope for requirement in security for scopes in requirement.values() for scope in scopes}
    assert granted == set(route.scopes), "exactly the scopes API Gateway accepts (cdk/api.py)"
    schemes = DOCUMENT["components"]["securitySchemes"]
    for requirement in security:
        for name, scopes in requirement.items():
            if schemes[name]["type"] != "oauth2":
                continue
            (flow,) = schemes[name]["flows"].values()
            assert set(scopes) <= set(flow["scopes"]), (name, scopes)


def test_the_oauth2_schemes_point_at_cognito_for_client_credentials_and_authorization_code():
    schemes = DOCUMENT["components"]["securitySchemes"]
    machine = schemes[openapi.MACHINE_SCHEME]["flows"]["clientCredentials"]
    person = schemes[openapi.PERSON_SCHEME]["flows"]["authorizationCode"]
    assert machine["tokenUrl"] == person["tokenUrl"] == f"{openapi.COGNITO_DOMAIN}/oauth2/token"
    assert person["authorizationUrl"] == f"{openapi.COGNITO_DOMAIN}/oauth2/authorize"
    assert "PKCE" in schemes[openapi.PERSON_SCHEME]["description"]
    assert set(machine["scopes"]) == {"studio/read", "studio/generate"} < set(person["scopes"])
    assert "security" not in DOCUMENT, "each operation says its own"


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=lambda r: r.operation_id)
def test_each_operation_lists_its_errors_in_the_one_error_shape(route):
    op = operation(route)
    codes = api_responses.codes_for(route.operation_id, "requestBody" in op)
    errors = {int(s): r for s, r in op["responses"].items() if int(s) >= 400}
    assert set(errors) == {e.status for e in codes} and ALWAYS <= set(errors)
    for status, response in errors.items():
        assert response["content"]["application/json"]["schema"] == {"$ref": openapi.ERROR_REF}
        listed = set(re.findall(r"- `([a-z_]+)`", response["description"]))
        assert listed == {e.code for e in codes if e.status == status}, (route.operation_id, status)
    assert errors[429]["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_each_operation_has_one_success_with_its_schema():
    for route in TOKEN_ROUTES:
        successes = {s: r for s, r in operation(route)["responses"].items() if s.startswith("2")}
        (status, success), = successes.items()
        if status == "204":
            assert "content" not in success
        else:
            assert success["content"]["application/json"]["schema"]["$ref"].removeprefix("#/components/schemas/") \
                in SCHEMAS


def test_the_documented_rules_of_search_and_the_bodies():
    ops = by_id()
    search = operation(ops["searchGallery"])
    assert "exactly one of `q` or `like`" in search["description"]
    assert "invalid_search" in search["responses"]["400"]["description"]
    index = next(p for p in search["parameters"] if p["name"] == "imageIndex")
    assert index["schema"]["maximum"] == MAX_IMAGES_PER_GENERATION - 1
    assert "idempotency_conflict" in operation(ops["createGeneration"])["responses"]["409"]["description"]
    assert "payload_too_large" in operation(ops["createUpload"])["responses"]["413"]["description"]


# --- the error table against the code ----------------------------------------------------------
def _error_classes() -> dict[str, str]:
    classes: dict[str, str] = {}
    pending = [StudioError]
    while pending:
        cls = pending.pop()
        classes[cls.__name__] = cls.code
        pending.extend(cls.__subclasses__())
    return classes


def raised_codes() -> dict[str, set[str]]:
    """Every error code functions/studio can answer with, and where: a StudioError built (its code=
    or its class's code), an error_response(status, code, ...) of the HTTP edge, a gateway answer."""
    classes = _error_classes()
    found: dict[str, set[str]] = {}
    for path in STUDIO.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            code = None
            if node.func.id in classes:
                given = [k.value for k in node.keywords if k.arg == "code"]
                code = given[0].value if given and isinstance(given[0], ast.Constant) else classes[node.func.id]
            elif node.func.id == "error_response" and isinstance(node.args[1], ast.Constant):
                code = node.args[1].value
            if code:
                found.setdefault(code, set()).add(path.name)
    for error in (*gateway_errors.FIXED, gateway_errors.SERVER_ERROR):
        found.setdefault(error.code, set()).add("gateway_errors.py")
    return found


def test_every_error_code_the_code_raises_is_documented():
    documented = {e.code for e in api_responses.ERROR_CODES}
    raised = raised_codes()
    assert {"invalid_search", "idempotency_conflict", "validation_error", "throttled"} <= set(raised)
    missing = {code: sorted(where) for code, where in raised.items() if code not in documented}
    assert missing == {}, "add these codes to studio/api_responses.py ERROR_CODES with the operations that meet them"
    unused = documented - set(raised)
    assert unused == set(), "documented codes nothing raises"


def test_the_error_table_names_only_operations_and_statuses_that_exist():
    ids = set(by_id())
    for error in api_responses.ERROR_CODES:
        assert error.status in api_responses.STATUS_TITLES
        if error.operations not in (api_responses.EVERY, api_responses.WITH_BODY):
            assert set(error.operations) <= ids, error.code


# --- what generated clients make of the schemas --------------------------------------------------
def _response_models() -> list[type]:
    seen, pending = [], [common.ResponseModel]
    while pending:
        cls = pending.pop()
        seen.append(cls)
        pending.extend(cls.__subclasses__())
    return [m for m in seen if m.__name__ in SCHEMAS]


def test_every_field_a_response_always_sends_is_required():
    for model in _response_models():
        schema = SCHEMAS[model.__name__]
        if issubclass(model, common.SparseModel):
            # Sent only when it has a value: optional, and never null
            for name in set(schema["properties"]) - set(schema.get("required", [])):
                prop = schema["properties"][name]
                assert {"type": "null"} not in prop.get("anyOf", []) and "default" not in prop, (model, name)
        else:
            assert set(schema.get("required", [])) == set(schema["properties"]), model.__name__


def test_a_records_request_and_lineage_are_titled_schemas_of_their_own():
    generation = SCHEMAS["Generation"]["properties"]
    assert generation["lineage"] == {"$ref": "#/components/schemas/RecordedLineage"}
    assert {s["$ref"] for s in generation["request"]["anyOf"]} == {
        "#/components/schemas/RecordedGenerationRequest", "#/components/schemas/RecordedEditRequest"}
    assert "finalPrompt" in SCHEMAS["RecordedLineage"]["properties"]
    assert {"outputWidth", "outputHeight"} <= set(SCHEMAS["RecordedEditRequest"]["required"])
    # and the request side keeps its own Lineage
    assert "finalPrompt" not in SCHEMAS["Lineage"]["properties"]


def _inner(schema, found):
    if isinstance(schema, dict):
        if "title" in schema:
            found.append(schema["title"])
        for key, value in schema.items():
            if key != "properties":
                _inner(value, found)
        for value in schema.get("properties", {}).values():
            _inner(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _inner(value, found)
    return found


def test_only_components_have_titles_so_generated_names_never_collide():
    for name, schema in SCHEMAS.items():
        assert schema.get("title") == name
        assert _inner({k: v for k, v in schema.items() if k != "title"}, []) == [], name
    assert _inner(DOCUMENT["paths"], []) == []


def test_a_request_body_has_no_defaults_that_a_client_would_type_as_always_there():
    for name in ("GenerationRequest", "EditRequest", "Lineage", "SuggestRequest", "DescribeRequest"):
        for prop_name, prop in SCHEMAS[name]["properties"].items():
            assert "default" not in prop, (name, prop_name)
    assert "Default: 1024." in SCHEMAS["GenerationRequest"]["properties"]["width"]["description"]


def test_each_value_set_is_one_named_schema():
    for name, (values, _) in common.NAMED_VALUES.items():
        assert SCHEMAS[name]["enum"] == list(typing.get_args(values))
    text = str(DOCUMENT)
    for name, (values, _) in common.NAMED_VALUES.items():
        assert text.count(repr(list(typing.get_args(values)))) == 1, f"{name} is written out inline somewhere"


def test_the_document_says_its_license_and_where_it_is_served():
    assert DOCUMENT["info"]["license"]["identifier"]
    assert DOCUMENT["servers"][0]["url"] == "/api"
    assert DOCUMENT["openapi"].startswith("3.1")
