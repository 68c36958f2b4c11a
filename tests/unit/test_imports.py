"""Each Lambda entry module leaves out the heavy modules its function does not need at import (cold start).

Given a fresh interpreter set up as Lambda runs it, when it imports one handler module, then none of
the heavy modules that function must not pay for is in sys.modules. Upper bounds, not exact sets:
a function may load less than allowed, and moving code between modules it may load changes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio import routes

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

# What costs a cold start: Pillow, the renderer and the model adapters, the API's write path.
PILLOW = {"PIL", "studio.images"}
RENDERER = {"studio.logic.rendering"}
MODELS = {"studio.adapters.bedrock", "studio.logic.prompts"}
API_WRITES = {"studio.logic.generations", "studio.logic.edits", "studio.logic.model_listing", "studio.logic.cursor"}
HEAVY = sorted(PILLOW | RENDERER | MODELS | API_WRITES)

MUST_NOT_LOAD = {
    # The text operations call the text model; Pillow loads on the first POST /describe, not at import.
    "translate": PILLOW | RENDERER | API_WRITES,
    "suggest": PILLOW | RENDERER | API_WRITES,
    "describe": PILLOW | RENDERER | API_WRITES,
    # POST /generations and /edits (Pillow reads the sources and masks of edits) and GET /models.
    "generate": RENDERER | MODELS | {"studio.logic.cursor"},
    "generate-worker": {"studio.logic.prompts"} | API_WRITES,
    # They end jobs: no renderer, no model, no Pillow, nothing of the API.
    "generate-dead-letters": PILLOW | RENDERER | MODELS | API_WRITES,
    "generate-sweeper": PILLOW | RENDERER | MODELS | API_WRITES,
    # Search loads the model adapter with the first query, Pillow with the first search by an upload.
    "gallery": PILLOW | RENDERER | MODELS | {"studio.logic.edits", "studio.logic.model_listing"},
    # Bedrock and Pillow load with the first message it indexes (studio/logic/indexing.py).
    "index": PILLOW | RENDERER | MODELS | API_WRITES,
    # The daily lifecycle check reads Bedrock's control plane and writes one item per model: nothing else.
    "model-lifecycle": PILLOW | RENDERER | MODELS | API_WRITES,
    # The deploy-time issuer of the day-one certificate: KMS, SSM and cryptography's x509, nothing else.
    "credentials-issuer": PILLOW | RENDERER | MODELS | API_WRITES,
}

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
heavy = json.loads(sys.argv[2])
print(json.dumps(sorted(h for h in heavy if h in sys.modules)))
"""


def loaded_heavy_modules(module: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(PYTHONPATH=str(FUNCTIONS), LAMBDA_TASK_ROOT=str(FUNCTIONS), AWS_REGION="us-east-1",
               AWS_DEFAULT_REGION="us-east-1")
    out = subprocess.run([sys.executable, "-c", PROBE, module, json.dumps(HEAVY)], capture_output=True, text=True,
                         env=env, check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_every_function_has_an_upper_bound():
    assert set(MUST_NOT_LOAD) == {f.name for f in routes.FUNCTIONS}


@pytest.mark.parametrize("function", routes.FUNCTIONS, ids=lambda f: f.name)
def test_handler_module_leaves_out_what_its_function_does_not_need(function):
    # Given the handler module of one function, when a fresh interpreter imports it
    loaded = loaded_heavy_modules(function.handler.rsplit(".", 1)[0])
    # Then none of the heavy modules it must not pay for at import is loaded
    assert loaded & MUST_NOT_LOAD[function.name] == set()
