"""A small HTTP client for the Image Prompt Studio API (standard library only).

Reads /config.json, signs in with Cognito's InitiateAuth (USER_PASSWORD_AUTH) at the endpoint it
names, and calls /api/* with the access token. Used by the CLI and the end-to-end tests.
"""

from __future__ import annotations

import json
import mimetypes
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable

TERMINAL = ("COMPLETE", "FAILED")


class ApiError(Exception):
    def __init__(self, status: int, body: Any, method: str = "", path: str = "") -> None:
        self.status = status
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            self.code = error.get("code", "")
            self.message = error.get("message", "")
        elif isinstance(body, dict):
            self.code = error or ""
            self.message = body.get("message") or body.get("error_description") or str(body)
        else:
            self.code, self.message = "", str(body)
        super().__init__(f"{method} {path}: HTTP {status} {self.code} {self.message}".strip())


def http(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 60) -> tuple[int, dict, bytes]:
    """One request; returns (status, headers, body) for every status (no exception on 4xx/5xx)."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _json_or_text(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return data.decode("utf-8", "replace")


def multipart(fields: dict[str, str], file_field: str, filename: str, content: bytes,
              content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class StudioClient:
    def __init__(self, base_url: str = "http://localhost:8080", token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.id_token: str | None = None  # the push channel's authorization (user-pool token)
        self._config: dict | None = None

    # --- configuration and sign-in -----------------------------------------------------------
    @property
    def config(self) -> dict:
        if self._config is None:
            status, _, data = http("GET", f"{self.base_url}/config.json", timeout=10)
            if status != 200:
                raise ApiError(status, _json_or_text(data), "GET", "/config.json")
            self._config = json.loads(data)
        return self._config

    def cognito(self, target: str, payload: dict) -> dict:
        """One call to Cognito's JSON API at the endpoint /config.json names."""
        endpoint = self.config.get("cognitoEndpoint") or f"https://cognito-idp.{self.config['region']}.amazonaws.com/"
        status, _, data = http("POST", endpoint, body=json.dumps(payload).encode(), headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}",
        })
        body = _json_or_text(data)
        if status != 200:
            message = body.get("message", body) if isinstance(body, dict) else body
            kind = body.get("__type", "") if isinstance(body, dict) else ""
            raise ApiError(status, {"error": {"code": kind.split("#")[-1], "message": message}}, "POST", target)
        return body

    def sign_in(self, username: str, password: str) -> dict:
        result = self.cognito("InitiateAuth", {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": self.config["userPoolClientId"],
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        })
        if "AuthenticationResult" not in result:
            raise ApiError(400, {"error": {"code": result.get("ChallengeName", "challenge"),
                                           "message": "Cognito asks for a challenge this client does not handle"}})
        tokens = result["AuthenticationResult"]
        self.token = tokens["AccessToken"]
        self.id_token = tokens.get("IdToken")
        return tokens

    def machine_token(self, client_id: str, client_secret: str, scope: str | None = None) -> dict:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        if scope:
            form["scope"] = scope
        status, _, data = http("POST", f"{self.base_url}/oauth2/token",
                               body=urllib.parse.urlencode(form).encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        body = _json_or_text(data)
        if status != 200:
            raise ApiError(status, body, "POST", "/oauth2/token")
        self.token = body["access_token"]
        return body

    # --- the API ------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, query: dict | None = None) -> Any:
        url = f"{self.base_url}{self.config.get('apiBase', '/api')}{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, _, raw = http(method, url, body=data, headers=headers)
        parsed = _json_or_text(raw)
        if status >= 400:
            raise ApiError(status, parsed, method, path)
        return parsed

    def translate(self, text: str) -> dict:
        return self.request("POST", "/translate", {"text": text})

    def suggest(self, keywords: str, style: str = "", count: int = 3, language: str | None = None) -> dict:
        body = {"keywords": keywords, "style": style, "count": count}
        if language:
            body["language"] = language
        return self.request("POST", "/suggest", body)

    def upload(self, file: Path | str, content: bytes | None = None, content_type: str | None = None) -> dict:
        """Ask for a presigned POST, then post the file to it. Returns the upload answer (imageKey...)."""
        file = Path(file)
        content = file.read_bytes() if content is None else content
        content_type = content_type or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if content_type == "image/jpg":
            content_type = "image/jpeg"
        form = self.request("POST", "/uploads", {"contentType": content_type, "size": len(content)})
        body, ctype = multipart(form["fields"], "file", file.name, content, content_type)
        status, _, data = http("POST", form["url"], body=body, headers={"Content-Type": ctype})
        if status >= 300:
            raise ApiError(status, data.decode("utf-8", "replace"), "POST", form["url"])
        return form

    def describe(self, image_key: str, keywords: str = "", count: int = 3, language: str | None = None) -> dict:
        body = {"imageKey": image_key, "keywords": keywords, "count": count}
        if language:
            body["language"] = language
        return self.request("POST", "/describe", body)

    def generate(self, **fields: Any) -> dict:
        return self.request("POST", "/generations", {k: v for k, v in fields.items() if v is not None})

    def edit(self, **fields: Any) -> dict:
        return self.request("POST", "/edits", {k: v for k, v in fields.items() if v is not None})

    def generation(self, generation_id: str) -> dict:
        return self.request("GET", f"/generations/{urllib.parse.quote(generation_id, safe='')}")

    def channel(self, timeout: float = 10):
        """A subscription to this user's own push channel (local.push_client.Channel, opened);
        PushUnavailable when the stack has none or it refuses."""
        from local.push_client import Channel, PushUnavailable, token_sub

        events = self.config.get("events")
        token = self.id_token or self.token
        if not events or not token:
            raise PushUnavailable("this deployment has no push channel")
        channel = f"/{events['namespace']}/{token_sub(token)}"
        return Channel(events["realtimeUrl"], events["host"], token, channel, timeout=timeout).open()

    def wait_pushed(self, generation_id: str, timeout: float = 120, interval: float = 0.5,
                    progress: Callable[[dict, float], None] | None = None) -> dict:
        """Wait for COMPLETE or FAILED on the push channel, with one GET after subscribing (it may have
        ended before); polls instead when the channel is unavailable or closes."""
        from local.push_client import PushUnavailable

        try:
            channel = self.channel()
        except PushUnavailable:
            channel = None
        try:
            return self._wait_until_done(generation_id, timeout, interval, progress, channel)
        finally:
            if channel is not None:
                channel.close()

    def wait(self, generation_id: str, timeout: float = 120, interval: float = 0.5,
             progress: Callable[[dict, float], None] | None = None) -> dict:
        """Poll until COMPLETE or FAILED (or raise TimeoutError after `timeout` seconds)."""
        return self._wait_until_done(generation_id, timeout, interval, progress, channel=None)

    def _wait_until_done(self, generation_id: str, timeout: float, interval: float,
                         progress: Callable[[dict, float], None] | None, channel) -> dict:
        """The one waiting loop. Each round has the record once; without a channel the next one is a GET
        after `interval`, with one it is the channel's next event for this generation (no GET: the
        channel wakes the loop as soon as the record changes). A channel that closes hands over to
        polling at once, with at least one more second to go."""
        from local.push_client import PushUnavailable

        started = time.monotonic()
        record = self.generation(generation_id)
        while True:
            elapsed = time.monotonic() - started
            if progress:
                progress(record, elapsed)
            if record["status"] in TERMINAL:
                return record
            if elapsed > timeout:
                raise TimeoutError(f"generation {generation_id} still {record['status']} after {timeout:.0f} s")
            if channel is None:
                time.sleep(interval)
                record = self.generation(generation_id)
                continue
            try:
                event = channel.next_event(timeout=min(5.0, max(0.1, timeout - elapsed)))
            except PushUnavailable:
                channel = None
                timeout = max(timeout, time.monotonic() - started + 1.0)
                record = self.generation(generation_id)
                continue
            if event and event.get("id") == generation_id:
                record = event["generation"]

    def gallery(self, **query: Any) -> dict:
        return self.request("GET", "/gallery", query=query)

    def search(self, **query: Any) -> dict:
        """GET /gallery/search: q=words or like=<generation id | upload key> (+ imageIndex, scope, limit)."""
        return self.request("GET", "/gallery/search", query=query)

    def wait_indexed(self, generation_id: str, timeout: float = 60, interval: float = 0.5) -> dict:
        """Poll until the index function has captioned the generation (it is then searchable)."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.generation(generation_id)
            if record.get("annotations"):
                return record
            if time.monotonic() > deadline:
                raise TimeoutError(f"generation {generation_id} not indexed after {timeout:.0f} s")
            time.sleep(interval)

    def patch(self, generation_id: str, **fields: Any) -> dict:
        return self.request("PATCH", f"/generations/{urllib.parse.quote(generation_id, safe='')}",
                            {k: v for k, v in fields.items() if v is not None})

    def delete(self, generation_id: str) -> Any:
        return self.request("DELETE", f"/generations/{urllib.parse.quote(generation_id, safe='')}")

    def verify(self, image_key: str) -> dict:
        """What the Content Credentials of an uploaded image say (POST /credentials/verify)."""
        return self.request("POST", "/credentials/verify", {"imageKey": image_key})

    def models(self) -> dict:
        return self.request("GET", "/models")

    def download(self, url: str, dest: Path) -> Path:
        if url.startswith("/"):
            url = self.base_url + url
        status, _, data = http("GET", url)
        if status != 200:
            raise ApiError(status, data[:200], "GET", url)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        return dest
