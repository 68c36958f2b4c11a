"""The Cognito authorizer API Gateway runs before a handler, and Cognito's /oauth2/token.

API Gateway's COGNITO_USER_POOLS authorizer with authorizationScopes on a method:
- the token comes in the Authorization header, raw or as "Bearer <token>";
- its signature must verify against the pool's JWKS, it must not be expired, its issuer must be
  the pool;
- it must be an ACCESS token (with scopes set, ID tokens are refused) whose client_id is one of
  the pool's app clients, and its `scope` must contain one of the method's scopes.
A missing or invalid token is a 401; a valid token without the scope is refused too (this gateway
answers 403, so the two cases can be told apart). The bodies are the stack's GatewayResponses
(studio.gateway_errors), in the application's error shape.

The pool signs its tokens with a key of this data directory (made at the first start, kept in
cognito-signing-key.json), never with the key moto bundles, which anyone could use to mint tokens.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt

from local import aws


class Unauthorized(Exception):
    pass


class Forbidden(Exception):
    pass


@dataclass
class Verified:
    claims: dict


SIGNING_KEY_FILE = "cognito-signing-key.json"
KEY_ID = "dummy"  # the kid moto writes in every token's header


def signing_key(data_dir: Path | None):
    """The RSA key the local user pool signs tokens with: this data directory's (made once), or a
    fresh one when nothing is kept."""
    from joserfc import jwk

    path = data_dir / SIGNING_KEY_FILE if data_dir is not None else None
    if path is not None and path.exists():
        return jwk.RSAKey.import_key(json.loads(path.read_text()))
    key = jwk.RSAKey.generate_key(2048)
    if path is not None:
        path.write_text(json.dumps(key.as_dict(private=True)))
        os.chmod(path, 0o600)
    return key


def install_signing_key(pool_id: str, key) -> dict:
    """Make moto's pool sign with `key`; the public JWKS that verifies its tokens."""
    from moto.cognitoidp.models import cognitoidp_backends

    cognitoidp_backends[aws.ACCOUNT_ID][aws.REGION].user_pools[pool_id].json_web_key = key
    return {"keys": [{**key.as_dict(private=False), "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}


class Authorizer:
    def __init__(self, resources: aws.Resources, jwks_url: str | None = None, jwks: dict | None = None) -> None:
        self.res = resources
        self.jwks = jwks  # the pool's keys, when this process holds them (else fetched from jwks_url)
        self.jwks_url = jwks_url or resources.jwks_url
        self.issuer = f"https://cognito-idp.{aws.REGION}.amazonaws.com/{resources.user_pool_id}"
        self._keys: dict[str, object] = {}
        self._clients: set[str] = set()
        self._lock = threading.Lock()

    # --- keys and clients, fetched on first use and again on a miss -------------------------
    def _key(self, kid: str):
        with self._lock:
            if kid not in self._keys:
                jwks = self.jwks
                if jwks is None:
                    with urllib.request.urlopen(self.jwks_url, timeout=5) as response:
                        jwks = json.load(response)
                self._keys = {k["kid"]: jwt.PyJWK(k).key for k in jwks["keys"]}
            if kid not in self._keys:
                raise Unauthorized("unknown key")
            return self._keys[kid]

    def _client_known(self, client_id: str) -> bool:
        if client_id in self._clients:
            return True
        idp = aws.client("cognito-idp", self.res.moto_url)
        pages = idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=self.res.user_pool_id)
        self._clients = {c["ClientId"] for page in pages for c in page["UserPoolClients"]}
        return client_id in self._clients

    # --- the check ------------------------------------------------------------------------
    def verify(self, authorization: str | None, scopes: tuple[str, ...]) -> dict:
        if not authorization:
            raise Unauthorized("no token")
        token = authorization.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self._key(header.get("kid", "")),
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"require": ["exp", "iss", "token_use"], "verify_aud": False},
                leeway=0,
            )
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            raise Unauthorized(str(exc)) from exc
        if claims.get("token_use") != "access":
            raise Unauthorized("an access token is required")
        if not self._client_known(str(claims.get("client_id", ""))):
            raise Unauthorized("unknown client")
        granted = set(str(claims.get("scope", "")).split())
        if scopes and not granted.intersection(scopes):
            raise Forbidden("scope")
        return claims

    def verify_user_pool_token(self, token: str | None) -> dict:
        """AppSync's user-pool authorization (push): an ID token of one of the pool's app clients, or
        an access token; no scope is asked. The claims, with `sub` naming the user."""
        token = (token or "").strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        if not token:
            raise Unauthorized("no token")
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, self._key(header.get("kid", "")), algorithms=["RS256"], issuer=self.issuer,
                                options={"require": ["exp", "iss", "token_use", "sub"], "verify_aud": False},
                                leeway=0)
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            raise Unauthorized(str(exc)) from exc
        client = claims.get("aud") if claims.get("token_use") == "id" else claims.get("client_id")
        if claims.get("token_use") not in ("id", "access") or not self._client_known(str(client or "")):
            raise Unauthorized("not a token of this user pool's clients")
        return claims

    # --- /oauth2/token (client credentials), which moto does not serve ------------------------
    def client_credentials(self, client_id: str, client_secret: str, scope: str | None) -> dict:
        """Issue an access token as Cognito's token endpoint does, signed with moto's pool key."""
        idp = aws.client("cognito-idp", self.res.moto_url)
        try:
            app = idp.describe_user_pool_client(UserPoolId=self.res.user_pool_id, ClientId=client_id)[
                "UserPoolClient"
            ]
        except Exception as exc:
            raise Unauthorized("invalid_client") from exc
        if not app.get("ClientSecret") or app["ClientSecret"] != client_secret:
            raise Unauthorized("invalid_client")
        if "client_credentials" not in app.get("AllowedOAuthFlows", []):
            raise Forbidden("unauthorized_client")
        allowed = app.get("AllowedOAuthScopes", [])
        wanted = scope.split() if scope else allowed
        if not wanted or any(s not in allowed for s in wanted):
            raise Forbidden("invalid_scope")
        from moto.cognitoidp.models import cognitoidp_backends

        pool = cognitoidp_backends[aws.ACCOUNT_ID][aws.REGION].user_pools[self.res.user_pool_id]
        now = int(time.time())
        expires_in = 3600
        claims = {
            "sub": client_id,
            "token_use": "access",
            "scope": " ".join(wanted),
            "auth_time": now,
            "iss": self.issuer,
            "exp": now + expires_in,
            "iat": now,
            "version": 2,
            "jti": str(uuid.uuid4()),
            "client_id": client_id,
        }
        from joserfc import jwt as jose_jwt  # what moto signs its own tokens with

        token = jose_jwt.encode({"kid": KEY_ID, "alg": "RS256"}, claims, pool.json_web_key)
        return {"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}
