"""The gateway checks tokens as API Gateway's Cognito authorizer does, and owners own their records."""

from __future__ import annotations

import base64
import gzip
import json
import os
import time
import uuid

import jwt
import moto
import pytest

from e2e_helpers import RENDER_DEADLINE
from local.client import ApiError, StudioClient, http
from studio.gateway_errors import ACCESS_DENIED, UNAUTHORIZED as UNAUTHORIZED_ERROR

pytestmark = pytest.mark.e2e
UNAUTHORIZED = UNAUTHORIZED_ERROR.body()  # what API Gateway answers too (cdk/api.py GatewayResponses)


def call(stack, authorization: str | None, method: str = "GET", path: str = "/api/gallery") -> tuple[int, dict]:
    headers = {"Authorization": authorization} if authorization is not None else {}
    status, _, body = http(method, f"{stack.url}{path}", headers=headers)
    return status, json.loads(body or b"{}")


def moto_signing_key():
    """The key moto bundles for its Cognito tokens (public in moto's package): anyone has it."""
    path = os.path.join(os.path.dirname(moto.__file__), "cognitoidp", "resources", "jwks-private.json.gz")
    return jwt.PyJWK(json.loads(gzip.open(path).read())).key


def pool_signing_key(stack):
    """The key this stack's user pool signs with (made for its data directory), to forge edge cases."""
    from local.auth import SIGNING_KEY_FILE

    return jwt.PyJWK(json.loads((stack.data_dir / SIGNING_KEY_FILE).read_text())).key


def forged(stack, demo: StudioClient, key=None, **changes) -> str:
    claims = jwt.decode(demo.token, options={"verify_signature": False})
    claims.update(changes)
    return jwt.encode(claims, key or pool_signing_key(stack), algorithm="RS256", headers={"kid": "dummy"})


def test_a_token_signed_with_the_key_moto_bundles_is_401(stack, demo):
    # Given a token signed with the private key every moto install ships (anyone could mint these)
    token = forged(stack, demo, key=moto_signing_key())
    # Then the gateway refuses it: the pool signs with its data directory's own key
    assert call(stack, token) == (401, UNAUTHORIZED)
    assert call(stack, forged(stack, demo))[0] == 200


def test_the_cognito_endpoint_serves_public_operations_only(stack):
    client = StudioClient(stack.url)
    pool = client.config["userPoolId"]
    # Given an unauthenticated caller of the same-origin Cognito endpoint, then no administrator
    # operation answers it: not ListUsers (every e-mail address), not AdminCreateUser
    for operation, payload in (("ListUsers", {"UserPoolId": pool}),
                               ("AdminCreateUser", {"UserPoolId": pool, "Username": "x@studio.local"})):
        with pytest.raises(ApiError) as error:
            client.cognito(operation, payload)
        assert (error.value.status, error.value.code) == (400, "MissingAuthenticationTokenException"), operation
    # nor with a forged administrator signature (the header is not passed on)
    status, _, body = http("POST", f"{stack.url}/_cognito/", body=json.dumps({"UserPoolId": pool}).encode(), headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUsers", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=local/20261203/us-east-1/cognito-idp/aws4_request, "
                         "SignedHeaders=host, Signature=00"})
    assert status == 400 and b"@" not in body
    # while the public ones work, and the pool's signing keys are public
    with pytest.raises(ApiError) as error:
        client.cognito("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client.config["userPoolClientId"],
                                        "AuthParameters": {"USERNAME": "nobody@studio.local", "PASSWORD": "Wrong-1234"}})
    assert error.value.status == 400 and error.value.code != "MissingAuthenticationTokenException"
    status, _, body = http("GET", f"{stack.url}/_cognito/{pool}/.well-known/jwks.json")
    assert status == 200 and json.loads(body)["keys"][0]["kid"] == "dummy" and "d" not in json.loads(body)["keys"][0]


def test_a_valid_access_token_is_accepted_raw_or_as_bearer(stack, demo):
    assert call(stack, demo.token)[0] == 200
    assert call(stack, f"Bearer {demo.token}")[0] == 200


def test_no_token_is_401_like_api_gateway(stack):
    assert call(stack, None) == (401, UNAUTHORIZED)
    assert call(stack, "Bearer ")[0] == 401
    assert call(stack, "not-a-jwt")[0] == 401


def test_a_tampered_token_is_401(stack, demo):
    # Given the demo user's token with another user's sub swapped into the payload
    header, payload, signature = demo.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(uuid.uuid4())
    tampered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    # Then the signature no longer matches
    assert call(stack, f"{header}.{tampered_payload}.{signature}") == (401, UNAUTHORIZED)
    # and a flipped signature byte fails too
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert call(stack, f"{header}.{payload}.{flipped}")[0] == 401


