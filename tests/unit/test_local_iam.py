"""The local IAM gate decides as AWS's policy evaluation does (local/iam): statements, conditions,
resource policies, and reading each service's requests into actions and resources."""

from __future__ import annotations

import json

import pytest

from local.iam.evaluate import Principal, Request, UnsupportedCondition, arn_matches, evaluate
from local.iam.requests import read_request

ACCOUNT = "123456789012"
PROFILE = f"arn:aws:bedrock:us-west-2:{ACCOUNT}:inference-profile/us.stability.stable-image-inpaint-v1:0"
WORKER = [
    {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": PROFILE},
    {"Effect": "Allow", "Action": "bedrock:InvokeModel",
     "Resource": "arn:aws:bedrock:*::foundation-model/stability.stable-image-inpaint-v1:0",
     "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": PROFILE}}},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket/images/*"},
    {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"], "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"},
]


def allowed(action: str, resource: str, statements=WORKER, context=None, **kwargs) -> bool:
    return evaluate(Request(action, resource, context or {}), statements, **kwargs).allowed


@pytest.mark.parametrize("action,resource,expected", [
    ("s3:PutObject", "arn:aws:s3:::bucket/images/a/0.png", True),
    ("s3:PutObject", "arn:aws:s3:::bucket/uploads/a/0.png", False),  # the prefix is the grant
    ("s3:DeleteObject", "arn:aws:s3:::bucket/images/a/0.png", False),  # an action not granted
    ("S3:putobject", "arn:aws:s3:::bucket/images/a/0.png", True),  # actions are case-insensitive
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs", True),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:index", False),  # another queue
    ("sqs:SendMessage", f"arn:aws:sqs:us-west-2:{ACCOUNT}:jobs", False),  # another region
])
def test_actions_and_resources_match_as_iam_matches_them(action, resource, expected):
    assert allowed(action, resource) is expected


def test_a_model_reached_through_a_profile_needs_the_profile_and_the_condition():
    model = "arn:aws:bedrock:us-east-2::foundation-model/stability.stable-image-inpaint-v1:0"
    # Given the model in a destination region, reached through the profile: allowed
    assert allowed("bedrock:InvokeModel", model, context={"bedrock:InferenceProfileArn": PROFILE})
    # but called directly (no profile in the request context): refused
    assert not allowed("bedrock:InvokeModel", model)
    # and through another profile: refused
    other = PROFILE.replace("inpaint", "erase-object")
    assert not allowed("bedrock:InvokeModel", model, context={"bedrock:InferenceProfileArn": other})


def test_arn_wildcards_do_not_span_the_arns_parts():
    assert arn_matches("arn:aws:bedrock:*::foundation-model/x", "arn:aws:bedrock:us-west-2::foundation-model/x")
    assert not arn_matches("arn:aws:bedrock:*::foundation-model/x", "arn:aws:bedrock:us-west-2:123:foundation-model/x")
    assert arn_matches("arn:aws:s3:::b/*", "arn:aws:s3:::b/images/a:b/c.png")  # the resource part may hold colons


def test_an_explicit_deny_wins_and_negated_conditions_hold_when_the_key_is_missing():
    deny_plain_http = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*",
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    put = ("s3:PutObject", "arn:aws:s3:::bucket/images/x.png")
    principal = Principal(arn=f"arn:aws:iam::{ACCOUNT}:role/worker", account=ACCOUNT)
    assert allowed(*put, context={"aws:SecureTransport": "true"}, resource_policy=[deny_plain_http], principal=principal)
    decision = evaluate(Request(*put, {"aws:SecureTransport": "false"}), WORKER, [deny_plain_http], principal)
    assert not decision.allowed and decision.reason == "explicit deny"
    not_equals = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                   "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}}]
    assert allowed("s3:GetObject", "arn:aws:s3:::b/k", not_equals)  # key absent: the negated condition holds
    assert not allowed("s3:GetObject", "arn:aws:s3:::b/k", not_equals, context={"aws:SourceVpc": "vpc-1"})


def test_a_service_principal_is_allowed_only_by_the_resources_policy():
    bucket_policy = [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
                      "Resource": "arn:aws:s3:::bucket/images/*",
                      "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123:distribution/D"}}}]
    cloudfront = Principal(service="cloudfront.amazonaws.com", account=ACCOUNT)
    context = {"aws:SourceArn": "arn:aws:cloudfront::123:distribution/D"}  # condition keys ignore case
    assert allowed("s3:GetObject", "arn:aws:s3:::bucket/images/a.png", [], context, resource_policy=bucket_policy,
                   principal=cloudfront)
    assert not allowed("s3:GetObject", "arn:aws:s3:::bucket/uploads/a.png", [], context,
                       resource_policy=bucket_policy, principal=cloudfront)
    assert not allowed("s3:GetObject", "arn:aws:s3:::bucket/images/a.png", [], {"aws:SourceArn": "other"},
                       resource_policy=bucket_policy, principal=cloudfront)


def test_a_condition_the_evaluator_cannot_read_never_allows():
    odd = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "1.2.3.4"}}}]
    with pytest.raises(UnsupportedCondition):
        allowed("s3:GetObject", "arn:aws:s3:::b/k", odd, context={"aws:SourceIp": "1.2.3.4"})


def asked(method, path, headers=None, body=b"", query="", **kwargs):
    signed = {"authorization": "AWS4-HMAC-SHA256 Credential=local-gallery/20261203/us-west-2/bedrock/aws4_request, "
                               "SignedHeaders=host, Signature=0"}
    return read_request(method, path, query, {**signed, **(headers or {})}, body, account=ACCOUNT,
                        default_region="us-east-1", **kwargs)


def test_each_protocol_is_read_into_iam_actions_and_resources():
    # DynamoDB: a transaction is one action per item; a query on an index names the index
    transaction = asked("POST", "/", {"x-amz-target": "DynamoDB_20120810.TransactWriteItems"}, json.dumps({"TransactItems": [
        {"Update": {"TableName": "t"}}, {"Put": {"TableName": "t"}}, {"ConditionCheck": {"TableName": "t"}}]}).encode())
    assert [c.action for c in transaction.checks] == ["dynamodb:UpdateItem", "dynamodb:PutItem",
                                                       "dynamodb:ConditionCheckItem"]
    query = asked("POST", "/", {"x-amz-target": "DynamoDB_20120810.Query"},
                  json.dumps({"TableName": "t", "IndexName": "byOwner"}).encode())
    assert query.checks[0].resource == f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/t/index/byOwner"
    # SQS (JSON protocol): the queue's ARN from its URL; a batch is the single action
    send = asked("POST", "/", {"x-amz-target": "AmazonSQS.SendMessageBatch"},
                 json.dumps({"QueueUrl": f"http://127.0.0.1:5000/{ACCOUNT}/jobs"}).encode())
    assert (send.checks[0].action, send.checks[0].resource) == ("sqs:SendMessage", f"arn:aws:sqs:us-west-2:{ACCOUNT}:jobs")
    # S3: a multi-object delete is one DeleteObject per key
    s3 = {"authorization": "AWS4-HMAC-SHA256 Credential=k/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"}
    delete = asked("POST", "/bucket", s3, b"<Delete><Object><Key>images/a.png</Key></Object><Object><Key>images/b.webp"
                   b"</Key></Object></Delete>", query="delete")
    assert [c.resource for c in delete.checks] == ["arn:aws:s3:::bucket/images/a.png", "arn:aws:s3:::bucket/images/b.webp"]
    # S3 Vectors: QueryVectors with a filter needs GetVectors too (its API reference)
    vectors = {"authorization": s3["authorization"].replace("/s3/", "/s3vectors/")}
    query_vectors = asked("POST", "/QueryVectors", vectors, json.dumps({"indexArn": "arn:aws:s3vectors:r:a:bucket/b/index/i",
                                                                         "filter": {"owner": {"$eq": "u"}}}).encode())
    assert [c.action for c in query_vectors.checks] == ["s3vectors:QueryVectors", "s3vectors:GetVectors"]


def test_a_bedrock_call_through_a_profile_checks_the_profile_and_the_model_in_each_destination():
    call = asked("POST", "/model/us.stability.stable-image-inpaint-v1%3A0/invoke",
                 profile_destinations=lambda _: ["us-east-1", "us-west-2"])
    assert call.signature.region == "us-west-2" and call.signature.access_key == "local-gallery"
    assert [(c.resource, c.context) for c in call.checks] == [
        (PROFILE, {}),
        ("arn:aws:bedrock:us-east-1::foundation-model/stability.stable-image-inpaint-v1:0",
         {"bedrock:InferenceProfileArn": PROFILE}),
        ("arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-inpaint-v1:0",
         {"bedrock:InferenceProfileArn": PROFILE})]
    direct = asked("POST", "/model/stability.stable-image-core-v1%3A1/invoke")
    assert [c.resource for c in direct.checks] == ["arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-core-v1:1"]
    converse = asked("POST", "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream")
    assert converse.checks[0].action == "bedrock:InvokeModelWithResponseStream"


def test_the_deployment_reads_the_overflow_managed_policies_cdk_attaches_to_a_role():
    # Given a role whose inline policy overflowed into a managed policy (IAM's 10,240-character limit
    # per role): the worker's Content Credentials grants live there once its Bedrock grants are many
    from local.aws import Resources
    from local.iam import deployment

    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"
    local = Resources(**{name: f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}" for name in ("moto_url", "table_name", "images_bucket", "jobs_queue_url",
                                               "jobs_queue_arn", "dlq_url", "dlq_arn", "cursor_secret_arn",
                                               "origin_secret_arn", "origin_secret", "user_pool_id", "web_client_id",
                                               "machine_client_id", "machine_client_secret")},
                      index_queue_arn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:index", credentials_key_arn=key_arn)
    template = {"Resources": {
        "WorkerRole": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Worker": {"Type": "AWS::Lambda::Function", "Properties": {
            "Handler": "generate.worker.handler", "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]},
            "Environment": {"Variables": {"CREDENTIALS_KEY_ID": {"Fn::GetAtt": ["Key", "Arn"]}}}}},
        "WorkerRoleDefaultPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
            "Roles": [{"Ref": "WorkerRole"}], "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/images/*"}]}}},
        "WorkerRoleOverflowPolicy1": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "Roles": [{"Ref": "WorkerRole"}], "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "kms:Sign", "Resource": {"Fn::GetAtt": ["Key", "Arn"]}}]}}},
    }}
    worker = deployment.read(template, local, deployment.Place(ACCOUNT, "us-east-1")).functions["generate-worker"]
    assert allowed("kms:Sign", key_arn, worker.statements)
    assert allowed("s3:GetObject", "arn:aws:s3:::b/images/x.png", worker.statements)
    assert not allowed("kms:Sign", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/other", worker.statements)


def test_the_deployment_lists_the_custom_resources_its_own_functions_back_and_leaves_cdks_out():
    # Given the day-one certificate's custom resource (backed by the product's issuer function) and one of
    # CDK's AwsCustomResource providers (not a product function)
    from local.aws import Resources
    from local.iam import deployment

    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"
    local = Resources(**{name: f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}" for name in (
        "moto_url", "table_name", "images_bucket", "jobs_queue_url", "jobs_queue_arn", "dlq_url", "dlq_arn",
        "cursor_secret_arn", "origin_secret_arn", "origin_secret", "user_pool_id", "web_client_id",
        "machine_client_id", "machine_client_secret")}, index_queue_arn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:index",
        credentials_key_arn=key_arn)
    template = {"Resources": {
        "IssuerRole": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Issuer": {"Type": "AWS::Lambda::Function", "Properties": {
            "Handler": "credentials.issuer.handler", "Role": {"Fn::GetAtt": ["IssuerRole", "Arn"]},
            "Environment": {"Variables": {"CREDENTIALS_KEY_ID": {"Fn::GetAtt": ["Key", "Arn"]}}}}},
        "DayOne": {"Type": "Custom::DayOneCertificate", "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["Issuer", "Arn"]}, "KeyArn": {"Fn::GetAtt": ["Key", "Arn"]},
            "ParameterName": "/s/day-one", "Retain": "true"}},
        "ProviderRole": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Provider": {"Type": "AWS::Lambda::Function", "Properties": {
            "Handler": "index.handler", "Role": {"Fn::GetAtt": ["ProviderRole", "Arn"]}}},
        "Cors": {"Type": "Custom::AWS", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]}}},
    }}
    read = deployment.read(template, local, deployment.Place(ACCOUNT, "us-east-1"))
    # Then only the product's resource is listed, for its function, with its properties resolved locally
    assert read.custom_resources == [deployment.CustomResource(
        "DayOne", "Custom::DayOneCertificate", "credentials-issuer",
        {"KeyArn": key_arn, "ParameterName": "/s/day-one", "Retain": "true"})]
