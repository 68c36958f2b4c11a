"""The deployment as the stack synthesizes it, read for the local world: each function's role policy and
environment, the resources' own policies, which queue feeds which function.

The template is the one `make synth` writes (local/synth.py makes it offline, cached). Its intrinsic
functions are resolved against the local resources: a reference to the table becomes the local
table's name or ARN, the pseudo parameters become the local account and region. A resource the
local world does not have resolves to an ARN that matches nothing (`arn:unresolved:<LogicalId>`),
so a grant on it allows nothing here either; `Deployment.unresolved` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from local.aws import Resources
from local.paths import add_functions_to_path

add_functions_to_path()
from studio import routes  # noqa: E402
from studio.settings import ENV  # noqa: E402

PARTITION = "aws"
ROLE_PREFIX = "image-prompt-studio-"


@dataclass
class FunctionSpec:
    name: str  # as in studio.routes.FUNCTIONS
    role_arn: str
    statements: list[dict]  # the role's identity policy, resolved
    environment: dict[str, str]  # the function's environment as deployed, resolved
    timeout_seconds: int = 3
    memory_mb: int = 128
    event_sources: list[str] = field(default_factory=list)  # ARNs of the queues its event source mappings read
    max_concurrency: int = 0  # its event source mappings' MaximumConcurrency (0: not set)

    @property
    def lambda_name(self) -> str:
        return f"{ROLE_PREFIX}{self.name}"

    @property
    def session_arn(self) -> str:
        """How AWS names the caller in an AccessDenied message: the role's session, named after the function."""
        role = self.role_arn.rsplit("/", 1)[1]
        return f"arn:aws:sts::{self.role_arn.split(':')[4]}:assumed-role/{role}/{self.lambda_name}"


@dataclass(frozen=True)
class CustomResource:
    """A custom resource the stack backs with one of its own functions (not CDK's providers)."""

    logical_id: str
    resource_type: str  # Custom::...
    function: str  # as in studio.routes.FUNCTIONS
    properties: dict[str, Any]  # ResourceProperties, resolved, without the ServiceToken


@dataclass
class Deployment:
    functions: dict[str, FunctionSpec]
    resource_policies: dict[str, list[dict]]  # resource ARN (bucket, queue) -> statements
    unresolved: set[str]
    custom_resources: list[CustomResource] = field(default_factory=list)


@dataclass(frozen=True)
class Place:
    """Where the local resources are: the account and region their ARNs name."""

    account: str
    region: str