def test_an_expired_token_is_401(stack, demo):
    # A token signed with the pool's real key: the same claims pass while fresh...
    assert call(stack, forged(stack, demo, exp=int(time.time()) + 600))[0] == 200
    # ...and fail once expired
    assert call(stack, forged(stack, demo, exp=int(time.time()) - 5)) == (401, UNAUTHORIZED)


def test_an_id_token_or_a_foreign_client_or_issuer_is_401(stack, demo):
    id_token = StudioClient(stack.url).sign_in(*_demo_credentials())["IdToken"]
    assert call(stack, id_token)[0] == 401
    assert call(stack, forged(stack, demo, client_id="someone-elses-client"))[0] == 401
    assert call(stack, forged(stack, demo, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"))[0] == 401


def test_a_token_without_the_routes_scope_is_refused(stack, demo):
    # A valid access token whose scopes do not include the route's
    token = forged(stack, demo, scope="studio/read")
    assert call(stack, token, "GET", "/api/gallery")[0] == 200
    assert call(stack, token, "POST", "/api/translate") == (403, ACCESS_DENIED.body())


def test_machine_client_credentials_reach_the_api_with_their_scopes(stack):
    client = StudioClient(stack.url)
    config = client.config
    secret = stack.harness().client("cognito-idp").describe_user_pool_client(
        UserPoolId=config["userPoolId"], ClientId=config["machineClientId"])["UserPoolClient"]["ClientSecret"]
    # When a program gets a read-only token with client credentials
    client.machine_token(config["machineClientId"], secret, scope="studio/read")
    # Then it can read the model catalogue but not generate
    assert client.models()["imageModels"]
    with pytest.raises(ApiError) as error:
        client.translate("bonjour")
    assert error.value.status == 403
    # and a wrong secret gets no token at all
    with pytest.raises(ApiError) as error:
        StudioClient(stack.url).machine_token(config["machineClientId"], "wrong")
    assert error.value.status == 401


def test_another_user_cannot_read_change_or_delete_my_records(demo, other):
    # Given a finished generation of the demo user
    record = demo.wait(demo.generate(prompt="a red kite over dunes")["id"], timeout=RENDER_DEADLINE)
    assert record["status"] == "COMPLETE"
    # When another signed-in user reads, favorites or deletes it
    for attempt in (lambda: other.generation(record["id"]),
                    lambda: other.patch(record["id"], favorite=True),
                    lambda: other.delete(record["id"])):
        with pytest.raises(ApiError) as error:
            attempt()
        # Then it does not exist for them
        assert error.value.status == 404
    # and their gallery does not list it
    assert record["id"] not in [i["id"] for i in other.gallery()["items"]]
    # while the owner still has it, unchanged
    mine = demo.generation(record["id"])
    assert mine["status"] == "COMPLETE" and mine["favorite"] is False


def _demo_credentials() -> tuple[str, str]:
    from e2e_helpers import DEMO_PASSWORD, DEMO_USER

    return DEMO_USER, DEMO_PASSWORD


def test_concurrent_requests_of_two_users_never_mix(demo, other):
    """The gateway handles requests on threads; the handlers' resolver keeps the current event in
    process-global state, which the local Lambda runtime serializes. (The race it prevents is narrow:
    this test is a guard, not a proof.)"""
    from concurrent.futures import ThreadPoolExecutor

    # Given one finished generation per user
    mine = demo.wait(demo.generate(prompt="a blue door")["id"], timeout=RENDER_DEADLINE)["id"]
    theirs = other.wait(other.generate(prompt="a green door")["id"], timeout=RENDER_DEADLINE)["id"]

    # When both users read their own record many times at once
    def read(i: int) -> bool:
        client, generation_id = (demo, mine) if i % 2 else (other, theirs)
        return client.generation(generation_id)["id"] == generation_id

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(read, range(100)))
    # Then every answer is the caller's own record (claims never leak between requests)
    assert all(results)


def test_a_request_over_the_gateways_limit_is_413_in_the_error_shape(stack, demo):
    # Given a request that announces a body over API Gateway's 10 MB limit
    import http.client
    from urllib.parse import urlsplit

    from studio.gateway_errors import MAX_REQUEST_BYTES, REQUEST_TOO_LARGE

    url = urlsplit(stack.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest("POST", "/api/translate")
        conn.putheader("Authorization", f"Bearer {demo.token}")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(MAX_REQUEST_BYTES + 1))
        conn.endheaders()
        # When the gateway answers before reading it
        response = conn.getresponse()
        # Then it is the stack's 413 GatewayResponse, in the application's error shape
        assert response.status == 413
        assert json.loads(response.read()) == REQUEST_TOO_LARGE.body()
    finally:
        conn.close()
