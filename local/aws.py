"""moto in server mode, and the resources the CDK stack defines, built from the same source.

The table (keys, TTL, every GSI), the bucket prefixes and the DLQ's receive count come from
studio.storage_layout, the Cognito scopes from studio.routes: nothing here is a second hand-written copy.
"""

from __future__ import annotations

import json
import logging
import secrets
import socket
import threading
from dataclasses import asdict, dataclass

import boto3
from botocore.config import Config

from local.paths import add_functions_to_path

add_functions_to_path()
from studio import routes, storage_layout  # noqa: E402

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
# moto's IDs (user pool, clients, secret ARN suffix) come from its seeded random: the same seed and
# the same bootstrap calls give the same IDs on every start, so config.json and tokens stay valid.
MOTO_SEED = 20261126

TABLE_NAME = "image-prompt-studio-local"
IMAGES_BUCKET = "image-prompt-studio-images-local"
JOBS_QUEUE = "image-prompt-studio-jobs"
JOBS_DLQ = "image-prompt-studio-jobs-dlq"
INDEX_QUEUE = "image-prompt-studio-index"
INDEX_DLQ = "image-prompt-studio-index-dlq"
VECTOR_BUCKET = "image-prompt-studio-vectors-local"
INDEX_VISIBILITY_TIMEOUT = 60
CURSOR_SECRET_NAME = "image-prompt-studio/cursor-secret"
ORIGIN_SECRET_NAME = "image-prompt-studio/origin-verify"
USER_POOL_NAME = "image-prompt-studio-users"
WEB_CLIENT_NAME = "image-prompt-studio-web"
MACHINE_CLIENT_NAME = "image-prompt-studio-machine"
PASSWORD_POLICY = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
                   "RequireSymbols": False}
PASSWORD_RULE = "at least 8 characters with an upper-case letter, a lower-case letter and a digit"
# The worker must finish (model call with retries) well inside this, or the message comes back.
JOBS_VISIBILITY_TIMEOUT = 60


@dataclass
class Resources:
    moto_url: str
    table_name: str
    images_bucket: str
    jobs_queue_url: str
    jobs_queue_arn: str
    dlq_url: str
    dlq_arn: str
    cursor_secret_arn: str
    origin_secret_arn: str
    origin_secret: str  # what CloudFront would add as the origin header (the local gateway does)
    user_pool_id: str
    web_client_id: str
    machine_client_id: str
    machine_client_secret: str
    index_queue_url: str = ""
    index_queue_arn: str = ""
    index_dlq_url: str = ""
    index_dlq_arn: str = ""
    vector_bucket_arn: str = ""
    vector_index_arn: str = ""
    distribution_id: str = ""  # the CloudFront distribution the gallery invalidates (moto's)
    events_api_id: str = "localevents"  # the AppSync Events API the local gateway serves (push)

    def events_http_domain(self, region: str) -> str:
        """What the stack's Dns.Http would be (the host the functions sign for; the gateway serves it)."""
        return f"{self.events_api_id}.appsync-api.{region}.amazonaws.com"

    def events_namespace_arn(self, region: str, account: str, namespace: str) -> str:
        return f"arn:aws:appsync:{region}:{account}:apis/{self.events_api_id}/channelNamespace/{namespace}"
    credentials_key_arn: str = ""  # the KMS key that signs Content Credentials (local/credentials.py)
    credentials_chain_secret_arn: str = ""

    @property
    def jwks_url(self) -> str:
        return f"{self.moto_url}/{self.user_pool_id}/.well-known/jwks.json"

    def to_json(self) -> dict:
        return asdict(self)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class MotoServer:
    """moto's server on loopback, on a free port, in this process (its backends are ours), behind the
    IAM gate (local/iam/gate.py) once the stack installs one: until then only the harness calls it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.gate = None  # local.iam.gate.Gate, set by the stack after the bootstrap
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "MotoServer":
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from local import moto_patches, vector_query

        vector_query.install()  # QueryVectors, which moto lacks, before the first s3vectors request
        moto_patches.install()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(self.host, self.port, _Gated(app, self), True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Gated:
    """The WSGI application: straight to moto until a gate is installed, then through it."""

    def __init__(self, app, server: MotoServer) -> None:
        self.app, self.server, self._gated = app, server, None

    def __call__(self, environ, start_response):
        gate = self.server.gate
        if gate is None:
            return self.app(environ, start_response)
        if self._gated is None or self._gated.gate is not gate:
            from local.iam.gate import GatedMoto

            self._gated = GatedMoto(self.app, gate)
        return self._gated(environ, start_response)


def client(service: str, endpoint_url: str, credentials: tuple[str, str] = ("local", "local"), region: str = REGION):
    """A boto3 client for the local world, signing as `credentials` (default: the harness, allowed everything)."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=credentials[0],
        aws_secret_access_key=credentials[1],
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
    )


