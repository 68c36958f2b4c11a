"""The one stack: it composes the capability constructs and declares the outputs, nothing else."""

from __future__ import annotations

from datetime import date

from aws_cdk import Acknowledgment, Annotations, CfnOutput, RemovalPolicy, SecretValue, Stack, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk import constants as c
from cdk.api import Api
from cdk.auth import Auth
from cdk.config import StudioConfig
from cdk.credentials import Credentials
from cdk.functions import ARCHITECTURE, RUNTIME, StudioFunction, setting_values
from cdk.generation import Generation
from cdk.layer import DependenciesLayer
from cdk.monitoring import Monitoring
from cdk.permissions import Grants
from cdk.push import Push
from cdk.search import Search
from cdk.storage import Storage
from cdk.web import Web
from studio import channels, routes


def generated_secret(scope: Construct, construct_id: str, description: str, length: int,
                     why_no_rotation: str) -> secretsmanager.Secret:
    """A random secret of `length` characters (no punctuation), rotated by hand for `why_no_rotation`."""
    secret = secretsmanager.Secret(
        scope, construct_id, description=description, removal_policy=RemovalPolicy.DESTROY,
        generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True,
                                                                    password_length=length))
    Validations.of(secret).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-SMG4", reason=why_no_rotation))
    return secret


def secretsmanager_value(secret: secretsmanager.ISecret, version_id: str | None) -> str:
    """A dynamic reference CloudFormation resolves at deploy time (never in the template)."""
    return SecretValue.secrets_manager(secret.secret_arn, version_id=version_id).unsafe_unwrap()


def construct_id(function_name: str) -> str:
    """generate-worker -> GenerateWorker."""
    return "".join(part.capitalize() for part in function_name.split("-"))


