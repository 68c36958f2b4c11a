"""AppSync Events: publish an event to a channel over HTTP (POST https://<http domain>/event).

The call is signed with SigV4 (service "appsync") as the function's own role, which may only
appsync:EventPublish on the generations namespace (cdk/permissions.py). Publishing is off when the
stack sets no Events API (EVENTS_HTTP_DOMAIN empty). EVENTS_ENDPOINT_URL replaces the endpoint's
base (the local gateway), as AWS_ENDPOINT_URL_<SERVICE> does for boto3 clients.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from studio import caches
from studio.settings import settings

SIGNING_SERVICE = "appsync"
TIMEOUT_SECONDS = 3  # a slow push must not hold a job: the record is written, polling still finds it


class PushError(Exception):
    """A publish that did not go through. Never an API answer: logic/announcing.py logs and counts it."""


_session: list = []


def _forget() -> None:
    _session.clear()


caches.register(_forget)


def enabled() -> bool:
    return bool(settings().events_http_domain)


def publish_url() -> str:
    conf = settings()
    base = conf.events_endpoint_url.rstrip("/") or f"https://{conf.events_http_domain}"
    return f"{base}/event"


def _signer():
    """The function's credentials (its role's, refreshed by botocore) and region (the API's: one stack)."""
    if not _session:
        _session.append(botocore.session.get_session())
    session = _session[0]
    credentials = session.get_credentials()
    if credentials is None:
        raise PushError("No AWS credentials to sign the publish request with.")
    return credentials.get_frozen_credentials(), session.get_config_variable("region") or "us-east-1"


def publish(channel: str, events: list[dict]) -> None:
    """Publish up to five events (each a JSON object) to `channel`; PushError when refused or unreachable."""
    body = json.dumps({"channel": channel, "events": [json.dumps(e, separators=(",", ":")) for e in events]})
    url = publish_url()
    request = AWSRequest(method="POST", url=url, data=body.encode(),
                         headers={"Content-Type": "application/json"})
    credentials, region = _signer()
    SigV4Auth(credentials, SIGNING_SERVICE, region).add_auth(request)
    prepared = urllib.request.Request(url, data=body.encode(), method="POST", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=TIMEOUT_SECONDS) as answer:
            result = json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise PushError(f"AppSync Events refused the publish ({error.code}): {error.read()[:300]!r}") from error
    except (OSError, ValueError) as error:
        raise PushError(f"AppSync Events did not answer: {error}") from error
    if result.get("failed"):
        raise PushError(f"AppSync Events refused {len(result['failed'])} event(s): {result['failed']}")
