"""Each Bedrock emulator fault ends a generation FAILED with the backend's code for it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

FAULTS = {
    "throttle": "model_throttled",
    "timeout": "model_timeout",
    "filter-input": "content_filtered",
    "filter-output": "content_filtered",
    "malformed": "model_error",
    "server-error": "model_unavailable",
    # the emulator stops answering: the read timeout (BEDROCK_READ_TIMEOUT_SECONDS, 20 s locally; the hang lasts 30 s) ends it
    "hang": "model_timeout",
}


@pytest.fixture(scope="module")
def failed(demo) -> dict[str, dict]:
    # The `[fault:NAME]` marker makes the emulator fail every call carrying it (retries included),
    # whatever else runs at the same time.
    submitted = {
        fault: demo.generate(prompt=f"a lantern in the fog [fault:{fault}]")["id"]
        for fault in FAULTS
    }
    return {fault: demo.wait(generation_id, timeout=90) for fault, generation_id in submitted.items()}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_fails_the_generation_with_its_code(failed, fault):
    record = failed[fault]
    assert record["status"] == "FAILED"
    assert record["error"]["code"] == FAULTS[fault]
    assert record["error"]["message"]
    assert record["images"] == []


def test_a_fault_in_a_text_operation_is_an_error_answer(demo):
    from local.client import ApiError

    with pytest.raises(ApiError) as error:
        demo.translate("bonjour [fault:throttle]")
    assert error.value.status == 429
    assert error.value.code == "model_throttled"
