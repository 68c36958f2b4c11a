"""Hostile bodies on every JSON route: each is a 4xx in the error shape, never a 500."""

import base64

import pytest

from studio import routes
from tests.integration.test_routes import handler_of
from tests.support.events import api_event, call, parse, LambdaContext

JSON_ROUTES = [r for r in routes.ROUTES if r.method in ("POST", "PATCH")]
ROUTE_IDS = [f"{r.method} {r.path}" for r in JSON_ROUTES]


def send(route, *, raw_body=None, headers=None, base64_body=None):
    path = route.path.replace("{id}", "0123456789abcdef0123456789abcdef")
    event = api_event(route.method, path, raw_body=raw_body if raw_body is not None else "", headers=headers)
    if base64_body is not None:
        event["body"], event["isBase64Encoded"] = base64.b64encode(base64_body).decode(), True
    return parse(handler_of(route.function)(event, LambdaContext()))


def assert_error(reply, status, code):
    assert reply.status == status, reply.body
    assert set(reply.body) == {"error"} and reply.error["code"] == code and reply.error["message"]


@pytest.mark.parametrize("route", JSON_ROUTES, ids=ROUTE_IDS)
def test_given_a_body_that_is_not_utf8_then_400_invalid_json(aws, route):
    assert_error(send(route, base64_body=b'{"prompt": "caf\xe9"}'), 400, "invalid_json")


@pytest.mark.parametrize("route", JSON_ROUTES, ids=ROUTE_IDS)
def test_given_json_nested_20000_deep_then_400_invalid_json(aws, route):
    assert_error(send(route, raw_body="[" * 20_000 + "]" * 20_000), 400, "invalid_json")


@pytest.mark.parametrize("route", JSON_ROUTES, ids=ROUTE_IDS)
def test_given_an_integer_of_5000_digits_then_400_invalid_json(aws, route):
    assert_error(send(route, raw_body='{"count": ' + "9" * 5000 + "}"), 400, "invalid_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
@pytest.mark.parametrize("route", JSON_ROUTES, ids=ROUTE_IDS)
def test_given_valid_json_with_another_content_type_then_415(aws, route, content_type):
    reply = send(route, raw_body='{"prompt": "a lighthouse"}', headers={"Content-Type": content_type})
    assert_error(reply, 415, "unsupported_media_type")
    assert "application/json" in reply.error["message"]


@pytest.mark.parametrize("route", JSON_ROUTES, ids=ROUTE_IDS)
def test_given_a_json_body_without_content_type_then_415(aws, route):
    # issue 19.6: the README promises 415 for a body not sent as application/json; no header is not JSON
    reply = send(route, raw_body='{"prompt": "a lighthouse"}', headers={"Content-Type": None})
    assert_error(reply, 415, "unsupported_media_type")


def test_given_json_with_a_charset_then_it_is_accepted(aws):
    route = next(r for r in JSON_ROUTES if r.path == "/generations")
    reply = send(route, raw_body='{"prompt": "a lighthouse"}', headers={"Content-Type": "application/json; charset=utf-8"})
    assert reply.status == 202, reply.body


@pytest.mark.parametrize("path,body,field", [
    ("/generations", {"prompt": "p", "public": "yes"}, "public"),
    ("/generations", {"prompt": "p", "count": "2"}, "count"),
    ("/generations", {"prompt": "p", "count": 2.0}, "count"),
    ("/suggest", {"keywords": "k", "count": True}, "count"),
])
def test_given_a_value_of_the_wrong_type_then_422_not_coerced(aws, path, body, field):
    import generate.handler
    import suggest.handler

    handler = generate.handler.handler if path == "/generations" else suggest.handler.handler
    reply = call(handler, "POST", path, body=body)
    assert_error(reply, 422, "validation_error")
    assert field in reply.fields()


def test_given_public_yes_on_patch_then_422(aws):
    import gallery.handler
    from tests.support.flow import post

    generation_id = post({"prompt": "p"}).body["id"]
    reply = call(gallery.handler.handler, "PATCH", f"/generations/{generation_id}", body={"public": "yes"})
    assert_error(reply, 422, "validation_error")
