"""Every error code the API answers with, its status, what it means, and which operations meet it.

The OpenAPI document is the contract (a fuzz suite checks the running API against it, generated
clients are built from it): studio.openapi gives every operation a response for each status its codes
use, in the one error shape, with the codes listed. A handler declares only its success (`responses`).
The gateway's own answers are here too (studio.gateway_errors): 401 and 403 from the authorizer, 413
over the payload limit, 429 from throttling with Retry-After, 502 when a function fails.
A test fails when the code raises a code this table lacks, or names an operation the routes lack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio import gateway_errors

# Which operations meet a code: every one, those with a JSON body, or the ones named (operationIds).
EVERY = "every operation"
WITH_BODY = "operations with a JSON body"
TEXT = ("translatePrompt", "suggestPrompts", "describeReference")
MODEL_CALLS = (*TEXT, "searchGallery")  # the operations that call a model before they answer
RENDERS = ("createGeneration", "createGenerationBatch", "createEdit")
KEYED_RENDERS = ("createGeneration", "createEdit")  # the ones that take an Idempotency-Key
ONE_RECORD = ("getGeneration", "updateGeneration", "deleteGeneration")
BOARD_READS = ("getBoard", "listBoardItems")
BOARD_WRITES = ("updateBoard", "deleteBoard", "updateBoardItems", "createBoardItem", "deleteBoardItem")
WRITES = (*TEXT, *RENDERS, "updateGeneration", "deleteGeneration", "createBoard", *BOARD_WRITES)
MAX_MB = gateway_errors.MAX_REQUEST_BYTES // (1024 * 1024)


@dataclass(frozen=True)
class ErrorCode:
    status: int
    code: str
    meaning: str  # what happened and what to do
    operations: str | tuple[str, ...]  # EVERY, WITH_BODY or operationIds


ERROR_CODES: tuple[ErrorCode, ...] = (
    ErrorCode(400, "invalid_json", "the body is not valid JSON (or not UTF-8, nested too deeply, or holds an "
              "integer too long to read)", WITH_BODY),
    ErrorCode(400, "unsupported_mode", "no enabled model renders this mode, or the chosen model lacks it: "
              "GET /models lists each model's modes", ("createGeneration", "createGenerationBatch")),
    ErrorCode(400, "unsupported_operation", "this edit operation is not enabled here: GET /models lists "
              "editOperations", ("createEdit",)),
    ErrorCode(400, "invalid_cursor", "cursor is not the nextCursor of a page with the same filters: start again "
              "without it", ("listGallery", "listBoards", "listBoardItems")),
    ErrorCode(400, "invalid_filter", "favorite=true and parent list your own images: send them with scope=mine "
              "(parent alone: without mode, favorite, tag, model, operation, aspect or batchId); the message "
              "names what to drop", ("listGallery",)),
    ErrorCode(400, "invalid_search", "send exactly one of q (words) or like (an image): not both, not neither",
              ("searchGallery",)),
    ErrorCode(401, gateway_errors.UNAUTHORIZED.code, "the access token is missing, invalid or expired (from the "
              "gateway): get a new one", EVERY),
    ErrorCode(403, gateway_errors.ACCESS_DENIED.code, "the token lacks this operation's scope (from the gateway), "
              "or the request did not come through the site's address", EVERY),
    ErrorCode(403, "board_read_only", "the board is shared with you read-only: only its owner may change it",
              BOARD_WRITES),
    ErrorCode(404, "not_found", "no generation with this id, or it is not yours (another user's private record, "
              "or a shared one not yet COMPLETE, answers the same); to add to a board: no image its owner may see "
              "(theirs, or a shared and COMPLETE one)", (*ONE_RECORD, "createEdit", "searchGallery", "createBoardItem")),
    ErrorCode(404, "board_not_found", "no board with this id, or it is another user's private board (which answers "
              "the same)", (*BOARD_READS, *BOARD_WRITES, "createExport")),
    ErrorCode(404, "export_not_found", "no export with this id, or it is not yours; exports are kept for one day",
              ("getExport",)),
    ErrorCode(404, "parent_not_found", "lineage.parentId names no generation you may see (yours, or one shared "
              "and finished): leave it out, or name the generation this one re-runs", RENDERS),
    ErrorCode(404, "reference_missing", "an upload key names no upload of yours (uploads are kept for one day): "
              "upload it again", (*RENDERS, "describeReference", "searchGallery", "verifyCredentials")),
    ErrorCode(409, "idempotency_conflict", "this Idempotency-Key was used with another request body: use a new key "
              "for a new request", KEYED_RENDERS),
    ErrorCode(409, "conflict", "a request with this Idempotency-Key is still being processed: try again in a moment",
              KEYED_RENDERS),
    ErrorCode(409, "source_not_ready", "the generation to edit has not completed: wait for it", ("createEdit",)),
    ErrorCode(409, "board_full", "the board holds as many images as a board may: make another board",
              ("createBoardItem",)),
    ErrorCode(409, "in_progress", "another change to the same record or quota was being written: try again",
              WRITES),
    ErrorCode(413, gateway_errors.REQUEST_TOO_LARGE.code, f"the request is over {MAX_MB} MB (from the gateway); "
              "POST /uploads: the declared size is over the upload limit; an uploaded image is larger than its "
              "field allows", EVERY),
    ErrorCode(415, "unsupported_media_type", "the body is not sent as application/json (or is sent without a "
              "Content-Type header)", WITH_BODY),
    ErrorCode(422, "validation_error", "a parameter or field breaks a rule or has the wrong JSON type (strict: "
              '"2" is not a number): details name each field and its rule', EVERY),
    ErrorCode(422, "content_filtered", "the model's content filters blocked the text or image: rephrase it",
              MODEL_CALLS),
    ErrorCode(429, gateway_errors.THROTTLED.code, "too many requests (from the gateway)", EVERY),
    ErrorCode(429, "quota_exceeded", "your daily quota of images or text requests is used up", (*TEXT, *RENDERS)),
    ErrorCode(429, "model_throttled", "the model is busy", MODEL_CALLS),
    ErrorCode(500, "internal_error", "something failed on our side: details hold the request id to report", EVERY),
    ErrorCode(502, gateway_errors.SERVER_ERROR.code, "the function failed to answer (from the gateway)", EVERY),
    ErrorCode(502, "model_error", "the model answered with an error, or with something that could not be read",
              MODEL_CALLS),
    ErrorCode(503, "storage_error", "storage is unavailable right now: try again", EVERY),
    ErrorCode(503, "model_unavailable", "the model could not be reached: try again in a minute", MODEL_CALLS),
    ErrorCode(503, "model_timeout", "the model took too long to answer: try again", MODEL_CALLS),
    ErrorCode(503, "model_access_denied", "this account may not call the model yet (model access or its AWS "
              "Marketplace subscription): ask the operator", MODEL_CALLS),
    ErrorCode(503, "model_not_found", "the model is not offered in this deployment's region: ask the operator",
              MODEL_CALLS),
)

STATUS_TITLES = {
    400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found", 409: "Conflict",
    413: "Too large", 415: "Not JSON", 422: "A parameter or field breaks a rule",
    429: "Too many requests: wait Retry-After seconds", 500: "Failed on our side", 502: "Bad gateway",
    503: "Unavailable: try again",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}


def codes_for(operation_id: str, has_body: bool) -> list[ErrorCode]:
    """The error codes one operation can answer with, in the table's order."""
    return [e for e in ERROR_CODES
            if e.operations == EVERY or (e.operations == WITH_BODY and has_body) or operation_id in e.operations]


def error_description(status: int, codes: list[ErrorCode]) -> str:
    lines = "\n".join(f"- `{e.code}`: {e.meaning}" for e in codes if e.status == status)
    return f"{STATUS_TITLES[status]}. `error.code` is one of:\n{lines}"


def responses(status: int, model: type | None, description: str) -> dict[int, dict[str, Any]]:
    """An operation's success (`model` None: no body); studio.openapi adds its errors."""
    success: dict[str, Any] = {"description": description}
    if model is not None:
        success["content"] = {"application/json": {"model": model}}
    return {status: success}
