"""What an AWS API request asks for, in IAM's terms: who signed it, and which actions on which resources.

Each service's wire protocol names its operation and resources differently (the JSON protocols in
X-Amz-Target and the body, S3 in the method, path and query, the REST-JSON services in the path);
this reads them the way the service's authorization does, per the IAM service authorization
reference ("Actions, resources, and condition keys for <service>"). A request this module cannot
read (an operation the functions never call) is returned with the action "<service>:Unknown...",
which no policy of ours allows.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable
from xml.etree import ElementTree

from local.iam.evaluate import Request

SIGV4 = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
# Inference profiles are named <geography>.<model id> (Bedrock user guide, "Supported Regions and
# models for inference profiles").
PROFILE_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "jp.", "au.", "ca.", "global.")


@dataclass
class Signature:
    access_key: str = ""
    region: str = ""
    service: str = ""


@dataclass
class Asked:
    """One API call: the signer, the service (as signed), the operation, and what IAM must allow."""

    signature: Signature
    service: str
    operation: str
    checks: list[Request] = field(default_factory=list)


def signature(headers: dict[str, str], query: dict[str, list[str]], form: dict[str, str] | None = None) -> Signature:
    """Who signed the request: SigV4 in the Authorization header, a presigned URL's X-Amz-Credential,
    or a presigned POST form's x-amz-credential field; empty when unsigned."""
    authorization = headers.get("authorization", "")
    credential = None
    match = SIGV4.search(authorization)
    if match:
        credential = match.groups()
    elif "X-Amz-Credential" in query:
        credential = query["X-Amz-Credential"][0].split("/")
    elif form and form.get("x-amz-credential"):
        credential = form["x-amz-credential"].split("/")
    if not credential or len(credential) < 4:
        return Signature()
    return Signature(access_key=credential[0], region=credential[2], service=credential[3])


def _target(headers: dict[str, str]) -> tuple[str, str]:
    prefix, _, operation = headers.get("x-amz-target", "").partition(".")
    return prefix, operation


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _queue_arn(url: str, region: str) -> str:
    path = [p for p in urllib.parse.urlsplit(url).path.split("/") if p]
    return f"arn:aws:sqs:{region}:{path[-2]}:{path[-1]}" if len(path) >= 2 else f"arn:aws:sqs:{region}:unknown:{url}"


# --- DynamoDB ---------------------------------------------------------------------------------------
TRANSACTION_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                       "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


def _dynamodb(operation: str, body: dict, region: str, account: str) -> list[Request]:
    def table(name: str, index: str | None = None) -> str:
        arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    if operation in ("TransactWriteItems", "TransactGetItems"):
        checks = []
        for item in body.get("TransactItems", []):
            for kind, op in item.items():
                checks.append(Request(f"dynamodb:{TRANSACTION_ACTIONS.get(kind, kind)}", table(op.get("TableName", ""))))
        return checks
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Request(f"dynamodb:{operation}", table(name)) for name in body.get("RequestItems", {})]
    if "TableName" in body:
        return [Request(f"dynamodb:{operation}", table(body["TableName"], body.get("IndexName")))]
    return [Request(f"dynamodb:{operation}", "*")]


# --- SQS ----------------------------------------------------------------------------------------------
SQS_BATCH = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
             "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def _sqs(operation: str, params: dict, region: str, account: str) -> list[Request]:
    action = f"sqs:{SQS_BATCH.get(operation, operation)}"
    if params.get("QueueUrl"):
        return [Request(action, _queue_arn(params["QueueUrl"], region))]
    if operation in ("GetQueueUrl", "CreateQueue") and params.get("QueueName"):
        account = params.get("QueueOwnerAWSAccountId") or account
        return [Request(action, f"arn:aws:sqs:{region}:{account}:{params['QueueName']}")]
    return [Request(action, "*")]


