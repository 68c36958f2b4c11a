"""Storage: the DynamoDB table (keys and indexes from studio.storage_layout), the images bucket, the log bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk import constants as c
from cdk.config import StudioConfig
from studio import storage_layout


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig) -> None:
        super().__init__(scope, construct_id)
        data_removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY

        # Server access logs of the buckets and CloudFront standard logs (cdk-nag S1 accepts a bucket
        # that is itself a log destination). CloudFront writes its
        # logs with ACLs, so this bucket keeps object-writer ownership; it stays private.
        self.log_bucket = s3.Bucket(
            self, "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(c.ACCESS_LOG_EXPIRY_DAYS),
                                              noncurrent_version_expiration=Duration.days(1))],
            removal_policy=data_removal,
            auto_delete_objects=not config.retain_data,
        )

        self.images_bucket = s3.Bucket(
            self, "Images",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,  # CloudFront OAC reads SSE-S3 objects without KMS grants
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="s3/images/",
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-uploads", prefix=storage_layout.UPLOADS_PREFIX,
                                 expiration=Duration.days(storage_layout.UPLOAD_EXPIRY_DAYS)),
                s3.LifecycleRule(id="expire-exports", prefix=storage_layout.EXPORTS_PREFIX,
                                 expiration=Duration.days(storage_layout.EXPORT_EXPIRY_DAYS)),
                # A deleted image must not stay retrievable as an old version for long.
                s3.LifecycleRule(id="expire-deleted-images", prefix=storage_layout.IMAGES_PREFIX,
                                 noncurrent_version_expiration=Duration.days(c.DELETED_IMAGE_VERSION_EXPIRY_DAYS),
                                 expired_object_delete_marker=True),
                s3.LifecycleRule(id="expire-old-versions",
                                 noncurrent_version_expiration=Duration.days(c.NONCURRENT_VERSION_EXPIRY_DAYS),
                                 expired_object_delete_marker=True),
                s3.LifecycleRule(id="abort-multipart",
                                 abort_incomplete_multipart_upload_after=Duration.days(c.ABORT_MULTIPART_DAYS)),
            ],
            removal_policy=data_removal,
            auto_delete_objects=not config.retain_data,
        )

        self.table = dynamodb.TableV2(
            self, "Table",
            partition_key=dynamodb.Attribute(name=storage_layout.PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=storage_layout.SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing=dynamodb.Billing.on_demand(),
            time_to_live_attribute=storage_layout.TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            # Deletion protection follows the removal policy: with "destroy" the stack can be deleted.
            deletion_protection=config.retain_data,
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=index.name,
                    partition_key=dynamodb.Attribute(name=index.partition_key, type=dynamodb.AttributeType.STRING),
                    sort_key=dynamodb.Attribute(name=index.sort_key, type=dynamodb.AttributeType.STRING),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
                for index in storage_layout.INDEXES
            ],
            removal_policy=data_removal,
        )
