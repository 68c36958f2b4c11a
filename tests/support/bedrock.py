"""Bedrock Runtime under botocore's Stubber: exact requests in, Bedrock's own answers out."""

from __future__ import annotations

import base64
import io
import json
from typing import Any, Callable

import boto3
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from studio.adapters import clients


class JsonEqual:
    """Equal to a JSON string (or bytes) whose parsed value equals `expected` exactly."""

    def __init__(self, expected: Any) -> None:
        self.expected = expected
        self.seen: Any = None

    def __eq__(self, other: object) -> bool:
        try:
            self.seen = json.loads(other)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return _equal(self.expected, self.seen)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __repr__(self) -> str:
        return f"JsonEqual({self.expected!r})"


class Matches:
    """Equal to any value for which `predicate` holds (and remembers it)."""

    def __init__(self, predicate: Callable[[Any], bool], label: str = "predicate") -> None:
        self.predicate, self.label, self.seen = predicate, label, None

    def __eq__(self, other: object) -> bool:
        self.seen = other
        try:
            return bool(self.predicate(other))
        except Exception:  # noqa: BLE001 - a failing predicate is a mismatch
            return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __repr__(self) -> str:
        return f"Matches({self.label})"


def _equal(expected: Any, actual: Any) -> bool:
    """Structural equality where expected may hold matchers; 1 != True and 1.0 == 1 as in JSON."""
    if isinstance(expected, (Matches, JsonEqual)):
        return expected == actual
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and all(
            _equal(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            _equal(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    return expected == actual


def b64_image(check: Callable[[Any], bool], label: str = "base64 image") -> Matches:
    """A base64 string whose decoded bytes open in Pillow and pass `check(image)`."""
    from PIL import Image

    def predicate(text: Any) -> bool:
        image = Image.open(io.BytesIO(base64.b64decode(text, validate=True)))
        image.load()
        return check(image)

    return Matches(predicate, label)


def make_client():
    return boto3.client("bedrock-runtime", region_name="us-east-1")


class BedrockStub:
    """A stubbed bedrock-runtime client installed as the application's client."""

    def __init__(self) -> None:
        self.client = make_client()
        self.stubber = Stubber(self.client)
        clients.override("bedrock-runtime", self.client)
        self.stubber.activate()

    # --- InvokeModel -----------------------------------------------------------------------
    def invoke(self, model_id: str, body: Any, answer: dict | bytes) -> None:
        raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        self.stubber.add_response(
            "invoke_model",
            {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"},
            {"modelId": model_id, "body": body if isinstance(body, (JsonEqual, Matches)) else JsonEqual(body),
             "contentType": "application/json", "accept": "application/json"},
        )

    def invoke_error(self, code: str, message: str, status: int = 400, model_id: Any = ANY) -> None:
        self.stubber.add_client_error("invoke_model", service_error_code=code, service_message=message,
                                      http_status_code=status,
                                      expected_params={"modelId": model_id, "body": ANY,
                                                       "contentType": "application/json",
                                                       "accept": "application/json"})

    # --- Converse ---------------------------------------------------------------------------
    def converse(self, expected: dict | None, tool_name: str, tool_input: Any, *, stop_reason: str = "tool_use",
                 content: list | None = None) -> None:
        blocks = content if content is not None else [
            {"text": "Here is the answer."},
            {"toolUse": {"toolUseId": "tooluse_1", "name": tool_name, "input": tool_input}},
        ]
        self.stubber.add_response(
            "converse",
            {"output": {"message": {"role": "assistant", "content": blocks}}, "stopReason": stop_reason,
             "usage": {"inputTokens": 120, "outputTokens": 80, "totalTokens": 200},
             "metrics": {"latencyMs": 420}},
            expected if expected is not None else {k: ANY for k in
                                                   ("modelId", "system", "messages", "inferenceConfig", "toolConfig")},
        )

    def converse_error(self, code: str, message: str, status: int = 400) -> None:
        self.stubber.add_client_error("converse", service_error_code=code, service_message=message,
                                      http_status_code=status)

    def assert_done(self) -> None:
        self.stubber.assert_no_pending_responses()


CONTENT_FILTER = ("This request has been blocked by our content filters. Our filters automatically flagged "
                  "this prompt because it may conflict our AUP or AWS Responsible AI Policy.")


def titan_answer(*pngs: bytes) -> dict:
    return {"images": [base64.b64encode(p).decode() for p in pngs], "error": None}


def stability_answer(png: bytes, seed: int, reason: str | None = None) -> dict:
    return {"seeds": [seed], "finish_reasons": [reason], "images": [base64.b64encode(png).decode()]}
