"""The cloud sign-in (Cognito managed login, authorization code + PKCE) driven end to end in the
browser, with the managed-login endpoints played by Playwright routes on the site's own origin
(the CSP allows only 'self'), and real access tokens from the local user pool so the API answers."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.parse
import urllib.request

from playwright.sync_api import expect


def test_managed_login_with_pkce_refresh_and_sign_out(desk, api, stack):
    page, context = desk.page, desk.context
    domain = f"{stack.url}/_fake_managed_login"
    real = json.loads(urllib.request.urlopen(f"{stack.url}/config.json").read())
    config = {**real, "signIn": "hosted", "cognitoEndpoint": None, "cognitoDomain": domain,
              "redirectUri": f"{stack.url}/", "scopes": ["openid", "email", "profile"], "environment": "aws"}
    seen = {"authorize": [], "token": [], "logout": []}

    context.route("**/config.json", lambda route: route.fulfill(json=config))

    def authorize(route):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(route.request.url).query))
        seen["authorize"].append(query)
        target = f"{query['redirect_uri']}?code=the-code&state={query['state']}"
        route.fulfill(status=302, headers={"Location": target})

    def token(route):
        form = dict(urllib.parse.parse_qsl(route.request.post_data or ""))
        seen["token"].append(form)
        route.fulfill(json={"access_token": api.token, "id_token": api.token, "refresh_token": "the-refresh-token",
                            "expires_in": 3600, "token_type": "Bearer"},
                      headers={"Access-Control-Allow-Origin": "*"})

    def logout(route):
        seen["logout"].append(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(route.request.url).query)))
        route.fulfill(content_type="text/html", body="<!doctype html><title>Signed out</title><p>Signed out</p>")

    context.route(f"{domain}/oauth2/authorize**", authorize)
    context.route(f"{domain}/oauth2/token", token)
    context.route(f"{domain}/logout**", logout)

    desk.open("/#gallery")
    page.get_by_role("button", name="Continue to sign in").click()
    page.get_by_role("heading", name="Gallery").wait_for()

    # The authorization request: code flow, S256 challenge, the configured scopes and redirect.
    auth = seen["authorize"][0]
    assert auth["response_type"] == "code" and auth["code_challenge_method"] == "S256"
    assert auth["client_id"] == real["userPoolClientId"] and auth["redirect_uri"] == f"{stack.url}/"
    assert auth["scope"] == "openid email profile" and len(auth["state"]) >= 16
    # The token request proves possession of the verifier behind the challenge.
    exchange = seen["token"][0]
    assert exchange["grant_type"] == "authorization_code" and exchange["code"] == "the-code"
    digest = base64.urlsafe_b64encode(hashlib.sha256(exchange["code_verifier"].encode()).digest()).rstrip(b"=").decode()
    assert digest == auth["code_challenge"]
    # No code in the address bar, and the route the user wanted (#gallery) is kept.
    assert "code=" not in page.url and "state=" not in page.url and page.url.endswith("#gallery")
    assert page.evaluate("() => history.length") >= 1

    # A reload signs in silently with the refresh token.
    page.reload()
    page.get_by_role("heading", name="Gallery").wait_for()
    assert seen["token"][-1]["grant_type"] == "refresh_token"
    assert seen["token"][-1]["refresh_token"] == "the-refresh-token"

    # Sign-out goes through the managed login's /logout.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Signed out")).to_be_visible()
    assert seen["logout"][0] == {"client_id": real["userPoolClientId"], "logout_uri": f"{stack.url}/"}


def test_a_refused_sign_in_is_explained(desk, stack):
    page, context = desk.page, desk.context
    domain = f"{stack.url}/_fake_managed_login"
    real = json.loads(urllib.request.urlopen(f"{stack.url}/config.json").read())
    config = {**real, "signIn": "hosted", "cognitoDomain": domain, "redirectUri": f"{stack.url}/", "scopes": ["openid"]}
    context.route("**/config.json", lambda route: route.fulfill(json=config))
    context.route(f"{domain}/oauth2/authorize**", lambda route: route.fulfill(status=302, headers={
        "Location": f"{stack.url}/?error=access_denied&error_description=User+cancelled"}))
    desk.open()
    page.get_by_role("button", name="Continue to sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("User cancelled")
    assert "error=" not in page.url
    desk.axe_check("sign-in (hosted)")
