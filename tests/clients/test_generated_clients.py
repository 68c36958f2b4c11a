"""Clients generated from the OpenAPI document work out of the box (issue 24).

Given the checked-in document (functions/gallery/openapi.json, served at GET /api/openapi.json):
- openapi-python-client generates a client with no warning (--fail-on-warning), and keeps every
  operation with each documented response and every body as a model;
- openapi-typescript generates types with no warning, and a program written against them
  (tests/clients/usage.ts) passes tsc --strict, its @ts-expect-error lines included;
- Redocly CLI (recommended-strict, tests/clients/redocly.yaml) finds no error and no warning.
The journey through the generated Python client runs against the local stack: tests/e2e/test_e2e_generated_client.py.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re

import pytest

from tests.clients import generated

DOCUMENT = json.loads(generated.DOCUMENT.read_text(encoding="utf-8"))
OPERATIONS = [(path, method, op) for path, ops in DOCUMENT["paths"].items() for method, op in ops.items()]


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_the_python_generator_runs_without_a_warning():
    _, output = generated.python_package()
    # Then it says only what it generated: no warning, no schema left out, no post-hook skipped
    assert output.strip().splitlines() == [f"Generating {output.split()[1]}"], output
    assert not re.search(r"warn|unable|skipping|cannot|omitted", output, re.IGNORECASE), output


@pytest.mark.parametrize("path, method, op", OPERATIONS, ids=[op["operationId"] for _, _, op in OPERATIONS])
def test_each_operation_is_a_typed_function_of_its_resource_that_reads_every_documented_response(path, method, op):
    package, _ = generated.python_package()
    (tag,) = op["tags"]
    module = importlib.import_module(f"{package.__name__}.api.{tag}.{snake(op['operationId'])}")
    parser = inspect.getsource(module._parse_response)
    for status, response in op["responses"].items():
        assert f"response.status_code == {status}" in parser, f"{op['operationId']} drops its {status}"
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema:
            model = schema["$ref"].rsplit("/", 1)[1]
            assert f"{model}.from_dict(" in parser, f"{op['operationId']} does not parse its {status} as {model}"
    if "requestBody" in op:
        body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert inspect.signature(module.sync_detailed).parameters["body"].annotation.__name__ == body


def test_every_object_schema_is_a_model_class():
    package, _ = generated.python_package()
    models = importlib.import_module(f"{package.__name__}.models")
    for name, schema in DOCUMENT["components"]["schemas"].items():
        assert hasattr(models, name), f"{name} was dropped by the generator"
        assert inspect.isclass(getattr(models, name))
        if schema.get("type") == "object":
            assert hasattr(getattr(models, name), "from_dict"), name


def test_the_typescript_types_generate_without_a_warning_and_a_program_using_them_passes_tsc_strict(tmp_path):
    done = generated.typescript_types(tmp_path / "api.d.ts")
    assert not re.search(r"warn|error|⚠", done.stdout + done.stderr, re.IGNORECASE), done.stdout + done.stderr
    # When tsc --strict checks usage.ts against them, then it finds nothing to report
    checked = generated.type_check(tmp_path)
    assert checked.stdout + checked.stderr == ""


def test_the_document_lints_clean():
    report = generated.lint()
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, json.dumps(report["problems"], indent=1)
