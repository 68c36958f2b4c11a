"""Search: the S3 Vectors bucket and index of every rendered image, and the index jobs queue and its DLQ.

The index (studio.storage_layout.VECTOR_*) is fixed at creation: dimension, distance metric and
non-filterable keys cannot change later (a new index and a backfill would). CloudFormation:
AWS::S3Vectors::VectorBucket and AWS::S3Vectors::Index (aws_cdk.aws_s3vectors L1). Vector buckets
are always encrypted (SSE-S3 by default) and never public.
"""

from __future__ import annotations

from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3vectors as s3vectors
from constructs import Construct

from cdk import constants as c
from cdk.generation import encrypted_queue
from studio import routes, storage_layout


class Search(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.vector_bucket = s3vectors.CfnVectorBucket(
            self, "VectorBucket", encryption_configuration=s3vectors.CfnVectorBucket.EncryptionConfigurationProperty(
                sse_type="AES256"))
        self.index = s3vectors.CfnIndex(
            self, "Index",
            vector_bucket_arn=self.vector_bucket.attr_vector_bucket_arn,
            index_name=storage_layout.VECTOR_INDEX_NAME,
            data_type=storage_layout.VECTOR_DATA_TYPE,
            dimension=storage_layout.VECTOR_DIMENSION,
            distance_metric=storage_layout.VECTOR_DISTANCE,
            metadata_configuration=s3vectors.CfnIndex.MetadataConfigurationProperty(
                non_filterable_metadata_keys=list(storage_layout.VECTOR_NON_FILTERABLE_KEYS)),
        )
        index_timeout = routes.function("index").timeout_seconds
        self.dead_letters = encrypted_queue(self, "IndexDeadLetters", retention_days=c.DLQ_RETENTION_DAYS)
        self.jobs = encrypted_queue(
            self, "IndexJobs", retention_days=c.QUEUE_RETENTION_DAYS,
            visibility_seconds=c.VISIBILITY_TIMEOUT_FACTOR * index_timeout,
            dead_letters=self.dead_letters, max_receive_count=storage_layout.INDEX_JOBS_MAX_RECEIVE_COUNT)

    @property
    def index_arn(self) -> str:
        return self.index.attr_index_arn

    def jobs_source(self) -> sources.SqsEventSource:
        """The index function's trigger: one generation at a time, partial failures, a few in parallel."""
        return sources.SqsEventSource(self.jobs, batch_size=1, report_batch_item_failures=True,
                                      max_concurrency=c.INDEX_CONCURRENCY)