class _Resolver:
    def __init__(self, template: dict, local: Resources, place: Place) -> None:
        self.template, self.local, self.place = template, local, place
        self.resources: dict[str, dict] = template.get("Resources", {})
        self.values: dict[str, dict[str, str]] = {}  # logical id -> {"Ref": ..., "Arn": ..., ...}
        self.unresolved: set[str] = set()
        self._discover()

    # --- which logical resource is which local one ------------------------------------------------
    def _name(self, expression: Any) -> str | None:
        """The logical id an expression refers to ({"Ref": X} or {"Fn::GetAtt": [X, ...]})."""
        if isinstance(expression, dict):
            if "Ref" in expression:
                return expression["Ref"]
            if "Fn::GetAtt" in expression:
                return expression["Fn::GetAtt"][0]
        return None

    def _discover(self) -> None:
        loc, place = self.local, self.place
        table_arn = f"arn:aws:dynamodb:{place.region}:{place.account}:table/{loc.table_name}"
        by_setting = {
            "table_name": {"Ref": loc.table_name, "Arn": table_arn},
            "images_bucket": {"Ref": loc.images_bucket, "Arn": f"arn:aws:s3:::{loc.images_bucket}"},
            "jobs_queue_url": {"Ref": loc.jobs_queue_url, "Arn": loc.jobs_queue_arn,
                               "QueueName": loc.jobs_queue_arn.rsplit(":", 1)[1]},
            "index_queue_url": {"Ref": loc.index_queue_url, "Arn": loc.index_queue_arn,
                                "QueueName": loc.index_queue_arn.rsplit(":", 1)[1]},
            "cursor_secret_arn": {"Ref": loc.cursor_secret_arn},
            "origin_secret_arn": {"Ref": loc.origin_secret_arn},
            "vector_index_arn": {"IndexArn": loc.vector_index_arn},
            "credentials_key_id": {"Arn": loc.credentials_key_arn, "Ref": loc.credentials_key_arn.rsplit("/", 1)[-1]},
            "credentials_chain_secret_arn": {"Ref": loc.credentials_chain_secret_arn},
        }
        for logical, resource in self.resources.items():
            props = resource.get("Properties", {})
            kind = resource.get("Type")
            if kind == "AWS::Lambda::Function":
                for env_name, value in (props.get("Environment") or {}).get("Variables", {}).items():
                    setting = next((k for k, v in ENV.items() if v == env_name), None)
                    target = self._name(value)
                    if setting in by_setting and target:
                        self.values.setdefault(target, {}).update(by_setting[setting])
            elif kind == "AWS::CloudFront::Distribution":
                self.values[logical] = {"Ref": loc.distribution_id, "Id": loc.distribution_id,
                                        "DomainName": "localhost"}
            elif kind == "AWS::S3Vectors::VectorBucket":
                self.values[logical] = {"VectorBucketArn": loc.vector_bucket_arn}
            elif kind == "AWS::Cognito::UserPool":
                self.values[logical] = {"Ref": loc.user_pool_id, "UserPoolId": loc.user_pool_id,
                                        "Arn": f"arn:aws:cognito-idp:{place.region}:{place.account}:userpool/{loc.user_pool_id}"}
            elif kind == "AWS::AppSync::Api":  # push: the local gateway serves the Events API
                self.values[logical] = {
                    "ApiId": loc.events_api_id, "Dns.Http": loc.events_http_domain(place.region),
                    "Dns.Realtime": loc.events_http_domain(place.region).replace("appsync-api", "appsync-realtime-api"),
                    "ApiArn": f"arn:aws:appsync:{place.region}:{place.account}:apis/{loc.events_api_id}"}
            elif kind == "AWS::AppSync::ChannelNamespace":
                self.values[logical] = {"ChannelNamespaceArn": loc.events_namespace_arn(
                    place.region, place.account, props.get("Name", ""))}
            elif kind == "AWS::Logs::LogGroup":
                self.values[logical] = {"Arn": f"arn:aws:logs:{place.region}:{place.account}:log-group:/local/{logical}:*"}
        # The jobs DLQ: what the dead-letter function's event source reads; the index DLQ: the index
        # queue's redrive target.
        for resource in self.resources.values():
            props = resource.get("Properties", {})
            if resource.get("Type") == "AWS::Lambda::EventSourceMapping":
                function = self._function_of(self._name(props.get("FunctionName")))
                queue = self._name(props.get("EventSourceArn"))
                if function == "generate-dead-letters" and queue:
                    self.values.setdefault(queue, {}).update(
                        {"Ref": loc.dlq_url, "Arn": loc.dlq_arn, "QueueName": loc.dlq_arn.rsplit(":", 1)[1]})
            if resource.get("Type") == "AWS::SQS::Queue" and "RedrivePolicy" in props:
                source = next((k for k, v in self.resources.items() if v is resource), None)
                if source and self.values.get(source, {}).get("Arn") == loc.index_queue_arn:
                    dlq = self._name(props["RedrivePolicy"].get("deadLetterTargetArn"))
                    if dlq:
                        self.values.setdefault(dlq, {}).update({"Arn": loc.index_dlq_arn})

    def _function_of(self, logical: str | None) -> str | None:
        resource = self.resources.get(logical or "")
        if not resource:
            return None
        if resource.get("Type") == "AWS::Lambda::Alias":  # SnapStart: the live alias of a function
            return self._function_of(self._name(resource["Properties"].get("FunctionName")))
        handler = resource.get("Properties", {}).get("Handler")
        return next((f.name for f in routes.FUNCTIONS if f.handler == handler), None)

    # --- intrinsic functions -----------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._attribute(logical, attribute)
            if key == "Fn::Join":
                separator, parts = arg
                return separator.join(str(self.resolve(p)) for p in parts)
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = arg
                return str(self.resolve(text)).split(separator)
            if key == "Fn::Sub":
                return self._sub(arg)
        return {k: self.resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Partition": PARTITION, "AWS::Region": self.place.region, "AWS::AccountId": self.place.account,
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "local", "AWS::NoValue": ""}
        if name in pseudo:
            return pseudo[name]
        return self._attribute(name, "Ref")

    def _attribute(self, logical: str, attribute: str) -> str:
        value = self.values.get(logical, {}).get(attribute)
        if value is None:
            self.unresolved.add(logical)
            return f"arn:unresolved:{logical}"
        return value

    def _sub(self, arg: Any) -> str:
        import re

        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name:
                logical, attribute = name.split(".", 1)
                return self._attribute(logical, attribute)
            return self._ref(name)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)


