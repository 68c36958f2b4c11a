"""Helpers that read a synthesized template (shared by the infrastructure tests)."""

from __future__ import annotations

import json
from typing import Any

from studio import routes
from studio.catalog import DEFAULT_EMBEDDING_MODEL_ID
from studio.model_regions import PROFILE_PREFIXES


def api_methods(synth) -> dict[tuple[str, str], dict[str, Any]]:
    """(HTTP method, full path) -> method properties, paths rebuilt from the resource tree."""
    resources = synth.of_type("AWS::ApiGateway::Resource")
    _, rest_api = synth.one("AWS::ApiGateway::RestApi")

    def path_of(ref: Any) -> str:
        if isinstance(ref, dict) and "Fn::GetAtt" in ref:  # the root resource
            return ""
        resource = resources[ref["Ref"]]["Properties"]
        return f"{path_of(resource['ParentId'])}/{resource['PathPart']}"

    methods = {}
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        methods[(props["HttpMethod"], path_of(props["ResourceId"]))] = props
    return methods


def function_by_handler(synth) -> dict[str, tuple[str, dict[str, Any]]]:
    return {fn["Properties"].get("Handler"): (logical_id, fn)
            for logical_id, fn in synth.of_type("AWS::Lambda::Function").items()}


def studio_functions(synth) -> dict[str, tuple[str, dict[str, Any]]]:
    by_handler = function_by_handler(synth)
    return {spec.name: by_handler[spec.handler] for spec in routes.FUNCTIONS}


def statements(synth):
    """Every statement of every inline or managed policy, with the policy's roles."""
    for logical_id, resource in synth.resources.items():
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                yield logical_id, resource["Properties"].get("Roles", []), statement
        if resource["Type"] == "AWS::IAM::Role":
            for policy in resource["Properties"].get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    yield logical_id, [{"Ref": logical_id}], statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def render(value: Any) -> str:
    """A CFN string expression as text: Fn::Join flattened, Refs as ${Name}."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        return "".join(render(part) for part in value["Fn::Join"][1])
    if "Ref" in value:
        return "${" + value["Ref"] + "}"
    if "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    return json.dumps(value)


def clients(synth) -> dict[str, dict[str, Any]]:
    return {client["Properties"]["ClientName"]: client["Properties"]
            for client in synth.of_type("AWS::Cognito::UserPoolClient").values()}


def expected_model_arns(config) -> dict[str, set[str]]:
    """Which Bedrock ARNs (rendered) each kind of function may invoke."""
    def arns(model_id: str, region: str = config.bedrock_region) -> set[str]:
        head, _, rest = model_id.partition(".")
        if head in PROFILE_PREFIXES:
            return {f"arn:${{AWS::Partition}}:bedrock:{region}:${{AWS::AccountId}}:"
                    f"inference-profile/{model_id}",
                    f"arn:${{AWS::Partition}}:bedrock:*::foundation-model/{rest}"}
        return {f"arn:${{AWS::Partition}}:bedrock:{region}::foundation-model/{model_id}"}

    image = set().union(*(arns(m) for m in config.image_invocation_ids()))
    # Search embeds in embeddingRegion (where Nova Multimodal Embeddings runs), not bedrockRegion.
    embedding = arns(DEFAULT_EMBEDDING_MODEL_ID, config.embedding_region)
    return {"text": arns(config.text_model_id), "image": image, "embedding": embedding,
            "embedding+text": embedding | arns(config.text_model_id)}


def check_bedrock_statements(synth) -> None:
    expected = expected_model_arns(synth.config)
    functions = studio_functions(synth)
    role_of = {render(fn["Properties"]["Role"]).split(".")[0].strip("${"): name
               for name, (_, fn) in functions.items()}
    seen: dict[str, set[str]] = {}
    for policy_id, roles, statement in statements(synth):
        actions = as_list(statement["Action"])
        if not any(a.startswith("bedrock:") or a == "*" for a in actions):
            continue
        if actions == ["bedrock:GetFoundationModel"]:  # the lifecycle check reads, never invokes
            assert {role_of.get(r["Ref"]) for r in roles} == {"model-lifecycle"}, (policy_id, roles)
            continue
        assert statement["Effect"] == "Allow"
        assert actions == ["bedrock:InvokeModel"], (policy_id, actions)
        names = {role_of.get(r["Ref"]) for r in roles}
        assert len(names) == 1 and None not in names, (policy_id, roles)
        name = names.pop()
        kind = {"generate-worker": "image", "gallery": "embedding", "index": "embedding+text"}.get(name, "text")
        assert name in ("translate", "suggest", "describe", "generate-worker", "gallery", "index"), name
        for resource in as_list(statement["Resource"]):
            arn = render(resource)
            assert arn in expected[kind], (name, arn)
            if ":bedrock:*:" in arn:  # any region: only through the configured inference profile
                condition = statement["Condition"]["StringEquals"]["bedrock:InferenceProfileArn"]
                assert render(condition) in expected[kind]
            seen.setdefault(name, set()).add(arn)
    assert seen == {"translate": expected["text"], "suggest": expected["text"], "describe": expected["text"],
                    "generate-worker": expected["image"], "gallery": expected["embedding"],
                    "index": expected["embedding+text"]}


def behaviors(synth) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    _, distribution = synth.one("AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    return config, {b["PathPattern"]: b for b in config["CacheBehaviors"]}, origins


def check_nag(default) -> None:
    """cdk-nag ran, found nothing unacknowledged, and every acknowledgment matched a finding."""
    report = json.loads((default.outdir / "validation-report.json").read_text())
    # Beside cdk-nag's, the report may hold the synth's own warnings (e.g. no Bedrock alarm here).
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success" and nag["violations"] == []
    used = {(v["acknowledgedAt"], v["acknowledgedId"]) for v in nag["suppressedViolations"]}
    declared = {(path, rule) for path, rule, _ in default.acknowledgments if "AwsSolutions-" in rule}
    assert declared - used == set(), "acknowledgments that match no finding"
