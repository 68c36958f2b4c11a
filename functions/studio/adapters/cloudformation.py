"""CloudFormation custom resources: the answer a Lambda-backed custom resource owes CloudFormation.

CloudFormation waits (up to an hour) for a JSON document PUT to the request's pre-signed S3
ResponseURL, with no Content-Type (the pre-signed URL is signed without one). A direct invoke (no
ResponseURL: the local world runs the handler this way, local/stack.py) just gets the answer back.
"""

from __future__ import annotations

import json
import urllib.request

from studio.observability import logger

TIMEOUT_SECONDS = 10
MAX_REASON = 1000  # CloudFormation shows the reason in its events; keep it short


def answer(event: dict, status: str, physical_id: str, data: dict[str, str], reason: str = "") -> dict:
    """The response document for `event` (SUCCESS or FAILED)."""
    return {"Status": status, "Reason": reason[:MAX_REASON] or status, "PhysicalResourceId": physical_id,
            "StackId": event.get("StackId", ""), "RequestId": event.get("RequestId", ""),
            "LogicalResourceId": event.get("LogicalResourceId", ""), "Data": data}


def respond(event: dict, document: dict) -> None:
    """PUT `document` to the event's ResponseURL, if it has one. Errors are logged: the function's
    answer cannot be delivered any other way."""
    url = event.get("ResponseURL")
    if not url:
        return
    body = json.dumps(document).encode()
    request = urllib.request.Request(url, data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:  # noqa: S310 (CloudFormation's URL)
            reply.read()
    except OSError:
        logger.exception("could not send the custom resource's answer to CloudFormation",
                         extra={"status": document["Status"], "logicalResourceId": document["LogicalResourceId"]})
