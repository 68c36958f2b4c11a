"""Preflight: are the configured Bedrock models there, usable and not past end of life?

    make preflight CONTEXT="-c bedrockRegion=us-west-2"      (or: python -m cdk.preflight -c key=value ...)

Reads the same context as the stack (cdk.json + -c overrides) and, with AWS credentials, asks the
Bedrock control plane about every model the stack calls, each in the region it is called in (image
models, edit services and the text model in bedrockRegion, the embedding model in embeddingRegion;
the list is StudioConfig.model_calls, the one the synth checks against studio/model_regions.py): GetInferenceProfile for
cross-region profile IDs (us.*, eu.*, global.* ...), GetFoundationModel for the lifecycle (ACTIVE,
LEGACY with its dates), GetFoundationModelAvailability for model access. Each problem names the
context key to change. Exit codes: 0 all good (warnings allowed), 1 a model is unusable,
2 no credentials or a bad setting.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from cdk.config import ConfigError, StudioConfig, app_context, load_config, split_profile_id
from studio.model_regions import ModelCall

OK, WARNING, ERROR = "ok", "warning", "error"


@dataclass(frozen=True)
class Finding:
    level: str
    model_id: str
    keys: tuple[str, ...]
    message: str
    region: str = ""

    def render(self) -> str:
        mark = {OK: "ok  ", WARNING: "WARN", ERROR: "FAIL"}[self.level]
        where = f" in {self.region}" if self.region else ""
        return f"[{mark}] {self.model_id}{where}: {self.message}"


def model_calls(config: StudioConfig) -> list[ModelCall]:
    """Every model the stack calls, in the region it is called in, with the settings that name it."""
    return config.model_calls()


def _error_code(err: Exception) -> str:
    return getattr(err, "response", {}).get("Error", {}).get("Code", type(err).__name__)


def _change(keys: tuple[str, ...], region: str) -> str:
    if keys == ("embeddingRegion",):
        return f"change embeddingRegion (now {region})"
    return f"change {' / '.join(k for k in keys if k != 'embeddingRegion')} (or bedrockRegion, now {region})"


def check_model(client: Any, model_id: str, keys: tuple[str, ...], region: str,
                now: datetime) -> list[Finding]:
    from botocore.exceptions import ClientError

    findings: list[Finding] = []
    prefix, base_model = split_profile_id(model_id)
    if prefix is not None:
        try:
            profile = client.get_inference_profile(inferenceProfileIdentifier=model_id)
        except ClientError as err:
            code = _error_code(err)
            if code in ("ResourceNotFoundException", "ValidationException"):
                return [Finding(ERROR, model_id, keys, f"no such inference profile in {region}: {_change(keys, region)}")]
            raise
        if profile.get("status") != "ACTIVE":
            findings.append(Finding(ERROR, model_id, keys, f"inference profile status is {profile.get('status')}: "
                                    f"{_change(keys, region)}"))
        arns = [m["modelArn"] for m in profile.get("models", [])]
        regions = sorted({arn.split(":")[3] for arn in arns if arn.count(":") >= 4})
        if arns:
            base_model = arns[0].rsplit("/", 1)[-1]
        findings.append(Finding(OK, model_id, keys, f"inference profile routes to {base_model} in "
                                f"{', '.join(regions) or 'its regions'}"))
    try:
        details = client.get_foundation_model(modelIdentifier=base_model)["modelDetails"]
    except ClientError as err:
        code = _error_code(err)
        if code in ("ResourceNotFoundException", "ValidationException"):
            level = WARNING if prefix is not None else ERROR
            return findings + [Finding(level, model_id, keys,
                                       f"model {base_model} is not offered in {region}: {_change(keys, region)}")]
        raise
    lifecycle = lifecycle_findings(model_id, keys, details.get("modelLifecycle") or {}, region, now)
    findings.extend(lifecycle)
    if any(f.level == ERROR for f in lifecycle):
        return findings  # past end of life: access does not matter any more
    findings.extend(access_findings(client, model_id, base_model, keys))
    return findings


def lifecycle_findings(model_id: str, keys: tuple[str, ...], lifecycle: dict[str, Any], region: str,
                       now: datetime) -> list[Finding]:
    status = lifecycle.get("status", "ACTIVE")
    end = lifecycle.get("endOfLifeTime")
    legacy = lifecycle.get("legacyTime")
    if end is not None and end <= now:
        return [Finding(ERROR, model_id, keys, f"past its end of life ({end:%Y-%m-%d}): calls fail; "
                        f"{_change(keys, region)}")]
    if status == "LEGACY":
        dates = ", ".join(part for part in (
            f"legacy since {legacy:%Y-%m-%d}" if legacy else "",
            f"end of life {end:%Y-%m-%d}" if end else "") if part)
        return [Finding(WARNING, model_id, keys, f"LEGACY ({dates or 'no dates published'}): plan to "
                        f"{_change(keys, region)}")]
    return [Finding(OK, model_id, keys, f"{status}" + (f", end of life {end:%Y-%m-%d}" if end else ""))]


def access_findings(client: Any, model_id: str, base_model: str, keys: tuple[str, ...]) -> list[Finding]:
    from botocore.exceptions import ClientError

    try:
        availability = client.get_foundation_model_availability(modelId=base_model)
    except ClientError as err:
        return [Finding(WARNING, model_id, keys, f"could not check model access ({_error_code(err)})")]
    problems = []
    if availability.get("regionAvailability") == "NOT_AVAILABLE":
        problems.append("not available in this region")
    if availability.get("authorizationStatus") == "NOT_AUTHORIZED":
        problems.append("this account is not authorized (Bedrock console > Model access)")
    if availability.get("entitlementAvailability") == "NOT_AVAILABLE":
        problems.append("no entitlement (request model access in the Bedrock console)")
    agreement = (availability.get("agreementAvailability") or {}).get("status")
    if agreement and agreement not in ("AVAILABLE",):
        problems.append(f"model agreement is {agreement}: the account is not subscribed to it yet (AWS Marketplace). "
                        "An operator with aws-marketplace:Subscribe subscribes once, as docs/deploy.md says")
    if problems:
        return [Finding(ERROR, model_id, keys, "; ".join(problems))]
    return [Finding(OK, model_id, keys, "model access granted")]


def run(config: StudioConfig, client: Any = None, now: datetime | None = None,
        out: Callable[[str], None] = print) -> int:
    """Check every model the stack calls, each in its region; print one line per finding; the exit code.

    `client`: one bedrock client for every region (tests); by default one per region the stack calls."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    if client is None:
        import boto3

        session = boto3.Session()
        if session.get_credentials() is None:
            out("preflight needs AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or SSO) "
                "for the account you deploy to; none were found. Nothing was checked.")
            return 2
        regional: dict[str, Any] = {}

        def client_in(region: str) -> Any:
            return regional.setdefault(region, session.client("bedrock", region_name=region))
    else:
        def client_in(region: str) -> Any:
            return client
    now = now or datetime.now(timezone.utc)
    calls = model_calls(config)
    out(f"Bedrock models the stack {config.stack_name} calls ({len(calls)}), each in the region it calls it in:")
    for call in calls:
        out(f"  {call.model_id} in {call.region} ({', '.join(call.keys)})")
    findings: list[Finding] = []
    region = config.bedrock_region
    try:
        for call in calls:
            region = call.region
            findings.extend(Finding(f.level, f.model_id, f.keys, f.message, call.region)
                            for f in check_model(client_in(call.region), call.model_id, call.keys, call.region, now))
    except NoCredentialsError:
        out("preflight needs AWS credentials; none were found. Nothing was checked.")
        return 2
    except ClientError as err:
        code = _error_code(err)
        if code in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException",
                    "ExpiredToken"):
            out(f"the AWS credentials were refused ({code}): refresh them and run again.")
            return 2
        if code == "AccessDeniedException":
            out("the credentials may not read Bedrock's model catalogue (bedrock:GetFoundationModel, "
                "bedrock:GetInferenceProfile, bedrock:GetFoundationModelAvailability): "
                f"{err.response['Error'].get('Message', '')}")
            return 2
        raise
    except BotoCoreError as err:
        out(f"could not reach Bedrock in {region}: {err}")
        return 2
    for finding in findings:
        out(finding.render())
    errors = [f for f in findings if f.level == ERROR]
    warnings = [f for f in findings if f.level == WARNING]
    out(f"{len(errors)} error(s), {len(warnings)} warning(s).")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    try:
        config = load_config(app_context(sys.argv[1:] if argv is None else argv))
    except ConfigError as err:
        print(f"configuration error:\n{err}", file=sys.stderr)
        return 2
    return run(config)


if __name__ == "__main__":
    sys.exit(main())
