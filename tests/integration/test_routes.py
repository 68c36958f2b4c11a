"""The route table (read by the CDK stack and the local gateway) matches what each handler serves."""

import importlib

import pytest

from studio import routes
from tests.support.events import call

NO_ROUTE = "No such route"


def handler_of(function_name):
    module_path, attribute = routes.function(function_name).handler.rsplit(".", 1)
    return getattr(importlib.import_module(module_path), attribute)


def concrete(path):
    return path.replace("{id}", "0123456789abcdef")


@pytest.mark.parametrize("route", routes.ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_given_each_route_then_its_function_serves_it_and_no_other_api_function_does(aws, bedrock, route):
    body = {} if route.method in ("POST", "PATCH") else None
    reply = call(handler_of(route.function), route.method, concrete(route.path), body=body,
                 user=None if route.scope is None else "a1a1a1a1-0000-4000-8000-00000000000a")
    message = (reply.body or {}).get("error", {}).get("message", "") if isinstance(reply.body, dict) else ""
    assert not message.startswith(NO_ROUTE), f"{route.function} does not serve {route.method} {route.path}"
    for other in routes.api_functions():
        if other.name == route.function:
            continue
        stray = call(handler_of(other.name), route.method, concrete(route.path), body=body)
        assert stray.status == 404 and stray.error["message"].startswith(NO_ROUTE), other.name


def test_given_the_function_table_then_every_handler_imports_and_is_callable():
    for function in routes.FUNCTIONS:
        assert callable(handler_of(function.name))
    assert {r.function for r in routes.ROUTES} == {f.name for f in routes.api_functions()}


def test_a_literal_path_wins_over_a_parameter_in_the_local_gateway():
    """As API Gateway: POST /generations/batch is its own route, and GET /generations/batch is not a
    record called "batch" (it is a known path without that method)."""
    from types import SimpleNamespace

    from local.gateway import Gateway, Route as GatewayRoute

    gateway = SimpleNamespace(routes=[GatewayRoute(r) for r in routes.ROUTES])
    route, params, _ = Gateway.match(gateway, "POST", "/api/generations/batch")
    assert route.operation_id == "createGenerationBatch" and params == {}
    assert Gateway.match(gateway, "GET", "/api/generations/batch") == (None, None, True)
    route, params, _ = Gateway.match(gateway, "GET", "/api/generations/abc123")
    assert route.operation_id == "getGeneration" and params == {"id": "abc123"}
