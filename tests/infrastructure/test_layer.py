"""The dependencies layer is built without Docker, for the runtime's Python and arm64, and cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdk import constants as c
from cdk import layer


def test_pip_targets_the_lambda_interpreter_and_architecture_with_wheels_only(tmp_path):
    command = layer.pip_command(tmp_path / "python")
    joined = " ".join(command)
    assert command[1:4] == ["-m", "pip", "install"]
    assert "--only-binary=:all:" in command
    assert f"--python-version {c.PYTHON_VERSION}" in joined
    assert "--implementation cp" in joined
    assert all(f"--platform {p}" in joined for p in c.PIP_PLATFORMS)
    assert all(p.endswith("aarch64") for p in c.PIP_PLATFORMS)
    assert f"-r {c.LAYER_LOCK}" in joined
    assert "--require-hashes" in command and "--no-deps" in command  # the lock alone, verified
    assert "docker" not in joined


def test_the_lock_pins_every_package_with_hashes_and_matches_the_requirements():
    # Given the top-level requirements and the compiled lock
    top = {}
    for line in c.LAYER_REQUIREMENTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            top[name.split("[")[0].lower().replace("_", "-")] = version
    pins = layer.locked_pins()
    # Then every top-level pin is in the lock at the same version (else: run `make lock`)
    assert {name: pins.get(name) for name in top} == top
    # And the lock holds the whole tree (more than the top level), each entry hashed
    assert len(pins) > len(top)
    entries = c.LAYER_LOCK.read_text().split("\n")
    for index, line in enumerate(entries):
        if "==" in line and not line.startswith((" ", "#")):
            assert entries[index + 1].strip().startswith("--hash=sha256:"), line


def test_lock_command_targets_the_lambda_platform():
    command = " ".join(layer.lock_command())
    assert "--generate-hashes" in command
    assert f"--python-version {c.PYTHON_VERSION}" in command and f"--python-platform {c.LOCK_PLATFORM}" in command
    assert c.LOCK_PLATFORM.startswith("aarch64-manylinux")


def test_hash_follows_the_lock_file_only(tmp_path):
    first = tmp_path / "a.txt"
    first.write_text("pydantic==2.14.4\n")
    same = tmp_path / "b.txt"
    same.write_text("pydantic==2.14.4\n")
    other = tmp_path / "c.txt"
    other.write_text("pydantic==2.14.5\n")
    assert layer.layer_hash(first) == layer.layer_hash(same) != layer.layer_hash(other)


def test_prune_keeps_the_sdk_and_drops_console_scripts_and_foreign_bytecode(tmp_path):
    for name in ("boto3", "botocore", "urllib3", "pydantic", "pydantic/__pycache__", "bin"):
        (tmp_path / name).mkdir(parents=True)
    for name in ("botocore-1.44.8.dist-info", "pydantic-2.14.4.dist-info"):
        (tmp_path / name).mkdir()
    (tmp_path / "six.py").write_text("")
    layer.prune(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "boto3", "botocore", "botocore-1.44.8.dist-info", "pydantic", "pydantic-2.14.4.dist-info", "six.py", "urllib3"]
    assert not (tmp_path / "pydantic" / "__pycache__").exists()


def test_the_layer_ships_the_sdk_the_tests_run_on():
    # Given the lock the layer is built from, then boto3 and botocore are in it at the versions of this
    # environment (where every test runs the handlers): the functions never run on another SDK
    from importlib.metadata import version

    pins = layer.locked_pins()
    assert {name: pins.get(name) for name in ("boto3", "botocore", "s3transfer")} == {
        name: version(name) for name in ("boto3", "botocore", "s3transfer")}


def test_a_cached_build_is_copied_without_running_pip(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.4\n")
    cache = tmp_path / "cache"
    cached = cache / layer.layer_hash(requirements) / "python" / "pydantic"
    cached.mkdir(parents=True)
    (cached / "__init__.py").write_text("# cached\n")

    def no_pip(*args, **kwargs):
        raise AssertionError("pip must not run when the cache has this hash")

    monkeypatch.setattr(layer.subprocess, "run", no_pip)
    out = tmp_path / "out"
    layer.build_layer(out, requirements, cache)
    assert (out / "python" / "pydantic" / "__init__.py").read_text() == "# cached\n"


def test_a_failed_pip_names_the_platform_and_keeps_no_partial_cache(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("no-such-package==0\n")

    class Failed:
        returncode = 1
        stderr = "ERROR: No matching distribution found for no-such-package==0"

    monkeypatch.setattr(layer.subprocess, "run", lambda *a, **k: Failed())
    with pytest.raises(RuntimeError, match="manylinux.*aarch64[\\s\\S]*no-such-package"):
        layer.build_layer(tmp_path / "out", requirements, tmp_path / "cache")
    assert not (tmp_path / "cache" / layer.layer_hash(requirements)).exists()


def test_local_bundling_says_it_bundled_so_docker_never_starts(tmp_path, monkeypatch):
    calls: list[Path] = []
    monkeypatch.setattr(layer, "build_layer", lambda out, req: calls.append(Path(out)))
    bundler = layer.PipLocalBundling(c.LAYER_REQUIREMENTS)
    assert bundler.try_bundle(str(tmp_path), None) is True
    assert calls == [tmp_path]


def test_the_credentials_layer_ships_only_what_the_dependencies_layer_lacks():
    # Given the two locks (Lambda merges a function's layers into one folder)
    main, credentials = layer.locked_pins(), layer.locked_pins(c.CREDENTIALS_LAYER_LOCK)
    # Then no package is in both, and the C2PA bindings and their certificate library are in the second
    assert set(main) & set(credentials) == set()
    for line in c.CREDENTIALS_LAYER_REQUIREMENTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            assert credentials.get(name) == version, "run `make lock`"
    entries = c.CREDENTIALS_LAYER_LOCK.read_text().split("\n")
    for index, line in enumerate(entries):
        if "==" in line and not line.startswith((" ", "#")):
            assert entries[index + 1].strip().startswith("--hash=sha256:"), line


def test_without_pinned_drops_whole_entries():
    text = ("a==1 \\\n    --hash=sha256:aa\n    # via x\nurllib3==2 \\\n    --hash=sha256:bb\n    # via a\n"
            "c==3 \\\n    --hash=sha256:cc\n")
    assert layer.without_pinned(text, {"urllib3": "2"}) == "a==1 \\\n    --hash=sha256:aa\n    # via x\nc==3 \\\n    --hash=sha256:cc\n"
