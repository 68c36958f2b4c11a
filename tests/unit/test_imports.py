"""Each Lambda entry module loads only the heavy modules its own work needs (cold start).

Given a fresh interpreter set up as Lambda runs it, when it imports one handler module, then the
heavy modules in sys.modules are exactly the ones that function uses at import time.
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

# Modules a function should pay for only when it uses them.
HEAVY = ("PIL", "studio.images", "studio.logic.rendering", "studio.adapters.bedrock", "studio.logic.prompts",
         "studio.logic.generations", "studio.logic.cursor")

EXPECTED = {
    "translate": {"studio.adapters.bedrock", "studio.logic.prompts"},
    "suggest": {"studio.adapters.bedrock", "studio.logic.prompts"},
    # Pillow loads on the first POST /describe, not at import (POST /uploads never needs it).
    "describe": {"studio.adapters.bedrock", "studio.logic.prompts"},
    # POST /edits reads uploaded sources and masks with Pillow (studio/logic/edits.py).
    "generate": {"PIL", "studio.images", "studio.logic.generations", "studio.logic.cursor"},
    "generate-worker": {"PIL", "studio.images", "studio.logic.rendering", "studio.adapters.bedrock",
                        "studio.logic.generations", "studio.logic.cursor"},
    "generate-dead-letters": {"studio.logic.generations", "studio.logic.cursor"},
    "generate-sweeper": {"studio.logic.generations", "studio.logic.cursor"},
    "gallery": {"studio.logic.generations", "studio.logic.cursor"},
    # Bedrock and Pillow load with the first message it indexes (studio/logic/search.py), so the
    # functions that import search only to follow a share or a delete never pay for them.
    "index": {"studio.logic.generations", "studio.logic.cursor"},
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


def test_every_function_has_an_expectation():
    assert set(EXPECTED) == {f.name for f in routes.FUNCTIONS}


@pytest.mark.parametrize("function", routes.FUNCTIONS, ids=lambda f: f.name)
def test_handler_module_loads_only_the_heavy_modules_it_uses(function):
    # Given the handler module of one function, when a fresh interpreter imports it
    loaded = loaded_heavy_modules(function.handler.rsplit(".", 1)[0])
    # Then exactly the heavy modules that function needs are loaded
    assert loaded == EXPECTED[function.name]