def seed_moto(seed: int | None = MOTO_SEED) -> None:
    """Seed moto's random (None: from the OS again)."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(seed)


def bootstrap(moto_url: str, site_origins: list[str], cursor_secret: str | None = None,
              distribution_parameter: str = "", credentials_authority=None) -> Resources:
    """Create every resource the handlers use. Deterministic IDs (seeded), idempotent per process.

    `credentials_authority`: a CA that issues the Content Credentials signing certificate into the
    chain secret, as an organisation's would (local/credentials.py); None: the secret holds "unset",
    as deployed, and the stack's deploy-time issuer provides the day-one chain (local/stack.py).

    `distribution_parameter`: the SSM parameter the stack writes the CloudFront distribution's id
    into (the functions' DISTRIBUTION_ID_PARAMETER): a distribution is made in moto and its id put
    there, so the gallery invalidates cached images here as it does in the cloud."""
    seed_moto()
    ddb = client("dynamodb", moto_url)
    key_attrs = {storage_layout.PARTITION_KEY, storage_layout.SORT_KEY}
    for index in storage_layout.INDEXES:
        key_attrs.update((index.partition_key, index.sort_key))
    ddb.create_table(
        TableName=TABLE_NAME,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(key_attrs)],
        KeySchema=[
            {"AttributeName": storage_layout.PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": storage_layout.SORT_KEY, "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in storage_layout.INDEXES
        ],
    )
    ddb.update_time_to_live(
        TableName=TABLE_NAME,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": storage_layout.TTL_ATTRIBUTE},
    )

    s3 = client("s3", moto_url)
    s3.create_bucket(Bucket=IMAGES_BUCKET)
    s3.put_bucket_cors(
        Bucket=IMAGES_BUCKET,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedMethods": ["POST"],
                    "AllowedOrigins": site_origins,
                    "AllowedHeaders": ["*"],
                    "MaxAgeSeconds": 3000,
                }
            ]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=IMAGES_BUCKET,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-uploads",
                    "Filter": {"Prefix": storage_layout.UPLOADS_PREFIX},
                    "Status": "Enabled",
                    "Expiration": {"Days": storage_layout.UPLOAD_EXPIRY_DAYS},
                },
                {
                    "ID": "expire-exports",
                    "Filter": {"Prefix": storage_layout.EXPORTS_PREFIX},
                    "Status": "Enabled",
                    "Expiration": {"Days": storage_layout.EXPORT_EXPIRY_DAYS},
                },
            ]
        },
    )

    sqs = client("sqs", moto_url)
    queue_url, queue_arn, dlq_url, dlq_arn = _queue_with_dlq(sqs, JOBS_QUEUE, JOBS_DLQ, JOBS_VISIBILITY_TIMEOUT,
                                                             storage_layout.JOBS_MAX_RECEIVE_COUNT)

    sm = client("secretsmanager", moto_url)
    secret_arn = sm.create_secret(
        Name=CURSOR_SECRET_NAME,
        SecretString=cursor_secret or secrets.token_urlsafe(48)[:64],
    )["ARN"]
    origin_secret = secrets.token_urlsafe(32)
    origin_secret_arn = sm.create_secret(Name=ORIGIN_SECRET_NAME, SecretString=origin_secret)["ARN"]

    idp = client("cognito-idp", moto_url)
    pool_id = idp.create_user_pool(
        PoolName=USER_POOL_NAME,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": PASSWORD_POLICY},
    )["UserPool"]["Id"]
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier=routes.RESOURCE_SERVER,
        Name=routes.RESOURCE_SERVER,
        Scopes=[{"ScopeName": k, "ScopeDescription": v} for k, v in routes.MACHINE_SCOPES.items()],
    )
    web = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=WEB_CLIENT_NAME,
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        ReadAttributes=["email", "email_verified"],
        AccessTokenValidity=60,
        IdTokenValidity=60,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    )["UserPoolClient"]
    machine_scopes = [f"{routes.RESOURCE_SERVER}/{name}" for name in routes.MACHINE_SCOPES]
    machine = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=MACHINE_CLIENT_NAME,
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=machine_scopes,
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]

    # Search, after the seeded Cognito IDs so that those stay what earlier versions created.
    index_queue_url, index_queue_arn, index_dlq_url, index_dlq_arn = _queue_with_dlq(
        sqs, INDEX_QUEUE, INDEX_DLQ, INDEX_VISIBILITY_TIMEOUT, storage_layout.INDEX_JOBS_MAX_RECEIVE_COUNT)
    vectors = client("s3vectors", moto_url)
    vector_bucket_arn = vectors.create_vector_bucket(vectorBucketName=VECTOR_BUCKET).get("vectorBucketArn") or \
        f"arn:aws:s3vectors:{REGION}:{ACCOUNT_ID}:bucket/{VECTOR_BUCKET}"
    vectors.create_index(
        vectorBucketName=VECTOR_BUCKET, indexName=storage_layout.VECTOR_INDEX_NAME, dataType=storage_layout.VECTOR_DATA_TYPE,
        dimension=storage_layout.VECTOR_DIMENSION, distanceMetric=storage_layout.VECTOR_DISTANCE,
        metadataConfiguration={"nonFilterableMetadataKeys": list(storage_layout.VECTOR_NON_FILTERABLE_KEYS)},
    )

    distribution_id = _distribution(moto_url, distribution_parameter) if distribution_parameter else ""

    from local import credentials

    key_arn, chain_arn = credentials.provision(client("kms", moto_url), sm, credentials_authority)

    # Only the bootstrap is deterministic: IDs made later (user subs above all) must never repeat
    # the ones an earlier run made, or a new user could inherit a restored user's records.
    seed_moto(None)
    return Resources(
        moto_url=moto_url,
        table_name=TABLE_NAME,
        images_bucket=IMAGES_BUCKET,
        jobs_queue_url=queue_url,
        jobs_queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        cursor_secret_arn=secret_arn,
        origin_secret_arn=origin_secret_arn,
        origin_secret=origin_secret,
        user_pool_id=pool_id,
        web_client_id=web["ClientId"],
        machine_client_id=machine["ClientId"],
        machine_client_secret=machine["ClientSecret"],
        index_queue_url=index_queue_url,
        index_queue_arn=index_queue_arn,
        index_dlq_url=index_dlq_url,
        index_dlq_arn=index_dlq_arn,
        vector_bucket_arn=vector_bucket_arn,
        distribution_id=distribution_id,
        credentials_key_arn=key_arn,
        credentials_chain_secret_arn=chain_arn,
        vector_index_arn=vectors.get_index(vectorBucketName=VECTOR_BUCKET,
                                           indexName=storage_layout.VECTOR_INDEX_NAME)["index"]["indexArn"],
    )


def _distribution(moto_url: str, parameter: str) -> str:
    """A CloudFront distribution in moto (the one the gallery invalidates), its id in `parameter`."""
    distribution = client("cloudfront", moto_url).create_distribution(DistributionConfig={
        "CallerReference": "image-prompt-studio-local", "Comment": "the local gateway plays it", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "images", "DomainName": f"{IMAGES_BUCKET}.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "images", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0}},
    })["Distribution"]["Id"]
    client("ssm", moto_url).put_parameter(Name=parameter, Value=distribution, Type="String", Overwrite=True)
    return distribution


def _queue_with_dlq(sqs, name: str, dlq_name: str, visibility: int, max_receive: int) -> tuple[str, str, str, str]:
    """(url, arn, DLQ url, DLQ arn) of a queue that moves a message to its DLQ after max_receive tries."""
    dlq_url = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": str(visibility),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive)}),
    })["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url, dlq_arn


class BadUser(ValueError):
    """The user pool refuses this user name or password; the message says what to change."""


def ensure_user(moto_url: str, pool_id: str, email: str, password: str) -> str:
    """Create a confirmed user with a permanent password (if absent); return its sub."""
    idp = client("cognito-idp", moto_url)
    try:
        return _ensure_user(idp, pool_id, email, password)
    except idp.exceptions.InvalidParameterException as exc:
        raise BadUser(f"the user name {email!r} is not an email address; the user pool signs people in "
                      "by email (for example demo@studio.local)") from exc
    except idp.exceptions.InvalidPasswordException as exc:
        raise BadUser(f"the password breaks the user pool's policy: {PASSWORD_RULE}") from exc


def _ensure_user(idp, pool_id: str, email: str, password: str) -> str:
    try:
        user = idp.admin_get_user(UserPoolId=pool_id, Username=email)
    except idp.exceptions.UserNotFoundException:
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
    # The configured password wins (STUDIO_DEMO_PASSWORD may change between runs).
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    user = idp.admin_get_user(UserPoolId=pool_id, Username=email)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
