"""Synthesize the stack offline (no credentials, no Docker) a few times per session, not per test."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
for _name in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "CDK_CONTEXT_JSON", "CDK_OUTDIR"):
    os.environ.pop(_name, None)

from cdk.app import build_app  # noqa: E402
from cdk.config import cdk_json_context, load_config  # noqa: E402

ACK_KEY = "aws:cdk:acknowledged-rules"


@dataclass
class Synth:
    """One synthesized assembly: the template, the config, the cdk.out folder and the app."""

    template: dict[str, Any]
    outdir: Path
    config: Any
    acknowledgments: list[tuple[str, str, str]]  # (construct path, rule id, reason)
    warnings: list[tuple[str, str]]  # (construct path, message) of synth warnings

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template["Resources"]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == kind}

    def one(self, kind: str) -> tuple[str, dict[str, Any]]:
        found = self.of_type(kind)
        assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
        return next(iter(found.items()))

    def logical_id(self, prefix: str, kind: str) -> str:
        ids = [k for k, v in self.resources.items() if v["Type"] == kind and k.startswith(prefix)]
        assert len(ids) == 1, f"{prefix} {kind}: {ids}"
        return ids[0]

    def site_config(self) -> dict[str, Any]:
        """config.json as the BucketDeployment will write it, markers replaced by their CFN values."""
        _, deployment = self.one("Custom::CDKBucketDeployment")
        props = deployment["Properties"]
        for key, markers in zip(props["SourceObjectKeys"], props["SourceMarkers"]):
            staged = self.outdir / f"asset.{key.removesuffix('.zip')}"
            if staged.is_dir() and (staged / "config.json").exists():
                text = (staged / "config.json").read_text()
            elif (self.outdir / f"asset.{key}").exists():
                with zipfile.ZipFile(self.outdir / f"asset.{key}") as zf:
                    if "config.json" not in zf.namelist():
                        continue
                    text = zf.read("config.json").decode()
            else:
                continue
            resolved: dict[str, Any] = {}
            for i, (marker, value) in enumerate(markers.items()):
                text = text.replace(marker, json.dumps(f"__MARKER_{i}__"))
                resolved[f"__MARKER_{i}__"] = value
            return _substitute(json.loads(text), resolved)
        raise AssertionError("no config.json in the BucketDeployment sources")


def _unquote(expression: Any) -> Any:
    """Markers stand for JSON-encoded values: drop the quotes CDK wraps around the CFN expression."""
    parts = expression["Fn::Join"][1]
    parts = [p for p in parts]
    if isinstance(parts[0], str):
        parts[0] = parts[0].removeprefix('"')
    if isinstance(parts[-1], str):
        parts[-1] = parts[-1].removesuffix('"')
    parts = [p for p in parts if p != ""]
    return parts[0] if len(parts) == 1 else {"Fn::Join": ["", parts]}


def _substitute(value: Any, markers: dict[str, Any]) -> Any:
    """Replace marker placeholders (JSON-quoted CFN values) with the CFN expression they stand for."""
    if isinstance(value, dict):
        return {k: _substitute(v, markers) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, markers) for v in value]
    if isinstance(value, str):
        for placeholder, expression in markers.items():
            if placeholder in value:
                return _unquote(expression)
    return value


def synthesize(tmp: Path, **overrides: Any) -> Synth:
    context = {**cdk_json_context(), **overrides}
    app = build_app(context=context, outdir=str(tmp))
    app.synth()
    config = load_config(context)
    template = json.loads((tmp / f"{config.stack_name}.template.json").read_text())
    acks, warnings = [], []
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == ACK_KEY:
                for rule, reason in (entry.data or {}).items():
                    acks.append((construct.node.path, rule, reason))
            elif entry.type == "aws:cdk:warning":
                warnings.append((construct.node.path, str(entry.data)))
    return Synth(template=template, outdir=tmp, config=config, acknowledgments=acks, warnings=warnings)


@pytest.fixture(scope="session")
def default(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The stack as cdk.json configures it."""
    return synthesize(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Every optional feature on, a different region, data removed with the stack."""
    return synthesize(
        tmp_path_factory.mktemp("variant"),
        region="eu-west-1",
        bedrockRegion="us-west-2",
        waf="true",
        customDomain="studio.example.com",
        certificateArn="arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
        allowedEmailDomains="example.com,example.org",
        selfSignUp="true",
        removalPolicy="destroy",
        allowLocalhostCallback="true",
        imageModelId="stability.sd3-5-large-v1:0",
        allowedImageModels="stability.sd3-5-large-v1:0,stability.stable-image-inpaint-v1:0",
        textModelId="global.anthropic.claude-haiku-4-5-20251001-v1:0",
        workerConcurrency="4",
        logRetentionDays="90",
        alarmEmail="ops@example.com",
        threatProtection="false",
        snapStart="true",
    )


@pytest.fixture(scope="session")
def opt_in(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The defaults in an opt-in region launched after March 2019 (ap-east-1)."""
    return synthesize(tmp_path_factory.mktemp("opt-in"), region="ap-east-1")