# --- S3 -----------------------------------------------------------------------------------------------
def _s3(method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes,
        form: dict[str, str] | None) -> tuple[str, list[Request]]:
    parts = path.lstrip("/").split("/", 1)
    bucket = urllib.parse.unquote(parts[0]) if parts and parts[0] else ""
    key = urllib.parse.unquote(parts[1]) if len(parts) > 1 else ""
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if form is not None:  # a presigned POST: the form's key, written by whoever signed its policy
        return "PostObject", [Request("s3:PutObject", f"{bucket_arn}/{form.get('key', '')}")]
    if not bucket:
        return "ListBuckets", [Request("s3:ListAllMyBuckets", "*")]
    if not key:
        if method == "POST" and "delete" in query:
            try:
                keys = [e.text or "" for e in ElementTree.fromstring(body).iter() if e.tag.endswith("Key")]
            except ElementTree.ParseError:
                keys = []
            return "DeleteObjects", [Request("s3:DeleteObject", f"{bucket_arn}/{k}") for k in keys]
        if method in ("GET", "HEAD") and not (set(query) - {"list-type", "prefix", "delimiter", "max-keys",
                                                             "continuation-token", "start-after", "encoding-type",
                                                             "marker", "fetch-owner"}):
            return "ListObjects", [Request("s3:ListBucket", bucket_arn)]
        sub = next(iter(sorted(query)), "")
        return f"{method} bucket ?{sub}", [Request(f"s3:Unknown{method.title()}Bucket{sub.title()}", bucket_arn)]
    object_arn = f"{bucket_arn}/{key}"
    if method in ("GET", "HEAD"):
        return ("HeadObject" if method == "HEAD" else "GetObject"), [Request("s3:GetObject", object_arn)]
    if method == "PUT":
        checks = [Request("s3:PutObject", object_arn)]
        source = headers.get("x-amz-copy-source")
        if source:
            checks.append(Request("s3:GetObject", "arn:aws:s3:::" + urllib.parse.unquote(source.split("?")[0].lstrip("/"))))
        return ("CopyObject" if source else "PutObject"), checks
    if method == "DELETE":
        if "uploadId" in query:
            return "AbortMultipartUpload", [Request("s3:AbortMultipartUpload", object_arn)]
        return "DeleteObject", [Request("s3:DeleteObject", object_arn)]
    if method == "POST" and ("uploads" in query or "uploadId" in query):
        return "MultipartUpload", [Request("s3:PutObject", object_arn)]
    return f"{method} object", [Request(f"s3:Unknown{method.title()}Object", object_arn)]


# --- S3 Vectors (REST-JSON: POST /<Operation>) ----------------------------------------------------------
def _s3vectors(operation: str, body: dict, region: str, account: str) -> list[Request]:
    if body.get("indexArn"):
        resource = body["indexArn"]
    elif body.get("vectorBucketName") and body.get("indexName"):
        resource = f"arn:aws:s3vectors:{region}:{account}:bucket/{body['vectorBucketName']}/index/{body['indexName']}"
    elif body.get("vectorBucketName"):
        resource = f"arn:aws:s3vectors:{region}:{account}:bucket/{body['vectorBucketName']}"
    else:
        resource = body.get("vectorBucketArn") or "*"
    checks = [Request(f"s3vectors:{operation}", resource)]
    # "If you use a metadata filter, or request metadata to be returned, you must also have
    # s3vectors:GetVectors permission" (QueryVectors, Amazon S3 Vectors API reference).
    if operation == "QueryVectors" and (body.get("filter") is not None or body.get("returnMetadata")):
        checks.append(Request("s3vectors:GetVectors", resource))
    return checks


# --- Bedrock ------------------------------------------------------------------------------------------
BEDROCK_RUNTIME = re.compile(r"^/model/(?P<model>[^/]+)/(?P<kind>invoke|invoke-with-response-stream|converse|"
                             r"converse-stream)$")
STREAMING = {"invoke-with-response-stream", "converse-stream"}


def bedrock_checks(model_id: str, streaming: bool, region: str, account: str,
                   destinations: Callable[[str], list[str]]) -> list[Request]:
    """InvokeModel on a foundation model in the caller's region, or, through an inference profile, on
    the profile and on the model in every region the profile may route to, with the condition key
    bedrock:InferenceProfileArn set (Bedrock user guide, "Prerequisites for inference profiles")."""
    action = "bedrock:InvokeModelWithResponseStream" if streaming else "bedrock:InvokeModel"
    if model_id.startswith("arn:"):
        return [Request(action, model_id)]
    if model_id.startswith(PROFILE_PREFIXES):
        profile = f"arn:aws:bedrock:{region}:{account}:inference-profile/{model_id}"
        base = model_id.split(".", 1)[1]
        return [Request(action, profile)] + [
            Request(action, f"arn:aws:bedrock:{destination}::foundation-model/{base}",
                    {"bedrock:InferenceProfileArn": profile})
            for destination in destinations(model_id)]
    return [Request(action, f"arn:aws:bedrock:{region}::foundation-model/{model_id}")]


def bedrock_control(method: str, path: str, region: str, account: str) -> tuple[str, list[Request]]:
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
    if parts[:1] == ["foundation-models"] and len(parts) == 2:
        return "GetFoundationModel", [Request("bedrock:GetFoundationModel",
                                              f"arn:aws:bedrock:{region}::foundation-model/{parts[1]}")]
    if parts == ["foundation-models"]:
        return "ListFoundationModels", [Request("bedrock:ListFoundationModels", "*")]
    if parts[:1] == ["inference-profiles"] and len(parts) == 2:
        return "GetInferenceProfile", [Request("bedrock:GetInferenceProfile",
                                               f"arn:aws:bedrock:{region}:{account}:inference-profile/{parts[1]}")]
    if parts == ["inference-profiles"]:
        return "ListInferenceProfiles", [Request("bedrock:ListInferenceProfiles", "*")]
    return f"{method} {path}", [Request("bedrock:UnknownOperation", "*")]


