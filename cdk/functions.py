"""One Lambda function per entry of studio.routes.FUNCTIONS: its own role, log group and environment.

The code asset is the whole functions/ folder (handlers plus the shared `studio` package); third-party
packages come from the dependencies layer. Grants are added by the capability that owns the
resource (storage, generation, ...), so each role holds only what its function touches.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, Duration, RemovalPolicy, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk import constants as c
from cdk.config import LOG_RETENTION_DAYS, StudioConfig, split_profile_id
from studio import routes
from studio.catalog import DEFAULT_EMBEDDING_MODEL_ID
from studio.settings import ENV

RUNTIME = next(r for r in lambda_.Runtime.ALL if r.name == f"python{c.PYTHON_VERSION}")
ARCHITECTURE = lambda_.Architecture.ARM_64

# Which settings (studio.settings.ENV keys) each function reads. Nothing else is set for it.
FUNCTION_SETTINGS: dict[str, tuple[str, ...]] = {
    # The text operations count each call against the caller's daily text quota (in the table).
    "translate": ("table_name", "daily_text_quota", "bedrock_region", "text_model_id", "text_temperature",
                  "text_max_tokens", "model_read_timeout", "model_max_attempts", "origin_secret_arn"),
    "suggest": ("table_name", "daily_text_quota", "bedrock_region", "text_model_id", "text_temperature",
                "text_max_tokens", "model_read_timeout", "model_max_attempts", "origin_secret_arn"),
    "describe": ("table_name", "daily_text_quota", "images_bucket", "bedrock_region", "text_model_id",
                 "text_temperature", "text_max_tokens", "model_read_timeout", "model_max_attempts",
                 "origin_secret_arn"),
    # POST /generations and GET /models (the catalogue shows prices, quotas and the text model).
    "generate": ("table_name", "images_bucket", "jobs_queue_url", "image_model_id", "allowed_image_models",
                 "daily_image_quota", "daily_text_quota", "image_prices", "text_model_id",
                 "text_price_per_1k_input", "text_price_per_1k_output", "public_base_url", "origin_secret_arn"),
    "generate-worker": ("table_name", "images_bucket", "jobs_queue_url", "bedrock_region", "model_read_timeout",
                        "model_max_attempts", "image_profile_prefix", "index_queue_url", "events_http_domain",
                        "public_base_url", "credentials_key_id", "credentials_chain_secret_arn",
                        "credentials_day_one_parameter", "credentials_tsa_url", "credentials_include_prompt"),
    # They end jobs, and push each end to the owner's open pages (events_http_domain).
    "generate-dead-letters": ("table_name", "images_bucket", "events_http_domain", "public_base_url"),
    "generate-sweeper": ("table_name", "images_bucket", "events_http_domain", "public_base_url"),
    # Search embeds its queries in embeddingRegion (gallery); the index function embeds there too and
    # captions with the text model in bedrockRegion.
    # A delete queues an index job that removes what vectors are left (logic/indexing.py request_cleanup).
    # POST /exports queues the export's job on the jobs queue (logic/exports.py).
    "gallery": ("table_name", "images_bucket", "cursor_secret_arn", "public_base_url", "origin_secret_arn",
                "distribution_id_parameter", "vector_index_arn", "embedding_model_id", "embedding_region",
                "model_read_timeout", "model_max_attempts", "index_queue_url", "jobs_queue_url"),
    "index": ("table_name", "images_bucket", "vector_index_arn", "embedding_model_id", "embedding_region",
              "text_model_id", "bedrock_region", "model_read_timeout", "model_max_attempts"),
    # Every model the stack calls, and where: the same list as synth's check (logic/model_watch.py).
    "model-lifecycle": ("table_name", "bedrock_region", "embedding_region", "text_model_id", "image_model_id",
                        "allowed_image_models", "image_profile_prefix", "embedding_model_id"),
    # At deploy: reads the signing key's public key, stores the day-one chain (logic/day_one.py).
    "credentials-issuer": ("credentials_key_id", "credentials_day_one_parameter"),
}


def setting_values(spec: routes.Function, config: StudioConfig, resources: dict[str, str]) -> dict[str, str]:
    """The environment of one function: settings.ENV names -> values from config and resources."""
    name = spec.name
    known = {
        "bedrock_region": config.bedrock_region,
        "embedding_region": config.embedding_region,
        "text_model_id": config.text_model_id,
        "text_temperature": str(config.text_temperature),
        "text_max_tokens": str(config.text_max_tokens),
        "text_price_per_1k_input": str(config.text_price_per_1k_input),
        "text_price_per_1k_output": str(config.text_price_per_1k_output),
        "image_model_id": config.image_model_id,
        "allowed_image_models": ",".join(config.allowed_image_models),
        "image_profile_prefix": config.image_profile_prefix,
        "daily_image_quota": str(config.daily_image_quota),
        "daily_text_quota": str(config.daily_text_quota),
        "image_prices": config.image_prices_json(),
        "public_base_url": config.public_base_url,
        "distribution_id_parameter": c.DISTRIBUTION_ID_PARAMETER.format(stack=config.stack_name),
        "model_read_timeout": str(spec.model_read_timeout_seconds),
        "model_max_attempts": str(spec.model_max_attempts),
        "embedding_model_id": DEFAULT_EMBEDDING_MODEL_ID,
        "credentials_tsa_url": config.credentials_tsa_url,
        "credentials_include_prompt": "true" if config.credentials_include_prompt else "false",
        **resources,
    }
    env = {}
    for field in FUNCTION_SETTINGS[name]:
        value = known[field]
        if value != "":  # PUBLIC_BASE_URL only with a custom domain
            env[ENV[field]] = value
    return env


class StudioFunction(Construct):
    """A function of routes.FUNCTIONS with its own role, an explicit log group and JSON logs."""

    def __init__(self, scope: Construct, construct_id: str, *, spec: routes.Function, code: lambda_.Code,
                 layers: list[lambda_.ILayerVersion], config: StudioConfig, environment: dict[str, str]) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.log_group = logs.LogGroup(
            self, "Logs",
            retention=retention_days(config.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self, "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.name}: {spec.description}",
        )
        # Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): this log group only.
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[self.log_group.log_group_arn],
        ))
        self.function = lambda_.Function(
            self, "Function",
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=code,
            layers=layers,
            role=self.role,
            memory_size=c.FUNCTION_MEMORY[spec.name],
            timeout=Duration.seconds(spec.timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            # SnapStart (cdk.json snapStart): each deploy publishes a version whose initialized memory is
            # snapshotted; the API and the queues call it through the "live" alias (restore hooks:
            # functions/studio/snapstart.py).
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if config.snap_start else None,
            environment={
                **environment,
                "POWERTOOLS_SERVICE_NAME": spec.name,
                "POWERTOOLS_METRICS_NAMESPACE": c.POWERTOOLS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": c.POWERTOOLS_LOG_LEVEL,
            },
        )
        Validations.of(self.role).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            reason="Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords "
                   "support no resource-level permissions.",
        ))
        acknowledge_runtime(self.function)
        # What the API and the event sources invoke: the published version when snapshots are on.
        self.target: lambda_.IFunction = (self.function.add_alias(c.LIVE_ALIAS) if config.snap_start
                                          else self.function)

    def grant_invoke_models(self, model_ids: list[str], region: str) -> None:
        """bedrock:InvokeModel on exactly these models (Converse needs the same action)."""
        for statement in bedrock_statements(model_ids, region):
            self.role.add_to_policy(statement)


def acknowledge_runtime(function: lambda_.Function) -> None:
    """cdk-nag L1 wants the newest Python CDK knows; the project pins one (layer wheels, tests)."""
    newest = max((r for r in lambda_.Runtime.ALL if r.name.startswith("python3.")),
                 key=lambda r: int(r.name.split(".")[1]))
    if RUNTIME.name != newest.name:
        Validations.of(function).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-L1",
            reason=f"Python {c.PYTHON_VERSION} is the runtime the project pins and tests, and the dependencies "
                   f"layer is built for it; {newest.name} is a one-line change (cdk/constants.py "
                   "PYTHON_VERSION) once the handlers are tested on it.",
        ))


def bedrock_statements(model_ids: list[str], region: str) -> list[iam.PolicyStatement]:
    """InvokeModel on foundation models, or on system inference profiles and their models.

    A cross-region inference profile (us.*, eu.*, global.*...) is called in `region` and routed by
    Bedrock to the model in any region of its geography: the role needs the profile ARN, and the
    foundation model in every region, but only when reached through that profile (the documented
    bedrock:InferenceProfileArn condition), so the model cannot be called directly elsewhere.
    """
    statements = []
    for model_id in model_ids:
        prefix, base_model = split_profile_id(model_id)
        if prefix is None:
            statements.append(iam.PolicyStatement(
                actions=["bedrock:InvokeModel"],
                resources=[f"arn:{Aws.PARTITION}:bedrock:{region}::foundation-model/{model_id}"],
            ))
            continue
        profile_arn = f"arn:{Aws.PARTITION}:bedrock:{region}:{Aws.ACCOUNT_ID}:inference-profile/{model_id}"
        statements.append(iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=[profile_arn]))
        statements.append(iam.PolicyStatement(
            actions=["bedrock:InvokeModel"],
            resources=[f"arn:{Aws.PARTITION}:bedrock:*::foundation-model/{base_model}"],
            conditions={"StringEquals": {"bedrock:InferenceProfileArn": profile_arn}},
        ))
    return statements


def retention_days(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a number of days (config validated it is one)."""
    members = [r for r in logs.RetentionDays if r.name != "INFINITE"]  # same order as LOG_RETENTION_DAYS
    return dict(zip(LOG_RETENTION_DAYS, members, strict=True))[days]
