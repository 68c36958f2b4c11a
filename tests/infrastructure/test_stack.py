"""The synthesized stack does what the product needs, and nothing more permissive.

Given the stack as cdk.json configures it (one synth per session), each test walks the template.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from studio import gateway_errors, routes, storage_layout
from studio.bodies.common import ErrorResponse
from studio.settings import ENV

from cdk import constants as c

from .walk import (
    api_methods,
    as_list,
    behaviors,
    check_bedrock_statements,
    check_nag,
    clients,
    render,
    statements,
    studio_functions,
)

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


# ------------------------------------------------------------------------------------------- API


def test_every_route_is_a_method_under_api_and_every_method_is_a_route(default):
    methods = api_methods(default)
    expected = {(r.method, routes.API_PREFIX + r.path) for r in routes.ROUTES}
    assert set(methods) == expected


def test_every_method_but_the_openapi_document_needs_a_cognito_token_with_the_route_scopes(default):
    methods = api_methods(default)
    authorizer_id, authorizer = default.one("AWS::ApiGateway::Authorizer")
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    for route in routes.ROUTES:
        props = methods[(route.method, routes.API_PREFIX + route.path)]
        if route.scope is None:
            assert props["AuthorizationType"] == "NONE", route
            continue
        assert props["AuthorizationType"] == "COGNITO_USER_POOLS", route
        assert props["AuthorizerId"] == {"Ref": authorizer_id}, route
        assert props["AuthorizationScopes"] == list(route.scopes), route
        assert routes.USER_SCOPE in props["AuthorizationScopes"]


def test_each_method_invokes_the_function_of_its_route(default):
    methods = api_methods(default)
    functions = studio_functions(default)
    for route in routes.ROUTES:
        uri = render(methods[(route.method, routes.API_PREFIX + route.path)]["Integration"]["Uri"])
        assert functions[route.function][0] in uri, route
        assert methods[(route.method, routes.API_PREFIX + route.path)]["Integration"]["Type"] == "AWS_PROXY"


def test_stage_is_prod_with_tracing_json_access_logs_and_throttling(default):
    _, stage = default.one("AWS::ApiGateway::Stage")
    props = stage["Properties"]
    assert props["StageName"] == c.API_STAGE
    assert props["TracingEnabled"] is True
    json.loads(props["AccessLogSetting"]["Format"])  # JSON access log format
    settings = props["MethodSettings"][0]
    assert settings["ThrottlingRateLimit"] == c.API_THROTTLE_RATE
    assert settings["ThrottlingBurstLimit"] == c.API_THROTTLE_BURST
    assert settings["DataTraceEnabled"] is False
    _, rest_api = default.one("AWS::ApiGateway::RestApi")
    assert rest_api["Properties"]["EndpointConfiguration"]["Types"] == ["REGIONAL"]


def test_gateway_errors_use_the_application_error_shape(default):
    # Given the gateway's own responses in the template, by type
    responses = {r["Properties"]["ResponseType"]: r["Properties"]
                 for r in default.of_type("AWS::ApiGateway::GatewayResponse").values()}
    assert set(responses) == {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "REQUEST_TOO_LARGE",
                              "THROTTLED", "QUOTA_EXCEEDED"}
    error_schema = TypeAdapter(ErrorResponse)
    for kind in ("UNAUTHORIZED", "ACCESS_DENIED", "REQUEST_TOO_LARGE", "THROTTLED", "QUOTA_EXCEEDED", "DEFAULT_5XX"):
        # Then each one a client meets is a fixed body in the documented error shape, with the same
        # status, code and message as the local gateway answers (studio.gateway_errors)
        props = responses[kind]
        body = json.loads(props["ResponseTemplates"]["application/json"])
        error_schema.validate_python(body)
        expected = next(e for e in (*gateway_errors.FIXED, gateway_errors.SERVER_ERROR) if e.response_type == kind)
        assert body == expected.body()
        assert props.get("StatusCode") == (None if kind == "DEFAULT_5XX" else str(expected.status))
    # and throttling says when to come back
    assert responses["THROTTLED"]["ResponseParameters"] == {"gatewayresponse.header.Retry-After": "'1'"}
    assert body["error"]["message"] and "$context" not in json.dumps(body)
    # Any other 4xx keeps API Gateway's message, in the same shape
    template = responses["DEFAULT_4XX"]["ResponseTemplates"]["application/json"]
    rendered = template.replace("$context.error.responseType", "BAD_REQUEST_BODY").replace(
        "$context.error.messageString", json.dumps("Invalid request body"))
    error_schema.validate_python(json.loads(rendered))


def test_no_waf_by_default(default):
    assert not default.of_type("AWS::WAFv2::WebACL")


# ------------------------------------------------------------------------------------------ auth


def test_user_pool_has_strong_passwords_optional_totp_and_threat_protection(default):
    _, pool = default.one("AWS::Cognito::UserPool")
    props = pool["Properties"]
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert props["MfaConfiguration"] == "OPTIONAL"
    assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert props["UserPoolTier"] == "PLUS"
    assert props["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # selfSignUp false
    assert props["DeletionProtection"] == "ACTIVE"


def test_resource_server_offers_the_machine_scopes(default):
    _, server = default.one("AWS::Cognito::UserPoolResourceServer")
    assert server["Properties"]["Identifier"] == routes.RESOURCE_SERVER
    assert {s["ScopeName"] for s in server["Properties"]["Scopes"]} == set(routes.MACHINE_SCOPES)


def test_web_client_is_code_with_pkce_no_secret_redirecting_to_the_site_only(default):
    web = clients(default)["web"]
    distribution = default.logical_id("WebDistribution", "AWS::CloudFront::Distribution")
    assert web["AllowedOAuthFlows"] == ["code"]
    assert web["GenerateSecret"] is False
    assert web["PreventUserExistenceErrors"] == "ENABLED"
    site = f"https://${{{distribution}.DomainName}}/"
    assert [render(u) for u in web["CallbackURLs"]] == [site]
    assert [render(u) for u in web["LogoutURLs"]] == [site]
    scopes = [render(s).split("/")[-1] if not isinstance(s, str) else s for s in web["AllowedOAuthScopes"]]
    assert {"openid", "email", "profile", routes.USER_SCOPE, "read", "generate"} == set(scopes)


def test_machine_client_uses_client_credentials_with_a_secret_and_the_studio_scopes(default):
    machine = clients(default)["machine"]
    assert machine["AllowedOAuthFlows"] == ["client_credentials"]
    assert machine["GenerateSecret"] is True
    assert sorted(render(s).split("/")[-1] for s in machine["AllowedOAuthScopes"]) == sorted(routes.MACHINE_SCOPES)


# --------------------------------------------------------------------------------------- storage


def test_no_bucket_is_public(default):
    for logical_id, bucket in default.of_type("AWS::S3::Bucket").items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert block == {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
                         "RestrictPublicBuckets": True}, logical_id
        assert "WebsiteConfiguration" not in bucket["Properties"]
    for logical_id, policy in default.of_type("AWS::S3::BucketPolicy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] not in ("*", {"AWS": "*"}), (logical_id, statement)


def test_images_bucket_policy_lets_only_the_distribution_read_and_only_images(default):
    bucket = default.logical_id("StorageImages", "AWS::S3::Bucket")
    distribution = default.logical_id("WebDistribution", "AWS::CloudFront::Distribution")
    policy = next(p for p in default.of_type("AWS::S3::BucketPolicy").values()
                  if p["Properties"]["Bucket"] == {"Ref": bucket})
    allows = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert len(allows) == 1
    allow = allows[0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert render(allow["Resource"]) == f"${{{bucket}.Arn}}/{storage_layout.IMAGES_PREFIX}*"
    source = render(allow["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert source.endswith(f":distribution/${{{distribution}}}")
    denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert denies and denies[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_images_bucket_is_encrypted_versioned_logged_and_expires_uploads(default):
    bucket = default.resources[default.logical_id("StorageImages", "AWS::S3::Bucket")]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert "LoggingConfiguration" in bucket
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-uploads"]["Prefix"] == storage_layout.UPLOADS_PREFIX
    assert rules["expire-uploads"]["ExpirationInDays"] == storage_layout.UPLOAD_EXPIRY_DAYS
    assert rules["expire-exports"]["Prefix"] == storage_layout.EXPORTS_PREFIX
    assert rules["expire-exports"]["ExpirationInDays"] == storage_layout.EXPORT_EXPIRY_DAYS
    assert rules["expire-old-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == \
        c.NONCURRENT_VERSION_EXPIRY_DAYS
    assert "AbortIncompleteMultipartUpload" in rules["abort-multipart"]
    assert bucket.get("DeletionPolicy") is None  # (properties only; retention checked below)
    assert default.resources[default.logical_id("StorageImages", "AWS::S3::Bucket")]["DeletionPolicy"] == "Retain"


def test_uploads_cors_allows_post_from_the_site_only(default):
    _, cors = default.one("Custom::AWS")
    call = render(cors["Properties"]["Create"])
    distribution = default.logical_id("WebDistribution", "AWS::CloudFront::Distribution")
    assert '"AllowedMethods":["POST"]' in call
    assert f'"AllowedOrigins":["https://${{{distribution}.DomainName}}"]' in call
    assert "localhost" not in call


def test_table_has_keys_ttl_indexes_pitr_and_deletion_protection(default):
    logical_id, table = default.one("AWS::DynamoDB::GlobalTable")
    props = table["Properties"]
    assert {k["AttributeName"]: k["KeyType"] for k in props["KeySchema"]} == \
        {storage_layout.PARTITION_KEY: "HASH", storage_layout.SORT_KEY: "RANGE"}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {"AttributeName": storage_layout.TTL_ATTRIBUTE, "Enabled": True}
    replica = props["Replicas"][0]
    assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert replica["DeletionProtectionEnabled"] is True
    indexes = {i["IndexName"]: i for i in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {i.name for i in storage_layout.INDEXES}
    for index in storage_layout.INDEXES:
        spec = indexes[index.name]
        assert {k["AttributeName"]: k["KeyType"] for k in spec["KeySchema"]} == \
            {index.partition_key: "HASH", index.sort_key: "RANGE"}
        assert spec["Projection"] == {"ProjectionType": "ALL"}
    types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    assert set(types.values()) == {"S"}
    assert table["DeletionPolicy"] == "Retain"


# ---------------------------------------------------------------------------------------- lambda


def test_one_function_per_route_table_entry_each_with_its_own_role(default):
    functions = studio_functions(default)
    roles = [render(fn["Properties"]["Role"]) for _, fn in functions.values()]
    assert len(set(roles)) == len(routes.FUNCTIONS)


@pytest.mark.parametrize("spec", routes.FUNCTIONS, ids=lambda s: s.name)
def test_function_runs_arm64_current_python_with_tracing_json_logs_and_retained_log_group(default, spec):
    _, fn = studio_functions(default)[spec.name]
    props = fn["Properties"]
    assert props["Runtime"] == f"python{c.PYTHON_VERSION}"
    assert props["Architectures"] == ["arm64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    log_group = default.resources[props["LoggingConfig"]["LogGroup"]["Ref"]]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == default.config.log_retention_days
    # The dependencies layer, and the Content Credentials one where a function signs or reads manifests
    assert len(props["Layers"]) == (2 if spec.name in c.CREDENTIALS_LAYER_FUNCTIONS else 1)
    assert (props["MemorySize"], props["Timeout"]) == (c.FUNCTION_MEMORY[spec.name], spec.timeout_seconds)
    assert props["Description"] == spec.description
    # SnapStart allows no more than 512 MB of /tmp: an export's ZIP streams to S3 instead (multipart).
    assert "EphemeralStorage" not in props


@pytest.mark.parametrize("spec", routes.FUNCTIONS, ids=lambda s: s.name)
def test_function_environment_is_only_settings_it_reads_plus_powertools(default, spec):
    _, fn = studio_functions(default)[spec.name]
    env = fn["Properties"]["Environment"]["Variables"]
    assert set(env) - set(ENV.values()) == {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE",
                                            "POWERTOOLS_LOG_LEVEL"}
    assert env["POWERTOOLS_SERVICE_NAME"] == spec.name
    # Every function uses the table (the text functions: their daily text quota), but the deploy-time
    # issuer of the day-one certificate, which knows only the key and its parameter.
    assert (ENV["table_name"] in env) is (spec.trigger != "deploy")
    assert (ENV["credentials_day_one_parameter"] in env) is (spec.name in ("generate-worker", "credentials-issuer"))
    assert (ENV["daily_text_quota"] in env) is (spec.name in ("translate", "suggest", "describe", "generate"))
    assert (ENV["text_model_id"] in env) is (spec.name in ("translate", "suggest", "describe", "generate", "index",
                                                           "model-lifecycle"))
    assert (ENV["bedrock_region"] in env) is (spec.name in ("translate", "suggest", "describe", "generate-worker",
                                                            "index", "model-lifecycle"))
    # Search embeds in embeddingRegion: the gallery (queries) and index functions, and the lifecycle check.
    assert (ENV["embedding_region"] in env) is (spec.name in ("gallery", "index", "model-lifecycle"))
    assert (ENV["vector_index_arn"] in env) is (spec.name in ("gallery", "index"))
    assert (ENV["embedding_model_id"] in env) is (spec.name in ("gallery", "index", "model-lifecycle"))
    # The worker queues a completed generation's index job; the gallery, after a delete, the cleanup job.
    assert (ENV["index_queue_url"] in env) is (spec.name in ("generate-worker", "gallery"))
    assert (ENV["cursor_secret_arn"] in env) is (spec.name == "gallery")
    # The worker reschedules a failed job (ChangeMessageVisibility) so its retry comes in a minute; the
    # gallery queues exports (POST /exports).
    assert (ENV["jobs_queue_url"] in env) is (spec.name in ("generate", "generate-worker", "gallery"))
    assert ENV["public_base_url"] not in env  # only with a custom domain


def test_model_settings_reach_the_functions_that_call_models(default):
    config = default.config
    functions = studio_functions(default)
    text = functions["translate"][1]["Properties"]["Environment"]["Variables"]
    assert text[ENV["text_model_id"]] == config.text_model_id
    assert text[ENV["bedrock_region"]] == config.bedrock_region
    generate = functions["generate"][1]["Properties"]["Environment"]["Variables"]
    assert generate[ENV["allowed_image_models"]] == ",".join(config.allowed_image_models)
    assert generate[ENV["image_model_id"]] == config.image_model_id
    assert generate[ENV["daily_image_quota"]] == str(config.daily_image_quota)
    worker = functions["generate-worker"][1]["Properties"]["Environment"]["Variables"]
    assert worker[ENV["bedrock_region"]] == config.bedrock_region
    prices = json.loads(functions["generate"][1]["Properties"]["Environment"]["Variables"][ENV["image_prices"]])
    assert set(prices) == set(config.allowed_image_models)
    assert all({"standard"} <= set(p) for p in prices.values())


def test_no_role_can_invoke_models_beyond_the_configured_ones(default):
    check_bedrock_statements(default)


def test_object_grants_stay_inside_their_prefix(default):
    bucket = default.logical_id("StorageImages", "AWS::S3::Bucket")
    functions = studio_functions(default)
    role_of = {render(fn["Properties"]["Role"]).split(".")[0].strip("${"): name
               for name, (_, fn) in functions.items()}
    grants: dict[str, set[tuple[str, str]]] = {}
    for _, roles, statement in statements(default):
        for resource in as_list(statement["Resource"]):
            arn = render(resource)
            if not arn.startswith(f"${{{bucket}.Arn}}"):
                continue
            for role in roles:
                name = role_of.get(role["Ref"])
                if name:
                    for action in as_list(statement["Action"]):
                        grants.setdefault(name, set()).add((action, arn.split("}", 1)[1] or "(bucket)"))
    up, img = f"/{storage_layout.UPLOADS_PREFIX}*", f"/{storage_layout.IMAGES_PREFIX}*"
    out = f"/{storage_layout.EXPORTS_PREFIX}*"
    assert grants == {
        # No s3:ListBucket anywhere: a missing upload answers 403, which the adapter reads as missing.
        "describe": {("s3:GetObject", up), ("s3:PutObject", up)},
        "generate": {("s3:GetObject", up)},
        "generate-worker": {("s3:GetObject", up), ("s3:GetObject", img), ("s3:PutObject", img), ("s3:DeleteObject", img),
                            ("s3:PutObject", out), ("s3:AbortMultipartUpload", out),  # an export's ZIP
                            ("s3:GetObject", out)},  # out: presigns the ZIP it pushes
        "generate-dead-letters": {("s3:DeleteObject", img)},
        "generate-sweeper": {("s3:DeleteObject", img)},
        "gallery": {("s3:DeleteObject", img), ("s3:GetObject", up), ("s3:GetObject", out)},  # out: presigns a ZIP
        "index": {("s3:GetObject", img)},
    }


def test_who_sends_to_which_queue(default):
    # Given the queues' logical ids, then exactly these functions may send to each: the API queues a
    # job, the worker a job's delayed copy (a duplicate delivery) and an index job, the gallery the
    # index job that cleans up after a delete and an export's job; nothing else sends.
    jobs = default.logical_id("GenerationJobs", "AWS::SQS::Queue")
    index = default.logical_id("SearchIndexJobs", "AWS::SQS::Queue")
    functions = studio_functions(default)
    role_of = {render(fn["Properties"]["Role"]).split(".")[0].strip("${"): name for name, (_, fn) in functions.items()}
    senders: dict[str, set[str]] = {}
    for _, roles, statement in statements(default):
        if "sqs:SendMessage" not in as_list(statement["Action"]):
            continue
        for resource in as_list(statement["Resource"]):
            queue = render(resource).strip("${}").split(".")[0]
            senders.setdefault(queue, set()).update(role_of[r["Ref"]] for r in roles if r["Ref"] in role_of)
    assert senders == {jobs: {"generate", "generate-worker", "gallery"}, index: {"generate-worker", "gallery"}}


def test_only_the_gallery_reads_the_cursor_secret(default):
    secret = default.logical_id("CursorSecret", "AWS::SecretsManager::Secret")
    readers = set()
    for policy_id, roles, statement in statements(default):
        if any(render(r) == f"${{{secret}}}" for r in as_list(statement["Resource"])):
            readers.update(r["Ref"] for r in roles)
            assert as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"]
    assert len(readers) == 1 and next(iter(readers)).startswith("GalleryRole")
    generated = default.resources[secret]["Properties"]["GenerateSecretString"]
    assert generated["ExcludePunctuation"] is True and generated["PasswordLength"] == c.CURSOR_SECRET_LENGTH


def test_content_credentials_key_is_p256_for_signing_and_only_the_worker_signs_and_reads_its_chain(default):
    # Given the stack's Content Credentials key and chain secret (docs/credentials.md)
    key = default.logical_id("CredentialsSigningKey", "AWS::KMS::Key")
    chain = default.logical_id("CredentialsCertificateChain", "AWS::SecretsManager::Secret")
    assert default.resources[key]["Properties"]["KeySpec"] == "ECC_NIST_P256"
    assert default.resources[key]["Properties"]["KeyUsage"] == "SIGN_VERIFY"
    signers, readers = set(), set()
    for _, roles, statement in statements(default):
        actions = as_list(statement["Action"])
        if any(a.startswith("kms:") for a in actions):
            # Then no role may use any other key, nor do anything but sign and read the public key
            assert [render(r) for r in as_list(statement["Resource"])] == [f"${{{key}.Arn}}"]
            if sorted(actions) == ["kms:GetPublicKey"]:  # the deploy-time issuer of the day-one certificate
                assert all(r["Ref"].startswith("CredentialsIssuerRole") for r in roles)
                continue
            assert sorted(actions) == ["kms:GetPublicKey", "kms:Sign"]
            signers.update(r["Ref"] for r in roles)
        if any(render(r) == f"${{{chain}}}" for r in as_list(statement["Resource"])):
            assert actions == ["secretsmanager:GetSecretValue"]
            readers.update(r["Ref"] for r in roles)
    assert len(signers) == 1 and next(iter(signers)).startswith("GenerateWorkerRole")
    assert readers == signers
    worker = studio_functions(default)["generate-worker"][1]["Properties"]["Environment"]["Variables"]
    assert worker[ENV["credentials_include_prompt"]] == "false"  # prompts stay out of manifests by default
    assert render(worker[ENV["credentials_key_id"]]) == f"${{{key}.Arn}}"


@pytest.mark.parametrize("synth", ["default", "variant"])  # variant: removalPolicy=destroy, another region
def test_the_day_one_certificate_is_issued_at_deploy_by_a_least_privilege_custom_resource(synth, request):
    default = request.getfixturevalue(synth)
    # Given the custom resource that issues the day-one certificate (functions/credentials/issuer.py)
    logical, resource = default.one("Custom::DayOneCertificate")
    issuer_id, issuer = studio_functions(default)["credentials-issuer"]
    key = default.logical_id("CredentialsSigningKey", "AWS::KMS::Key")
    chain = default.logical_id("CredentialsCertificateChain", "AWS::SecretsManager::Secret")
    name = c.DAY_ONE_CHAIN_PARAMETER.format(stack=default.config.stack_name)
    props = resource["Properties"]
    # Then CloudFormation calls the issuer with the key (a new key re-issues) and the parameter it writes
    assert props["ServiceToken"] == {"Fn::GetAtt": [issuer_id, "Arn"]}
    assert render(props["KeyArn"]) == f"${{{key}.Arn}}"
    assert props["ParameterName"] == name
    assert props["Retain"] == ("true" if default.config.retain_data else "false")
    # ...and whenever a deploy ships new function code (so the certificate's end is checked again)
    assert props["CodeVersion"] == issuer["Properties"]["Code"]["S3Key"]
    # ...only once the issuer's role has its policy (its first call needs kms:GetPublicKey)
    role = render(issuer["Properties"]["Role"]).removeprefix("${").removesuffix(".Arn}")
    policies = {p for p, roles, _ in statements(default) if {"Ref": role} in roles and p != role}
    assert policies and policies <= set(resource.get("DependsOn", []))
    # And the issuer's role may read the key's public key and write its own parameter, nothing else:
    # no Sign, and no right at all on the organisation's chain secret (it can never overwrite that chain)
    # (a stack with an explicit region gets the region and its partition written out)
    partition, region = ("aws", default.config.region) if default.config.region else ("${AWS::Partition}",
                                                                                       "${AWS::Region}")
    parameter_arn = f"arn:{partition}:ssm:{region}:${{AWS::AccountId}}:parameter{name}"
    granted = set()
    for _, roles, statement in statements(default):
        if {"Ref": role} not in roles:
            continue
        resources = [render(r) for r in as_list(statement["Resource"])]
        actions = tuple(sorted(as_list(statement["Action"])))
        assert f"${{{chain}}}" not in resources
        if actions[0].startswith(("logs:", "xray:")):
            continue
        granted.add((actions, tuple(resources)))
    writes = ("ssm:GetParameter", "ssm:PutParameter") if default.config.retain_data else \
        ("ssm:DeleteParameter", "ssm:GetParameter", "ssm:PutParameter")
    assert granted == {(("kms:GetPublicKey",), (f"${{{key}.Arn}}",)), (writes, (parameter_arn,))}
    # And the worker reads that parameter (its fallback while the chain secret is unset), and only reads it
    worker_id, worker = studio_functions(default)["generate-worker"]
    assert worker["Properties"]["Environment"]["Variables"][ENV["credentials_day_one_parameter"]] == name
    readers = {tuple(r["Ref"] for r in roles): sorted(as_list(st["Action"])) for _, roles, st in statements(default)
               if parameter_arn in [render(r) for r in as_list(st["Resource"])]}
    assert {k: v for k, v in readers.items() if not k[0].startswith("CredentialsIssuerRole")} == \
        {(render(worker["Properties"]["Role"]).removeprefix("${").removesuffix(".Arn}"),): ["ssm:GetParameter"]}


def test_code_asset_is_the_functions_folder_with_every_handler_and_no_bytecode(default):
    assets = json.loads(next(default.outdir.glob("*.assets.json")).read_text())["files"]
    _, fn = studio_functions(default)["translate"]
    code = default.outdir / assets[fn["Properties"]["Code"]["S3Key"].removesuffix(".zip")]["source"]["path"]
    for spec in routes.FUNCTIONS:
        module, _, _ = spec.handler.rpartition(".")
        assert (code / (module.replace(".", "/") + ".py")).is_file(), spec.handler
    assert (code / "studio" / "routes.py").is_file()
    assert not list(code.rglob("__pycache__")) and not list(code.rglob("*.pyc"))
    handlers = {f["Properties"]["Code"]["S3Key"] for _, f in studio_functions(default).values()}
    assert len(handlers) == 1  # one asset shared by every function


def test_bedrock_client_budget_comes_from_the_route_table_and_fits_the_timeout(default):
    for spec in routes.FUNCTIONS:
        props = studio_functions(default)[spec.name][1]["Properties"]
        env = props["Environment"]["Variables"]
        if ENV["model_read_timeout"] not in env:
            continue
        assert env[ENV["model_read_timeout"]] == str(spec.model_read_timeout_seconds)
        assert env[ENV["model_max_attempts"]] == str(spec.model_max_attempts)
        assert spec.model_read_timeout_seconds * spec.model_max_attempts < props["Timeout"], spec.name


def test_no_function_role_uses_managed_policies(default):
    for name, (_, fn) in studio_functions(default).items():
        role = default.resources[fn["Properties"]["Role"]["Fn::GetAtt"][0]]
        assert "ManagedPolicyArns" not in role["Properties"], name


# ------------------------------------------------------------------------------------ generation


def test_jobs_queue_is_encrypted_and_redrives_to_the_dead_letter_queue(default):
    queues = default.of_type("AWS::SQS::Queue")
    jobs_id = default.logical_id("GenerationJobs", "AWS::SQS::Queue")
    dlq_id = default.logical_id("GenerationDeadLetters", "AWS::SQS::Queue")
    jobs = queues[jobs_id]["Properties"]
    assert jobs["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                                     "maxReceiveCount": storage_layout.JOBS_MAX_RECEIVE_COUNT}
    assert jobs["SqsManagedSseEnabled"] is True
    assert queues[dlq_id]["Properties"]["SqsManagedSseEnabled"] is True
    worker_timeout = routes.function("generate-worker").timeout_seconds
    assert jobs["VisibilityTimeout"] >= 6 * worker_timeout
    for policy in default.of_type("AWS::SQS::QueuePolicy").values():
        (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_worker_takes_one_job_at_a_time_with_capped_concurrency_and_the_dlq_has_a_handler(default):
    functions = studio_functions(default)
    mappings = {render(m["Properties"]["FunctionName"]): m["Properties"]
                for m in default.of_type("AWS::Lambda::EventSourceMapping").values()}
    worker = mappings["${" + functions["generate-worker"][0] + "}"]
    assert worker["BatchSize"] == 1
    assert worker["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert worker["ScalingConfig"] == {"MaximumConcurrency": default.config.worker_concurrency}
    assert "GenerationJobs" in render(worker["EventSourceArn"])
    dead = mappings["${" + functions["generate-dead-letters"][0] + "}"]
    assert "GenerationDeadLetters" in render(dead["EventSourceArn"])
    assert dead["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_sweeper_runs_on_a_schedule_and_may_only_query_the_deadline_index_fail_records_and_purge_boards(default):
    spec = routes.function("generate-sweeper")
    functions = studio_functions(default)
    [rule] = [r["Properties"] for r in default.of_type("AWS::Events::Rule").values()
              if r["Properties"]["ScheduleExpression"] == f"rate({spec.schedule_minutes} minutes)"]
    assert rule["ScheduleExpression"] == f"rate({spec.schedule_minutes} minutes)" and rule["State"] == "ENABLED"
    [target] = rule["Targets"]
    assert render(target["Arn"]) == "${" + functions["generate-sweeper"][0] + ".Arn}"
    permissions = [p["Properties"] for p in default.of_type("AWS::Lambda::Permission").values()
                   if p["Properties"]["Principal"] == "events.amazonaws.com"]
    # One permission per scheduled function (the sweeper, the lifecycle check), each for its own rule
    assert sorted(render(p["FunctionName"]) for p in permissions) == sorted(
        "${" + functions[f.name][0] + ".Arn}" for f in routes.FUNCTIONS if f.trigger == "schedule")
    table = default.logical_id("StorageTable", "AWS::DynamoDB::GlobalTable")
    role = render(functions["generate-sweeper"][1]["Properties"]["Role"]).split(".")[0].strip("${")
    dynamodb = {(action, render(resource)) for _, roles, statement in statements(default)
                if any(r["Ref"] == role for r in roles)
                for action in as_list(statement["Action"]) if action.startswith("dynamodb:")
                for resource in as_list(statement["Resource"])}
    assert dynamodb == {("dynamodb:Query", f"${{{table}.Arn}}/index/{storage_layout.DEADLINE_INDEX}"),
                        ("dynamodb:UpdateItem", f"${{{table}.Arn}}"),
                        # deleted boards' rows (studio/logic/board_cleanup.py): their partitions, no index
                        ("dynamodb:Query", f"${{{table}.Arn}}"), ("dynamodb:BatchWriteItem", f"${{{table}.Arn}}")}


# ------------------------------------------------------------------------------------------- web


def test_distribution_routes_api_to_the_rest_api_uncached_with_viewer_headers(default):
    config, by_path, origins = behaviors(default)
    api = by_path[f"{routes.API_PREFIX}/*"]
    origin = origins[api["TargetOriginId"]]
    stage = default.logical_id("ApiDeploymentStage", "AWS::ApiGateway::Stage")
    assert origin["OriginPath"]["Fn::Join"][1][0] == "/"  # "/" + the stage name, taken from the API's URL
    assert stage in json.dumps(origin["OriginPath"])
    assert "execute-api" in render(origin["DomainName"])
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["ViewerProtocolPolicy"] == "https-only"
    (association,) = api["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function = default.resources[association["FunctionARN"]["Fn::GetAtt"][0]]
    assert "x-forwarded-host" in function["Properties"]["FunctionCode"]


def test_distribution_serves_images_from_the_images_bucket_with_oac_and_a_long_cache(default):
    _, by_path, origins = behaviors(default)
    images = by_path[f"/{storage_layout.IMAGES_PREFIX}*"]
    origin = origins[images["TargetOriginId"]]
    bucket = default.logical_id("StorageImages", "AWS::S3::Bucket")
    assert render(origin["DomainName"]) == f"${{{bucket}.RegionalDomainName}}"
    assert origin["OriginAccessControlId"]
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    policy = default.resources[images["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert policy["DefaultTTL"] == c.IMAGE_CACHE_DAYS * 86400


def test_site_is_the_default_behavior_with_spa_rewrite_and_security_headers(default):
    config, _, origins = behaviors(default)
    default_behavior = config["DefaultCacheBehavior"]
    site = default.logical_id("WebSite", "AWS::S3::Bucket")
    assert render(origins[default_behavior["TargetOriginId"]]["DomainName"]) == f"${{{site}.RegionalDomainName}}"
    assert config["DefaultRootObject"] == "index.html"
    assert "CustomErrorResponses" not in config  # would also rewrite the API's 403/404
    (association,) = default_behavior["FunctionAssociations"]
    code = default.resources[association["FunctionARN"]["Fn::GetAtt"][0]]["Properties"]["FunctionCode"]
    assert "/index.html" in code
    _, headers = default.one("AWS::CloudFront::ResponseHeadersPolicy")
    security = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = render(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    for directive in ("default-src 'self'", "img-src 'self' data: blob:", "script-src 'self'",
                      "style-src 'self'", "frame-ancestors 'none'", "https://cognito-idp.${AWS::Region}.amazonaws.com"):
        assert directive in csp
    bucket = default.logical_id("StorageImages", "AWS::S3::Bucket")
    assert f"https://${{{bucket}}}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}" in csp  # presigned POST target
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"]["Override"] is True
    for behavior in [default_behavior, *config["CacheBehaviors"]]:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": default.logical_id("WebSecurityHeaders",
                                                                                 "AWS::CloudFront::ResponseHeadersPolicy")}


def test_site_config_json_points_the_web_app_at_this_stack(default):
    config = default.site_config()
    pool = default.logical_id("AuthUsers", "AWS::Cognito::UserPool")
    web_client = next(k for k, v in default.of_type("AWS::Cognito::UserPoolClient").items()
                      if v["Properties"]["ClientName"] == "web")
    domain = default.logical_id("AuthUsersDomain", "AWS::Cognito::UserPoolDomain")
    distribution = default.logical_id("WebDistribution", "AWS::CloudFront::Distribution")
    assert config["apiBase"] == routes.API_PREFIX
    assert config["region"] == {"Ref": "AWS::Region"}
    assert config["userPoolId"] == {"Ref": pool}
    assert config["userPoolClientId"] == {"Ref": web_client}
    assert render(config["cognitoDomain"]) == f"https://${{{domain}}}.auth.${{AWS::Region}}.amazoncognito.com"
    assert render(config["redirectUri"]) == f"https://${{{distribution}.DomainName}}/"
    assert config["scopes"] == ["openid", "email", "profile", routes.USER_SCOPE, routes.SCOPE_READ,
                                routes.SCOPE_GENERATE]
    assert config["signIn"] == "hosted"
    assert config["environment"] == "aws"
    assert config["imageModelId"] == default.config.image_model_id


def test_site_deployment_invalidates_the_distribution(default):
    _, deployment = default.one("Custom::CDKBucketDeployment")
    props = deployment["Properties"]
    assert props["DistributionPaths"] == ["/*"]
    assert props["Prune"] is True


# ------------------------------------------------------------------------------------ monitoring


def test_alarms_cover_api_errors_functions_dlq_queue_age_and_bedrock_throttling(default):
    alarms = list(default.of_type("AWS::CloudWatch::Alarm").values())
    topic = default.logical_id("MonitoringAlarms", "AWS::SNS::Topic")
    metrics = {(a["Properties"].get("Namespace"), a["Properties"].get("MetricName")) for a in alarms}
    assert ("AWS/ApiGateway", "5XXError") in metrics
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in metrics
    assert ("AWS/SQS", "ApproximateAgeOfOldestMessage") in metrics
    assert ("AWS/Bedrock", "InvocationThrottles") in metrics
    per_function = [a for a in alarms if a["Properties"].get("Namespace") == "AWS/Lambda"]
    assert len(per_function) == 2 * len(routes.FUNCTIONS)  # errors and throttles of each
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]
    _, sns_topic = default.one("AWS::SNS::Topic")
    assert "KmsMasterKeyId" in sns_topic["Properties"]
    default.one("AWS::CloudWatch::Dashboard")


def test_outputs_give_the_urls_and_ids_an_operator_needs(default):
    assert {"SiteUrl", "ApiUrl", "UserPoolId", "WebClientId", "MachineClientId", "TokenUrl"} <= \
        set(default.template["Outputs"])
    assert render(default.template["Outputs"]["TokenUrl"]["Value"]).endswith("/oauth2/token")


# ----------------------------------------------------------------------------- checks and tooling


def test_every_cdk_nag_acknowledgment_names_one_rule_with_a_specific_reason(default):
    assert default.acknowledgments, "cdk-nag acknowledgments are recorded on the constructs"
    for path, rule, reason in default.acknowledgments:
        if "AwsSolutions-" not in rule:
            continue
        assert rule.startswith("AwsSolutions::AwsSolutions-"), rule
        assert len(reason) >= 40, (path, rule, reason)
    reasons = [reason for _, rule, reason in default.acknowledgments if "AwsSolutions-" in rule]
    assert len(set(reasons)) >= 15  # specific reasons, not one blanket text


def test_nag_ran_and_left_no_unacknowledged_finding_and_no_unused_acknowledgment(default):
    check_nag(default)


def test_layer_asset_holds_aarch64_wheels_for_the_runtime_and_the_sdk(default):
    assets = json.loads(next(default.outdir.glob("*.assets.json")).read_text())["files"]
    _, layer = next((k, v) for k, v in default.of_type("AWS::Lambda::LayerVersion").items()
                    if k.startswith("DependenciesLayer"))
    key = layer["Properties"]["Content"]["S3Key"].removesuffix(".zip")
    site = default.outdir / assets[key]["source"]["path"] / "python"
    tag = f"cpython-{c.PYTHON_VERSION.replace('.', '')}-aarch64-linux-gnu"
    assert list((site / "pydantic_core").glob(f"*{tag}.so"))
    assert list((site / "PIL").glob(f"_imaging.{tag}.so"))
    assert (site / "aws_lambda_powertools").is_dir()
    # The SDK the tests run on ships with the functions (docs/deploy.md), console scripts do not
    assert (site / "botocore" / "data" / "s3vectors").is_dir() and (site / "boto3").is_dir()
    assert not (site / "bin").exists()


def test_only_the_functions_that_sign_or_read_credentials_carry_the_c2pa_layer(default):
    # Given the two layers: every function has the dependencies layer, the C2PA one only the worker and gallery
    layers = default.of_type("AWS::Lambda::LayerVersion")
    base = next(k for k in layers if k.startswith("DependenciesLayer"))
    c2pa = next(k for k in layers if k.startswith("CredentialsDependenciesLayer"))
    for name, (_, fn) in studio_functions(default).items():
        attached = sorted(ref["Ref"] for ref in fn["Properties"]["Layers"])  # no file is in both: order is free
        assert attached == sorted([base, c2pa] if name in c.CREDENTIALS_LAYER_FUNCTIONS else [base]), name
    # And its asset holds the aarch64 native library, without the Rust static library nobody loads
    assets = json.loads(next(default.outdir.glob("*.assets.json")).read_text())["files"]
    key = layers[c2pa]["Properties"]["Content"]["S3Key"].removesuffix(".zip")
    site = default.outdir / assets[key]["source"]["path"] / "python"
    library = site / "c2pa" / "libs" / "libc2pa_c.so"
    assert library.read_bytes()[18:20] == (183).to_bytes(2, "little")  # ELF e_machine: AArch64
    assert not (site / "c2pa" / "libs" / "libc2pa_c.rlib").exists()
    assert (site / "cryptography").is_dir() and not (site / "botocore").exists()


CFN_LINT = Path(sys.executable).parent / "cfn-lint"  # the pinned one (requirements.txt), not one on PATH


@pytest.mark.parametrize("synth_name", ["default", "variant"])
def test_cfn_lint_finds_no_errors(synth_name, request):
    synth = request.getfixturevalue(synth_name)
    cfn_lint = str(CFN_LINT)
    template = synth.outdir / f"{synth.config.stack_name}.template.json"
    result = subprocess.run([cfn_lint, "--non-zero-exit-code", "error", str(template)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


# ----------------------------------------------------------------------------------------- search


def test_vector_index_has_the_schema_dimension_metric_and_non_filterable_prompt(default):
    _, bucket = default.one("AWS::S3Vectors::VectorBucket")
    assert bucket["Properties"]["EncryptionConfiguration"] == {"SseType": "AES256"}
    _, index = default.one("AWS::S3Vectors::Index")
    props = index["Properties"]
    assert (props["IndexName"], props["Dimension"], props["DistanceMetric"], props["DataType"]) == (
        storage_layout.VECTOR_INDEX_NAME, storage_layout.VECTOR_DIMENSION, storage_layout.VECTOR_DISTANCE, storage_layout.VECTOR_DATA_TYPE)
    assert props["MetadataConfiguration"] == {"NonFilterableMetadataKeys": list(storage_layout.VECTOR_NON_FILTERABLE_KEYS)}
    assert "SearchVectorBucket" in render(props["VectorBucketArn"])


def test_vector_actions_are_granted_on_the_index_only_and_only_to_gallery_and_index(default):
    index_id = default.logical_id("SearchIndex", "AWS::S3Vectors::Index")
    functions = studio_functions(default)
    role_of = {render(fn["Properties"]["Role"]).split(".")[0].strip("${"): name
               for name, (_, fn) in functions.items()}
    granted: dict[str, set[str]] = {}
    for _, roles, statement in statements(default):
        actions = as_list(statement["Action"])
        if not any(a.startswith("s3vectors:") for a in actions):
            continue
        assert [render(r) for r in as_list(statement["Resource"])] == [f"${{{index_id}.IndexArn}}"]
        for role in roles:
            granted.setdefault(role_of[role["Ref"]], set()).update(actions)
    assert granted == {
        "gallery": {"s3vectors:QueryVectors", "s3vectors:GetVectors", "s3vectors:PutVectors", "s3vectors:DeleteVectors"},
        "index": {"s3vectors:PutVectors", "s3vectors:DeleteVectors"},
    }


def test_index_jobs_queue_redrives_to_its_dlq_and_feeds_the_index_function(default):
    queues = default.of_type("AWS::SQS::Queue")
    jobs_id = default.logical_id("SearchIndexJobs", "AWS::SQS::Queue")
    dlq_id = default.logical_id("SearchIndexDeadLetters", "AWS::SQS::Queue")
    jobs = queues[jobs_id]["Properties"]
    assert jobs["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                                     "maxReceiveCount": storage_layout.INDEX_JOBS_MAX_RECEIVE_COUNT}
    assert jobs["SqsManagedSseEnabled"] is True and queues[dlq_id]["Properties"]["SqsManagedSseEnabled"] is True
    assert jobs["VisibilityTimeout"] >= 6 * routes.function("index").timeout_seconds
    functions = studio_functions(default)
    mappings = {render(m["Properties"]["FunctionName"]): m["Properties"]
                for m in default.of_type("AWS::Lambda::EventSourceMapping").values()}
    index = mappings["${" + functions["index"][0] + "}"]
    assert "SearchIndexJobs" in render(index["EventSourceArn"])
    assert index["BatchSize"] == 1 and index["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    env = functions["generate-worker"][1]["Properties"]["Environment"]["Variables"]
    assert "SearchIndexJobs" in render(env[ENV["index_queue_url"]])


def test_index_failures_and_dlq_depth_are_alarmed(default):
    alarms = [a["Properties"] for a in default.of_type("AWS::CloudWatch::Alarm").values()]
    named = {a.get("MetricName"): a for a in alarms if a.get("Namespace") == c.POWERTOOLS_NAMESPACE}
    assert named["IndexFailures"]["Dimensions"] == [{"Name": "service", "Value": "index"}]
    assert named["IndexEnqueueFailed"]["Dimensions"] == [{"Name": "service", "Value": "generate-worker"}]
    dlq_id = default.logical_id("SearchIndexDeadLetters", "AWS::SQS::Queue")
    assert any(a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
               and render(a["Dimensions"][0]["Value"]) == f"${{{dlq_id}.QueueName}}" for a in alarms)
