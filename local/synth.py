"""The stack the local world runs under: the template `make synth` writes, made offline and cached.

`make local` and the test suites run each function under its role's synthesized policy and with its
synthesized environment (local/iam/deployment.py). Synthesizing takes 10-30 s, so the template is
kept in .cache/synth/ with the list of every source file the synth read (cdk/, cdk.json, the
studio modules the stack imports) and their hashes: it is made again only when one of them changed
or the context differs. The layer's wheels are not bundled (no policy or variable depends on them).

`python -m local.synth [-c key=value ...]` prints the template's path (synthesizing when needed).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "synth"
STACK_TEMPLATE = "{stack}.template.json"
SYNTH_DEADLINE = 600  # seconds; about 10-30 on this kind of machine


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _key(context: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(context, sort_keys=True).encode()).hexdigest()[:16]


def _fresh(entry: Path) -> bool:
    manifest = entry / "inputs.json"
    if not manifest.exists() or not (entry / "template.json").exists():
        return False
    inputs = json.loads(manifest.read_text())
    for relative, digest in inputs.items():
        path = ROOT / relative
        if not path.exists() or _sha(path) != digest:
            return False
    return True


def template_path(overrides: dict[str, str] | None = None) -> Path:
    """The synthesized template for cdk.json's context with `overrides` (the `-c key=value` of the
    CDK CLI), from the cache when nothing it was made from changed."""
    from local.paths import add_functions_to_path

    add_functions_to_path()
    sys.path.insert(0, str(ROOT))
    from cdk.config import cdk_json_context

    context = {**cdk_json_context(), **(overrides or {})}
    entry = CACHE / _key(context)
    if _fresh(entry):
        return entry / "template.json"
    entry.mkdir(parents=True, exist_ok=True)
    print("Synthesizing the stack, whose IAM policies and settings the functions run under here "
          "(once; kept in .cache/synth until cdk/ or the context changes)...", file=sys.stderr, flush=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CDK_DEFAULT_", "CDK_CONTEXT_JSON", "CDK_OUTDIR"))}
    env.update(JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK_DISABLE_CLI_TELEMETRY="true",
               CDK_DISABLE_VERSION_CHECK="true", PYTHONPATH=os.pathsep.join([str(ROOT / "functions"), str(ROOT)]))
    result = subprocess.run([sys.executable, "-m", "local.synth", "--worker", str(entry), json.dumps(context)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=SYNTH_DEADLINE)
    if result.returncode != 0:
        raise RuntimeError("synthesizing the stack failed (the same error `make synth` would give):\n"
                           + (result.stderr.strip() or result.stdout.strip())[-4000:])
    return entry / "template.json"


def _synthesize(entry: Path, context: dict[str, Any]) -> None:
    """In a child process: synthesize, then record the template and every repository file imported."""
    from cdk.app import build_app
    from cdk.config import load_config

    with tempfile.TemporaryDirectory(prefix="local-synth-") as out:
        # aws:cdk:bundling-stacks []: assets are not bundled (the layer's wheels), as `cdk synth --exclusively` does
        app = build_app(context={**context, "aws:cdk:bundling-stacks": []}, outdir=out)
        app.synth()
        template = Path(out) / STACK_TEMPLATE.format(stack=load_config(context).stack_name)
        (entry / "template.json").write_text(template.read_text())
    inputs = {str(Path(m.__file__).resolve().relative_to(ROOT)): None for m in list(sys.modules.values())
              if getattr(m, "__file__", None) and Path(m.__file__).resolve().is_relative_to(ROOT)
              and ".venv" not in Path(m.__file__).parts}
    inputs["cdk.json"] = None
    inputs["layers/requirements.lock"] = None
    (entry / "inputs.json").write_text(json.dumps({k: _sha(ROOT / k) for k in sorted(inputs)}, indent=1))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        _synthesize(Path(argv[1]), json.loads(argv[2]))
        return 0
    sys.path.insert(0, str(ROOT))
    from cdk.config import parse_context_args

    print(template_path(parse_context_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