class StudioStack(Stack):
    def __init__(self, scope: Construct, stack_id: str, *, config: StudioConfig, **kwargs) -> None:
        super().__init__(scope, stack_id, description="Image Prompt Studio: prompt writing and image "
                         "generation with Amazon Bedrock", **kwargs)
        self.config = config
        for warning in config.lifecycle_warnings(date.today().isoformat()):
            # Enabled on purpose by an operator; say at every synth what it costs them.
            Annotations.of(self).add_warning_v2("studio:legacy-model", warning)
        for warning in config.region_warnings():  # modelRegionCheck=warn: the operator knows better
            Annotations.of(self).add_warning_v2("studio:model-region", warning)
        storage = Storage(self, "Storage", config=config)
        auth = Auth(self, "Auth", config=config)
        generation = Generation(self, "Generation", config=config)
        search = Search(self, "Search")
        push = Push(self, "Push", user_pool=auth.user_pool, api_name=f"{config.stack_name}-events")
        credentials = Credentials(self, "Credentials", config=config)

        cursor_secret = generated_secret(
            self, "CursorSecret", "Signs the gallery's opaque page cursors", c.CURSOR_SECRET_LENGTH,
            "The key only signs gallery page cursors (short-lived, no user data); a rotation would just "
            "invalidate open cursors. Rotate by hand with put-secret-value if it ever leaks.")
        # CloudFront sends it to the API in routes.ORIGIN_HEADER; the handlers refuse calls without it.
        origin_secret = generated_secret(
            self, "OriginSecret", "The header value CloudFront sends to the API; calls without it are refused",
            c.ORIGIN_SECRET_LENGTH,
            "Rotated by hand without downtime (docs/deploy.md): put-secret-value, then deploy with "
            "-c originSecretVersion=<VersionId> so CloudFront sends the new value; the functions accept "
            "AWSCURRENT and AWSPREVIOUS meanwhile. A rotation Lambda could not update CloudFront.")

        layer = DependenciesLayer(self, "Dependencies", runtime=RUNTIME, architecture=ARCHITECTURE).layer
        # Only the functions that sign or read Content Credentials carry the C2PA bindings.
        credentials_layer = DependenciesLayer(
            self, "CredentialsDependencies", runtime=RUNTIME, architecture=ARCHITECTURE,
            requirements=c.CREDENTIALS_LAYER_LOCK, contents="C2PA bindings (c2pa-python), cryptography").layer
        code = lambda_.Code.from_asset(str(c.FUNCTIONS_DIR), exclude=c.CODE_EXCLUDES)
        resources = {
            "table_name": storage.table.table_name,
            "images_bucket": storage.images_bucket.bucket_name,
            "jobs_queue_url": generation.jobs.queue_url,
            "cursor_secret_arn": cursor_secret.secret_arn,
            "index_queue_url": search.jobs.queue_url,
            "vector_index_arn": search.index_arn,
            "origin_secret_arn": origin_secret.secret_arn,
            "events_http_domain": push.http_domain,
            "credentials_key_id": credentials.key.key_arn,
            "credentials_chain_secret_arn": credentials.chain_secret.secret_arn,
            "credentials_day_one_parameter": credentials.day_one_parameter_name,
        }
        self.functions = {
            spec.name: StudioFunction(self, construct_id(spec.name), spec=spec, code=code,
                                      layers=[layer, *([credentials_layer] if spec.name in c.CREDENTIALS_LAYER_FUNCTIONS
                                                       else [])],
                                      config=config, environment=setting_values(spec, config, resources))
            for spec in routes.FUNCTIONS
        }
        for spec in routes.FUNCTIONS:
            if spec.trigger == "queue":
                self.functions[spec.name].target.add_event_source(generation.jobs_source())
            elif spec.trigger == "dead-letters":
                self.functions[spec.name].target.add_event_source(generation.dead_letters_source())
            elif spec.trigger == "index-queue":
                self.functions[spec.name].target.add_event_source(search.jobs_source())
            elif spec.trigger == "schedule":
                generation.schedule(self.functions[spec.name].target, spec)
        Grants(config=config, functions=self.functions, bucket=storage.images_bucket, table=storage.table,
               jobs=generation.jobs, cursor_secret=cursor_secret, origin_secret=origin_secret, search=search, push=push,
               credentials=credentials)
        for spec in routes.FUNCTIONS:
            if spec.trigger == "deploy":  # one so far: the day-one Content Credentials certificate
                issuer = self.functions[spec.name]
                credentials.issue_at_deploy(issuer, issuer.function.function_arn,
                                            issuer.function.node.default_child.code.s3_key)

        api = Api(self, "Api", config=config, user_pool=auth.user_pool,
                  functions={f.name: self.functions[f.name] for f in routes.api_functions()})
        web = Web(self, "Web", config=config, images_bucket=storage.images_bucket, log_bucket=storage.log_bucket,
                  rest_api=api.rest_api, cognito_host=auth.domain_host,
                  origin_secret=secretsmanager_value(origin_secret, config.origin_secret_version),
                  push_host=push.realtime_domain)
        web_client = auth.add_web_client(web.site_url)
        web.allow_uploads_from_site()
        web.allow_invalidation(self.functions["gallery"].role)
        self.site_config = {
            "apiBase": routes.API_PREFIX,
            "region": self.region,
            "userPoolId": auth.user_pool.user_pool_id,
            "userPoolClientId": web_client.user_pool_client_id,
            "cognitoDomain": auth.domain_url,
            "redirectUri": f"{web.site_url}/",
            "scopes": auth.web_scopes,
            "signIn": "hosted",
            "environment": "aws",
            "imageModelId": config.image_model_id,
            "allowedImageModels": list(config.allowed_image_models),
            # Push (AppSync Events): the browser subscribes to its own channel, polls when it cannot.
            "events": {"realtimeUrl": f"wss://{push.realtime_domain}/event/realtime", "host": push.http_domain,
                       "namespace": channels.NAMESPACE},
        }
        web.deploy_site(self.site_config)
        Monitoring(self, "Monitoring", config=config, rest_api=api.rest_api, functions=self.functions,
                   jobs=generation.jobs, dead_letters=generation.dead_letters, search=search)

        outputs = {
            "SiteUrl": (web.site_url, "The web app"),
            "ApiUrl": (f"{web.site_url}{routes.API_PREFIX}", "The API through CloudFront (OpenAPI: /openapi.json)"),
            "RestApiUrl": (api.rest_api.url_for_path(routes.API_PREFIX), "The API's own regional endpoint"),
            "UserPoolId": (auth.user_pool.user_pool_id, "Cognito user pool"),
            "WebClientId": (web_client.user_pool_client_id, "App client of the web UI (code + PKCE)"),
            "MachineClientId": (auth.machine_client.user_pool_client_id,
                                "App client for programs (client credentials; secret in the Cognito console)"),
            "TokenUrl": (auth.token_url, "OAuth2 token endpoint (client credentials)"),
            "CognitoDomain": (auth.domain_url, "Cognito managed login (version 2) base URL"),
        }
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)
