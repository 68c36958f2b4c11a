"""Bedrock Runtime's error shapes: status code, `x-amzn-ErrorType` header and `{"message"}` body.

botocore reads the error code from the header (rest-json protocol), so a handler that raises one of
these gets the same `ClientError` (`e.response["Error"]["Code"]`) the real service produces.
"""

from __future__ import annotations

STATUS = {
    "ValidationException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ModelTimeoutException": 408,
    "ModelNotReadyException": 429,
    "ModelErrorException": 424,
    "ThrottlingException": 429,
    "ServiceQuotaExceededException": 400,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
}

MALFORMED_SUFFIX = ", please reformat your input and try again."


class BedrockError(Exception):
    """An error answered with Bedrock's shape."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS.get(code, 400)


def validation(message: str) -> BedrockError:
    return BedrockError("ValidationException", message)


def malformed(violations: list[str]) -> BedrockError:
    """Bedrock's wording for a body that breaks the model's JSON schema (violations joined as-is)."""
    return validation("Malformed input request: " + "".join(violations) + MALFORMED_SUFFIX)


def not_found(model_id: str) -> BedrockError:
    return BedrockError("ResourceNotFoundException", f"Could not resolve the foundation model from the "
                        f"provided model identifier: {model_id}. Check the model ID and try again.")


# Messages of the model-specific faults.
CONTENT_FILTER_INPUT_NOVA = ("This request has been blocked by our content filters. Please adjust your text "
                             "prompt to submit a new request.")
CONTENT_FILTER_INPUT_TITAN = ("This request has been blocked by our content filters. Our filters automatically "
                              "flagged this prompt because it may conflict our AUP or AWS Responsible AI Policy. "
                              "Please adjust your text prompt to submit a new request.")
CONTENT_FILTER_OUTPUT = "All of the generated images have been blocked by our content filters."
CONTENT_FILTER_CONVERSE = ("This request has been blocked by our content filters. Please adjust your input and "
                           "submit a new request.")
CONTENT_FILTER_CONVERSE_OUTPUT = "The generated text has been blocked by our content filters."