def _statements(document: dict) -> list[dict]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def read(template: dict, local: Resources, place: Place) -> Deployment:
    """Each function's role policy, environment and event sources; each bucket's and queue's policy."""
    resolver = _Resolver(template, local, place)
    resources = resolver.resources
    functions: dict[str, FunctionSpec] = {}
    for logical, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        name = resolver._function_of(logical)
        if name is None:  # CDK's own custom-resource providers: not part of the product
            continue
        props = resource["Properties"]
        role = resolver._name(props["Role"])
        statements: list[dict] = []
        role_props = resources.get(role, {}).get("Properties", {})
        for inline in role_props.get("Policies", []):
            statements += _statements(resolver.resolve(inline["PolicyDocument"]))
        if role_props.get("ManagedPolicyArns"):
            raise ValueError(f"{name}: managed policies are not read locally; grant statements instead")
        # A role's own policies, and the managed policies CDK adds when the inline ones would pass
        # IAM's 10,240-character limit per role (OverflowPolicy<n>, attached through their Roles).
        for policy in resources.values():
            # AWS::IAM::ManagedPolicy: CDK moves statements past the inline policy's size limit (10,240
            # characters) into an "overflow" managed policy attached to the role; AWS applies it just the same.
            if (policy.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
                    and {"Ref": role} in policy["Properties"].get("Roles", [])):
                statements += _statements(resolver.resolve(policy["Properties"]["PolicyDocument"]))
        environment = {k: str(v) for k, v in resolver.resolve((props.get("Environment") or {}).get("Variables", {})).items()}
        functions[name] = FunctionSpec(
            name=name, role_arn=f"arn:aws:iam::{place.account}:role/{ROLE_PREFIX}{name}",
            statements=statements, environment=environment, timeout_seconds=int(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)))
    for resource in resources.values():
        if resource.get("Type") == "AWS::Lambda::EventSourceMapping":
            props = resource["Properties"]
            name = resolver._function_of(resolver._name(props.get("FunctionName")))
            if name in functions:
                functions[name].event_sources.append(resolver.resolve(props["EventSourceArn"]))
                limit = (props.get("ScalingConfig") or {}).get("MaximumConcurrency", 0)
                functions[name].max_concurrency = max(functions[name].max_concurrency, int(limit))
    policies: dict[str, list[dict]] = {}
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::S3::BucketPolicy":
            bucket = resolver.resolve(props["Bucket"])
            policies.setdefault(f"arn:aws:s3:::{bucket}", []).extend(_statements(resolver.resolve(props["PolicyDocument"])))
        elif resource.get("Type") == "AWS::SQS::QueuePolicy":
            for queue in props.get("Queues", []):
                logical = resolver._name(queue)
                arn = resolver.values.get(logical or "", {}).get("Arn")
                if arn:
                    policies.setdefault(arn, []).extend(_statements(resolver.resolve(props["PolicyDocument"])))
    custom = []
    for logical, resource in resources.items():
        kind = resource.get("Type", "")
        props = resource.get("Properties", {})
        if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
            name = resolver._function_of(resolver._name(props.get("ServiceToken")))
            if name in functions:  # CDK's own providers (AwsCustomResource...) stay out, as their functions do
                custom.append(CustomResource(logical, kind, name, resolver.resolve(
                    {k: v for k, v in props.items() if k != "ServiceToken"})))
    return Deployment(functions=functions, resource_policies=policies, unresolved=resolver.unresolved,
                      custom_resources=custom)


def distribution_parameter(template: dict) -> str:
    """The SSM parameter the functions read the CloudFront distribution's id from (DISTRIBUTION_ID_PARAMETER)."""
    for resource in template.get("Resources", {}).values():
        variables = ((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}
        value = variables.get(ENV["distribution_id_parameter"])
        if isinstance(value, str) and value:
            return value
    return ""
