"""Which typed code each failure gets: botocore errors to domain errors, domain errors to record codes."""

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from studio import errors
from studio.adapters.bedrock import classify
from studio.logic.rendering import failure_code
from tests.support.bedrock import CONTENT_FILTER

MODEL = "amazon.titan-image-generator-v2:0"


def client_error(code, message="boom", status=400):
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "InvokeModel")


@pytest.mark.parametrize("error,kind,code,status", [
    (client_error("ValidationException", CONTENT_FILTER), errors.ContentFiltered, "content_filtered", 422),
    (client_error("ThrottlingException", "Too many requests", 429), errors.ModelThrottled, "model_throttled", 429),
    (client_error("ServiceQuotaExceededException"), errors.ModelThrottled, "model_throttled", 429),
    (client_error("ModelTimeoutException", status=408), errors.ModelUnavailable, "model_timeout", 503),
    (client_error("AccessDeniedException", status=403), errors.ModelUnavailable, "model_access_denied", 503),
    (client_error("ResourceNotFoundException", status=404), errors.ModelUnavailable, "model_not_found", 503),
    (client_error("InternalServerException", status=500), errors.ModelUnavailable, "model_unavailable", 503),
    (client_error("ServiceUnavailableException", status=503), errors.ModelUnavailable, "model_unavailable", 503),
    (client_error("ValidationException", "Malformed input request"), errors.ModelError, "model_error", 502),
    (client_error("ModelErrorException", status=424), errors.ModelError, "model_error", 502),
    (ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"), errors.ModelUnavailable,
     "model_timeout", 503),
    (EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"),
     errors.ModelUnavailable, "model_unavailable", 503),
    (RuntimeError("odd"), errors.ModelError, "model_error", 502),
])
def test_given_a_botocore_error_when_classified_then_typed(error, kind, code, status):
    result = classify(error, MODEL)
    assert type(result) is kind and result.code == code and result.status == status
    assert result.message


def test_given_throttling_or_5xx_then_retry_after_is_set_and_filters_say_what_to_do():
    assert classify(client_error("ThrottlingException"), MODEL).retry_after == 30
    assert classify(client_error("InternalServerException"), MODEL).retry_after == 30
    filtered = classify(client_error("ValidationException", CONTENT_FILTER), MODEL)
    assert filtered.details == {"stage": "input"} and "Rephrase" in filtered.message
    assert MODEL in classify(client_error("AccessDeniedException"), MODEL).message


@pytest.mark.parametrize("error,code", [
    (errors.ContentFiltered("x"), "content_filtered"),
    (errors.ModelThrottled("x"), "model_throttled"),
    (errors.ModelUnavailable("x", code="model_timeout"), "model_timeout"),
    (errors.ModelUnavailable("x"), "model_unavailable"),
    (errors.ModelUnavailable("x", code="model_access_denied"), "model_unavailable"),
    (errors.ModelError("x"), "model_error"),
    (errors.StorageError("x"), "storage_error"),
    (errors.NotFound("x"), "reference_missing"),
    (errors.InvalidField("referenceImageKey", "must be an image"), "reference_invalid"),
    (errors.PayloadTooLarge("x"), "internal_error"),
    (errors.StudioError("x"), "internal_error"),
])
def test_given_a_domain_error_then_the_failed_record_gets_its_typed_code(error, code):
    assert failure_code(error) == code


def test_given_an_invalid_field_then_details_name_field_and_rule():
    error = errors.InvalidField("colors", "at most 10 colors")
    assert (error.status, error.code, error.details) == (422, "validation_error",
                                                         [{"field": "colors", "rule": "at most 10 colors"}])
    assert error.message == "colors: at most 10 colors"
