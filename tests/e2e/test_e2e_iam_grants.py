"""Narrow or delete one grant a journey needs, and the local stack refuses the call as AWS would,
naming the function, the action and the resource (local/iam/gate.py).

One stack runs under the synthesized template with four grants edited (tests/support/templates.py):
the worker may put objects under uploads/ instead of images/, the gallery may not QueryVectors,
the worker may not send to its own jobs queue, nor publish to the push channel.
"""

from __future__ import annotations

import json

import pytest

from e2e_helpers import DEMO_PASSWORD, DEMO_USER, RENDER_DEADLINE, LocalStack
from local import synth
from local.client import ApiError
from test_e2e_iam import delayed_jobs, deliver_twice, wait_for
from tests.support import templates

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def narrowed(tmp_path_factory):
    template = json.loads(synth.template_path().read_text())
    template = templates.narrow(template, "generate-worker", "s3:PutObject", "/images/*", "/uploads/*")
    template = templates.remove(template, "gallery", "s3vectors:QueryVectors")
    template = templates.remove(template, "generate-worker", "sqs:SendMessage", "GenerationJobs")
    template = templates.remove(template, "generate-worker", "appsync:EventPublish")
    base = tmp_path_factory.mktemp("narrowed-stack")
    path = base / "template.json"
    path.write_text(json.dumps(template))
    stack = LocalStack(base / "data", base / "stack.log", args=("--template", str(path)))
    stack.start()
    yield stack
    stack.stop()


def refusals(stack, function: str, action: str) -> list[dict]:
    return [d for d in stack.harness().denials() if d["function"] == function and d["action"] == action]


def test_the_worker_writing_images_outside_its_prefix_is_refused(narrowed):
    demo = narrowed.client(DEMO_USER, DEMO_PASSWORD)
    # When a generation renders under a worker that may only put objects under uploads/
    record = demo.wait(demo.generate(prompt="a narrowed lighthouse")["id"], timeout=RENDER_DEADLINE)
    # Then storing its image is refused, the generation fails cleanly, and the refusal names it all
    assert record["status"] == "FAILED" and record["error"]["code"] == "storage_error"
    bucket = narrowed.harness().resources["images_bucket"]
    refused = refusals(narrowed, "generate-worker", "s3:PutObject")
    assert refused and refused[0]["resource"].startswith(f"arn:aws:s3:::{bucket}/images/")


def test_search_without_query_vectors_is_refused(narrowed):
    demo = narrowed.client(DEMO_USER, DEMO_PASSWORD)
    with pytest.raises(ApiError) as error:
        demo.search(q="a lighthouse")
    assert error.value.status == 503
    index = narrowed.harness().resources["vector_index_arn"]
    assert [d["resource"] for d in refusals(narrowed, "gallery", "s3vectors:QueryVectors")] == [index]


def test_a_duplicate_delivery_without_the_send_grant_is_refused(narrowed):
    demo = narrowed.client(DEMO_USER, DEMO_PASSWORD)
    before = delayed_jobs(narrowed)
    deliver_twice(narrowed, demo, "a lighthouse delivered twice")
    jobs = narrowed.harness().resources["jobs_queue_arn"]
    wait_for("the worker's refused send", lambda: refusals(narrowed, "generate-worker", "sqs:SendMessage"))
    assert {d["resource"] for d in refusals(narrowed, "generate-worker", "sqs:SendMessage")} == {jobs}
    assert delayed_jobs(narrowed) == before


def test_a_worker_without_the_publish_grant_is_refused_and_its_jobs_still_end(narrowed):
    demo = narrowed.client(DEMO_USER, DEMO_PASSWORD)
    # When a generation runs under a worker that may not appsync:EventPublish
    record = demo.wait(demo.generate(prompt="an unannounced lighthouse")["id"], timeout=RENDER_DEADLINE)
    # Then the job still ends (the push failed, nothing else), and the refusal names the namespace
    assert record["status"] in ("COMPLETE", "FAILED")
    wait_for("the worker's refused publish", lambda: refusals(narrowed, "generate-worker", "appsync:EventPublish"))
    assert {d["resource"] for d in refusals(narrowed, "generate-worker", "appsync:EventPublish")} == {
        "arn:aws:appsync:us-east-1:123456789012:apis/localevents/channelNamespace/generations"}


def test_the_day_one_issuer_runs_at_start_under_its_own_role_and_a_missing_grant_stops_the_start(tmp_path):
    # Given the synthesized stack with the deploy-time issuer no longer allowed to write its parameter
    template = json.loads(synth.template_path().read_text())
    template = templates.remove(template, "credentials-issuer", "ssm:PutParameter")
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    stack = LocalStack(tmp_path / "data", tmp_path / "stack.log", args=("--template", str(path), "--no-persist"))
    # When the local stack starts (it runs the stack's Custom::DayOneCertificate once, as a deploy does)
    with pytest.raises(RuntimeError, match="exited with 1"):
        stack.start()
    # Then it refuses to start, as the deployment would fail, saying which resource failed and why
    log = (tmp_path / "stack.log").read_text()
    assert "Custom::DayOneCertificate (credentials-issuer) failed" in log
    assert "Could not store the day-one certificate chain" in log
    # And the IAM gate refused exactly that call, for that function
    denials = [json.loads(line) for line in (tmp_path / "data" / "iam-denials.jsonl").read_text().splitlines()]
    assert [(d["function"], d["action"]) for d in denials] == [("credentials-issuer", "ssm:PutParameter")]
    from cdk import constants as c
    from cdk.config import cdk_json_context, load_config

    name = c.DAY_ONE_CHAIN_PARAMETER.format(stack=load_config(cdk_json_context()).stack_name)
    assert denials[0]["resource"].endswith(f":parameter{name}")
