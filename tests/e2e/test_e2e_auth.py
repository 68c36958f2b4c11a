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

from local.client import ApiError, StudioClient, http

pytestmark = pytest.mark.e2e


def call(stack, authorization: str | None, method: str = "GET", path: str = "/api/gallery") -> tuple[int, dict]:
    headers = {"Authorization": authorization} if authorization is not None else {}
    status, _, body = http(method, f"{stack.url}{path}", headers=headers)
    return status, json.loads(body or b"{}")


def moto_signing_key():
    """The key moto signs its Cognito tokens with (public in moto's package), to forge edge cases."""
    path = os.path.join(os.path.dirname(moto.__file__), "cognitoidp", "resources", "jwks-private.json.gz")
    return jwt.PyJWK(json.loads(gzip.open(path).read())).key


def forged(stack, demo: StudioClient, **changes) -> str:
    claims = jwt.decode(demo.token, options={"verify_signature": False})
    claims.update(changes)
    return jwt.encode(claims, moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"})


def test_a_valid_access_token_is_accepted_raw_or_as_bearer(stack, demo):
    assert call(stack, demo.token)[0] == 200
    assert call(stack, f"Bearer {demo.token}")[0] == 200


def test_no_token_is_401_like_api_gateway(stack):
    assert call(stack, None) == (401, {"message": "Unauthorized"})
    assert call(stack, "Bearer ")[0] == 401
    assert call(stack, "not-a-jwt")[0] == 401


def test_a_tampered_token_is_401(stack, demo):
    # Given the demo user's token with another user's sub swapped into the payload
    header, payload, signature = demo.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(uuid.uuid4())
    tampered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    # Then the signature no longer matches
    assert call(stack, f"{header}.{tampered_payload}.{signature}") == (401, {"message": "Unauthorized"})
    # and a flipped signature byte fails too
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert call(stack, f"{header}.{payload}.{flipped}")[0] == 401


def test_an_expired_token_is_401(stack, demo):
    # A token signed with the pool's real key: the same claims pass while fresh...
    assert call(stack, forged(stack, demo, exp=int(time.time()) + 600))[0] == 200
    # ...and fail once expired
    assert call(stack, forged(stack, demo, exp=int(time.time()) - 5)) == (401, {"message": "Unauthorized"})


def test_an_id_token_or_a_foreign_client_or_issuer_is_401(stack, demo):
    id_token = StudioClient(stack.url).sign_in(*_demo_credentials())["IdToken"]
    assert call(stack, id_token)[0] == 401
    assert call(stack, forged(stack, demo, client_id="someone-elses-client"))[0] == 401
    assert call(stack, forged(stack, demo, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"))[0] == 401


def test_a_token_without_the_routes_scope_is_refused(stack, demo):
    # A valid access token whose scopes do not include the route's
    token = forged(stack, demo, scope="studio/read")
    assert call(stack, token, "GET", "/api/gallery")[0] == 200
    assert call(stack, token, "POST", "/api/translate")[0] == 403


def test_machine_client_credentials_reach_the_api_with_their_scopes(stack):
    client = StudioClient(stack.url)
    config = client.config
    secret = client.cognito("DescribeUserPoolClient", {"UserPoolId": config["userPoolId"],
                                                       "ClientId": config["machineClientId"]})["UserPoolClient"]["ClientSecret"]
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
    record = demo.wait(demo.generate(prompt="a red kite over dunes")["id"], timeout=60)
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
    mine = demo.wait(demo.generate(prompt="a blue door")["id"], timeout=60)["id"]
    theirs = other.wait(other.generate(prompt="a green door")["id"], timeout=60)["id"]

    # When both users read their own record many times at once
    def read(i: int) -> bool:
        client, generation_id = (demo, mine) if i % 2 else (other, theirs)
        return client.generation(generation_id)["id"] == generation_id

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(read, range(100)))
    # Then every answer is the caller's own record (claims never leak between requests)
    assert all(results)