# --- everything else of the JSON protocols -------------------------------------------------------------
def _json_service(prefix: str, operation: str, body: dict, region: str, account: str,
                  secret_arn: Callable[[str], str]) -> tuple[str, list[Request]]:
    if prefix.startswith("DynamoDB_"):
        return "dynamodb", _dynamodb(operation, body, region, account)
    if prefix == "AmazonSQS":
        return "sqs", _sqs(operation, body, region, account)
    if prefix == "secretsmanager":
        secret = body.get("SecretId") or body.get("Name") or "*"
        return "secretsmanager", [Request(f"secretsmanager:{operation}", secret_arn(secret))]
    if prefix == "AmazonSSM":
        name = str(body.get("Name", "*")).lstrip("/")
        return "ssm", [Request(f"ssm:{operation}", f"arn:aws:ssm:{region}:{account}:parameter/{name}")]
    if prefix == "TrentService":
        key = body.get("KeyId", "*")
        arn = key if key.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key}"
        return "kms", [Request(f"kms:{operation}", arn)]
    if prefix == "AWSCognitoIdentityProviderService":
        pool = body.get("UserPoolId")
        arn = f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool}" if pool else "*"
        return "cognito-idp", [Request(f"cognito-idp:{operation}", arn)]
    return prefix or "unknown", [Request(f"{prefix or 'unknown'}:{operation or 'Unknown'}", "*")]


def read_request(method: str, path: str, query_string: str, headers: dict[str, str], body: bytes, *,
                 account: str, default_region: str, secret_arn: Callable[[str], str] = lambda s: s,
                 form: dict[str, str] | None = None,
                 profile_destinations: Callable[[str], list[str]] = lambda _profile: []) -> Asked:
    """`headers` with lower-case names. `form`: the fields of a presigned POST (S3), when it is one."""
    query = urllib.parse.parse_qs(query_string, keep_blank_values=True)
    signed = signature(headers, query, form)
    region = signed.region or default_region
    prefix, operation = _target(headers)
    if prefix:
        service, checks = _json_service(prefix, operation, _json(body), region, account, secret_arn)
        return Asked(signed, service, operation, checks)
    service = signed.service or ("s3" if form is not None else "")
    if service == "sqs" or (method == "POST" and b"Action=" in body[:200] and "x-www-form-urlencoded" in
                            headers.get("content-type", "")):  # SQS's query protocol
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
        return Asked(signed, "sqs", params.get("Action", ""), _sqs(params.get("Action", ""), params, region, account))
    if service == "s3":
        operation, checks = _s3(method, path, query, headers, body, form)
        return Asked(signed, "s3", operation, checks)
    if service == "s3vectors":
        operation = path.strip("/").split("/")[0]
        return Asked(signed, "s3vectors", operation, _s3vectors(operation, _json(body), region, account))
    if service == "bedrock":
        runtime = BEDROCK_RUNTIME.match(path)
        if runtime:
            model = urllib.parse.unquote(runtime.group("model"))
            return Asked(signed, "bedrock", runtime.group("kind"),
                         bedrock_checks(model, runtime.group("kind") in STREAMING, region, account,
                                        profile_destinations))
        operation, checks = bedrock_control(method, path, region, account)
        return Asked(signed, "bedrock", operation, checks)
    if service == "cloudfront":
        match = re.search(r"/distribution/([^/]+)/invalidation", path)
        if match and method == "POST":
            return Asked(signed, "cloudfront", "CreateInvalidation",
                         [Request("cloudfront:CreateInvalidation", f"arn:aws:cloudfront::{account}:distribution/{match.group(1)}")])
        return Asked(signed, "cloudfront", f"{method} {path}", [Request("cloudfront:UnknownOperation", "*")])
    return Asked(signed, service or "unknown", f"{method} {path}", [Request(f"{service or 'unknown'}:Unknown", "*")])


def form_fields(content_type: str, body: bytes) -> dict[str, str] | None:
    """The text fields of a multipart/form-data body (a presigned POST), names lower-cased; None when
    the body is not a form."""
    if not content_type.startswith("multipart/form-data"):
        return None
    import email.parser
    import email.policy

    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None or name == "file":
            if name == "file":
                break
            continue
        fields[name.lower()] = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return fields
