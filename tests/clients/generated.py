"""Clients generated from the checked-in OpenAPI document, as an integrator generates them.

The generators are pinned: openapi-python-client in requirements.txt, openapi-typescript, TypeScript
and Redocly CLI in tests/clients/package.json (installed by `make test` and `make client`). Each is
run offline on functions/gallery/openapi.json, the document GET /api/openapi.json serves.
`python -m tests.clients.generated DEST` writes both clients into DEST (what `make client` runs).
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DOCUMENT = ROOT / "functions" / "gallery" / "openapi.json"
NODE_BIN = HERE / "node_modules" / ".bin"
PACKAGE = "image_prompt_studio_client"
TIMEOUT = 300  # seconds for one generator on a busy machine (a few on a quiet one)
# Redocly CLI: no telemetry and no update check (offline; nothing to report).
NODE_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


def run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run one tool to its end, or raise an AssertionError that shows its output."""
    env = dict(os.environ, **NODE_ENV)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # ruff, for the post-hooks
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done


def python_client(dest: Path, meta: str = "none") -> subprocess.CompletedProcess:
    """openapi-python-client into dest (meta none: the package alone; poetry: an installable project).
    Any warning fails it (--fail-on-warning)."""
    generator = Path(sys.executable).parent / "openapi-python-client"
    return run([str(generator), "generate", "--path", str(DOCUMENT), "--meta", meta, "--output-path", str(dest),
                "--config", str(HERE / "openapi-python-client.yaml"), "--fail-on-warning", "--overwrite"])


@functools.cache
def python_package() -> tuple[object, str]:
    """The Python client generated once per test session into a temporary folder, imported; and what
    the generator printed."""
    folder = Path(tempfile.mkdtemp(prefix="studio-client-"))
    atexit.register(shutil.rmtree, folder, True)
    done = python_client(folder / PACKAGE)
    sys.path.insert(0, str(folder))
    return importlib.import_module(PACKAGE), done.stdout + done.stderr


def typescript_types(dest: Path) -> subprocess.CompletedProcess:
    """openapi-typescript: the document as TypeScript types in dest (a .d.ts file)."""
    return run([str(NODE_BIN / "openapi-typescript"), str(DOCUMENT), "--output", str(dest)])


def type_check(folder: Path) -> subprocess.CompletedProcess:
    """tsc --strict (tests/clients/tsconfig.json) on tests/clients/usage.ts beside the types in folder/api.d.ts."""
    for name in ("usage.ts", "tsconfig.json"):
        shutil.copy(HERE / name, folder / name)
    return run([str(NODE_BIN / "tsc"), "--project", str(folder / "tsconfig.json")], cwd=folder)


def lint() -> dict:
    """Redocly CLI with tests/clients/redocly.yaml; its JSON report ({"totals": {"errors", "warnings"}, ...})."""
    done = run([str(NODE_BIN / "redocly"), "lint", "--config", str(HERE / "redocly.yaml"), "--format", "json",
                str(DOCUMENT)])
    return json.loads(done.stdout)


def main(dest: Path) -> None:
    python_client(dest / "python", meta="poetry")
    dest.joinpath("typescript").mkdir(parents=True, exist_ok=True)
    typescript_types(dest / "typescript" / "api.d.ts")
    print(f"Python client: {dest / 'python'} (pip install {dest / 'python'})\n"
          f"TypeScript types: {dest / 'typescript' / 'api.d.ts'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
