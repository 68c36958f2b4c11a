"""The application's AWS resources, built from studio.storage_layout (the same source the stack uses).

Call inside an active moto `mock_aws` context.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import boto3

from studio import storage_layout

REGION = "us-east-1"
TABLE = "studio-test"
BUCKET = "studio-images-test"
QUEUE = "studio-jobs-test"
DLQ = "studio-jobs-dlq-test"
SECRET = "studio/cursor-key"
SECRET_VALUE = "test-cursor-signing-key-0123456789abcdef"
INDEX_QUEUE = "studio-index-test"
INDEX_DLQ = "studio-index-dlq-test"
VECTOR_BUCKET = "studio-vectors-test"
VECTOR_INDEX_ARN = f"arn:aws:s3vectors:{REGION}:123456789012:bucket/{VECTOR_BUCKET}/index/{storage_layout.VECTOR_INDEX_NAME}"
ORIGIN_SECRET = "studio/origin-verify"
ORIGIN_SECRET_VALUE = "test-origin-verify-0123456789abcdef"


@dataclass
class Resources:
    table_name: str
    bucket: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    secret_arn: str
    index_queue_url: str = ""
    index_queue_arn: str = ""
    origin_secret_arn: str = ""
    credentials_key_arn: str = ""
    credentials_chain_secret_arn: str = ""


def create_table(dynamodb, name: str = TABLE) -> None:
    """The table with its keys, TTL and every index in studio.storage_layout.INDEXES (projection ALL)."""
    attributes = {storage_layout.PARTITION_KEY, storage_layout.SORT_KEY}
    for index in storage_layout.INDEXES:
        attributes |= {index.partition_key, index.sort_key}
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        KeySchema=[{"AttributeName": storage_layout.PARTITION_KEY, "KeyType": "HASH"},
                   {"AttributeName": storage_layout.SORT_KEY, "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": index.name,
             "KeySchema": [{"AttributeName": index.partition_key, "KeyType": "HASH"},
                           {"AttributeName": index.sort_key, "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}}
            for index in storage_layout.INDEXES
        ],
    )
    dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": storage_layout.TTL_ATTRIBUTE})


def create_all(region: str = REGION) -> Resources:
    dynamodb = boto3.client("dynamodb", region_name=region)
    create_table(dynamodb)
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=BUCKET)
    sqs = boto3.client("sqs", region_name=region)
    dlq_url = sqs.create_queue(QueueName=DLQ)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(QueueName=QUEUE, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(storage_layout.JOBS_MAX_RECEIVE_COUNT)})})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sm = boto3.client("secretsmanager", region_name=region)
    secret_arn = sm.create_secret(Name=SECRET, SecretString=SECRET_VALUE)["ARN"]
    origin_arn = sm.create_secret(Name=ORIGIN_SECRET, SecretString=ORIGIN_SECRET_VALUE)["ARN"]
    index_dlq_url = sqs.create_queue(QueueName=INDEX_DLQ)["QueueUrl"]
    index_dlq_arn = sqs.get_queue_attributes(QueueUrl=index_dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    index_queue_url = sqs.create_queue(QueueName=INDEX_QUEUE, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": index_dlq_arn, "maxReceiveCount": str(storage_layout.INDEX_JOBS_MAX_RECEIVE_COUNT)})})["QueueUrl"]
    index_queue_arn = sqs.get_queue_attributes(QueueUrl=index_queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    create_vector_index(boto3.client("s3vectors", region_name=region))
    key_arn, chain_arn = create_signing_key(boto3.client("kms", region_name=region), sm)
    return Resources(TABLE, BUCKET, queue_url, queue_arn, dlq_url, secret_arn, index_queue_url=index_queue_url,
                     index_queue_arn=index_queue_arn, origin_secret_arn=origin_arn, credentials_key_arn=key_arn,
                     credentials_chain_secret_arn=chain_arn)


_authority = []
# Where the deploy-time issuer stores the day-one chain (cdk/constants.py DAY_ONE_CHAIN_PARAMETER for this stack).
DAY_ONE_PARAMETER = "/studio-test/content-credentials/day-one-chain"


def create_signing_key(kms, secretsmanager) -> tuple[str, str]:
    """The Content Credentials key in moto's KMS and its chain secret holding an organisation's chain
    (a development CA stands in for the organisation's, one per test run: making a CA key is the slow
    part). Tests of the day-one path set the secret to "unset" and run the issuer."""
    from local import credentials, moto_patches

    moto_patches.install_kms_digest()
    if not _authority:
        _authority.append(credentials.authority(None))
    return credentials.provision(kms, secretsmanager, _authority[0])


def create_vector_index(s3vectors, bucket: str = VECTOR_BUCKET) -> None:
    """The vector bucket and index from studio.storage_layout, with the local QueryVectors stand-in."""
    from local import vector_query

    vector_query.install()
    s3vectors.create_vector_bucket(vectorBucketName=bucket)
    s3vectors.create_index(vectorBucketName=bucket, indexName=storage_layout.VECTOR_INDEX_NAME,
                           dataType=storage_layout.VECTOR_DATA_TYPE, dimension=storage_layout.VECTOR_DIMENSION,
                           distanceMetric=storage_layout.VECTOR_DISTANCE,
                           metadataConfiguration={"nonFilterableMetadataKeys": list(storage_layout.VECTOR_NON_FILTERABLE_KEYS)})


def objects_under(prefix: str, bucket: str = BUCKET) -> list[str]:
    s3 = boto3.client("s3", region_name=REGION)
    answer = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in answer.get("Contents", []))


def queued_messages(queue_url: str) -> list[dict]:
    """Every message waiting in the queue (received, so they become invisible)."""
    sqs = boto3.client("sqs", region_name=REGION)
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                    AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)


def sqs_event(messages: list[dict], queue_arn: str) -> dict:
    """A real SQS -> Lambda event for received messages."""
    return {"Records": [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": {
                "ApproximateReceiveCount": m.get("Attributes", {}).get("ApproximateReceiveCount", "1"),
                "SentTimestamp": m.get("Attributes", {}).get("SentTimestamp", "1764000000000"),
                "SenderId": m.get("Attributes", {}).get("SenderId", "AIDAEXAMPLE"),
                "ApproximateFirstReceiveTimestamp": m.get("Attributes", {}).get(
                    "ApproximateFirstReceiveTimestamp", "1764000000001"),
            },
            "messageAttributes": {},
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": REGION,
        }
        for m in messages
    ]}


def sqs_event_for_bodies(bodies: list[str], queue_arn: str) -> dict:
    """An SQS event for message bodies that were never in a queue (dead letters, junk)."""
    return sqs_event([{"MessageId": f"m-{i}", "ReceiptHandle": f"rh-{i}", "Body": b,
                       "MD5OfBody": hashlib.md5(b.encode()).hexdigest()} for i, b in enumerate(bodies)], queue_arn)
