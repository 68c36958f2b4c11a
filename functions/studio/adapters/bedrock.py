"""Bedrock Runtime: InvokeModel for images and embeddings, Converse for text. Errors become domain errors."""

from __future__ import annotations

import base64
import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

from studio.adapters import clients
from studio.errors import (
    CONTENT_FILTER_MESSAGE,
    THROTTLED_MESSAGE,
    ContentFiltered,
    ModelError,
    ModelThrottled,
    ModelUnavailable,
    StudioError,
)
from studio.observability import count, model_latency

CONTENT_FILTER_MARKER = "content filters"
RETRY_AFTER_SECONDS = 30


def classify(error: Exception, model_id: str) -> StudioError:
    """Turn what botocore raised (after its own retries) into a typed domain error."""
    if isinstance(error, ReadTimeoutError):
        return ModelUnavailable(f"The model {model_id} did not answer in time. Try again in a moment.",
                                code="model_timeout")
    if isinstance(error, BotoCoreError):  # no answer: connection refused or closed, endpoint unreachable
        return ModelUnavailable(f"The model service could not be reached ({type(error).__name__}).")
    if not isinstance(error, ClientError):
        return ModelError(f"Unexpected error from the model: {type(error).__name__}")
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    if code == "ValidationException" and CONTENT_FILTER_MARKER in message.lower():
        count("ContentFiltered")
        return ContentFiltered(CONTENT_FILTER_MESSAGE, {"stage": "input"})
    if code in ("ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException"):
        count("ModelThrottled")
        return ModelThrottled(THROTTLED_MESSAGE, retry_after=RETRY_AFTER_SECONDS)
    if code == "ModelTimeoutException":
        return ModelUnavailable("The model took too long to answer. Try again, or ask for fewer images.",
                                code="model_timeout")
    if code == "AccessDeniedException":
        return ModelUnavailable(
            f"This account cannot use {model_id}: enable access to it in the Amazon Bedrock console "
            "(Model access; an administrator subscribes to third-party models such as Stability's once, through "
            "AWS Marketplace) or choose another model.", code="model_access_denied")
    if code == "ResourceNotFoundException":
        return ModelUnavailable(f"The model {model_id} is not available in this region.", code="model_not_found")
    if code in ("InternalServerException", "ServiceUnavailableException", "ModelNotReadyException"):
        return ModelUnavailable("The model service is unavailable right now. Try again in a minute.",
                                retry_after=RETRY_AFTER_SECONDS)
    # ValidationException (a request we should have caught), ModelErrorException, anything else.
    return ModelError(f"The model rejected the request: {message or code}", {"modelError": code})


def invoke_json(model_id: str, body: dict[str, Any], region: str | None = None) -> dict[str, Any]:
    """InvokeModel with a JSON body (in `region`, default bedrockRegion); the parsed JSON answer."""
    try:
        with model_latency(model_id):
            response = clients.get("bedrock-runtime", region).invoke_model(
                modelId=model_id, body=json.dumps(body), contentType="application/json",
                accept="application/json",
            )
            raw = response["body"].read()
    except Exception as error:  # noqa: BLE001 - classify() decides what each one means
        raise classify(error, model_id) from error
    try:
        answer = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelError("The model's answer could not be read (it was not JSON).") from error
    if not isinstance(answer, dict):
        raise ModelError("The model's answer could not be read (not a JSON object).")
    return answer


def converse_tool(model_id: str, *, system: str, content: list[dict], tool_name: str, tool_description: str,
                  input_schema: dict, temperature: float, max_tokens: int) -> tuple[dict, dict]:
    """One Converse call that must answer by calling `tool_name`; returns (tool input, usage)."""
    request = {
        "modelId": model_id,
        "system": [{"text": system}],
        "messages": [{"role": "user", "content": content}],
        "inferenceConfig": {"maxTokens": max_tokens, "temperature": temperature},
        "toolConfig": {
            "tools": [{"toolSpec": {"name": tool_name, "description": tool_description,
                                    "inputSchema": {"json": input_schema}}}],
            "toolChoice": {"tool": {"name": tool_name}},
        },
    }
    try:
        with model_latency(model_id):
            response = clients.get("bedrock-runtime").converse(**request)
    except Exception as error:  # noqa: BLE001
        raise classify(error, model_id) from error
    if response.get("stopReason") in ("content_filtered", "guardrail_intervened"):
        count("ContentFiltered")
        raise ContentFiltered(CONTENT_FILTER_MESSAGE, {"stage": "output"})
    blocks = response.get("output", {}).get("message", {}).get("content", [])
    for block in blocks:
        tool_use = block.get("toolUse")
        if tool_use and tool_use.get("name") == tool_name and isinstance(tool_use.get("input"), dict):
            return tool_use["input"], response.get("usage", {})
    raise ModelError("The language model did not answer in the expected form. Try again.")


def embed(model_id: str, purpose: str, dimension: int, region: str, *, text: str | None = None,
          image: tuple[str, bytes] | None = None) -> list[float]:
    """One Amazon Nova Multimodal Embeddings vector for a text or an image (format, bytes).

    Request and response as documented in "Complete embeddings request and response schema"
    (https://docs.aws.amazon.com/nova/latest/userguide/embeddings-schema.html): taskType
    SINGLE_EMBEDDING, singleEmbeddingParams {embeddingPurpose, embeddingDimension 256|384|1024|3072,
    text {truncationMode, value} | image {format png|jpeg|gif|webp, source {bytes: base64}}};
    answer {"embeddings": [{"embeddingType", "embedding": [floats]}]}. The purposes the search uses are
    in logic/indexing.py (INDEX_PURPOSE, QUERY_PURPOSE); `region` is where the model runs.
    """
    params: dict[str, Any] = {"embeddingPurpose": purpose, "embeddingDimension": dimension}
    if text is not None:
        params["text"] = {"truncationMode": "END", "value": text}
    elif image is not None:
        params["image"] = {"format": image[0], "source": {"bytes": base64.b64encode(image[1]).decode("ascii")}}
    answer = invoke_json(model_id, {"taskType": "SINGLE_EMBEDDING", "singleEmbeddingParams": params}, region)
    try:
        vector = answer["embeddings"][0]["embedding"]
        if len(vector) != dimension or not all(isinstance(x, (int, float)) for x in vector):
            raise ValueError("wrong dimension")
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise ModelError("The embeddings model's answer could not be read.") from error
    return [float(x) for x in vector]
