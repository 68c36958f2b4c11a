"""The dependencies layer: layers/requirements.txt installed for the Lambda runtime, without Docker.

pip (of the interpreter running the synth, with this machine's index settings) downloads the
manylinux aarch64 wheels for the runtime's Python version into <asset>/python, from the lock file
(layers/requirements.lock: every package of the tree, pinned, with hashes; pip checks them with
--require-hashes and installs nothing else). The asset hash is taken from the lock and the build
parameters, so the same lock always makes the same layer and unchanged dependencies reuse the
staged asset; a finished build is also kept in layers/build/<hash>/ (git-ignored) and copied from
there on the next synth, in any output directory.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk import constants as c

LAYER_CACHE = c.ROOT / "layers" / "build"


def layer_hash(requirements: Path = c.LAYER_LOCK) -> str:
    digest = hashlib.sha256()
    digest.update(requirements.read_bytes())
    digest.update(repr((c.PYTHON_VERSION, c.PIP_PLATFORMS, c.LAYER_PRUNE, c.LAYER_PRUNE_DIST_PREFIXES)).encode())
    return digest.hexdigest()


def pip_command(target: Path, requirements: Path = c.LAYER_LOCK) -> list[str]:
    platforms = [arg for platform in c.PIP_PLATFORMS for arg in ("--platform", platform)]
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        *platforms, "--only-binary=:all:", "--implementation", "cp", "--python-version", c.PYTHON_VERSION,
        "--require-hashes", "--no-deps", "--target", str(target), "-r", str(requirements),
    ]


def lock_command(output: Path = c.LAYER_LOCK, requirements: Path = c.LAYER_REQUIREMENTS,
                 constraints: Path | None = None) -> list[str]:
    """How `make lock` compiles the lock: the tree for the runtime's Python and platform, with hashes
    (with `constraints`: at the versions that lock pins, for a layer that sits beside it)."""
    extra = ["--constraint", str(constraints)] if constraints else []
    return [str(Path(sys.executable).with_name("uv")), "pip", "compile", str(requirements), "--generate-hashes", "--python-platform", c.LOCK_PLATFORM,
            "--python-version", c.PYTHON_VERSION, "--no-header", "--quiet", *extra, "-o", str(output)]


def without_pinned(lock_text: str, pinned: dict[str, str]) -> str:
    """A lock without the entries (a pin, its hashes, its "via" comments) of packages in `pinned`:
    what a second layer must not ship again (Lambda merges layers into one folder)."""
    kept, keep = [], True
    for line in lock_text.splitlines(keepends=True):
        if "==" in line and not line.startswith((" ", "#")):
            keep = line.split(" ")[0].split("==")[0].lower().replace("_", "-") not in pinned
        if keep:
            kept.append(line)
    return "".join(kept)


def lock_credentials_layer() -> None:
    """The Content Credentials layer's lock: compiled against the dependencies layer's lock, then
    stripped of what that layer already ships."""
    subprocess.run(lock_command(c.CREDENTIALS_LAYER_LOCK, c.CREDENTIALS_LAYER_REQUIREMENTS, constraints=c.LAYER_LOCK),
                   check=True)
    c.CREDENTIALS_LAYER_LOCK.write_text(without_pinned(c.CREDENTIALS_LAYER_LOCK.read_text(), locked_pins()))


def locked_pins(lock: Path = c.LAYER_LOCK) -> dict[str, str]:
    """name -> version of every package in a lock file."""
    pins = {}
    for line in lock.read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split(" ")[0].split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def prune(site: Path) -> None:
    """Drop what the functions never run (console scripts) and bytecode of this interpreter."""
    for name in c.LAYER_PRUNE:
        path = site / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for dist in site.glob("*.dist-info"):
        if c.LAYER_PRUNE_DIST_PREFIXES and dist.name.startswith(c.LAYER_PRUNE_DIST_PREFIXES):
            shutil.rmtree(dist)
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def build_layer(output_dir: Path, requirements: Path = c.LAYER_LOCK, cache: Path = LAYER_CACHE) -> None:
    """Fill output_dir/python with the runtime's wheels (from the cache when it has this hash)."""
    cached = cache / layer_hash(requirements)
    if not (cached / "python").is_dir():
        staging = cache / f"{cached.name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        result = subprocess.run(pip_command(staging / "python", requirements), capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                "building the dependencies layer failed (pip could not find wheels for "
                f"Python {c.PYTHON_VERSION} on {', '.join(c.PIP_PLATFORMS)}):\n{result.stderr.strip()[-3000:]}")
        prune(staging / "python")
        shutil.rmtree(cached, ignore_errors=True)
        staging.rename(cached)
    shutil.copytree(cached / "python", output_dir / "python", dirs_exist_ok=True)


@jsii.implements(ILocalBundling)
class PipLocalBundling:
    """Local bundling that never falls back to Docker: it either builds the layer or raises."""

    def __init__(self, requirements: Path) -> None:
        self._requirements = requirements

    def try_bundle(self, output_dir: str, options: object = None) -> bool:  # jsii passes the options struct
        build_layer(Path(output_dir), self._requirements)
        return True


class DependenciesLayer(Construct):
    """One layer of third-party packages, built from a lock: by default the one every function imports
    (layers/requirements.lock); the Content Credentials layer is another (layers/credentials/)."""

    def __init__(self, scope: Construct, construct_id: str, *, runtime: lambda_.Runtime,
                 architecture: lambda_.Architecture, requirements: Path = c.LAYER_LOCK,
                 contents: str = "Powertools, pydantic, Pillow") -> None:
        super().__init__(scope, construct_id)
        self.layer = lambda_.LayerVersion(
            self, "Layer",
            description=f"{contents} for Python {c.PYTHON_VERSION} arm64 ({requirements.relative_to(c.ROOT)})",
            compatible_runtimes=[runtime],
            compatible_architectures=[architecture],
            removal_policy=RemovalPolicy.DESTROY,
            code=lambda_.Code.from_asset(
                str(requirements.parent),
                exclude=["build", "build/**", "credentials", "credentials/**"],
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=layer_hash(requirements),
                bundling=BundlingOptions(
                    # Required by the API; never started because local bundling always succeeds.
                    image=DockerImage.from_registry("public.ecr.aws/sam/build-python" + c.PYTHON_VERSION),
                    local=PipLocalBundling(requirements),
                ),
            ),
        )


if __name__ == "__main__":  # make lock
    subprocess.run(lock_command(), check=True)
    print(f"{c.LAYER_LOCK.relative_to(c.ROOT)}: {len(locked_pins())} packages pinned with hashes")
    lock_credentials_layer()
    print(f"{c.CREDENTIALS_LAYER_LOCK.relative_to(c.ROOT)}: {len(locked_pins(c.CREDENTIALS_LAYER_LOCK))} packages "
          "pinned with hashes (beside the dependencies layer's)")
